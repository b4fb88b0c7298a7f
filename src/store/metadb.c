#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

#include "common/env.h"
#include "common/log.h"
#include "store/metadb.h"

static mongoc_client_pool_t *metadb_pool;
static char                  metadb_name[SETTINGS_STR_MAX];

/* The driver's own messages join our log lines; its chatter stays out. */
static void
metadb_log(mongoc_log_level_t level, const char *domain, const char *message,
    void *arg)
{
	(void)arg;
	if (level > MONGOC_LOG_LEVEL_WARNING)
		return;
	log_emit(level <= MONGOC_LOG_LEVEL_CRITICAL ? LOG_LEVEL_CRITICAL
		: level == MONGOC_LOG_LEVEL_ERROR   ? LOG_LEVEL_ERROR
						    : LOG_LEVEL_WARNING,
	    "mongoc", NULL, json_pack("{s:s}", "domain", domain), "%s",
	    message);
}

/*
 * Creates the client pool. It connects lazily, so this succeeds while
 * the server is down; checks and queries then fail within the server
 * selection timeout (health_timeout_ms unless the URI sets one).
 */
bool
metadb_open(const struct settings *s, char *err, size_t errlen)
{
	mongoc_uri_t *uri;
	bson_error_t  error;

	mongoc_log_set_handler(metadb_log, NULL);
	mongoc_init();
	if ((uri = mongoc_uri_new_with_error(s->mongo_uri, &error)) == NULL) {
		snprintf(err, errlen, "VIGIE_MONGO_URI: %s", error.message);
		return (false);
	}
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri,
		    MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
		    (int32_t)s->health_timeout_ms);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS,
		    (int32_t)s->health_timeout_ms);
	mongoc_uri_set_option_as_utf8(uri, MONGOC_URI_APPNAME, "vigie");
	metadb_pool = mongoc_client_pool_new(uri);
	mongoc_uri_destroy(uri);
	if (metadb_pool == NULL) {
		snprintf(err, errlen, "cannot create the MongoDB client pool");
		return (false);
	}
	mongoc_client_pool_set_error_api(
	    metadb_pool, MONGOC_ERROR_API_VERSION_2);
	snprintf(metadb_name, sizeof(metadb_name), "%s", s->mongo_db);
	return (true);
}

void
metadb_close(void)
{
	if (metadb_pool != NULL)
		mongoc_client_pool_destroy(metadb_pool);
	metadb_pool = NULL;
	mongoc_cleanup();
}

void
metadb_check(struct dep_check *dc)
{
	mongoc_client_t *client;
	bson_error_t     error;
	bson_t          *cmd, reply;
	uint64_t         start;
	bool             ok;

	dc->name = "mongodb";
	start = env_monotonic_us();
	client = mongoc_client_pool_pop(metadb_pool);
	cmd = BCON_NEW("ping", BCON_INT32(1));
	ok = mongoc_client_command_simple(
	    client, "admin", cmd, NULL, &reply, &error);
	dc->latency_ms = (double)(env_monotonic_us() - start) / 1000.0;
	if (ok) {
		dc->state = DEP_UP;
		dc->details = json_pack("{s:s}", "database", metadb_name);
	} else {
		dc->state = DEP_DOWN;
		snprintf(dc->error, sizeof(dc->error), "%s", error.message);
	}
	bson_destroy(&reply);
	bson_destroy(cmd);
	mongoc_client_pool_push(metadb_pool, client);
}

/* ---- documents --------------------------------------------------------- */

static const char *const metadb_platform_colls[] = {
    "tenants", "platform_admins", "users", "api_keys", "custom_domains"};

static bool
metadb_platform_allowed(const char *coll)
{
	size_t i;

	for (i = 0; i <
	     sizeof(metadb_platform_colls) / sizeof(metadb_platform_colls[0]);
	     i++) {
		if (strcmp(metadb_platform_colls[i], coll) == 0)
			return (true);
	}
	return (false);
}

