#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "core/retention.h"
#include "core/text.h"
#include "service/files.h"
#include "service/members.h"
#include "service/retention.h"
#include "store/es.h"
#include "store/metadb.h"

#define RETENTION_FILES_BATCH 500

long
retention_days_of(const struct tenant_ctx *ctx)
{
	enum metadb_status st;
	const struct plan *plan;
	json_t            *filter, *doc, *v;
	char               err[256];
	long               days = -1;

	/* A per-tenant override, when the platform set one. */
	filter = json_pack("{s:s}", "id", ctx->id);
	doc =
	    metadb_platform_find_one("tenants", filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st != METADB_OK && st != METADB_NOT_FOUND)
		return (-1); /* unknown: never fall back to a shorter plan's */
	v = json_object_get(
	    json_object_get(doc, "overrides"), "retention_days");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		days = (long)json_integer_value(v);
	json_decref(doc);
	if (days >= 0)
		return (days);
	plan = members_plan_of(ctx);
	return (plan != NULL ? plan->limits.retention_days : 0);
}

/* Deletes the tenant's expired daily indices, each by its exact name. */
static bool
retention_indices(const struct tenant_ctx *ctx, long now, long days,
    long *deleted, char *err, size_t errlen)
{
	struct es_response r;
	const char        *name;
	json_t            *list, *item;
	char               pattern[128], path[256];
	size_t             i;
	bool               ok = true;

	if (!tenant_index_pattern(ctx, pattern, sizeof(pattern))) {
		snprintf(err, errlen, "bad tenant");
		return (false);
	}
	snprintf(path, sizeof(path),
	    "/_cat/indices/%s?format=json&h=index&expand_wildcards=all",
	    pattern);
	if (!es_request("GET", path, NULL, 0, 0, &r) || r.status != 200) {
		snprintf(err, errlen, "list indices: %s",
		    r.error[0] != '\0' ? r.error : "unexpected answer");
		es_response_free(&r);
		return (false);
	}
	list = json_loadb(r.body.data, r.body.len, 0, NULL);
	es_response_free(&r);
	json_array_foreach(list, i, item)
	{
		name = json_string_value(json_object_get(item, "index"));
		if (name == NULL ||
		    !retention_index_expired(ctx, name, now, days))
			continue;
		snprintf(path, sizeof(path), "/%s", name);
		if (!es_request("DELETE", path, NULL, 0, 0, &r) ||
		    (r.status != 200 && r.status != 404)) {
			snprintf(err, errlen, "delete %s: %s", name,
			    r.error[0] != '\0' ? r.error : "refused");
			ok = false;
		} else if (r.status == 200) {
			(*deleted)++;
		}
		es_response_free(&r);
	}
	json_decref(list);
	return (ok);
}

/* Removes stored copies of files uploaded before the cutoff. */
static bool
retention_files(const struct tenant_ctx *ctx, long now, long days, long *purged,
    char *err, size_t errlen)
{
	enum metadb_status st;
	const char        *id;
	json_t            *filter, *docs, *doc, *set, *one;
	char               cutoff[32], when[32], path[SETTINGS_STR_MAX + 64];
	size_t             i;
	long               matched;

	text_iso8601(retention_cutoff(now, days), cutoff, sizeof(cutoff));
	text_iso8601(now, when, sizeof(when));
	filter = json_pack("{s:{s:s}, s:{s:b}}", "created_at", "$lt", cutoff,
	    "purged_at", "$exists", 0);
	docs = metadb_find(ctx, "files", filter, NULL, 0, RETENTION_FILES_BATCH,
	    &st, err, errlen);
	json_decref(filter);
	if (st != METADB_OK) {
		json_decref(docs);
		return (false);
	}
	set = json_pack("{s:s, s:b}", "purged_at", when, "stored", 0);
	json_array_foreach(docs, i, doc)
	{
		id = json_string_value(json_object_get(doc, "id"));
		if (id == NULL || !files_path(ctx, id, path, sizeof(path)))
			continue;
		if (unlink(path) == -1 && errno != ENOENT) {
			snprintf(err, errlen, "unlink: %s", strerror(errno));
			st = METADB_ERROR;
			break;
		}
		one = json_pack("{s:s}", "id", id);
		st = metadb_update(
		    ctx, "files", one, set, &matched, err, errlen);
		json_decref(one);
		if (st != METADB_OK)
			break;
		(*purged)++;
	}
	json_decref(set);
	json_decref(docs);
	return (st == METADB_OK);
}

bool
retention_run(const struct tenant_ctx *ctx, long now,
    struct retention_report *rep, char *err, size_t errlen)
{
	bool ok;

	memset(rep, 0, sizeof(*rep));
	if ((rep->days = retention_days_of(ctx)) < 0) {
		snprintf(err, errlen, "the tenant's record cannot be read");
		return (false);
	}
	if (rep->days == 0)
		return (true);
	ok = retention_indices(
		 ctx, now, rep->days, &rep->indices_deleted, err, errlen) &&
	    retention_files(
		ctx, now, rep->days, &rep->files_purged, err, errlen);
	log_emit(ok ? LOG_LEVEL_INFO : LOG_LEVEL_ERROR, "retention", NULL,
	    json_pack("{s:s, s:I, s:I, s:I, s:s}", "tenant_id", ctx->id, "days",
		(json_int_t)rep->days, "indices_deleted",
		(json_int_t)rep->indices_deleted, "files_purged",
		(json_int_t)rep->files_purged, "error", ok ? "" : err),
	    "retention applied");
	return (ok);
}
