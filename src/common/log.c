#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static long log_min_level = LOG_LEVEL_INFO;
static char log_env[32] = "development";

void
log_init(long min_level, const char *env)
{
	log_min_level = min_level;
	snprintf(log_env, sizeof(log_env), "%s", env);
}

bool
log_enabled(enum log_level level)
{
	return ((long)level >= log_min_level);
}

static void
log_timestamp(char *out, size_t len)
{
	struct timespec ts;
	struct tm       tm;
	size_t          n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

void
log_emit(enum log_level level, const char *logger, const char *trace_id,
    json_t *context, const char *fmt, ...)
{
	char    ts[40], message[1024];
	json_t *line;
	char   *text;
	size_t  len;
	va_list ap;

	if (!log_enabled(level)) {
		json_decref(context);
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	log_timestamp(ts, sizeof(ts));

	line = json_pack("{s:s, s:s, s:s, s:s, s:s}", "timestamp", ts, "level",
	    settings_level_name(level), "logger", logger, "message", message,
	    "env", log_env);
	if (line == NULL) {
		json_decref(context);
		return;
	}
	json_object_set_new(
	    line, "context", context != NULL ? context : json_object());
	json_object_set_new(line, "trace_id",
	    trace_id != NULL ? json_string(trace_id) : json_null());

	text = json_dumps(
	    line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8));
	json_decref(line);
	if (text == NULL)
		return;
	len = strlen(text);
	text[len] = '\n';
	(void)write(STDOUT_FILENO, text, len + 1);
	free(text);
}
