#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static void mem_fatal(size_t) __attribute__((noreturn));

static void
mem_fatal(size_t len)
{
	/* Nothing sensible can be done without memory: say so and stop. */
	fprintf(stderr,
	    "{\"level\":\"CRITICAL\",\"logger\":\"mem\","
	    "\"message\":\"out of memory allocating %zu bytes\"}\n",
	    len);
	abort();
}

void *
mem_alloc(size_t len)
{
	void *p;

	if ((p = malloc(len == 0 ? 1 : len)) == NULL)
		mem_fatal(len);
	return (p);
}

void *
mem_calloc(size_t n, size_t len)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, len == 0 ? 1 : len)) == NULL)
		mem_fatal(n * len);
	return (p);
}

void *
mem_realloc(void *old, size_t len)
{
	void *p;

	if ((p = realloc(old, len == 0 ? 1 : len)) == NULL)
		mem_fatal(len);
	return (p);
}

char *
mem_strdup(const char *s)
{
	return (mem_strndup(s, strlen(s)));
}

char *
mem_strndup(const char *s, size_t len)
{
	char *p;

	p = mem_alloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

void
mem_free(void *p)
{
	free(p);
}
