/*
 * Structured application logs: one JSON object per line on stdout with
 * timestamp, level, logger, message, context and trace_id. Safe to call
 * from any thread; each line is written with a single write(2).
 */
#ifndef VIGIE_COMMON_LOG_H
#define VIGIE_COMMON_LOG_H

#include <stdbool.h>

#include <jansson.h>

#include "core/settings.h"

void log_init(long min_level, const char *env);
bool log_enabled(enum log_level);

/*
 * Writes one line. context is stolen (may be NULL); trace_id may be NULL.
 */
void log_emit(enum log_level, const char *logger, const char *trace_id,
    json_t *context, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
