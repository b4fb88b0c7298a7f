/*
 * Money in integer minor units (cents for EUR), never floating point.
 *
 * Rounding rule, the only one used anywhere in billing: an amount is
 * computed exactly as a fraction of integers and rounded once, half up
 * (0.5 of a minor unit goes to the next unit), when a line is priced. An
 * invoice's subtotal is the sum of its rounded lines; its taxes are the
 * subtotal times the rate, rounded the same way; its total is the sum of
 * the two. Every currency is taken to have two decimals.
 */
#ifndef VIGIE_CORE_MONEY_H
#define VIGIE_CORE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * a * num / den rounded half up, for a >= 0, num >= 0, den > 0. False
 * (out untouched) on a negative input or when the result does not fit.
 */
bool money_scale(int64_t a, int64_t num, int64_t den, int64_t *out);

/* a + b, false on overflow or a negative operand. */
bool money_add(int64_t a, int64_t b, int64_t *out);

/* Minor units as "1234.56" ("-0.05" for negatives); false if out is short. */
bool money_format(int64_t minor, char *out, size_t outlen);

/* Thousandths as "12.345": quantities of GB and GB-month. */
bool money_format_milli(int64_t milli, char *out, size_t outlen);

#endif
