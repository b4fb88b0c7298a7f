/*
 * libFuzzer target of alerting's parsers of untrusted input. The first
 * byte chooses what the rest is:
 *   0: a rule body (JSON): parsed and checked; an accepted rule's
 *      canonical JSON must parse again to the same rule;
 *   1: a regular expression: an accepted one compiles and matches a
 *      line (itself) without trouble;
 *   2: an Elasticsearch aggregation answer for a grouped error-rate rule;
 *   3: an Elasticsearch hits answer for a grouped pattern rule.
 */
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert_eval.h"
#include "core/alert_query.h"
#include "core/alert_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct alert_limits fuzz_limits = {
    .min_interval_s = 1, .escalate_l2_s = 900, .escalate_l3_s = 3600};

static void
fuzz_rule(const char *text, size_t len)
{
	struct alert_rule       r, again;
	struct alert_rule_error e;
	json_t                 *in, *out;

	if ((in = json_loadb(text, len, 0, NULL)) == NULL)
		return;
	if (alert_rule_parse(in, &fuzz_limits, &r, &e)) {
		out = alert_rule_to_json(&r);
		if (!alert_rule_parse(out, &fuzz_limits, &again, &e) ||
		    memcmp(&r, &again, sizeof(r)) != 0)
			abort();
		json_decref(out);
	} else if (e.message[0] == '\0') {
		abort();
	}
	json_decref(in);
}

static void
fuzz_pattern(const char *text, size_t len)
{
	regex_t re;
	char   *s, why[256];

	s = malloc(len + 1);
	memcpy(s, text, len);
	s[len] = '\0';
	if (strlen(s) == len && alert_pattern_check(s, why, sizeof(why))) {
		if (regcomp(&re, s, REG_EXTENDED | REG_NOSUB) != 0)
			abort();
		(void)regexec(&re, s, 0, NULL, 0);
		regfree(&re);
	}
	free(s);
}

static void
fuzz_answer(const char *text, size_t len, bool pattern)
{
	struct alert_rule       r;
	struct alert_rule_error e;
	struct alert_plan       p;
	struct alert_table      t;
	struct alert_verdict    v;
	json_t                 *in, *answer;
	char                    err[256];
	int                     i;

	in = json_loads(pattern
		? "{\"name\":\"f\",\"type\":\"pattern\",\"group_by\":"
		  "\"service.name\",\"condition\":{\"pattern\":\"err(or)?\"}}"
		: "{\"name\":\"f\",\"type\":\"error_rate\",\"group_by\":"
		  "\"url.path\",\"condition\":{\"threshold\":0.1}}",
	    0, NULL);
	if (!alert_rule_parse(in, &fuzz_limits, &r, &e))
		abort();
	json_decref(in);
	if ((answer = json_loadb(text, len, 0, NULL)) == NULL)
		return;
	if (!alert_plan_build(&r, 1767226200000LL, 60000, 3, &p))
		abort();
	alert_table_init(&t, p.nranges);
	if (pattern ? alert_pattern_parse(&r, &p, answer, &t, err, sizeof(err))
		    : alert_query_parse(&r, &p, answer, &t, err, sizeof(err)))
		for (i = 0; i < t.nrows; i++)
			alert_verdict_of(&r, &p, &t.rows[i], p.npoints - 1, &v);
	alert_table_free(&t);
	alert_plan_free(&p);
	json_decref(answer);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text;

	if (size < 1)
		return (0);
	text = (const char *)data + 1;
	switch (data[0] % 4) {
	case 0:
		fuzz_rule(text, size - 1);
		break;
	case 1:
		fuzz_pattern(text, size - 1);
		break;
	default:
		fuzz_answer(text, size - 1, data[0] % 4 == 3);
		break;
	}
	return (0);
}
