/*
 * Vigie's search language and the Elasticsearch queries it becomes.
 *
 * The free text a person types ("q", see docs/SEARCH.md) is parsed here
 * by our own small recursive-descent parser and turned, with jansson,
 * into a bool query of term / match / range clauses. Nothing the caller
 * types ever reaches Elasticsearch as query_string syntax, and no JSON
 * is built by string concatenation.
 *
 * Reuse (alert rules): search_query_build() turns (q, filters) into the
 * "query" object of a search request; run it against the tenant alias
 * (search_tenant_alias()), never an index the client named.
 *
 *   struct search_filters f;
 *   struct search_error   e;
 *   search_filters_init(&f);
 *   f.levels = SEARCH_LEVEL_BIT(EVENT_LEVEL_ERROR);
 *   json_t *query = search_query_build("service:api timeout", &f, &e);
 *   if (query == NULL) -> e.field / e.message say why (a 400)
 *
 * The rest is for the search API: request arguments checked and
 * normalized (search_params_from_args), the full search body (sort,
 * paging, total hits tracked up to SEARCH_TOTAL_LIMIT), relative times
 * ("now-24h"), and the cache key of a normalized request.
 */
#ifndef VIGIE_CORE_SEARCH_QUERY_H
#define VIGIE_CORE_SEARCH_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"

#include "core/record.h"
#include "core/tenant.h"

#define SEARCH_Q_MAX         1024 /* bytes of free text */
#define SEARCH_DEPTH_MAX     16 /* nested parentheses and NOTs */
#define SEARCH_CLAUSES_MAX   64 /* terms in one q */
#define SEARCH_SERVICES_MAX  20
#define SEARCH_SERVICE_LEN   128
#define SEARCH_SIZE_DEFAULT  50
#define SEARCH_SIZE_MAX      500
#define SEARCH_WINDOW_MAX    10000 /* page * size: Elasticsearch's window */
#define SEARCH_TOTAL_LIMIT   10000 /* totals past this are a lower bound */
#define SEARCH_TIME_TEXT_MAX 40

#define SEARCH_LEVEL_BIT(l) (1u << (unsigned)(l))
#define SEARCH_LEVELS_ERRORS \
	(SEARCH_LEVEL_BIT(EVENT_LEVEL_ERROR) | \
	    SEARCH_LEVEL_BIT(EVENT_LEVEL_CRITICAL))

enum search_sort {
	SEARCH_SORT_TIME = 0, /* @timestamp */
	SEARCH_SORT_LEVEL, /* log.level (alphabetical), then time */
	SEARCH_SORT_SERVICE, /* service.name, then time */
};

/* Why a request was refused: the argument and a sentence for a 400. */
struct search_error {
	char field[32];
	char message[192];
};

/* Structured filters next to the free text. from/to: [from, to). */
struct search_filters {
	unsigned levels; /* SEARCH_LEVEL_BIT()s; 0 means any level */
	char     services[SEARCH_SERVICES_MAX][SEARCH_SERVICE_LEN + 1];
	int      nservices;
	bool     has_from, has_to;
	int64_t  from_ms, to_ms;
};

/* One search request, checked and normalized. */
struct search_params {
	char                  q[SEARCH_Q_MAX + 1];
	struct search_filters f;
	char                  from[SEARCH_TIME_TEXT_MAX + 1]; /* as given */
	char                  to[SEARCH_TIME_TEXT_MAX + 1];
	enum search_sort      sort;
	bool                  asc;
	long                  page, size;
};

void search_filters_init(struct search_filters *);

/*
 * The ES query object for q (may be NULL or blank: everything) and the
 * filters, all in filter context. Returns a new reference, or NULL with
 * err filled (field "q") when q breaks the syntax or a limit.
 */
json_t *search_query_build(
    const char *q, const struct search_filters *, struct search_error *);

/*
 * Only the free text: the clause q becomes (match_all when blank), or
 * NULL with err set. q is len bytes, need not be NUL-terminated; the fuzz
 * target drives this.
 */
json_t *search_text_parse(const char *q, size_t len, struct search_error *);

/*
 * "now", "now-15m" (units s, m, h, d, w), or ISO 8601 (a date alone is
 * midnight UTC). Returns false when s is none of these.
 */
bool search_time_parse(const char *s, int64_t now_ms, int64_t *ms);

/*
 * Checks the request's arguments (a query_parse() object, or a saved
 * "query" object: the same names, arrays allowed for level and service)
 * and fills p. Unknown names are ignored (a browser may add its own);
 * each known one must be well-formed. Returns false with err set.
 */
bool search_params_from_args(const json_t *args, int64_t now_ms,
    struct search_params *p, struct search_error *err);

/* The "query" object saved in history: q, level, service, from, to... */
json_t *search_params_to_json(const struct search_params *);

/*
 * The whole _search body: query, sort, from/size for the page, and
 * track_total_hits = SEARCH_TOTAL_LIMIT. NULL with err set when q is
 * invalid or the page lies past SEARCH_WINDOW_MAX.
 */
json_t *search_body_build(const struct search_params *, struct search_error *);

/*
 * The cache key purpose (under the tenant's t:<id>: prefix) for kind
 * ("search", "stats") at generation gen: "cache:<kind>:<gen>:<sha256 of
 * the canonical JSON of what>". Two requests that differ in any argument
 * get different keys; the tenant is never part of what (the prefix
 * separates tenants). Returns false if kind is not [a-z]+ or out is small.
 */
bool search_cache_key(const char *kind, long long gen, const json_t *what,
    char *out, size_t outlen);

/* Appends text (an object's JSON, len >= 2) with "took_ms" added last. */
void
search_answer_finish(struct buf *, const char *text, size_t len, long took_ms);

/*
 * What the caller learnt of the cache a moment ago (api/fast.c): Redis
 * had no answer at generation gen, which was settling or not. The cache
 * is then not asked again; an answer stored under a generation that was
 * bumped meanwhile is never read (it is unreachable, not stale).
 */
struct search_cache_hint {
	bool      known;
	long long gen;
	bool      settling;
};

/* What identifies a search's answer in the cache: arguments and page. */
json_t *search_cache_what(const struct search_params *);

/* The two halves of search_cache_key(): the hash, then the key from it. */
void search_cache_hash(const json_t *what, char hex[65]);
bool search_cache_key_hashed(const char *kind, long long gen, const char *hash,
    char *out, size_t outlen);

/* "vigie-t-<tenant id>", the only index name searches use. */
bool search_tenant_alias(const struct tenant_ctx *, char *out, size_t outlen);

#endif
