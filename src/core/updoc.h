/*
 * The end of an uploaded line's document: Vigie's own fields, rendered
 * once per file, so that closing each of a million documents is three
 * copies and a number instead of a printf.
 */
#ifndef VIGIE_CORE_UPDOC_H
#define VIGIE_CORE_UPDOC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define UPDOC_ID_MAX   64 /* bytes of a file id */
#define UPDOC_TIME_MAX 40 /* bytes of the received-at time */

struct updoc {
	char   head[UPDOC_ID_MAX + 40]; /* "vigie.file_id":"..","vigie.line": */
	size_t headlen;
	char   tail[UPDOC_TIME_MAX + 64]; /* ,"vigie.ingest_source":.."} */
	size_t taillen;
};

bool updoc_init(struct updoc *, const char *file_id, const char *received);
bool updoc_close(const struct updoc *, struct buf *doc, long line);

#endif
