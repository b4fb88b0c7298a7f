/*
 * A small memo: remembers values of fixed size under byte-string keys,
 * in a direct-mapped table (a new key takes the slot of the one it
 * collides with). For results that are costly to compute and depend only
 * on their key, e.g. a verified credential or the cache hash of a query.
 * Not thread-safe: one memo per thread (api/fast.c uses them on the
 * event loop only).
 */
#ifndef VIGIE_CORE_MEMO_H
#define VIGIE_CORE_MEMO_H

#include <stdbool.h>
#include <stddef.h>

struct memo;

/* slots is rounded up to a power of two; keys longer than key_max are
 * never kept. */
struct memo *memo_new(size_t slots, size_t key_max, size_t value_size);
void         memo_free(struct memo *);

/* The value kept under key, or NULL. Valid until the next memo_put(). */
const void *memo_get(const struct memo *, const void *key, size_t keylen);

/* Keeps a copy of value under key (false: the key is too long). */
bool memo_put(struct memo *, const void *key, size_t keylen, const void *value);

#endif
