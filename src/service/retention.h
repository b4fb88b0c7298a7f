/*
 * Retention of one tenant: deletes its daily indices older than its
 * retention (the rule is in core/retention.h) and the stored copies of
 * its uploaded files past it (the file's record stays, marked purged).
 * Indices are listed by the tenant's pattern and each name is kept only
 * when it is exactly one of this tenant's (tenant_index_owned), then
 * deleted by its own name: another tenant's indices are never touched,
 * even one whose slug extends this one.
 */
#ifndef VIGIE_SERVICE_RETENTION_H
#define VIGIE_SERVICE_RETENTION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/tenant.h"

struct retention_report {
	long days; /* the retention applied; 0 keeps everything */
	long indices_deleted;
	long files_purged;
};

/*
 * The tenant's retention in days: its own override, else its plan's
 * (0: keep everything); -1 when its record cannot be read.
 */
long retention_days_of(const struct tenant_ctx *);

bool retention_run(const struct tenant_ctx *, long now,
    struct retention_report *, char *err, size_t errlen);

#endif
