/*
 * Searching logs over HTTP: /api/v1/logs (search), /api/v1/logs/{id},
 * /api/v1/logs/export.csv, /api/v1/stats, and each user's history and
 * saved searches (/api/v1/searches...). Arguments are checked in
 * core/search_query.c and core/stats_query.c; the work is in
 * service/search.c. See docs/SEARCH.md for the query language.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/serve.h"
#include "common/env.h"
#include "core/timeparse.h"
#include "api/search_loop.h"
#include "service/search.h"

int api_logs(struct http_request *);
int api_log(struct http_request *);
int api_logs_export(struct http_request *);
int api_searches(struct http_request *);
int api_search(struct http_request *);
int api_search_run(struct http_request *);
int api_stats(struct http_request *);

static int64_t
search_api_now_ms(void)
{
	return ((int64_t)(env_now_us() / 1000));
}

/* A 400 naming the argument. */
static void
search_api_invalid(struct api_work *w, const char *field, const char *message)
{
	api_work_error_details(w, HTTP_STATUS_BAD_REQUEST, "invalid_query",
	    json_pack("{s:s}", "field", field), "%s %s", field, message);
}

/* Answers an outcome (success_status on SEARCH_OK) and clears it. */
static void
search_api_answer(
    struct api_work *w, struct search_outcome *o, int success_status)
{
	switch (o->result) {
	case SEARCH_OK:
		if (o->text != NULL) {
			w->status = success_status;
			w->content_type = "application/json; charset=utf-8";
			/* The answer's bytes change hands, uncopied. */
			buf_adopt(&w->raw, o->text, o->text_len);
			o->text = NULL;
		} else if (success_status == HTTP_STATUS_NO_CONTENT) {
			w->status = success_status;
			w->content_type = "text/plain; charset=utf-8";
		} else {
			api_work_json(w, success_status, o->body);
			o->body = NULL;
		}
		break;
	case SEARCH_INVALID:
		search_api_invalid(w, o->field, o->message);
		break;
	case SEARCH_NOT_FOUND:
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "%s", o->message);
		break;
	case SEARCH_LIMIT:
		api_work_error_details(w, 422, "limit_reached",
		    json_pack("{s:s}", "field", o->field), "%s", o->message);
		break;
	case SEARCH_UNAVAILABLE:
		api_work_error(w, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "service_unavailable", "%s", o->message);
		break;
	default:
		api_work_error(w, 500, "internal_error", "unexpected outcome");
		break;
	}
	search_outcome_clear(o);
}

/* The request's search arguments, or false after answering 400. */
static bool
search_api_params(
    struct api_work *w, const json_t *args, struct search_params *p)
{
	struct search_error err;

	if (!search_params_from_args(args, search_api_now_ms(), p, &err)) {
		search_api_invalid(w, err.field, err.message);
		return (false);
	}
	return (true);
}

/* Answers a search's outcome (api/search_loop.c answers with it too). */
void
search_api_logs_answer(struct api_work *w, struct search_outcome *o)
{
	if (o->result == SEARCH_OK)
		snprintf(w->cache, sizeof(w->cache), "%s",
		    o->cached ? "HIT" : "MISS");
	search_api_answer(w, o, HTTP_STATUS_OK);
}

/* Searches, records page 1 in the caller's history, answers. */
static void
search_api_run_params(struct api_work *w, const struct search_params *p)
{
	struct search_outcome o;

	search_logs(&w->who.tenant, p, api_settings->search_cache_ttl_s,
	    &w->cache_hint, &o);
	if (o.result == SEARCH_OK && p->page == 1 && w->who.kind == WHO_USER)
		searches_record(
		    &w->who.tenant, w->who.user_id, p, o.total, w->now, true);
	search_api_logs_answer(w, &o);
}

/*
 * The {id} of the route (serve.c fills the captures), or NULL after 404.
 * A capture as long as the buffer may have been cut: not found either.
 */
static const char *
search_api_id_or_404(struct api_work *w)
{
	if (w->ncaptures < 1 || w->capture[0][0] == '\0' ||
	    strlen(w->capture[0]) >= API_CAPTURE_MAX - 1) {
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such resource");
		return (NULL);
	}
	return (w->capture[0]);
}

/* ---- /api/v1/logs ------------------------------------------------------------ */

