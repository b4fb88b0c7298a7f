/*
 * MongoDB adapter (mongo-c-driver). One client pool per process; each call
 * pops a client for its duration. Calls block: run them in a task thread
 * or in the worker, never on a Kore event loop.
 */
#ifndef VIGIE_STORE_METADB_H
#define VIGIE_STORE_METADB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/health.h"
#include "core/settings.h"

bool metadb_open(const struct settings *, char *err, size_t errlen);
void metadb_close(void);
void metadb_check(struct dep_check *);

#endif
