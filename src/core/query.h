/*
 * URL query strings (application/x-www-form-urlencoded) into a JSON
 * object of strings; a repeated name becomes an array of its values.
 */
#ifndef VIGIE_CORE_QUERY_H
#define VIGIE_CORE_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define QUERY_ARGS_MAX  64
#define QUERY_VALUE_MAX 2048

json_t *query_parse(const char *qs, char *why, size_t whylen);
bool    query_decode(const char *s, size_t len, char *out, size_t outlen);

#endif
