#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/env.h"
#include "store/es.h"

static char           es_base[SETTINGS_STR_MAX];
static long           es_timeout_ms = 10000;
static __thread CURL *es_curl;

/* Called once per process before any thread uses the adapter. */
void
es_configure(const struct settings *s)
{
	size_t len;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	len = strlen(s->es_url);
	while (len > 0 && s->es_url[len - 1] == '/')
		len--;
	memcpy(es_base, s->es_url, len);
	es_base[len] = '\0';
	es_timeout_ms = s->es_timeout_ms;
}

static size_t
es_write_cb(char *data, size_t size, size_t n, void *arg)
{
	buf_append(arg, data, size * n);
	return (size * n);
}

static CURL *
es_handle(void)
{
	if (es_curl == NULL) {
		if ((es_curl = curl_easy_init()) == NULL)
			return (NULL);
	} else {
		curl_easy_reset(es_curl);
	}
	return (es_curl);
}

/*
 * Sends one request to path (which starts with '/') and collects the
 * answer in out, which the caller frees with es_response_free() whatever
 * the result. Returns false when Elasticsearch was not reached; an HTTP
 * error status is a true return with out->status set.
 */
bool
es_request(const char *method, const char *path, const char *body,
    size_t bodylen, long timeout_ms, struct es_response *out)
{
	struct curl_slist *headers;
	char               url[SETTINGS_STR_MAX + 1024];
	CURLcode           rc;
	CURL              *c;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body, 1024);
	if ((c = es_handle()) == NULL) {
		snprintf(out->error, sizeof(out->error), "curl init failed");
		return (false);
	}
	snprintf(url, sizeof(url), "%s%s", es_base, path);
	headers = curl_slist_append(NULL, "Content-Type: application/json");
	/* No "Expect: 100-continue" (libcurl's default past 1 KiB of body):
	 * a round trip per bulk batch or long query, for nothing. */
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(
	    c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : es_timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    timeout_ms > 0 ? timeout_ms : es_timeout_ms);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, es_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(
		    c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)bodylen);
	}
	rc = curl_easy_perform(c);
	curl_slist_free_all(headers);
	if (rc != CURLE_OK) {
		snprintf(out->error, sizeof(out->error), "%s",
		    curl_easy_strerror(rc));
		return (false);
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	return (true);
}

void
es_response_free(struct es_response *r)
{
	buf_free(&r->body);
}

/*
 * GETs path and parses the JSON answer. Returns NULL with dc marked down
 * and its error set when the answer is not a 200 with a JSON body.
 */
static json_t *
es_check_get(struct dep_check *dc, const char *path, long timeout_ms)
{
	struct es_response r;
	json_t            *doc;

	doc = NULL;
	if (!es_request("GET", path, NULL, 0, timeout_ms, &r))
		snprintf(dc->error, sizeof(dc->error), "%s", r.error);
	else if (r.status != 200 ||
	    (doc = json_loadb(r.body.data, r.body.len, 0, NULL)) == NULL)
		snprintf(dc->error, sizeof(dc->error),
		    "GET %s answered HTTP %ld", path, r.status);
	if (doc == NULL)
		dc->state = DEP_DOWN;
	es_response_free(&r);
	return (doc);
}

/* The version of the first (only) node of a _nodes answer. */
static json_t *
es_first_version(json_t *nodes_answer)
{
	const char *id;
	json_t     *node;

	json_object_foreach(json_object_get(nodes_answer, "nodes"), id, node)
	{
		(void)id;
		return (json_object_get(node, "version"));
	}
	return (NULL);
}

/*
 * Pings the node that answers (its version; "GET /" is not served by
 * every distribution) and reads the cluster's health colour: green is
 * up, yellow degraded, red or no answer down.
 */
void
es_check(struct dep_check *dc, long timeout_ms)
{
	json_t     *root, *health;
	const char *colour;
	uint64_t    start;

	dc->name = "elasticsearch";
	start = env_monotonic_us();
	if ((root = es_check_get(dc,
		 "/_nodes/_local?filter_path=nodes.*.version", timeout_ms)) ==
	    NULL)
		goto out;
	if ((health = es_check_get(dc, "/_cluster/health", timeout_ms)) ==
	    NULL) {
		json_decref(root);
		goto out;
	}
	colour = json_string_value(json_object_get(health, "status"));
	dc->state = health_es_state(colour);
	dc->details = json_pack("{s:s?, s:O?, s:O?, s:O?}", "cluster_status",
	    colour, "cluster_name", json_object_get(health, "cluster_name"),
	    "number_of_nodes", json_object_get(health, "number_of_nodes"),
	    "version", es_first_version(root));
	json_decref(health);
	json_decref(root);
out:
	dc->latency_ms = (double)(env_monotonic_us() - start) / 1000.0;
}

/*
 * The tenant's composable index template: its daily indices
 * logs-<slug>-* get the shared log mappings (component template
 * vigie-logs-mappings) and the alias vigie-t-<tenant id>, through which
 * every read of the tenant's logs goes. The priority grows with the
 * slug's length so that, for slugs "acme" and "acme-corp", the indices of
 * "acme-corp" (which both patterns match) take their own template.
 */
bool
es_tenant_template_put(const struct tenant_ctx *ctx, char *err, size_t errlen)
{
	struct es_response r;
	char               path[128], pattern[96], alias[64];
	json_t            *body;
	char              *text;
	bool               ok;

	if (!tenant_index_pattern(ctx, pattern, sizeof(pattern))) {
		snprintf(err, errlen, "invalid tenant context");
		return (false);
	}
	snprintf(path, sizeof(path), "/_index_template/vigie-t-%s", ctx->id);
	snprintf(alias, sizeof(alias), "vigie-t-%s", ctx->id);
	body =
	    json_pack("{s:[s], s:i, s:[s], s:[s], s:{s:{s:i, s:i}, s:{s:{}}},"
		      " s:{s:s, s:s}}",
		"index_patterns", pattern, "priority",
		1000 + (int)strlen(ctx->slug), "composed_of",
		"vigie-logs-mappings", "ignore_missing_component_templates",
		"vigie-logs-mappings", "template", "settings",
		"number_of_shards", 1, "number_of_replicas", 0, "aliases",
		alias, "_meta", "tenant_id", ctx->id, "managed_by", "vigie");
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	ok = es_request("PUT", path, text, strlen(text), 0, &r) &&
	    r.status == 200;
	if (!ok)
		snprintf(err, errlen, "index template: %s",
		    r.error[0] != '\0' ? r.error : r.body.data);
	free(text);
	es_response_free(&r);
	return (ok);
}

/* Removes the tenant's template; absent already counts as done. */
bool
es_tenant_template_delete(
    const struct tenant_ctx *ctx, char *err, size_t errlen)
{
	struct es_response r;
	char               path[128];
	bool               ok;

	if (!tenant_ctx_check(ctx)) {
		snprintf(err, errlen, "invalid tenant context");
		return (false);
	}
	snprintf(path, sizeof(path), "/_index_template/vigie-t-%s", ctx->id);
	ok = es_request("DELETE", path, NULL, 0, 0, &r) &&
	    (r.status == 200 || r.status == 404);
	if (!ok)
		snprintf(err, errlen, "index template: %s",
		    r.error[0] != '\0' ? r.error : r.body.data);
	es_response_free(&r);
	return (ok);
}
