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

/* A word at a time, each mixed in by a multiply (keys are not secret). */
static uint64_t
memo_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t             h, w;

	h = 0x9e3779b97f4a7c15ULL ^ len;
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return (h ^ (h >> 29));
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
