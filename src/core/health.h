/*
 * Dependency checks and how they add up to one status for /health.
 */
#ifndef VIGIE_CORE_HEALTH_H
#define VIGIE_CORE_HEALTH_H

#include <stddef.h>

#include <jansson.h>

enum dep_state {
	DEP_UP = 0,
	DEP_DEGRADED,
	DEP_DOWN,
};

struct dep_check {
	const char    *name; /* static string */
	enum dep_state state;
	double         latency_ms;
	char           error[192]; /* empty when the check passed */
	json_t        *details; /* owned; may be NULL */
};

const char    *health_state_name(enum dep_state);
const char    *health_overall_name(enum dep_state);
enum dep_state health_overall(const struct dep_check *, size_t, double slow_ms);
enum dep_state health_es_state(const char *cluster_status);
json_t        *health_report(const struct dep_check *, size_t, double slow_ms,
	   const char *version, long uptime_s);

#endif
