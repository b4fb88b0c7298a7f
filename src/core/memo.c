#include <stdint.h>
#include <string.h>

#include "core/mem.h"
#include "core/memo.h"

struct memo_slot {
	size_t keylen; /* 0: empty */
	char  *key;
	void  *value;
};

struct memo {
	struct memo_slot *slots;
	size_t            mask;
	size_t            key_max, value_size;
};

/* FNV-1a, 64 bits. */
static uint64_t
memo_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t             h = 14695981039346656037ULL;
	size_t               i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return (h);
}

struct memo *
memo_new(size_t slots, size_t key_max, size_t value_size)
{
	struct memo *m;
	size_t       n;

	for (n = 1; n < slots; n <<= 1)
		;
	m = mem_calloc(1, sizeof(*m));
	m->slots = mem_calloc(n, sizeof(*m->slots));
	m->mask = n - 1;
	m->key_max = key_max;
	m->value_size = value_size;
	return (m);
}

void
memo_free(struct memo *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i <= m->mask; i++) {
		mem_free(m->slots[i].key);
		mem_free(m->slots[i].value);
	}
	mem_free(m->slots);
	mem_free(m);
}

const void *
memo_get(const struct memo *m, const void *key, size_t keylen)
{
	const struct memo_slot *s;

	if (keylen == 0 || keylen > m->key_max)
		return (NULL);
	s = &m->slots[memo_hash(key, keylen) & m->mask];
	if (s->keylen != keylen || memcmp(s->key, key, keylen) != 0)
		return (NULL);
	return (s->value);
}

bool
memo_put(struct memo *m, const void *key, size_t keylen, const void *value)
{
	struct memo_slot *s;

	if (keylen == 0 || keylen > m->key_max)
		return (false);
	s = &m->slots[memo_hash(key, keylen) & m->mask];
	if (s->key == NULL) {
		s->key = mem_alloc(m->key_max);
		s->value = mem_alloc(m->value_size);
	}
	memcpy(s->key, key, keylen);
	s->keylen = keylen;
	memcpy(s->value, value, m->value_size);
	return (true);
}
