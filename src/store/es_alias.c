#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/search_query.h"
#include "store/es.h"
#include "store/es_alias.h"

/* The "reason" of an Elasticsearch error answer, or its status. */
static void
es_alias_reason(const struct es_response *r, char *err, size_t errlen)
{
	json_t     *doc, *e;
	const char *reason;

	doc = json_loadb(r->body.data, r->body.len, 0, NULL);
	e = json_object_get(doc, "error");
	reason = json_string_value(json_object_get(
	    json_array_get(json_object_get(e, "root_cause"), 0), "reason"));
	if (reason == NULL)
		reason = json_string_value(json_object_get(e, "reason"));
	if (reason != NULL)
		snprintf(err, errlen,
		    "elasticsearch refused the query "
		    "(HTTP %ld): %s",
		    r->status, reason);
	else
		snprintf(
		    err, errlen, "elasticsearch answered HTTP %ld", r->status);
	json_decref(doc);
}

/*
 * Whether some shards failed (a partial answer is no answer for an
 * alert: it would read as fewer documents); err gets the first reason.
 */
static bool
es_alias_partial(const json_t *doc, char *err, size_t errlen)
{
	const json_t *shards;
	const char   *reason;

	shards = json_object_get(doc, "_shards");
	if (json_integer_value(json_object_get(shards, "failed")) <= 0)
		return (false);
	reason = json_string_value(json_object_get(
	    json_object_get(
		json_array_get(json_object_get(shards, "failures"), 0),
		"reason"),
	    "reason"));
	snprintf(err, errlen,
	    "elasticsearch refused the query on %lld shard(s): %s",
	    (long long)json_integer_value(json_object_get(shards, "failed")),
	    reason != NULL ? reason : "no reason given");
	return (true);
}

json_t *
es_alias_search(const struct tenant_ctx *ctx, const json_t *body,
    long timeout_ms, char *err, size_t errlen)
{
	struct es_response r;
	json_t            *doc;
	char               path[160], alias[64], *text;

	err[0] = '\0';
	if (!tenant_ctx_check(ctx)) {
		snprintf(err, errlen, "invalid tenant context");
		return (NULL);
	}
	/* The one derivation of the alias, shared with the search API. */
	if (!search_tenant_alias(ctx, alias, sizeof(alias))) {
		snprintf(err, errlen, "invalid tenant context");
		return (NULL);
	}
	snprintf(path, sizeof(path),
	    "/%s/_search?ignore_unavailable=true&allow_no_indices=true", alias);
	if ((text = json_dumps(body, JSON_COMPACT)) == NULL) {
		snprintf(err, errlen, "query could not be serialised");
		return (NULL);
	}
	doc = NULL;
	if (!es_request("POST", path, text, strlen(text), timeout_ms, &r))
		snprintf(err, errlen, "elasticsearch unreachable: %s", r.error);
	else if (r.status != 200)
		es_alias_reason(&r, err, errlen);
	else if ((doc = json_loadb(r.body.data, r.body.len, 0, NULL)) == NULL)
		snprintf(err, errlen, "elasticsearch answer is not JSON");
	else if (es_alias_partial(doc, err, errlen)) {
		json_decref(doc);
		doc = NULL;
	}
	free(text);
	es_response_free(&r);
	return (doc);
}
