/*
 * The answer of GET /api/v1/logs written straight from the text of
 * Elasticsearch's _search reply, without building a JSON tree: one pass
 * checks the whole reply, reads hits.total and copies each hit's _id,
 * _index and _source as they were sent. For a page of 50 logs (some
 * 34 KB) this replaces a parse and a re-serialisation of about 0.65 ms
 * by a scan of about 0.04 ms.
 *
 * The text written is, member for member, what the jansson version
 * wrote: {"total":N,"total_relation":"eq"|"gte","page":P,"size":S,
 * "hits":[{"id":..,"index":..,"source":..},...]}. A hit that lacks one of
 * the three members is left out, as json_pack() left it out. Values are
 * copied as Elasticsearch spelled them: numbers keep every digit (the
 * tree rounded reals to 8 significant digits and refused integers beyond
 * 64 bits).
 */
#ifndef VIGIE_CORE_SEARCH_ANSWER_H
#define VIGIE_CORE_SEARCH_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Deepest nesting accepted in a reply (jansson's own limit). */
#define SEARCH_ANSWER_DEPTH_MAX 2048

/*
 * Appends the answer for reply[0..len) to out and sets *total. Returns
 * false when the reply is not one valid JSON object (out then holds
 * whatever was appended: the caller discards it).
 */
bool search_answer_from_es(const char *reply, size_t len, long long page,
    long long size, struct buf *out, long long *total);

/*
 * True when text[0..len) is exactly one valid JSON value (RFC 8259, UTF-8,
 * at most SEARCH_ANSWER_DEPTH_MAX deep), white space around it allowed.
 */
bool search_answer_json_valid(const char *text, size_t len);

#endif
