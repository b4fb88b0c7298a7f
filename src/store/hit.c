#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resp.h"
#include "store/hit.h"
#include "store/session.h"

/*
 * KEYS: 1 the caller's record, 2 its revocation flag (or the record
 * again), 3-5 the day's limits, counters and users (api_count()), 6 the
 * tenant's record, 7 the generation, 8 its settling flag. ARGV: 1 use the flag (1/0), 2 count
 * (1/0), 3 user id or '', 4 TTL of the counters, 5 the answers' prefix,
 * 6 the hash, 7 the generation of the caller's local copy, 8 look for
 * the answer (1/0; 0: only the caller is wanted). Returns {0}
 * (nothing done) or {state, tenant, caller, gen, answer (or 1 when the
 * local copy is current, 0 when there is none), counted (1/0), before,
 * after, max, settling (1/0)}: state 1 with the answer, 2 without (the request is still
 * counted: the task thread that computes the answer will not count it).
 */
const char hit_lua[] = USAGE_LUA_API_COUNT
    "local v = redis.call('MGET', KEYS[6], KEYS[1], KEYS[2], KEYS[7], "
    "KEYS[8])\n"
    "if not v[1] or not v[2] or (ARGV[1] == '1' and v[3]) then\n"
    "  return {0}\n"
    "end\n"
    "local g, a, s = v[4] or '0', 0, 2\n"
    "if ARGV[8] == '1' then\n"
    "  local k = ARGV[5] .. g .. ':' .. ARGV[6]\n"
    "  if g == ARGV[7] then a = redis.call('EXISTS', k)\n"
    "  else a = redis.call('GET', k) or 0 end\n"
    "  if a ~= 0 then s = 1 end\n"
    "end\n"
    "local z = v[5] and 1 or 0\n"
    "if ARGV[2] ~= '1' then return {s, v[1], v[2], g, a, 0, 0, 0, 0, z} end\n"
    "local st, b, n, m = api_count()\n"
    "if st ~= 1 then return {0} end\n"
    "return {s, v[1], v[2], g, a, 1, b, n, m, z}\n";

/* A context whose keys hold the tenant id only (any valid slug will do). */
static void
hit_probe(struct tenant_ctx *probe, const char *tenant_id)
{
	memset(probe, 0, sizeof(*probe));
	snprintf(probe->id, sizeof(probe->id), "%s", tenant_id);
	snprintf(probe->slug, sizeof(probe->slug), "probe");
}

bool
hit_keys_build(const struct hit_query *q, struct hit_keys *k)
{
	struct tenant_ctx probe;
	char              purpose[TENANT_PURPOSE_MAX + 1], err[64];

	memset(k, 0, sizeof(*k));
	hit_probe(&probe, q->tenant_id);
	if (!tenant_key(&probe, q->principal, k->keys[0], USAGE_KEY_MAX) ||
	    !usage_request_keys(&probe, q->day, k->keys[2], k->keys[3],
		k->keys[4], err, sizeof(err)) ||
	    !tenant_key(&probe, "meta", k->keys[5], USAGE_KEY_MAX) ||
	    !tenant_key(&probe, "gen", k->keys[6], USAGE_KEY_MAX) ||
	    !tenant_key(&probe, "gen_settling", k->keys[7], USAGE_KEY_MAX) ||
	    !cache_answer_prefix(&probe, q->kind, k->prefix, sizeof(k->prefix)))
		return (false);
	k->flag = q->jti != NULL;
	if (q->jti != NULL) {
		session_jti_purpose(q->jti, purpose, sizeof(purpose));
		if (!tenant_key(&probe, purpose, k->keys[1], USAGE_KEY_MAX))
			return (false);
	} else {
		memcpy(k->keys[1], k->keys[0], USAGE_KEY_MAX);
	}
	return (true);
}

void
hit_command_head(const struct hit_keys *k, const char *sha, struct buf *out)
{
	int i;

	resp_array(out, 3 + HIT_KEYS + HIT_ARGS);
	resp_str(out, "EVALSHA");
	resp_str(out, sha);
	resp_num(out, HIT_KEYS);
	for (i = 0; i < HIT_KEYS; i++)
		resp_str(out, k->keys[i]);
	resp_str(out, k->flag ? "1" : "0");
}

void
hit_command_tail(const struct hit_keys *k, const struct hit_query *q,
    long long held, struct buf *out)
{
	resp_str(out, q->count ? "1" : "0");
	resp_str(out, q->count && q->user_id != NULL ? q->user_id : "");
	resp_num(out, USAGE_DAY_TTL_S);
	resp_str(out, k->prefix);
	resp_str(out, q->hash);
	resp_num(out, held);
	resp_str(out, q->look ? "1" : "0");
}

static long
hit_num(const redisReply *r)
{
	if (r->type == REDIS_REPLY_INTEGER)
		return ((long)r->integer);
	if (r->type == REDIS_REPLY_STRING)
		return (strtol(r->str, NULL, 10));
	return (0);
}

bool
hit_reply_read(const redisReply *r, struct hit_reply *out)
{
	const redisReply *v;

	memset(out, 0, sizeof(*out));
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 10 ||
	    (hit_num(r->element[0]) != 1 && hit_num(r->element[0]) != 2) ||
	    r->element[1]->type != REDIS_REPLY_STRING ||
	    r->element[2]->type != REDIS_REPLY_STRING ||
	    r->element[3]->type != REDIS_REPLY_STRING)
		return (false);
	out->tenant = r->element[1]->str;
	out->tenant_len = (size_t)r->element[1]->len;
	out->who = r->element[2]->str;
	out->who_len = (size_t)r->element[2]->len;
	out->found = hit_num(r->element[0]) == 1;
	out->gen = strtoll(r->element[3]->str, NULL, 10);
	v = r->element[4];
	if (v->type == REDIS_REPLY_STRING) {
		out->answer = v->str;
		out->answer_len = (size_t)v->len;
	}
	out->counted = hit_num(r->element[5]) == 1;
	out->before = hit_num(r->element[6]);
	out->after = hit_num(r->element[7]);
	out->max = hit_num(r->element[8]);
	out->settling = hit_num(r->element[9]) == 1;
	return (true);
}