static bool
metadb_hex24(const char *s)
{
	size_t i;

	for (i = 0; i < 24; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return (false);
	}
	return (s[24] == '\0');
}

/*
 * Turns a jansson object into BSON: "id" becomes {_id: ObjectId} and,
 * when tenant_id is given, tenant_id is forced. Returns NULL when "id" is
 * not an ObjectId (such a filter can match nothing) or on a bad value.
 */
static bson_t *
metadb_to_bson(const json_t *obj, const char *tenant_id, bool *bad_id)
{
	bson_error_t error;
	json_t      *copy, *id;
	bson_t      *b;
	char        *text;

	*bad_id = false;
	copy = obj != NULL ? json_deep_copy(obj) : json_object();
	if ((id = json_object_get(copy, "id")) != NULL) {
		if (!json_is_string(id) ||
		    !metadb_hex24(json_string_value(id))) {
			*bad_id = true;
			json_decref(copy);
			return (NULL);
		}
		json_object_set_new(copy, "_id",
		    json_pack("{s:s}", "$oid", json_string_value(id)));
		json_object_del(copy, "id");
	}
	if (tenant_id != NULL)
		json_object_set_new(copy, "tenant_id", json_string(tenant_id));
	text = json_dumps(copy, JSON_COMPACT);
	json_decref(copy);
	if (text == NULL)
		return (NULL);
	b = bson_new_from_json((const uint8_t *)text, -1, &error);
	free(text);
	return (b);
}

/* BSON to jansson, with _id given back as "id". Caller owns the result. */
static json_t *
metadb_from_bson(const bson_t *b)
{
	json_t *doc, *oid;
	size_t  len;
	char   *text;

	text = bson_as_relaxed_extended_json(b, &len);
	if (text == NULL)
		return (NULL);
	doc = json_loadb(text, len, 0, NULL);
	bson_free(text);
	if (doc == NULL)
		return (NULL);
	oid = json_object_get(json_object_get(doc, "_id"), "$oid");
	if (json_is_string(oid)) {
		json_object_set(doc, "id", oid);
		json_object_del(doc, "_id");
	}
	return (doc);
}

static enum metadb_status
metadb_status_of(const bson_error_t *error, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", error->message);
	if (error->code == 11000)
		return (METADB_DUPLICATE);
	return (METADB_ERROR);
}

static mongoc_collection_t *
metadb_coll(mongoc_client_t *client, const char *coll)
{
	return (mongoc_client_get_collection(client, metadb_name, coll));
}

/* Inserts doc; its new id is written to id_out (may be NULL). */
static enum metadb_status
metadb_do_insert(const char *tenant_id, const char *coll, const json_t *doc,
    char id_out[25], char *err, size_t errlen)
{
	mongoc_collection_t *c;
	mongoc_client_t     *client;
	enum metadb_status   st;
	bson_error_t         error;
	bson_oid_t           oid;
	json_t              *copy;
	bson_t              *b;
	const char          *given;
	bool                 bad;

	/* The caller may choose the id (24 hex characters), else we do. */
	given = json_string_value(json_object_get(doc, "id"));
	if (given != NULL && !metadb_hex24(given)) {
		snprintf(err, errlen, "invalid document id");
		return (METADB_ERROR);
	}
	copy = json_deep_copy(doc);
	json_object_del(copy, "id");
	b = metadb_to_bson(copy, tenant_id, &bad);
	json_decref(copy);
	if (b == NULL) {
		snprintf(err, errlen, "document cannot be stored");
		return (METADB_ERROR);
	}
	if (given != NULL)
		bson_oid_init_from_string(&oid, given);
	else
		bson_oid_init(&oid, NULL);
	BSON_APPEND_OID(b, "_id", &oid);
	client = mongoc_client_pool_pop(metadb_pool);
	c = metadb_coll(client, coll);
	st = METADB_OK;
	if (!mongoc_collection_insert_one(c, b, NULL, NULL, &error))
		st = metadb_status_of(&error, err, errlen);
	else if (id_out != NULL)
		bson_oid_to_string(&oid, id_out);
	mongoc_collection_destroy(c);
	mongoc_client_pool_push(metadb_pool, client);
	bson_destroy(b);
	return (st);
}

