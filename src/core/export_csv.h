/*
 * CSV rows of logs for spreadsheets (GET /api/v1/logs/export.csv).
 *
 * RFC 4180: fields separated by ',', rows ended by CRLF, a field quoted
 * with '"' when it holds ',', '"', CR or LF, an inner '"' doubled.
 * Formula neutralisation (CWE-1236): a cell whose text starts with '=',
 * '+', '-', '@', TAB or CR gets a leading apostrophe, so that no
 * spreadsheet runs it as a formula. Numbers written by us are never
 * negative, so the rule costs nothing there.
 *
 * Columns (EXPORT_CSV_COLUMNS): id, then the fields of
 * export_csv_fields[] read from the document's _source, flat dotted keys
 * first ("log.level") and nested objects second; objects and arrays are
 * written as compact JSON. The header names the columns after the
 * fields, except @timestamp, written "timestamp".
 */
#ifndef VIGIE_CORE_EXPORT_CSV_H
#define VIGIE_CORE_EXPORT_CSV_H

#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"

#define EXPORT_CSV_COLUMNS 13

extern const char *const export_csv_fields[EXPORT_CSV_COLUMNS - 1];

/* Appends one cell (no separator), quoted and neutralised as needed. */
void export_csv_cell(struct buf *, const char *s, size_t len);

/* Appends the header row. */
void export_csv_header(struct buf *);

/* Appends the row of one hit (its id and _source). */
void export_csv_row(struct buf *, const char *id, const json_t *source);

#endif
