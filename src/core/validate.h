/*
 * Declarative checks of JSON request bodies: each endpoint lists its
 * fields with type, bounds and an optional extra check; anything not
 * listed is refused, so a typo in a field name is an error, not a silent
 * default.
 */
#ifndef VIGIE_CORE_VALIDATE_H
#define VIGIE_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum field_type {
	FIELD_STRING, /* min/max: length in bytes */
	FIELD_INTEGER, /* min/max: value */
	FIELD_BOOLEAN,
	FIELD_STRING_ARRAY, /* min/max: number of items; items 1..256 bytes */
	FIELD_OBJECT, /* min/max unused */
};

struct field_rule {
	const char     *name;
	enum field_type type;
	bool            required;
	long            min;
	long            max;
	/* Extra check of a string (or of each item of a string array). */
	bool (*check)(const char *value, char *why, size_t whylen);
};

struct validate_error {
	char field[64];
	char message[256];
};

bool validate_body(const json_t *body, const struct field_rule *, size_t n,
    struct validate_error *);
bool validate_email(const char *, char *why, size_t whylen);
bool validate_name(const char *, char *why, size_t whylen);

#endif