static json_t *
metadb_do_find(const char *tenant_id, const char *coll, const json_t *filter,
    const json_t *sort, long skip, long limit, enum metadb_status *st,
    char *err, size_t errlen)
{
	mongoc_collection_t *c;
	mongoc_client_t     *client;
	mongoc_cursor_t     *cursor;
	const bson_t        *doc;
	bson_error_t         error;
	bson_t              *f, *opts, *s;
	json_t              *out, *item;
	bool                 bad;

	out = json_array();
	if ((f = metadb_to_bson(filter, tenant_id, &bad)) == NULL) {
		*st = bad ? METADB_OK : METADB_ERROR;
		if (!bad)
			snprintf(err, errlen, "filter cannot be encoded");
		return (out);
	}
	opts = bson_new();
	if (sort != NULL && (s = metadb_to_bson(sort, NULL, &bad)) != NULL) {
		BSON_APPEND_DOCUMENT(opts, "sort", s);
		bson_destroy(s);
	}
	if (skip > 0)
		BSON_APPEND_INT64(opts, "skip", skip);
	if (limit > 0)
		BSON_APPEND_INT64(opts, "limit", limit);
	client = mongoc_client_pool_pop(metadb_pool);
	c = metadb_coll(client, coll);
	cursor = mongoc_collection_find_with_opts(c, f, opts, NULL);
	while (mongoc_cursor_next(cursor, &doc)) {
		if ((item = metadb_from_bson(doc)) != NULL)
			json_array_append_new(out, item);
	}
	*st = METADB_OK;
	if (mongoc_cursor_error(cursor, &error))
		*st = metadb_status_of(&error, err, errlen);
	mongoc_cursor_destroy(cursor);
	mongoc_collection_destroy(c);
	mongoc_client_pool_push(metadb_pool, client);
	bson_destroy(opts);
	bson_destroy(f);
	return (out);
}

static json_t *
metadb_do_find_one(const char *tenant_id, const char *coll,
    const json_t *filter, enum metadb_status *st, char *err, size_t errlen)
{
	json_t *all, *one;

	all = metadb_do_find(
	    tenant_id, coll, filter, NULL, 0, 1, st, err, errlen);
	one = NULL;
	if (*st == METADB_OK) {
		one = json_incref(json_array_get(all, 0));
		if (one == NULL)
			*st = METADB_NOT_FOUND;
	}
	json_decref(all);
	return (one);
}

static enum metadb_status
metadb_do_update(const char *tenant_id, const char *coll, const json_t *filter,
    const json_t *set, long *matched, char *err, size_t errlen)
{
	mongoc_collection_t *c;
	mongoc_client_t     *client;
	enum metadb_status   st;
	bson_error_t         error;
	bson_iter_t          it;
	bson_t              *f, *u, *fields, reply;
	json_t              *safe;
	bool                 bad;

	*matched = 0;
	if ((f = metadb_to_bson(filter, tenant_id, &bad)) == NULL)
		return (bad ? METADB_NOT_FOUND : METADB_ERROR);
	/* Nobody moves a document to another tenant or changes its id. */
	safe = json_deep_copy(set);
	json_object_del(safe, "tenant_id");
	json_object_del(safe, "id");
	json_object_del(safe, "_id");
	fields = metadb_to_bson(safe, NULL, &bad);
	json_decref(safe);
	if (fields == NULL) {
		bson_destroy(f);
		return (METADB_ERROR);
	}
	u = bson_new();
	BSON_APPEND_DOCUMENT(u, "$set", fields);
	client = mongoc_client_pool_pop(metadb_pool);
	c = metadb_coll(client, coll);
	st = METADB_OK;
	if (!mongoc_collection_update_many(c, f, u, NULL, &reply, &error))
		st = metadb_status_of(&error, err, errlen);
	else if (bson_iter_init_find(&it, &reply, "matchedCount"))
		*matched = (long)bson_iter_as_int64(&it);
	bson_destroy(&reply);
	mongoc_collection_destroy(c);
	mongoc_client_pool_push(metadb_pool, client);
	bson_destroy(u);
	bson_destroy(fields);
	bson_destroy(f);
	return (st);
}

