/*
 * The Redis protocol's request form (RESP): an array of bulk strings.
 * For commands built ahead, in parts, and sent as they are.
 */
#ifndef VIGIE_CORE_RESP_H
#define VIGIE_CORE_RESP_H

#include <stddef.h>

#include "core/buf.h"

/* "*<n>\r\n": a command of n arguments follows. */
void resp_array(struct buf *, size_t n);
/* "$<len>\r\n<bytes>\r\n". */
void resp_bulk(struct buf *, const void *, size_t len);
void resp_str(struct buf *, const char *);
void resp_num(struct buf *, long long);

#endif
