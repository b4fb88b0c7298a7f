#include <stdio.h>
#include <string.h>

#include <hpdf.h>

#include "common/log.h"
#include "core/brand.h"
#include "core/mem.h"
#include "core/money.h"
#include "service/invoice_pdf.h"

#define PDF_W      595.0f /* A4, points */
#define PDF_H      842.0f
#define PDF_MARGIN 48.0f
#define PDF_TEXT   256 /* longest line drawn, bytes */

/* What the drawing functions share. */
struct pdf {
	HPDF_Doc    doc;
	HPDF_Page   page;
	HPDF_Font   regular;
	HPDF_Font   bold;
	float       primary[3];
	float       accent[3];
	const char *currency;
	HPDF_STATUS error; /* first error libharu reported */
	HPDF_STATUS detail;
};

static void
pdf_on_error(HPDF_STATUS error, HPDF_STATUS detail, void *arg)
{
	struct pdf *p = arg;

	if (p->error == 0) {
		p->error = error;
		p->detail = detail;
	}
}

/*
 * UTF-8 to the PDF's WinAnsiEncoding (Windows-1252): ASCII and Latin-1
 * as they are, the euro sign and typographic quotes and dashes to their
 * 1252 codes, anything else (or malformed) as '?'.
 */
static void
pdf_ansi(const char *in, char *out, size_t outlen)
{
	static const struct {
		unsigned      cp;
		unsigned char code;
	} extra[] = {{0x20ac, 0x80}, {0x2018, 0x91}, {0x2019, 0x92},
	    {0x201c, 0x93}, {0x201d, 0x94}, {0x2013, 0x96}, {0x2014, 0x97},
	    {0x2026, 0x85}, {0x2022, 0x95}};
	const unsigned char *s = (const unsigned char *)in;
	unsigned             cp;
	size_t               o = 0, i;
	int                  n;

	while (*s != '\0' && o + 1 < outlen) {
		if (*s < 0x80) {
			cp = *s++;
			n = 0;
		} else if ((*s & 0xe0) == 0xc0) {
			cp = *s++ & 0x1f;
			n = 1;
		} else if ((*s & 0xf0) == 0xe0) {
			cp = *s++ & 0x0f;
			n = 2;
		} else if ((*s & 0xf8) == 0xf0) {
			cp = *s++ & 0x07;
			n = 3;
		} else {
			s++;
			out[o++] = '?';
			continue;
		}
		for (; n > 0 && (*s & 0xc0) == 0x80; n--)
			cp = cp << 6 | (*s++ & 0x3f);
		if (n > 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			out[o++] = cp == '\t' ? ' ' : '?';
			continue;
		}
		if (cp <= 0xff) {
			out[o++] = (char)cp;
			continue;
		}
		out[o] = '?';
		for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			if (extra[i].cp == cp)
				out[o] = (char)extra[i].code;
		}
		o++;
	}
	out[o] = '\0';
}

static void
pdf_rgb(const char *hex, float rgb[3])
{
	int v[3], i;

	if (!brand_color_check(hex, NULL, 0))
		hex = BRAND_DEFAULT_PRIMARY;
	brand_color_rgb(hex, v);
	for (i = 0; i < 3; i++)
		rgb[i] = (float)v[i] / 255.0f;
}

static void
pdf_fill(struct pdf *p, const float rgb[3])
{
	HPDF_Page_SetRGBFill(p->page, rgb[0], rgb[1], rgb[2]);
}

static void
pdf_gray(struct pdf *p, float g)
{
	HPDF_Page_SetRGBFill(p->page, g, g, g);
}

/* Text at (x, y); align 0 left, 1 right (x is then the right edge). */
static void
pdf_text(struct pdf *p, HPDF_Font font, float size, float x, float y, int align,
    const char *utf8)
{
	char text[PDF_TEXT];

	pdf_ansi(utf8, text, sizeof(text));
	HPDF_Page_BeginText(p->page);
	HPDF_Page_SetFontAndSize(p->page, font, size);
	if (align == 1)
		x -= HPDF_Page_TextWidth(p->page, text);
	HPDF_Page_TextOut(p->page, x, y, text);
	HPDF_Page_EndText(p->page);
}

static void
pdf_rect(struct pdf *p, float x, float y, float w, float h)
{
	HPDF_Page_Rectangle(p->page, x, y, w, h);
	HPDF_Page_Fill(p->page);
}

static void
pdf_money(const struct pdf *p, json_int_t minor, char *out, size_t outlen)
{
	char amount[32];

	(void)money_format((int64_t)minor, amount, sizeof(amount));
	snprintf(out, outlen, "%s %s", amount, p->currency);
}