static void
logs_search_run(struct api_work *w)
{
	struct search_params p;

	if (search_api_params(w, w->query, &p))
		search_api_run_params(w, &p);
}

/* Where the answer may be cached (api/fast.c); false if invalid. */
static bool
logs_search_cached(const struct api_work *w, struct api_cached *c)
{
	struct search_params p;
	struct search_error  err;
	json_t              *what;

	if (!search_params_from_args(w->query, search_api_now_ms(), &p, &err))
		return (false);
	what = search_cache_what(&p);
	search_cache_hash(what, c->hash);
	json_decref(what);
	c->kind = "search";
	c->history = p.page == 1;
	return (true);
}

static void
logs_get_run(struct api_work *w)
{
	struct search_outcome o;
	const char           *id;

	if ((id = search_api_id_or_404(w)) == NULL)
		return;
	search_log_get(&w->who.tenant, id, &o);
	search_api_answer(w, &o, HTTP_STATUS_OK);
}

/* ---- /api/v1/logs/export.csv -------------------------------------------------- */

/* A new spool file under <data dir>/exports, already unlinked. */
static int
export_spool(struct api_work *w)
{
	char dir[SETTINGS_STR_MAX + 16];
	int  fd;

	snprintf(dir, sizeof(dir), "%s/exports", api_settings->data_dir);
	(void)mkdir(api_settings->data_dir, 0700);
	(void)mkdir(dir, 0700);
	snprintf(w->file_name, sizeof(w->file_name), "%s/export-XXXXXX", dir);
	if ((fd = mkstemp(w->file_name)) == -1)
		return (-1);
	(void)unlink(w->file_name); /* gone when the descriptor closes */
	return (fd);
}

/* limit=N (1..VIGIE_EXPORT_MAX_ROWS, default the maximum), or 400. */
static bool
export_limit(struct api_work *w, long *limit)
{
	const char *s;
	char       *end, why[96];
	long        v;

	*limit = api_settings->export_max_rows;
	s = json_string_value(json_object_get(w->query, "limit"));
	if (json_object_get(w->query, "limit") == NULL)
		return (true);
	v = s != NULL ? strtol(s, &end, 10) : 0;
	if (s == NULL || s[0] < '0' || s[0] > '9' || *end != '\0' ||
	    strlen(s) > 9 || v < 1 || v > *limit) {
		snprintf(why, sizeof(why),
		    "must be a whole number from 1 to %ld", *limit);
		search_api_invalid(w, "limit", why);
		return (false);
	}
	*limit = v;
	return (true);
}

static void
logs_export_run(struct api_work *w)
{
	struct search_params  p;
	struct search_outcome o;
	char                  day[TIMEPARSE_ISO_LEN + 1];
	long                  rows, limit;
	bool                  truncated;
	struct stat           st;
	int                   fd;

	if (!search_api_params(w, w->query, &p) || !export_limit(w, &limit))
		return;
	if ((fd = export_spool(w)) == -1) {
		api_work_store_error(w, "the export spool", "mkstemp failed");
		return;
	}
	search_export(&w->who.tenant, &p, limit, fd, &rows, &truncated, &o);
	if (o.result != SEARCH_OK || fstat(fd, &st) == -1) {
		close(fd);
		search_api_answer(w, &o, HTTP_STATUS_OK);
		return;
	}
	w->file_fd = fd;
	w->file_size = st.st_size;
	w->status = HTTP_STATUS_OK;
	w->content_type = "text/csv; charset=utf-8";
	if (!timeparse_format_iso(search_api_now_ms(), day))
		snprintf(day, sizeof(day), "logs");
	day[10] = '\0';
	snprintf(w->disposition, sizeof(w->disposition),
	    "attachment; filename=\"vigie-logs-%s%s.csv\"", day,
	    truncated ? "-truncated" : "");
	search_outcome_clear(&o);
}

/* ---- /api/v1/stats ------------------------------------------------------------ */

