/*
 * The chart of an alert's window as a one-page PDF (libharu, in
 * memory): the organization's colour and name, the title, the facts of
 * the alert, a bar chart of alert.series ([{"t","count"|"value"}] or
 * numbers, at most 500 points) with the threshold as a dashed line, or,
 * without a series, the value beside the threshold; and a link to the
 * matching search. Takes the render context of notify_context().
 */
#ifndef VIGIE_CORE_NOTIFY_PDF_H
#define VIGIE_CORE_NOTIFY_PDF_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"

#define NOTIFY_PDF_POINTS_MAX 500

/* Appends the PDF to out. False with err if libharu failed. */
bool
notify_pdf_chart(const json_t *ctx, struct buf *out, char *err, size_t errlen);

#endif
