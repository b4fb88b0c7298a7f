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
bool auth_permits(const struct api_work *);
bool auth_can(const struct api_work *, enum perm);

#endif
