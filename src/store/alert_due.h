/*
 * Which organizations may have alert rules due, so that an evaluation
 * tick visits those only: the sorted set p:alerts:due, one member per
 * tenant id, scored by the earliest time (seconds) one of its rules is
 * due. Ids only, no tenant data. A lost or stale set costs nothing but
 * time: a full sweep of every organization runs at least every
 * ALERT_DUE_SWEEP_S and puts the set right.
 */
#ifndef VIGIE_STORE_ALERT_DUE_H
#define VIGIE_STORE_ALERT_DUE_H

#include <stdbool.h>
#include <stddef.h>

#define ALERT_DUE_KEY     "p:alerts:due"
#define ALERT_DUE_SWEEP   "p:alerts:sweep"
#define ALERT_DUE_SWEEP_S 300

/* The tenant has a rule due at when (or earlier). */
bool alert_due_mark(const char *tenant_id, long when, char *err, size_t);
/* The tenant has no enabled rule. */
bool alert_due_forget(const char *tenant_id, char *err, size_t);
/*
 * Up to max tenant ids due at now, into ids[max][25]. Returns how many,
 * or -1 on a Redis failure.
 */
int alert_due_list(long now, char (*ids)[25], int max, char *err, size_t);
/* Whether this caller should run the full sweep now (one per period). */
int alert_due_sweep_claim(const char *who, char *err, size_t);

#endif
