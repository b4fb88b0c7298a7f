/*
 * A growable byte buffer, always NUL-terminated so that its data can be
 * handed to string functions. The buffer owns its data; buf_release()
 * hands ownership to the caller.
 */
#ifndef VIGIE_CORE_BUF_H
#define VIGIE_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char  *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *, size_t);
void buf_free(struct buf *);
void buf_reset(struct buf *);
void buf_append(struct buf *, const void *, size_t);
void buf_appends(struct buf *, const char *);
void buf_appendf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void  buf_appendv(struct buf *, const char *, va_list);
char *buf_release(struct buf *);
/* Takes data (len bytes and a NUL, from buf_release()) as the content. */
void buf_adopt(struct buf *, char *data, size_t len);

#endif