static const char *
pdf_str(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return (v != NULL ? v : "");
}

/* The logo in a 160 x 56 box at the top left, keeping its proportions. */
static void
pdf_logo(struct pdf *p, const struct invoice_pdf_input *in)
{
	HPDF_Image img;
	float      w, h, scale;

	if (in->logo == NULL || in->logo_len == 0)
		return;
	if (strcmp(in->brand->logo_type, "image/png") == 0)
		img = HPDF_LoadPngImageFromMem(
		    p->doc, in->logo, (HPDF_UINT)in->logo_len);
	else
		img = HPDF_LoadJpegImageFromMem(
		    p->doc, in->logo, (HPDF_UINT)in->logo_len);
	if (img == NULL) {
		/* A logo libharu cannot read: the invoice goes without. */
		log_emit(LOG_LEVEL_WARNING, "billing", NULL,
		    json_pack("{s:i, s:i}", "error", (int)p->error, "detail",
			(int)p->detail),
		    "invoice logo not readable by libharu; drawn without");
		HPDF_ResetError(p->doc);
		p->error = p->detail = 0;
		return;
	}
	w = (float)HPDF_Image_GetWidth(img);
	h = (float)HPDF_Image_GetHeight(img);
	scale = 160.0f / w < 56.0f / h ? 160.0f / w : 56.0f / h;
	HPDF_Page_DrawImage(p->page, img, PDF_MARGIN, PDF_H - 40.0f - 56.0f,
	    w * scale, h * scale);
}

/* Title, number, dates on the right; the brand's band at the top. */
static void
pdf_header(struct pdf *p, const struct invoice_pdf_input *in)
{
	const json_t *inv = in->invoice;
	char          line[PDF_TEXT];
	float         right = PDF_W - PDF_MARGIN;

	pdf_fill(p, p->primary);
	pdf_rect(p, 0, PDF_H - 24.0f, PDF_W, 24.0f);
	pdf_fill(p, p->accent);
	pdf_rect(p, 0, PDF_H - 28.0f, PDF_W, 4.0f);
	pdf_logo(p, in);
	pdf_fill(p, p->primary);
	pdf_text(p, p->bold, 24, right, PDF_H - 66.0f, 1, "INVOICE");
	pdf_gray(p, 0.2f);
	snprintf(line, sizeof(line), "Number: %s", pdf_str(inv, "number"));
	pdf_text(p, p->regular, 10, right, PDF_H - 84.0f, 1, line);
	snprintf(line, sizeof(line), "Period: %s to %s",
	    pdf_str(inv, "period_start"), pdf_str(inv, "period_end"));
	pdf_text(p, p->regular, 10, right, PDF_H - 98.0f, 1, line);
	snprintf(line, sizeof(line), "Issued: %.10s   Plan: %s",
	    pdf_str(inv, "issued_at"), pdf_str(inv, "plan_name"));
	pdf_text(p, p->regular, 10, right, PDF_H - 112.0f, 1, line);
}

/* Lines of text separated by sep, from (x, y) downwards. */
static void
pdf_lines(
    struct pdf *p, float x, float y, const char *text, char sep, int max_lines)
{
	char        line[PDF_TEXT];
	const char *end;
	size_t      len;
	int         n;

	for (n = 0; n < max_lines && text != NULL && *text != '\0'; n++) {
		end = strchr(text, sep);
		len = end != NULL ? (size_t)(end - text) : strlen(text);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, text, len);
		line[len] = '\0';
		pdf_text(p, p->regular, 10, x, y - 13.0f * (float)n, 0, line);
		text = end != NULL ? end + 1 : NULL;
	}
}

static void
pdf_addresses(struct pdf *p, const struct invoice_pdf_input *in)
{
	const json_t *to = json_object_get(in->invoice, "bill_to");
	float         y = PDF_H - 150.0f;

	pdf_fill(p, p->primary);
	pdf_text(p, p->bold, 10, PDF_MARGIN, y, 0, "From");
	pdf_text(p, p->bold, 10, 320.0f, y, 0, "Bill to");
	pdf_gray(p, 0.1f);
	pdf_lines(p, PDF_MARGIN, y - 15.0f, in->issuer, '|', 5);
	pdf_text(p, p->bold, 10, 320.0f, y - 15.0f, 0, pdf_str(to, "name"));
	pdf_lines(p, 320.0f, y - 28.0f, pdf_str(to, "address"), '\n', 4);
}

