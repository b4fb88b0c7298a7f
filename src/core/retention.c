#include <string.h>

#include "core/retention.h"
#include "core/timeparse.h"

#define RETENTION_DAY_S 86400L

long
retention_cutoff(long now, long days)
{
	if (days <= 0 || now < 0)
		return (0);
	return ((now / RETENTION_DAY_S - days) * RETENTION_DAY_S);
}

static int
retention_num(const char *p, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*p++ - '0');
	return (v);
}

bool
retention_index_expired(
    const struct tenant_ctx *ctx, const char *index, long now, long days)
{
	const char *date;
	long        cutoff, day;

	if (days <= 0 || !tenant_index_owned(ctx, index))
		return (false);
	/* Owned: the name ends with a checked "YYYY.MM.DD". */
	date = index + strlen(index) - 10;
	day = (long)timeparse_days_from_civil(retention_num(date, 4),
	    retention_num(date + 5, 2), retention_num(date + 8, 2));
	cutoff = retention_cutoff(now, days);
	return (day * RETENTION_DAY_S < cutoff);
}
