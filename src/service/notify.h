/*
 * Notifications, independent of HTTP: the notification channels of an
 * organization (MongoDB "notification_channels"), the delivery log
 * ("notifications": one document per channel and event, with its status
 * pending / sent / retrying / dead / suppressed), the hourly cap, and
 * notify_enqueue(), which hands events to the worker's "notify" job.
 *
 * Every call is tenant-scoped; another tenant's id is simply not found.
 * Calls block on the stores: run them on a task thread or in the worker.
 */
#ifndef VIGIE_SERVICE_NOTIFY_H
#define VIGIE_SERVICE_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/netguard.h"
#include "core/notify_render.h"
#include "core/seal.h"
#include "core/settings.h"
#include "core/tenant.h"

#define NOTIFY_CHANNEL_IDS_MAX 50
#define NOTIFY_EVENT_MAX       (64 * 1024) /* bytes of an event as JSON */

/* The notification settings of this process (set by notify_configure). */
struct notify_conf {
	struct netguard_cidrs allow;
	long                  max_attempts;
	long                  backoff_base_ms;
	long                  backoff_max_ms;
	long                  timeout_ms;
	long                  hourly_cap;
	char                  public_url[SETTINGS_STR_MAX];
	unsigned char         seal_key[SEAL_KEY_LEN]; /* webhook secrets */
};

/* Parses VIGIE_WEBHOOK_ALLOW_CIDRS and keeps the rest; once per process. */
bool notify_configure(const struct settings *, char *err, size_t errlen);
const struct notify_conf *notify_conf(void);

enum notify_result {
	NOTIFY_OK = 0,
	NOTIFY_INVALID, /* bad input; message says which field */
	NOTIFY_NOT_FOUND, /* no such object in the tenant */
	NOTIFY_CONFLICT, /* not in a state that allows it */
	NOTIFY_UNAVAILABLE, /* a store failed; nothing was left half-done */
};

/* body and audit belong to the caller: notify_outcome_clear(). */
struct notify_outcome {
	enum notify_result result;
	char               message[256];
	json_t            *body;
	json_t            *audit;
};

void notify_outcome_clear(struct notify_outcome *);

/* Channels. in is the request body (name, type, config, enabled). */
void notify_channel_list(const struct tenant_ctx *, struct notify_outcome *);
void notify_channel_get(
    const struct tenant_ctx *, const char *id, struct notify_outcome *);
void notify_channel_create(const struct tenant_ctx *, const char *user_id,
    const json_t *in, long now, struct notify_outcome *);
void notify_channel_update(const struct tenant_ctx *, const char *id,
    const json_t *in, long now, struct notify_outcome *);
void notify_channel_delete(
    const struct tenant_ctx *, const char *id, struct notify_outcome *);
/* Queues a test event for the channel; body {"event_id", ...}. */
void notify_channel_test(const struct tenant_ctx *, const char *id,
    const char *who, struct notify_outcome *);

/*
 * The delivery log, newest first. Filters (each optional): status,
 * channel_id, event_id; limit 1..200 (default 50).
 */
void notify_delivery_list(const struct tenant_ctx *, const char *status,
    const char *channel_id, const char *event_id, long limit,
    struct notify_outcome *);

/*
 * Sends a dead letter again: the delivery gets a new round of attempts
 * (its attempt log kept). NOTIFY_CONFLICT unless it is dead.
 */
void notify_delivery_retry(
    const struct tenant_ctx *, const char *id, struct notify_outcome *);

/*
 * Queues one "notify" job per channel id (an array of 1..50 id
 * strings) for the event (CONTRACTS.md: kind, rule, alert, search_url,
 * message). event_id is the stable id of the event (1..128 of
 * [A-Za-z0-9._:-]): the same event and channel are delivered at most
 * once, whoever queues them again. Channels are checked when the job
 * runs: an unknown one leaves a dead letter. False with err if the input
 * is refused or the queue is unavailable (some jobs may be queued then:
 * calling again is safe).
 */
bool notify_enqueue(const struct tenant_ctx *, const json_t *channel_ids,
    const char *event_id, const json_t *event, char *err, size_t errlen);

/* For the worker: one stored channel (NULL, with *found, if none). */
json_t *notify_channel_load(const struct tenant_ctx *, const char *id,
    bool *found, char *err, size_t errlen);

#endif