/* The line-item table and the totals; returns the y below them. */
static float
pdf_table(struct pdf *p, const json_t *inv)
{
	static const float col[] = {PDF_MARGIN + 6, 340, 430, 540};
	const json_t      *line;
	char               qty[64], price[48], amount[48], label[64];
	float              y = PDF_H - 250.0f;
	size_t             i;

	pdf_fill(p, p->primary);
	pdf_rect(p, PDF_MARGIN, y - 6.0f, PDF_W - 2 * PDF_MARGIN, 20.0f);
	HPDF_Page_SetRGBFill(p->page, 1, 1, 1);
	pdf_text(p, p->bold, 10, col[0], y, 0, "Description");
	pdf_text(p, p->bold, 10, col[1], y, 1, "Quantity");
	pdf_text(p, p->bold, 10, col[2], y, 1, "Unit price");
	pdf_text(p, p->bold, 10, col[3], y, 1, "Amount");
	json_array_foreach(json_object_get(inv, "lines"), i, line)
	{
		y -= 22.0f;
		if (i % 2 == 1) {
			pdf_gray(p, 0.95f);
			pdf_rect(p, PDF_MARGIN, y - 6.0f,
			    PDF_W - 2 * PDF_MARGIN, 20.0f);
		}
		pdf_gray(p, 0.1f);
		snprintf(qty, sizeof(qty), "%s %s", pdf_str(line, "quantity"),
		    pdf_str(line, "unit"));
		pdf_money(p,
		    json_integer_value(json_object_get(line, "unit_price")),
		    price, sizeof(price));
		pdf_money(p,
		    json_integer_value(json_object_get(line, "amount")), amount,
		    sizeof(amount));
		pdf_text(p, p->regular, 10, col[0], y, 0,
		    pdf_str(line, "description"));
		pdf_text(p, p->regular, 10, col[1], y, 1, qty);
		pdf_text(p, p->regular, 10, col[2], y, 1, price);
		pdf_text(p, p->regular, 10, col[3], y, 1, amount);
	}
	y -= 34.0f;
	pdf_money(p, json_integer_value(json_object_get(inv, "subtotal")),
	    amount, sizeof(amount));
	pdf_text(p, p->regular, 10, col[2], y, 1, "Subtotal");
	pdf_text(p, p->regular, 10, col[3], y, 1, amount);
	y -= 16.0f;
	(void)money_format(
	    json_integer_value(json_object_get(inv, "tax_rate_bp")), qty,
	    sizeof(qty));
	snprintf(label, sizeof(label), "Taxes (%s %%)", qty);
	pdf_money(p, json_integer_value(json_object_get(inv, "taxes")), amount,
	    sizeof(amount));
	pdf_text(p, p->regular, 10, col[2], y, 1, label);
	pdf_text(p, p->regular, 10, col[3], y, 1, amount);
	y -= 24.0f;
	pdf_fill(p, p->accent);
	pdf_rect(p, 330.0f, y - 8.0f, PDF_W - PDF_MARGIN - 330.0f, 24.0f);
	HPDF_Page_SetRGBFill(p->page, 1, 1, 1);
	pdf_money(p, json_integer_value(json_object_get(inv, "total")), amount,
	    sizeof(amount));
	pdf_text(p, p->bold, 12, col[2], y, 1, "Total");
	pdf_text(p, p->bold, 12, col[3], y, 1, amount);
	return (y - 40.0f);
}

