/*
 * The process environment: settings from VIGIE_* variables and the
 * random bytes ids are made of.
 */
#ifndef VIGIE_COMMON_ENV_H
#define VIGIE_COMMON_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/settings.h"

bool     env_settings_load(struct settings *, char *err, size_t errlen);
void     env_warn_unknown(void);
void     env_random(void *, size_t);
void     env_random_hex(char *out, size_t nbytes);
void     env_id_hex(char *out, size_t nbytes);
uint64_t env_now_us(void);
uint64_t env_monotonic_us(void);

#endif
