#include <stdio.h>

#include "core/money.h"

bool
money_scale(int64_t a, int64_t num, int64_t den, int64_t *out)
{
	__int128 p, r;

	if (a < 0 || num < 0 || den <= 0)
		return (false);
	p = (__int128)a * num;
	/* floor((2p + den) / 2den) = p/den rounded half up, exactly. */
	r = (2 * p + den) / (2 * (__int128)den);
	if (r > INT64_MAX)
		return (false);
	*out = (int64_t)r;
	return (true);
}

bool
money_add(int64_t a, int64_t b, int64_t *out)
{
	if (a < 0 || b < 0 || a > INT64_MAX - b)
		return (false);
	*out = a + b;
	return (true);
}

/* value / scale with digits decimals (scale = 10^digits). */
static bool
money_decimal(
    int64_t value, int64_t scale, int digits, char *out, size_t outlen)
{
	uint64_t mag;
	int      n;

	mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	n = snprintf(out, outlen, "%s%llu.%0*llu", value < 0 ? "-" : "",
	    (unsigned long long)(mag / (uint64_t)scale), digits,
	    (unsigned long long)(mag % (uint64_t)scale));
	return (n > 0 && (size_t)n < outlen);
}

bool
money_format(int64_t minor, char *out, size_t outlen)
{
	return (money_decimal(minor, 100, 2, out, outlen));
}

bool
money_format_milli(int64_t milli, char *out, size_t outlen)
{
	return (money_decimal(milli, 1000, 3, out, outlen));
}
