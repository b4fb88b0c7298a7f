/*
 * Allocation wrappers: one out-of-memory policy for the whole code base.
 * Every function here aborts the process when memory cannot be had, so
 * callers never check for NULL.
 */
#ifndef VIGIE_CORE_MEM_H
#define VIGIE_CORE_MEM_H

#include <stddef.h>

void *mem_alloc(size_t);
void *mem_calloc(size_t, size_t);
void *mem_realloc(void *, size_t);
char *mem_strdup(const char *);
char *mem_strndup(const char *, size_t);
void  mem_free(void *);

#endif
