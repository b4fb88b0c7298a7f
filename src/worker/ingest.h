/*
 * The ingestion of one uploaded file: stream it (gzip or plain), parse it
 * line by line, index the records in bulk into the tenant's daily indices,
 * keep the refused lines with their reasons, and report progress in the
 * file's MongoDB record as it goes. Memory stays flat whatever the size.
 */
#ifndef VIGIE_WORKER_INGEST_H
#define VIGIE_WORKER_INGEST_H

#include <stddef.h>

#include "core/tenant.h"
#include "worker/jobs.h"

enum job_result ingest_file(
    const struct tenant_ctx *, const char *file_id, char *reason, size_t len);

#endif