static void
stats_run(struct api_work *w)
{
	struct stats_params   p;
	struct search_outcome o;
	struct search_error   err;
	int64_t               now;

	now = search_api_now_ms();
	if (!stats_params_from_args(w->query, now, &p, &err)) {
		search_api_invalid(w, err.field, err.message);
		return;
	}
	search_stats(&w->who.tenant, &p, now, api_settings->search_cache_ttl_s,
	    &w->cache_hint, &o);
	if (o.result == SEARCH_OK)
		snprintf(w->cache, sizeof(w->cache), "%s",
		    o.cached ? "HIT" : "MISS");
	search_api_answer(w, &o, HTTP_STATUS_OK);
}

static bool
stats_cached(const struct api_work *w, struct api_cached *c)
{
	struct stats_params p;
	struct search_error err;
	json_t             *what;
	int64_t             now;

	now = search_api_now_ms();
	if (!stats_params_from_args(w->query, now, &p, &err))
		return (false);
	what = stats_cache_what(&p, now);
	search_cache_hash(what, c->hash);
	json_decref(what);
	c->kind = "stats";
	c->history = false;
	return (true);
}

/* ---- /api/v1/searches ----------------------------------------------------------- */

/* kind=history|saved (default history), or NULL after answering 400. */
static const char *
searches_kind_or_400(struct api_work *w, const char *fallback)
{
	const json_t *v;
	const char   *kind;

	v = json_object_get(w->query, "kind");
	kind = json_string_value(v);
	if (v == NULL || (kind != NULL && kind[0] == '\0'))
		kind = fallback;
	if (kind == NULL ||
	    (strcmp(kind, "history") != 0 && strcmp(kind, "saved") != 0)) {
		search_api_invalid(w, "kind", "must be history or saved");
		return (NULL);
	}
	return (kind);
}

static void
searches_list_run(struct api_work *w)
{
	struct search_outcome o;
	const char           *kind;

	if ((kind = searches_kind_or_400(w, "history")) == NULL)
		return;
	searches_list(&w->who.tenant, w->who.user_id, kind, &o);
	search_api_answer(w, &o, HTTP_STATUS_OK);
}

static const struct field_rule searches_save_rules[] = {
    {"name", FIELD_STRING, true, 1, 100, validate_name},
    {"query", FIELD_OBJECT, true, 0, 0, NULL},
};

static void
searches_save_run(struct api_work *w)
{
	struct search_params  p;
	struct search_outcome o;
	struct search_error   err;
	const json_t         *query;

	if (!api_work_body_or_error(w, searches_save_rules,
		sizeof(searches_save_rules) / sizeof(searches_save_rules[0])))
		return;
	query = json_object_get(w->json, "query");
	if (!json_is_object(query)) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field", "query"),
		    "query must be an object");
		return;
	}
	if (!search_params_from_args(query, search_api_now_ms(), &p, &err)) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s+}", "field", "query.", err.field),
		    "query.%s %s", err.field, err.message);
		return;
	}
	searches_save(&w->who.tenant, w->who.user_id,
	    json_string_value(json_object_get(w->json, "name")), &p, w->now,
	    &o);
	if (o.result == SEARCH_OK)
		snprintf(w->location, sizeof(w->location),
		    "/api/v1/searches/%s",
		    json_string_value(json_object_get(o.body, "id")));
	search_api_answer(w, &o, HTTP_STATUS_CREATED);
}

static void
searches_clear_run(struct api_work *w)
{
	struct search_outcome o;
	const char           *kind;

	if ((kind = searches_kind_or_400(w, NULL)) == NULL)
		return;
	if (strcmp(kind, "history") != 0) {
		search_api_invalid(w, "kind",
		    "must be history (saved searches are deleted one by one)");
		return;
	}
	searches_clear_history(&w->who.tenant, w->who.user_id, &o);
	search_api_answer(w, &o, HTTP_STATUS_NO_CONTENT);
}

static void
search_get_run(struct api_work *w)
{
	struct search_outcome o;
	const char           *id;

	if ((id = search_api_id_or_404(w)) == NULL)
		return;
	searches_get(&w->who.tenant, w->who.user_id, id, &o);
	search_api_answer(w, &o, HTTP_STATUS_OK);
}

static void
search_delete_run(struct api_work *w)
{
	struct search_outcome o;
	const char           *id;

	if ((id = search_api_id_or_404(w)) == NULL)
		return;
	searches_delete(&w->who.tenant, w->who.user_id, id, &o);
	search_api_answer(w, &o, HTTP_STATUS_NO_CONTENT);
}