static enum metadb_status
metadb_do_delete(const char *tenant_id, const char *coll, const json_t *filter,
    long *deleted, char *err, size_t errlen)
{
	mongoc_collection_t *c;
	mongoc_client_t     *client;
	enum metadb_status   st;
	bson_error_t         error;
	bson_iter_t          it;
	bson_t              *f, reply;
	bool                 bad;

	*deleted = 0;
	if ((f = metadb_to_bson(filter, tenant_id, &bad)) == NULL)
		return (bad ? METADB_NOT_FOUND : METADB_ERROR);
	client = mongoc_client_pool_pop(metadb_pool);
	c = metadb_coll(client, coll);
	st = METADB_OK;
	if (!mongoc_collection_delete_many(c, f, NULL, &reply, &error))
		st = metadb_status_of(&error, err, errlen);
	else if (bson_iter_init_find(&it, &reply, "deletedCount"))
		*deleted = (long)bson_iter_as_int64(&it);
	bson_destroy(&reply);
	mongoc_collection_destroy(c);
	mongoc_client_pool_push(metadb_pool, client);
	bson_destroy(f);
	return (st);
}

static long
metadb_do_count(const char *tenant_id, const char *coll, const json_t *filter,
    char *err, size_t errlen)
{
	mongoc_collection_t *c;
	mongoc_client_t     *client;
	bson_error_t         error;
	bson_t              *f;
	int64_t              n;
	bool                 bad;

	if ((f = metadb_to_bson(filter, tenant_id, &bad)) == NULL)
		return (bad ? 0 : -1);
	client = mongoc_client_pool_pop(metadb_pool);
	c = metadb_coll(client, coll);
	n = mongoc_collection_count_documents(c, f, NULL, NULL, NULL, &error);
	if (n < 0)
		snprintf(err, errlen, "%s", error.message);
	mongoc_collection_destroy(c);
	mongoc_client_pool_push(metadb_pool, client);
	bson_destroy(f);
	return ((long)n);
}

/* ---- tenant scope ------------------------------------------------------ */

#define METADB_SCOPE_OR(ctx, err, errlen, fail) \
	do { \
		if (!tenant_ctx_check(ctx)) { \
			snprintf(err, errlen, "invalid tenant context"); \
			return fail; \
		} \
	} while (0)

enum metadb_status
metadb_insert(const struct tenant_ctx *ctx, const char *coll, const json_t *doc,
    char id_out[25], char *err, size_t errlen)
{
	METADB_SCOPE_OR(ctx, err, errlen, (METADB_ERROR));
	return (metadb_do_insert(ctx->id, coll, doc, id_out, err, errlen));
}

json_t *
metadb_find_one(const struct tenant_ctx *ctx, const char *coll,
    const json_t *filter, enum metadb_status *st, char *err, size_t errlen)
{
	*st = METADB_ERROR;
	METADB_SCOPE_OR(ctx, err, errlen, (NULL));
	return (metadb_do_find_one(ctx->id, coll, filter, st, err, errlen));
}

json_t *
metadb_find(const struct tenant_ctx *ctx, const char *coll,
    const json_t *filter, const json_t *sort, long skip, long limit,
    enum metadb_status *st, char *err, size_t errlen)
{
	*st = METADB_ERROR;
	METADB_SCOPE_OR(ctx, err, errlen, (json_array()));
	return (metadb_do_find(
	    ctx->id, coll, filter, sort, skip, limit, st, err, errlen));
}

enum metadb_status
metadb_update(const struct tenant_ctx *ctx, const char *coll,
    const json_t *filter, const json_t *set, long *matched, char *err,
    size_t errlen)
{
	*matched = 0;
	METADB_SCOPE_OR(ctx, err, errlen, (METADB_ERROR));
	return (
	    metadb_do_update(ctx->id, coll, filter, set, matched, err, errlen));
}