/* Bars of the bytes ingested each day of the period, in GB. */
static void
pdf_chart(struct pdf *p, const json_t *inv, float top)
{
	const json_t *days, *day;
	double        max = 0, v;
	float         x0 = PDF_MARGIN + 30.0f, y0 = 90.0f, w, h, bw;
	char          label[48];
	size_t        i, n;

	days = json_object_get(json_object_get(inv, "usage"), "days");
	if ((n = json_array_size(days)) == 0)
		return;
	h = top - 30.0f - y0;
	if (h > 180.0f)
		h = 180.0f;
	if (h < 60.0f)
		return;
	w = PDF_W - PDF_MARGIN - x0;
	json_array_foreach(days, i, day)
	{
		v = (double)json_integer_value(
		    json_object_get(day, "ingested_bytes"));
		if (v > max)
			max = v;
	}
	pdf_fill(p, p->primary);
	pdf_text(p, p->bold, 11, PDF_MARGIN, y0 + h + 14.0f, 0,
	    "Data ingested per day (GB)");
	HPDF_Page_SetRGBStroke(p->page, 0.4f, 0.4f, 0.4f);
	HPDF_Page_SetLineWidth(p->page, 0.8f);
	HPDF_Page_MoveTo(p->page, x0, y0 + h);
	HPDF_Page_LineTo(p->page, x0, y0);
	HPDF_Page_LineTo(p->page, x0 + w, y0);
	HPDF_Page_Stroke(p->page);
	bw = w / (float)n;
	pdf_fill(p, p->accent);
	json_array_foreach(days, i, day)
	{
		v = (double)json_integer_value(
		    json_object_get(day, "ingested_bytes"));
		if (max > 0 && v > 0)
			pdf_rect(p, x0 + bw * (float)i + bw * 0.15f, y0,
			    bw * 0.7f, (float)(v / max) * h);
	}
	pdf_gray(p, 0.3f);
	snprintf(label, sizeof(label), "%.3f", max / 1e9);
	pdf_text(p, p->regular, 8, x0 - 4.0f, y0 + h - 3.0f, 1, label);
	pdf_text(p, p->regular, 8, x0 - 4.0f, y0 - 3.0f, 1, "0");
	for (i = 0; i < n; i++) {
		if (i != 0 && (i + 1) % 5 != 0 && i != n - 1)
			continue;
		snprintf(label, sizeof(label), "%zu", i + 1);
		pdf_text(p, p->regular, 8, x0 + bw * ((float)i + 0.2f),
		    y0 - 12.0f, 0, label);
	}
}

static void
pdf_footer(struct pdf *p, const json_t *inv)
{
	char line[PDF_TEXT];

	pdf_gray(p, 0.45f);
	snprintf(line, sizeof(line),
	    "Amounts in %s. Invoice %s for the period %s. Usage metered by "
	    "Vigie.",
	    p->currency, pdf_str(inv, "number"), pdf_str(inv, "period"));
	pdf_text(p, p->regular, 8, PDF_MARGIN, 40.0f, 0, line);
	pdf_fill(p, p->primary);
	pdf_rect(p, 0, 0, PDF_W, 12.0f);
}

/* Copies the document libharu made in memory into out. */
static bool
pdf_save(struct pdf *p, struct buf *out)
{
	HPDF_BYTE   chunk[16384];
	HPDF_UINT32 n;

	if (HPDF_SaveToStream(p->doc) != HPDF_OK)
		return (false);
	HPDF_ResetStream(p->doc);
	for (;;) {
		n = sizeof(chunk);
		if (HPDF_ReadFromStream(p->doc, chunk, &n) != HPDF_OK && n == 0)
			break;
		if (n == 0)
			break;
		buf_append(out, chunk, n);
	}
	HPDF_ResetError(p->doc);
	return (out->len > 0);
}

bool
invoice_pdf_render(const struct invoice_pdf_input *in, struct buf *out,
    char *err, size_t errlen)
{
	struct pdf p;
	char       title[PDF_TEXT];
	float      y;
	bool       ok;

	memset(&p, 0, sizeof(p));
	p.currency = pdf_str(in->invoice, "currency");
	pdf_rgb(in->brand->primary_color, p.primary);
	pdf_rgb(in->brand->accent_color, p.accent);
	if ((p.doc = HPDF_New(pdf_on_error, &p)) == NULL) {
		snprintf(err, errlen, "libharu: cannot create a document");
		return (false);
	}
	(void)HPDF_SetCompressionMode(p.doc, HPDF_COMP_ALL);
	p.regular = HPDF_GetFont(p.doc, "Helvetica", "WinAnsiEncoding");
	p.bold = HPDF_GetFont(p.doc, "Helvetica-Bold", "WinAnsiEncoding");
	p.page = HPDF_AddPage(p.doc);
	(void)HPDF_Page_SetSize(p.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	snprintf(
	    title, sizeof(title), "Invoice %s", pdf_str(in->invoice, "number"));
	pdf_ansi(title, title, sizeof(title));
	(void)HPDF_SetInfoAttr(p.doc, HPDF_INFO_TITLE, title);
	(void)HPDF_SetInfoAttr(p.doc, HPDF_INFO_CREATOR, "Vigie");
	if (p.error == 0 && p.regular != NULL && p.bold != NULL &&
	    p.page != NULL) {
		pdf_header(&p, in);
		pdf_addresses(&p, in);
		y = pdf_table(&p, in->invoice);
		pdf_chart(&p, in->invoice, y);
		pdf_footer(&p, in->invoice);
	}
	ok = p.error == 0 && pdf_save(&p, out);
	if (!ok)
		snprintf(err, errlen, "libharu error 0x%04x (detail %d)",
		    (unsigned)p.error, (int)p.detail);
	HPDF_Free(p.doc);
	return (ok);
}
