/*
 * An invoice as a PDF document (libharu): the tenant's logo and colours,
 * issuer and customer addresses, the line-item table, totals, and a
 * chart of the period's daily ingest drawn with libharu's path
 * operators. Everything happens in memory: no file is read or written.
 */
#ifndef VIGIE_SERVICE_INVOICE_PDF_H
#define VIGIE_SERVICE_INVOICE_PDF_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
#include "service/branding.h"

struct invoice_pdf_input {
	const json_t          *invoice; /* the stored invoice document */
	const struct branding *brand;
	const unsigned char   *logo; /* NULL when none */
	size_t                 logo_len;
	const char            *issuer; /* lines separated by '|' */
};

/* Appends the PDF to out. False with a reason in err. */
bool invoice_pdf_render(const struct invoice_pdf_input *, struct buf *out,
    char *err, size_t errlen);

#endif