enum metadb_status
metadb_delete(const struct tenant_ctx *ctx, const char *coll,
    const json_t *filter, long *deleted, char *err, size_t errlen)
{
	*deleted = 0;
	METADB_SCOPE_OR(ctx, err, errlen, (METADB_ERROR));
	return (metadb_do_delete(ctx->id, coll, filter, deleted, err, errlen));
}

long
metadb_count(const struct tenant_ctx *ctx, const char *coll,
    const json_t *filter, char *err, size_t errlen)
{
	METADB_SCOPE_OR(ctx, err, errlen, (-1));
	return (metadb_do_count(ctx->id, coll, filter, err, errlen));
}

/* ---- platform scope ---------------------------------------------------- */

#define METADB_PLATFORM_OR(coll, err, errlen, fail) \
	do { \
		if (!metadb_platform_allowed(coll)) { \
			snprintf(err, errlen, \
			    "%s is not a platform collection", coll); \
			return fail; \
		} \
	} while (0)

enum metadb_status
metadb_platform_insert(const char *coll, const json_t *doc, char id_out[25],
    char *err, size_t errlen)
{
	METADB_PLATFORM_OR(coll, err, errlen, (METADB_ERROR));
	return (metadb_do_insert(NULL, coll, doc, id_out, err, errlen));
}

json_t *
metadb_platform_find_one(const char *coll, const json_t *filter,
    enum metadb_status *st, char *err, size_t errlen)
{
	*st = METADB_ERROR;
	METADB_PLATFORM_OR(coll, err, errlen, (NULL));
	return (metadb_do_find_one(NULL, coll, filter, st, err, errlen));
}

json_t *
metadb_platform_find(const char *coll, const json_t *filter, const json_t *sort,
    long skip, long limit, enum metadb_status *st, char *err, size_t errlen)
{
	*st = METADB_ERROR;
	METADB_PLATFORM_OR(coll, err, errlen, (json_array()));
	return (metadb_do_find(
	    NULL, coll, filter, sort, skip, limit, st, err, errlen));
}

enum metadb_status
metadb_platform_update(const char *coll, const json_t *filter,
    const json_t *set, long *matched, char *err, size_t errlen)
{
	*matched = 0;
	METADB_PLATFORM_OR(coll, err, errlen, (METADB_ERROR));
	return (
	    metadb_do_update(NULL, coll, filter, set, matched, err, errlen));
}

enum metadb_status
metadb_platform_delete(const char *coll, const json_t *filter, long *deleted,
    char *err, size_t errlen)
{
	*deleted = 0;
	METADB_PLATFORM_OR(coll, err, errlen, (METADB_ERROR));
	return (metadb_do_delete(NULL, coll, filter, deleted, err, errlen));
}

long
metadb_platform_count(
    const char *coll, const json_t *filter, char *err, size_t errlen)
{
	METADB_PLATFORM_OR(coll, err, errlen, (-1));
	return (metadb_do_count(NULL, coll, filter, err, errlen));
}

/* ---- indexes ----------------------------------------------------------- */

struct metadb_index {
	const char *coll;
	const char *name;
	const char *keys; /* extended JSON */
	bool        unique;
};

