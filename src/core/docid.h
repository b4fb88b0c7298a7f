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
#define DOCID_FILE_LEN   24 /* docid_file_line(): 12 + 6 bytes, base64url */
#define DOCID_MAX        24 /* the longest of the two */
#define DOCID_FILE_LINES 0xffffffffffffULL /* lines docid_file_line() numbers */

bool docid_make(
    const char *source_id, unsigned long long seq, char out[DOCID_LEN + 1]);
bool docid_file_line(
    const char *file_id, unsigned long long line, char out[DOCID_MAX + 1]);

#endif
