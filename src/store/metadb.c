#include <stdio.h>
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