/* Every tenant-owned collection has an index starting with tenant_id. */
static const struct metadb_index metadb_indexes[] = {
    {"tenants", "slug_unique", "{\"slug\":1}", true},
    {"users", "email_unique", "{\"email\":1}", true},
    {"users", "tenant_email", "{\"tenant_id\":1,\"email\":1}", false},
    {"api_keys", "hash_unique", "{\"hash\":1}", true},
    {"api_keys", "tenant_created", "{\"tenant_id\":1,\"created_at\":-1}",
	false},
    {"platform_admins", "email_unique", "{\"email\":1}", true},
    {"audit", "tenant_time", "{\"tenant_id\":1,\"at\":-1}", false},
    {"usage_daily", "tenant_day_unique", "{\"tenant_id\":1,\"day\":1}", true},
    {"quota_warnings", "tenant_created", "{\"tenant_id\":1,\"created_at\":-1}",
	false},
    {"branding", "tenant_unique", "{\"tenant_id\":1}", true},
    {"branding_logos", "tenant_version", "{\"tenant_id\":1,\"version\":1}",
	false},
    {"custom_domains", "domain_unique", "{\"domain\":1}", true},
    {"custom_domains", "tenant_domain", "{\"tenant_id\":1,\"domain\":1}",
	false},
    {"invoices", "tenant_period_unique", "{\"tenant_id\":1,\"period\":1}",
	true},
    {"invoices", "tenant_sequence_unique", "{\"tenant_id\":1,\"sequence\":1}",
	true},
    /* One delivery per channel and event: notify jobs are idempotent. */
    {"notifications", "channel_event_unique",
	"{\"tenant_id\":1,\"channel_id\":1,\"event_id\":1}", true},
    {"notifications", "tenant_created", "{\"tenant_id\":1,\"created_at\":-1}",
	false},
    {"notification_channels", "tenant_created",
	"{\"tenant_id\":1,\"created_at\":1}", false},
    {"alert_rules", "tenant_due",
	"{\"tenant_id\":1,\"enabled\":1,\"next_eval_s\":1}", false},
    {"alerts", "tenant_rule_open", "{\"tenant_id\":1,\"rule_id\":1,\"open\":1}",
	false},
    {"alerts", "tenant_started", "{\"tenant_id\":1,\"started_s\":-1}", false},
    {"alert_events", "tenant_alert",
	"{\"tenant_id\":1,\"alert_id\":1,\"at_s\":1}", false},
    /* The file list (newest first by default): without it MongoDB scans
     * every tenant's files (docs/PERFORMANCE.md, load tests). */
    {"files", "tenant_created", "{\"tenant_id\":1,\"created_at\":-1}", false},
    /* A user's history and saved searches, newest first: read, pruned and
     * written on every search. */
    {"searches", "tenant_user_kind_created",
	"{\"tenant_id\":1,\"user_id\":1,\"kind\":1,\"created_at\":-1}", false},
};

/* Creates the indexes that are missing; safe to call at every start. */
bool
metadb_ensure_indexes(char *err, size_t errlen)
{
	mongoc_database_t *db;
	mongoc_client_t   *client;
	bson_error_t       error;
	bson_t            *keys, *cmd, index;
	bson_t             indexes;
	size_t             i;
	bool               ok;

	client = mongoc_client_pool_pop(metadb_pool);
	db = mongoc_client_get_database(client, metadb_name);
	ok = true;
	for (i = 0;
	     ok && i < sizeof(metadb_indexes) / sizeof(metadb_indexes[0]);
	     i++) {
		keys = bson_new_from_json(
		    (const uint8_t *)metadb_indexes[i].keys, -1, &error);
		cmd = bson_new();
		BSON_APPEND_UTF8(cmd, "createIndexes", metadb_indexes[i].coll);
		BSON_APPEND_ARRAY_BEGIN(cmd, "indexes", &indexes);
		BSON_APPEND_DOCUMENT_BEGIN(&indexes, "0", &index);
		BSON_APPEND_DOCUMENT(&index, "key", keys);
		BSON_APPEND_UTF8(&index, "name", metadb_indexes[i].name);
		if (metadb_indexes[i].unique)
			BSON_APPEND_BOOL(&index, "unique", true);
		bson_append_document_end(&indexes, &index);
		bson_append_array_end(cmd, &indexes);
		ok = mongoc_database_write_command_with_opts(
		    db, cmd, NULL, NULL, &error);
		if (!ok)
			snprintf(err, errlen, "index %s.%s: %s",
			    metadb_indexes[i].coll, metadb_indexes[i].name,
			    error.message);
		bson_destroy(cmd);
		bson_destroy(keys);
	}
	mongoc_database_destroy(db);
	mongoc_client_pool_push(metadb_pool, client);
	return (ok);
}
