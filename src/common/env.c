#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/env.h"
#include "common/log.h"
#include "core/trace.h"

extern char **environ;

static const char *
env_lookup(const char *name, void *ctx)
{
	const char *v;

	(void)ctx;
	v = getenv(name);
	/* An empty variable means "use the default", as in most tools. */
	if (v != NULL && *v == '\0' && strcmp(name, "VIGIE_KIBANA_URL") != 0 &&
	    strcmp(name, "VIGIE_ADMIN_EMAIL") != 0 &&
	    strcmp(name, "VIGIE_ADMIN_PASSWORD") != 0 &&
	    strcmp(name, "VIGIE_TRUSTED_PROXIES") != 0)
		return (NULL);
	return (v);
}

bool
env_settings_load(struct settings *s, char *err, size_t errlen)
{
	return (settings_load(s, env_lookup, NULL, err, errlen));
}

/*
 * VIGIE_* variables we do not know are most likely typos: say so, since
 * an ignored setting is worse than a loud one. VIGIE_STACK* belong to
 * the stack scripts and VIGIE_TEST_* to the test suites.
 */
void
env_warn_unknown(void)
{
	char      **e, name[128];
	const char *eq;
	size_t      len;

	for (e = environ; *e != NULL; e++) {
		if (strncmp(*e, "VIGIE_", 6) != 0)
			continue;
		if (strncmp(*e, "VIGIE_STACK", 11) == 0 ||
		    strncmp(*e, "VIGIE_TEST_", 11) == 0)
			continue;
		if ((eq = strchr(*e, '=')) == NULL)
			continue;
		len = (size_t)(eq - *e);
		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, *e, len);
		name[len] = '\0';
		if (!settings_known(name))
			log_emit(LOG_LEVEL_WARNING, "config", NULL,
			    json_pack("{s:s}", "variable", name),
			    "unknown setting %s ignored", name);
	}
}

void
env_random(void *out, size_t len)
{
	uint8_t *p;
	ssize_t  n;

	p = out;
	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0)
			abort(); /* the kernel has no entropy call: fatal */
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Random bytes for identifiers that are not secrets (trace and span ids):
 * taken from a per-thread pool refilled with one getrandom() every 4 KiB,
 * instead of a system call per request. The pool is emptied in a child
 * after fork(), so two Kore workers never hand out the same ids.
 */
#define ENV_POOL_SIZE 4096

static __thread uint8_t env_pool[ENV_POOL_SIZE];
static __thread size_t  env_pool_left;
static pthread_once_t   env_pool_once = PTHREAD_ONCE_INIT;

static void
env_pool_forget(void)
{
	env_pool_left = 0;
}

static void
env_pool_register(void)
{
	(void)pthread_atfork(NULL, NULL, env_pool_forget);
}

static void
env_random_ids(void *out, size_t len)
{
	(void)pthread_once(&env_pool_once, env_pool_register);
	if (len > ENV_POOL_SIZE) {
		env_random(out, len);
		return;
	}
	if (env_pool_left < len) {
		env_random(env_pool, sizeof(env_pool));
		env_pool_left = sizeof(env_pool);
	}
	memcpy(out, env_pool + (ENV_POOL_SIZE - env_pool_left), len);
	env_pool_left -= len;
}

/* Fills out with 2*nbytes random hex characters for an identifier. */
void
env_id_hex(char *out, size_t nbytes)
{
	uint8_t raw[64];

	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	env_random_ids(raw, nbytes);
	trace_hex(raw, nbytes, out);
}

/* Fills out with 2*nbytes random hex characters and a NUL. */
void
env_random_hex(char *out, size_t nbytes)
{
	uint8_t raw[64];

	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	env_random(raw, nbytes);
	trace_hex(raw, nbytes, out);
}

uint64_t
env_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

uint64_t
env_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}
