/*
 * Endpoints whose work runs on a task thread.
 *
 * A handler is declared as a struct api_endpoint and served with
 * api_serve(). On the event loop, api_serve() copies what the work needs
 * out of the request (method, path captures, query, body, client address,
 * Authorization header) into a struct api_work, then runs, on a task
 * thread: authentication (auth.c), the permission check, and the
 * endpoint's run function, which talks to the stores in plain blocking
 * code and leaves its answer in the work. Back on the event loop the
 * answer is sent. Nothing on the task thread touches the request.
 */
#ifndef VIGIE_API_SERVE_H
#define VIGIE_API_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "api/call.h"
#include "core/buf.h"
#include "core/perm.h"
#include "core/search_query.h"
#include "core/tenant.h"
#include "core/validate.h"

#define API_CAPTURES     4
#define API_CAPTURE_MAX  128
#define API_BODY_DEFAULT (64 * 1024)

enum api_auth {
	API_AUTH_NONE, /* public */
	API_AUTH_USER, /* a person's access token */
	API_AUTH_TOKEN, /* a person's access token or an API key */
	API_AUTH_ADMIN, /* a platform administrator's token */
};

enum who_kind {
	WHO_NOBODY = 0,
	WHO_USER,
	WHO_APIKEY,
	WHO_ADMIN,
};

/* Who is calling, as established by auth.c. */
struct who {
	enum who_kind     kind;
	struct tenant_ctx tenant;
	char              user_id[25];
	char              email[256];
	char              name[128];
	enum role         role;
	unsigned          scopes;
	char              key_id[25];
	char              jti[40];
	long              exp;
};

struct api_work;
struct fast_wait;

/* Where a request stands (api_work.phase). */
enum serve_phase {
	SERVE_NEW = 0,
	SERVE_FAST_WAIT, /* asleep until Redis answers (api/fast.c) */
	SERVE_FAST_HIT, /* the answer is in the work */
	SERVE_FAST_MISS, /* the task thread is to do it all */
	SERVE_TASK, /* on a task thread */
	SERVE_LOOP, /* asleep until Elasticsearch answers (api/search_loop.c) */
};

/*
 * Where the answer to a read may wait in the cache: its kind and the
 * hash of what identifies it (search_cache_hash()). history: a user's
 * request is also recorded in their history (api/fast.c leaves those to
 * the task thread).
 */
struct api_cached {
	const char *kind;
	char        hash[65];
	bool        history;
};

struct api_endpoint {
	enum route_id route;
	int           methods;
	enum api_auth auth;
	enum perm     perm;
	size_t        body_max; /* 0: API_BODY_DEFAULT */
	void (*run)(struct api_work *);
	bool raw_body; /* hand the body over as bytes, not JSON */
	bool quota_exempt; /* not counted as an API request (api/usage.c) */
	/* A read that may be answered from the cache on the event loop
	 * (api/fast.c): false when this request cannot be. */
	bool (*cached)(const struct api_work *, struct api_cached *);
};

struct api_work {
	const struct api_endpoint *ep;

	/* In: copied from the request on the event loop. */
	int              method;
	char             path[512];
	char             capture[API_CAPTURES][API_CAPTURE_MAX];
	int              ncaptures;
	json_t          *query; /* object of the query string's arguments */
	struct buf       body; /* in memory (JSON, or a small raw body) */
	int              body_fd; /* raw body spooled to disk by Kore, or -1 */
	size_t           body_length;
	char             body_path[256]; /* the spooled file's name, or "" */
	unsigned char    body_sha256[32]; /* Kore's, of a raw body */
	json_t          *json; /* the body parsed, NULL if empty/not JSON */
	char             client_ip[64];
	char             user_agent[256];
	char             authorization[4200];
	char             host[256];
	struct trace_ctx trace;
	long             now; /* seconds since the epoch */

	/* Who: filled on the task thread before run(). */
	struct who who;
	/* The day's API-request count when authentication took it along
	 * (api/usage.c): 0 not taken, 1 admitted, 2 refused. */
	int  quota_state;
	long quota_before, quota_after, quota_max;
	bool quota_taken; /* counted already, on the event loop */

	/* The event loop's attempt at a cached answer (api/fast.c). */
	struct fast_wait *fast;
	enum serve_phase  phase;
	bool              copied; /* serve.c copied the request already */
	/* What the event loop learnt of the answer cache (a miss). */
	struct search_cache_hint cache_hint;
	/*
	 * A miss sent on a caller's lease (api/fast.c): the generation the
	 * lease vouches for, the cache not looked at (cache_hint unknown):
	 * api/search_loop.c looks while Elasticsearch computes.
	 */
	struct search_cache_hint cache_lease;

	/* Out. */
	int         status;
	json_t     *resp;
	const char *content_type; /* static; NULL means JSON */
	struct buf  raw; /* the body when not JSON */
	char        retry_after[16];
	char        location[256];
	char        cache[8]; /* X-Cache: HIT or MISS, empty for none */
	char        encoding[8]; /* Content-Encoding of raw, empty for none */
	char        disposition[160]; /* Content-Disposition, if any */
	int         file_fd; /* a file to send instead of raw, or -1 */
	off_t       file_size;
	char        file_name[256]; /* its (unique) path, for Kore's fileref */
};

int  api_serve(struct http_request *, const struct api_endpoint *);
void api_work_json(struct api_work *, int status, json_t *);
void api_work_error(struct api_work *, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void api_work_error_details(struct api_work *, int status, const char *code,
    json_t *details, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
bool
api_work_body_or_error(struct api_work *, const struct field_rule *, size_t n);
void api_work_store_error(struct api_work *, const char *what, const char *err);
void api_audit(struct api_work *, const char *action, json_t *details);

#endif
