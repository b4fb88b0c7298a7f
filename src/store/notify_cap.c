#include <stdio.h>

#include "store/kv.h"
#include "store/notify_cap.h"

/* INCR and, on the first count of the hour, EXPIRE: one atomic step. */
static const char notify_cap_lua[] =
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "return n";

long
notify_cap_count(
    const struct tenant_ctx *ctx, long now, char *err, size_t errlen)
{
	const char *argv[5];
	redisReply *r;
	char        purpose[64], key[128];
	long        n;

	snprintf(purpose, sizeof(purpose), "notify:hour:%ld", now / 3600);
	if (!tenant_key(ctx, purpose, key, sizeof(key))) {
		snprintf(err, errlen, "invalid tenant");
		return (-1);
	}
	argv[0] = "EVAL";
	argv[1] = notify_cap_lua;
	argv[2] = "1";
	argv[3] = key;
	argv[4] = "7200";
	if ((r = kv_commandv(5, argv, NULL, err, errlen)) == NULL)
		return (-1);
	n = -1;
	if (r->type == REDIS_REPLY_INTEGER)
		n = (long)r->integer;
	else
		snprintf(err, errlen, "%s",
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	freeReplyObject(r);
	return (n);
}
