#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"

static void buf_reserve(struct buf *, size_t);

void
buf_init(struct buf *b, size_t initial)
{
	b->cap = initial < 64 ? 64 : initial;
	b->data = mem_alloc(b->cap);
	b->data[0] = '\0';
	b->len = 0;
}

void
buf_free(struct buf *b)
{
	mem_free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Make room for at least extra more bytes plus the terminating NUL. */
static void
buf_reserve(struct buf *b, size_t extra)
{
	size_t need;

	if (b->data == NULL)
		buf_init(b, extra + 1);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	while (b->cap < need)
		b->cap *= 2;
	b->data = mem_realloc(b->data, b->cap);
}

void
buf_append(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_appends(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_appendv(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int     n;

	buf_reserve(b, 0);
	va_copy(copy, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		(void)vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_appendv(b, fmt, ap);
	va_end(ap);
}

char *
buf_release(struct buf *b)
{
	char *p;

	if (b->data == NULL)
		buf_init(b, 1);
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return (p);
}

void
buf_adopt(struct buf *b, char *data, size_t len)
{
	buf_free(b);
	b->data = data;
	b->len = len;
	b->cap = len + 1;
}
