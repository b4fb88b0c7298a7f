#include <string.h>

#include "core/health.h"

const char *
health_state_name(enum dep_state s)
{
	switch (s) {
	case DEP_UP:
		return ("up");
	case DEP_DEGRADED:
		return ("degraded");
	case DEP_DOWN:
		break;
	}
	return ("down");
}

/* The words /health uses for the whole service. */
const char *
health_overall_name(enum dep_state s)
{
	switch (s) {
	case DEP_UP:
		return ("healthy");
	case DEP_DEGRADED:
		return ("degraded");
	case DEP_DOWN:
		break;
	}
	return ("down");
}

/*
 * Every dependency is needed to serve the product (Elasticsearch holds the
 * logs, MongoDB the accounts, Redis the queues and sessions), so any one
 * down makes the service down. A dependency that answers but is impaired,
 * or slower than slow_ms, makes it degraded.
 */
enum dep_state
health_overall(const struct dep_check *c, size_t n, double slow_ms)
{
	enum dep_state worst;
	size_t         i;

	worst = DEP_UP;
	for (i = 0; i < n; i++) {
		if (c[i].state == DEP_DOWN)
			return (DEP_DOWN);
		if (c[i].state == DEP_DEGRADED || c[i].latency_ms > slow_ms)
			worst = DEP_DEGRADED;
	}
	return (worst);
}

enum dep_state
health_es_state(const char *cluster_status)
{
	if (cluster_status == NULL)
		return (DEP_DOWN);
	if (strcmp(cluster_status, "green") == 0)
		return (DEP_UP);
	if (strcmp(cluster_status, "yellow") == 0)
		return (DEP_DEGRADED);
	return (DEP_DOWN);
}

/* Builds the /health body. The caller owns the result. */
json_t *
health_report(const struct dep_check *c, size_t n, double slow_ms,
    const char *version, long uptime_s)
{
	json_t *deps, *dep;
	size_t  i;

	deps = json_object();
	for (i = 0; i < n; i++) {
		dep = json_pack("{s:s, s:f}", "status",
		    health_state_name(c[i].state), "latency_ms",
		    (double)((long)(c[i].latency_ms * 100)) / 100);
		if (c[i].error[0] != '\0')
			json_object_set_new(
			    dep, "error", json_string(c[i].error));
		if (c[i].details != NULL)
			json_object_update(dep, c[i].details);
		json_object_set_new(deps, c[i].name, dep);
	}
	return (json_pack("{s:s, s:s, s:I, s:o}", "status",
	    health_overall_name(health_overall(c, n, slow_ms)), "version",
	    version, "uptime_s", (json_int_t)uptime_s, "dependencies", deps));
}