/* Runs a saved or history search again; page and size from the URL. */
static void
search_run_run(struct api_work *w)
{
	struct search_outcome o;
	struct search_params  p;
	const char           *id, *arg;
	json_t               *args;

	if ((id = search_api_id_or_404(w)) == NULL)
		return;
	searches_get(&w->who.tenant, w->who.user_id, id, &o);
	if (o.result != SEARCH_OK) {
		search_api_answer(w, &o, HTTP_STATUS_OK);
		return;
	}
	args = json_deep_copy(json_object_get(o.body, "query"));
	search_outcome_clear(&o);
	if (!json_is_object(args)) {
		json_decref(args);
		api_work_error(
		    w, 500, "internal_error", "the search is damaged");
		return;
	}
	if ((arg = json_string_value(json_object_get(w->query, "page"))))
		json_object_set_new(args, "page", json_string(arg));
	if ((arg = json_string_value(json_object_get(w->query, "size"))))
		json_object_set_new(args, "size", json_string(arg));
	if (search_api_params(w, args, &p))
		search_api_run_params(w, &p);
	json_decref(args);
}

/* ---- endpoints ---------------------------------------------------------------- */

#define READ_ENDPOINT(name, r, fn, hit) \
	static const struct api_endpoint name = {.route = (r), \
	    .methods = HTTP_METHOD_GET, \
	    .auth = API_AUTH_TOKEN, \
	    .perm = PERM_LOGS_READ, \
	    .run = (fn), \
	    .cached = (hit)}
#define SAVE_ENDPOINT(name, r, m, fn) \
	static const struct api_endpoint name = {.route = (r), \
	    .methods = (m), \
	    .auth = API_AUTH_USER, \
	    .perm = PERM_SEARCH_SAVE, \
	    .run = (fn)}

#define SEARCHES_METHODS \
	(HTTP_METHOD_GET | HTTP_METHOD_POST | HTTP_METHOD_DELETE)
#define SEARCH_METHODS (HTTP_METHOD_GET | HTTP_METHOD_DELETE)

READ_ENDPOINT(ep_logs, ROUTE_LOGS, logs_search_run, logs_search_cached);
READ_ENDPOINT(ep_log, ROUTE_LOG, logs_get_run, NULL);
READ_ENDPOINT(ep_export, ROUTE_LOGS_EXPORT, logs_export_run, NULL);
READ_ENDPOINT(ep_stats, ROUTE_STATS, stats_run, stats_cached);
SAVE_ENDPOINT(
    ep_searches_list, ROUTE_SEARCHES, SEARCHES_METHODS, searches_list_run);
SAVE_ENDPOINT(
    ep_searches_save, ROUTE_SEARCHES, SEARCHES_METHODS, searches_save_run);
SAVE_ENDPOINT(
    ep_searches_clear, ROUTE_SEARCHES, SEARCHES_METHODS, searches_clear_run);
SAVE_ENDPOINT(ep_search_get, ROUTE_SEARCH, SEARCH_METHODS, search_get_run);
SAVE_ENDPOINT(
    ep_search_delete, ROUTE_SEARCH, SEARCH_METHODS, search_delete_run);
SAVE_ENDPOINT(
    ep_search_run, ROUTE_SEARCH_RUN, HTTP_METHOD_POST, search_run_run);

int
api_logs(struct http_request *req)
{
	return (api_serve(req, &ep_logs));
}

int
api_log(struct http_request *req)
{
	return (api_serve(req, &ep_log));
}

int
api_logs_export(struct http_request *req)
{
	return (api_serve(req, &ep_export));
}

int
api_stats(struct http_request *req)
{
	return (api_serve(req, &ep_stats));
}

int
api_searches(struct http_request *req)
{
	if (req->method == HTTP_METHOD_POST)
		return (api_serve(req, &ep_searches_save));
	if (req->method == HTTP_METHOD_DELETE)
		return (api_serve(req, &ep_searches_clear));
	return (api_serve(req, &ep_searches_list));
}

int
api_search(struct http_request *req)
{
	return (api_serve(req,
	    req->method == HTTP_METHOD_DELETE ? &ep_search_delete
					      : &ep_search_get));
}

int
api_search_run(struct http_request *req)
{
	return (api_serve(req, &ep_search_run));
}
