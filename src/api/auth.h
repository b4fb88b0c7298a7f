/*
 * Request authentication (on the task thread): who is calling, from a
 * verified access token, an API key or a platform administrator's token;
 * and the tokens Vigie hands out.
 */
#ifndef VIGIE_API_AUTH_H
#define VIGIE_API_AUTH_H

#include <stdbool.h>

#include "api/serve.h"

bool auth_resolve(struct api_work *);

/* What the event loop read for a request (api/fast.c). */
struct auth_records {
	const char   *tenant_id;
	const json_t *tenant; /* t:<id>:meta */
	const json_t *who; /* the user's or the API key's record */
	const char   *user_id; /* a person's token: its subject, else NULL */
	const char   *jti;
	long          exp;
};
bool auth_from_records(struct api_work *, const struct auth_records *);
bool auth_permits(const struct api_work *);
bool auth_can(const struct api_work *, enum perm);

/* An API key's tenant id (the key's own claim), false if malformed. */
bool auth_key_tenant(const char *key, char tid[25]);
/* The API key carried as the password of Basic credentials. */
bool auth_basic_key(const char *b64, char *out, size_t outlen);

#endif
