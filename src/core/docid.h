/*
 * Stable Elasticsearch document ids: the same line of the same source
 * always gets the same id, so sending it again (a retried job, a
 * re-sent batch) overwrites one document instead of adding a second.
 */
#ifndef VIGIE_CORE_DOCID_H
#define VIGIE_CORE_DOCID_H

#include <stdbool.h>

#define DOCID_BYTES      16 /* bytes of SHA-256 kept */
#define DOCID_LEN        22 /* base64url of DOCID_BYTES, no padding */
#define DOCID_SOURCE_MAX 256 /* bytes of a source id */

bool docid_make(
    const char *source_id, unsigned long long seq, char out[DOCID_LEN + 1]);

#endif
