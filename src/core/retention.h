/*
 * Retention: which of a tenant's daily indices and stored files are past
 * the tenant's retention. Pure; the worker lists, deletes and records.
 *
 * Rule: with a retention of N days (N >= 1), today (UTC) and the N days
 * before it are kept. The index of day D is expired when
 * D < today - N; a stored file is expired when it was uploaded before
 * the first second of day today - N. N = 0 means "keep forever".
 */
#ifndef VIGIE_CORE_RETENTION_H
#define VIGIE_CORE_RETENTION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/tenant.h"

/* First second (Unix time) that is still kept; 0 when N = 0. */
long retention_cutoff(long now, long days);

/*
 * True when index is one of ctx's daily indices ("logs-<slug>-YYYY.MM.DD",
 * exactly: never another tenant's whose slug extends this one) and its day
 * is before the cutoff. days = 0 expires nothing.
 */
bool retention_index_expired(
    const struct tenant_ctx *, const char *index, long now, long days);

#endif
