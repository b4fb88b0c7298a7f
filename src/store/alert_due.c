#include <stdio.h>
#include <string.h>

#include "core/tenant.h"
#include "store/alert_due.h"
#include "store/kv.h"

static bool
alert_due_run(int argc, const char **argv, char *err, size_t errlen)
{
	redisReply *r;
	bool        ok;

	if ((r = kv_commandv(argc, argv, NULL, err, errlen)) == NULL)
		return (false);
	ok = r->type != REDIS_REPLY_ERROR;
	if (!ok)
		snprintf(err, errlen, "%s", r->str);
	freeReplyObject(r);
	return (ok);
}

bool
alert_due_mark(const char *tenant_id, long when, char *err, size_t errlen)
{
	const char *argv[] = {"ZADD", ALERT_DUE_KEY, NULL, tenant_id};
	char        score[32];

	if (!tenant_id_check(tenant_id)) {
		snprintf(err, errlen, "bad tenant id");
		return (false);
	}
	snprintf(score, sizeof(score), "%ld", when);
	argv[2] = score;
	return (alert_due_run(4, argv, err, errlen));
}

bool
alert_due_forget(const char *tenant_id, char *err, size_t errlen)
{
	const char *argv[] = {"ZREM", ALERT_DUE_KEY, tenant_id};

	return (alert_due_run(3, argv, err, errlen));
}

int
alert_due_list(long now, char (*ids)[25], int max, char *err, size_t errlen)
{
	const char *argv[] = {
	    "ZRANGEBYSCORE", ALERT_DUE_KEY, "-inf", NULL, "LIMIT", "0", NULL};
	redisReply *r;
	char        upto[32], count[16];
	size_t      i;
	int         n;

	snprintf(upto, sizeof(upto), "%ld", now);
	snprintf(count, sizeof(count), "%d", max);
	argv[3] = upto;
	argv[6] = count;
	if ((r = kv_commandv(7, argv, NULL, err, errlen)) == NULL)
		return (-1);
	if (r->type != REDIS_REPLY_ARRAY) {
		snprintf(err, errlen, "%s",
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		freeReplyObject(r);
		return (-1);
	}
	n = 0;
	for (i = 0; i < r->elements && n < max; i++) {
		if (r->element[i]->type != REDIS_REPLY_STRING ||
		    !tenant_id_check(r->element[i]->str))
			continue;
		memcpy(ids[n++], r->element[i]->str, 25);
	}
	freeReplyObject(r);
	return (n);
}

int
alert_due_sweep_claim(const char *who, char *err, size_t errlen)
{
	const char *argv[] = {"SET", ALERT_DUE_SWEEP, who, "NX", "EX", NULL};
	redisReply *r;
	char        ttl[16];
	int         won;

	snprintf(ttl, sizeof(ttl), "%d", ALERT_DUE_SWEEP_S);
	argv[5] = ttl;
	if ((r = kv_commandv(6, argv, NULL, err, errlen)) == NULL)
		return (-1);
	won = r->type == REDIS_REPLY_STATUS ? 1 : 0;
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "%s", r->str);
		won = -1;
	}
	freeReplyObject(r);
	return (won);
}
