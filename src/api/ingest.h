/*
 * Machine ingestion endpoints (src/api/ingest.c): /api/v1/ingest, the
 * Elasticsearch-compatible /_bulk and the few calls shippers make first,
 * and the upload preview.
 */
#ifndef VIGIE_API_INGEST_H
#define VIGIE_API_INGEST_H

#include <stdbool.h>

#include <kore/kore.h>
#include <kore/http.h>

int api_ingest(struct http_request *);
int api_es_bulk(struct http_request *);
int api_es_root(struct http_request *);
int api_es_license(struct http_request *);
int api_es_xpack(struct http_request *);
int api_files_preview(struct http_request *);

/*
 * Whether a request for "/" is a shipper's (or a JSON client's) rather
 * than a browser's: it carries Authorization, or accepts JSON and not
 * HTML. page_index() hands those to api_es_root().
 */
bool api_es_root_wanted(struct http_request *);

#endif
