#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "core/mem.h"
#include "core/notify_pdf.h"

#define PDF_W      842.0f /* A4 landscape, points */
#define PDF_H      595.0f
#define PDF_MARGIN 40.0f

struct pdf_state {
	HPDF_STATUS error;
	HPDF_STATUS detail;
};

struct pdf_draw {
	HPDF_Doc      doc;
	HPDF_Page     page;
	HPDF_Font     font;
	HPDF_Font     bold;
	const json_t *ctx;
	float         rgb[3];
};

static void
notify_pdf_error(HPDF_STATUS error, HPDF_STATUS detail, void *arg)
{
	struct pdf_state *s = arg;

	if (s->error == 0) {
		s->error = error;
		s->detail = detail;
	}
}

/* UTF-8 to the font's WinAnsi bytes: Latin-1 kept, the rest '?'. */
static char *
notify_pdf_text(const char *s, size_t max)
{
	const unsigned char *p;
	unsigned             cp;
	size_t               n;
	char                *out;

	out = mem_alloc(max + 1);
	for (p = (const unsigned char *)(s ? s : ""), n = 0; *p && n < max;) {
		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
			cp = (unsigned)(*p & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else {
			cp = '?';
			p++;
			while ((*p & 0xc0) == 0x80)
				p++;
		}
		out[n++] =
		    (char)(cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp > 0xff
			    ? (cp == '\t' ? ' ' : '?')
			    : cp);
	}
	out[n] = '\0';
	return (out);
}

static const char *
notify_pdf_str(const json_t *obj, const char *key)
{
	const char *s;

	s = json_string_value(json_object_get(obj, key));
	return (s != NULL ? s : "");
}

static void
notify_pdf_color(const char *hex, float rgb[3])
{
	unsigned long v;
	char         *end;

	rgb[0] = 0.05f;
	rgb[1] = 0.43f;
	rgb[2] = 0.99f;
	if (hex == NULL || hex[0] != '#' || strlen(hex) != 7)
		return;
	v = strtoul(hex + 1, &end, 16);
	if (*end != '\0')
		return;
	rgb[0] = (float)((v >> 16) & 0xff) / 255.0f;
	rgb[1] = (float)((v >> 8) & 0xff) / 255.0f;
	rgb[2] = (float)(v & 0xff) / 255.0f;
}

static void
notify_pdf_say(struct pdf_draw *d, HPDF_Font font, float size, float x, float y,
    const char *utf8, size_t max)
{
	char *text;

	text = notify_pdf_text(utf8, max);
	HPDF_Page_BeginText(d->page);
	HPDF_Page_SetFontAndSize(d->page, font, size);
	HPDF_Page_TextOut(d->page, x, y, text);
	HPDF_Page_EndText(d->page);
	mem_free(text);
}

/* A number of the context (value, threshold, a point): false if none. */
static bool
notify_pdf_number(const json_t *v, double *out)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return (true);
	}
	if (json_is_string(v) && json_string_length(v) > 0) {
		char *end;

		*out = strtod(json_string_value(v), &end);
		return (*end == '\0');
	}
	return (false);
}

static void
notify_pdf_header(struct pdf_draw *d)
{
	const json_t *brand;

	brand = json_object_get(d->ctx, "brand");
	HPDF_Page_SetRGBFill(d->page, d->rgb[0], d->rgb[1], d->rgb[2]);
	HPDF_Page_Rectangle(d->page, 0, PDF_H - 56, PDF_W, 56);
	HPDF_Page_Fill(d->page);
	HPDF_Page_SetRGBFill(d->page, 1, 1, 1);
	notify_pdf_say(d, d->bold, 20, PDF_MARGIN, PDF_H - 36,
	    notify_pdf_str(brand, "name"), 60);
	HPDF_Page_SetRGBFill(d->page, 0.13f, 0.15f, 0.16f);
	notify_pdf_say(d, d->bold, 16, PDF_MARGIN, PDF_H - 88,
	    notify_pdf_str(d->ctx, "title"), 90);
	notify_pdf_say(d, d->font, 10, PDF_MARGIN, PDF_H - 106,
	    notify_pdf_str(d->ctx, "message"), 150);
}

/* The facts, in a column on the left of the chart. */
static void
notify_pdf_facts(struct pdf_draw *d)
{
	static const char *const facts[][3] = {
	    {"Rule", "rule", "name"},
	    {"Severity", NULL, "severity"},
	    {"Value", "alert", "value"},
	    {"Threshold", "alert", "threshold"},
	    {"Window", "alert", "window"},
	    {"Group", "alert", "group"},
	    {"Started", "alert", "started_at"},
	    {"Event", NULL, "event_id"},
	    {"Sent", NULL, "time"},
	};
	const json_t *obj, *v;
	char          text[64];
	float         y;
	size_t        i;

	y = PDF_H - 140;
	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		obj =
		    facts[i][1] ? json_object_get(d->ctx, facts[i][1]) : d->ctx;
		v = json_object_get(obj, facts[i][2]);
		if (json_is_string(v))
			snprintf(
			    text, sizeof(text), "%s", json_string_value(v));
		else if (json_is_number(v))
			snprintf(
			    text, sizeof(text), "%.10g", json_number_value(v));
		else
			continue;
		notify_pdf_say(d, d->bold, 10, PDF_MARGIN, y, facts[i][0], 20);
		notify_pdf_say(d, d->font, 10, PDF_MARGIN + 62, y, text, 40);
		y -= 18;
	}
}

/* The points to draw: the series, or the value and the threshold. */
static size_t
notify_pdf_points(const json_t *alert, double *v, const char **label)
{
	const json_t *series, *p;
	size_t        i, n;

	series = json_object_get(alert, "series");
	n = 0;
	json_array_foreach(series, i, p)
	{
		if (n == NOTIFY_PDF_POINTS_MAX)
			break;
		label[n] = json_string_value(json_object_get(p, "t"));
		if (notify_pdf_number(p, &v[n]) ||
		    notify_pdf_number(json_object_get(p, "count"), &v[n]) ||
		    notify_pdf_number(json_object_get(p, "value"), &v[n]))
			n++;
	}
	if (n > 0)
		return (n);
	label[0] = "value";
	label[1] = "threshold";
	if (!notify_pdf_number(json_object_get(alert, "value"), &v[0]))
		return (0);
	if (!notify_pdf_number(json_object_get(alert, "threshold"), &v[1]))
		return (1);
	return (2);
}

static void
notify_pdf_axes(
    struct pdf_draw *d, float x, float y, float w, float h, double top)
{
	char text[32];

	HPDF_Page_SetRGBStroke(d->page, 0.5f, 0.5f, 0.5f);
	HPDF_Page_SetLineWidth(d->page, 0.8f);
	HPDF_Page_MoveTo(d->page, x, y + h);
	HPDF_Page_LineTo(d->page, x, y);
	HPDF_Page_LineTo(d->page, x + w, y);
	HPDF_Page_Stroke(d->page);
	HPDF_Page_SetRGBFill(d->page, 0.3f, 0.3f, 0.3f);
	snprintf(text, sizeof(text), "%.6g", top);
	notify_pdf_say(d, d->font, 8, x - 36, y + h - 3, text, 20);
	notify_pdf_say(d, d->font, 8, x - 12, y - 3, "0", 2);
}

static void
notify_pdf_threshold(struct pdf_draw *d, float x, float y, float w, float ty)
{
	static const HPDF_UINT16 dash[] = {4, 3};

	HPDF_Page_SetRGBStroke(d->page, 0.83f, 0.18f, 0.18f);
	HPDF_Page_SetLineWidth(d->page, 1.2f);
	HPDF_Page_SetDash(d->page, dash, 2, 0);
	HPDF_Page_MoveTo(d->page, x, y + ty);
	HPDF_Page_LineTo(d->page, x + w, y + ty);
	HPDF_Page_Stroke(d->page);
	HPDF_Page_SetDash(d->page, NULL, 0, 0);
	HPDF_Page_SetRGBFill(d->page, 0.83f, 0.18f, 0.18f);
	notify_pdf_say(d, d->font, 8, x + w - 50, y + ty + 3, "threshold", 12);
}

static void
notify_pdf_chart_draw(struct pdf_draw *d)
{
	double        v[NOTIFY_PDF_POINTS_MAX], top, thr;
	const char   *label[NOTIFY_PDF_POINTS_MAX];
	const json_t *alert;
	float         x, y, w, h, bw;
	size_t        n, i;
	bool          has_thr;

	alert = json_object_get(d->ctx, "alert");
	x = 300;
	y = 110;
	w = PDF_W - x - PDF_MARGIN;
	h = PDF_H - 140 - y;
	if ((n = notify_pdf_points(alert, v, label)) == 0) {
		notify_pdf_say(d, d->font, 11, x, y + h / 2,
		    "No figures were given for this event.", 60);
		return;
	}
	has_thr = notify_pdf_number(json_object_get(alert, "threshold"), &thr);
	for (top = has_thr && thr > 0 ? thr : 0, i = 0; i < n; i++)
		top = v[i] > top ? v[i] : top;
	top = top > 0 ? top * 1.1 : 1;
	notify_pdf_axes(d, x, y, w, h, top);
	bw = w / (float)n;
	HPDF_Page_SetRGBFill(d->page, d->rgb[0], d->rgb[1], d->rgb[2]);
	for (i = 0; i < n; i++) {
		if (v[i] <= 0)
			continue;
		HPDF_Page_Rectangle(d->page, x + bw * (float)i + bw * 0.1f, y,
		    bw * 0.8f, (float)(v[i] / top) * h);
	}
	HPDF_Page_Fill(d->page);
	HPDF_Page_SetRGBFill(d->page, 0.3f, 0.3f, 0.3f);
	if (label[0] != NULL)
		notify_pdf_say(d, d->font, 8, x, y - 14, label[0], 40);
	if (n > 1 && label[n - 1] != NULL)
		notify_pdf_say(
		    d, d->font, 8, x + w - 90, y - 14, label[n - 1], 40);
	if (has_thr && thr >= 0)
		notify_pdf_threshold(d, x, y, w, (float)(thr / top) * h);
}

static void
notify_pdf_link(struct pdf_draw *d)
{
	const char *url;
	HPDF_Rect   r;
	char       *text;

	url = notify_pdf_str(d->ctx, "search_url");
	if (url[0] == '\0')
		return;
	HPDF_Page_SetRGBFill(d->page, d->rgb[0], d->rgb[1], d->rgb[2]);
	notify_pdf_say(
	    d, d->bold, 11, PDF_MARGIN, 60, "Open the matching search:", 40);
	notify_pdf_say(d, d->font, 9, PDF_MARGIN, 44, url, 140);
	text = notify_pdf_text(url, 140);
	r.left = PDF_MARGIN;
	r.bottom = 40;
	r.right = PDF_W - PDF_MARGIN;
	r.top = 74;
	(void)HPDF_Page_CreateURILinkAnnot(d->page, r, text);
	mem_free(text);
}

/* Moves the document's bytes into out. */
static bool
notify_pdf_save(HPDF_Doc doc, struct buf *out)
{
	HPDF_UINT32 size, got;
	char        chunk[8192];

	if (HPDF_SaveToStream(doc) != HPDF_OK)
		return (false);
	size = HPDF_GetStreamSize(doc);
	HPDF_ResetStream(doc);
	while (size > 0) {
		got = sizeof(chunk);
		if (HPDF_ReadFromStream(doc, (HPDF_BYTE *)chunk, &got) !=
			HPDF_OK &&
		    got == 0)
			break;
		buf_append(out, chunk, got);
		size -= got < size ? got : size;
	}
	return (size == 0);
}

bool
notify_pdf_chart(const json_t *ctx, struct buf *out, char *err, size_t errlen)
{
	struct pdf_state st = {0, 0};
	struct pdf_draw  d;
	bool             ok;

	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	if ((d.doc = HPDF_New(notify_pdf_error, &st)) == NULL) {
		snprintf(err, errlen, "libharu: no document");
		return (false);
	}
	HPDF_SetCompressionMode(d.doc, HPDF_COMP_ALL);
	HPDF_SetInfoAttr(d.doc, HPDF_INFO_CREATOR, "Vigie");
	d.page = HPDF_AddPage(d.doc);
	HPDF_Page_SetSize(d.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
	d.font = HPDF_GetFont(d.doc, "Helvetica", "WinAnsiEncoding");
	d.bold = HPDF_GetFont(d.doc, "Helvetica-Bold", "WinAnsiEncoding");
	notify_pdf_color(
	    notify_pdf_str(json_object_get(ctx, "brand"), "color"), d.rgb);
	if (st.error == 0) {
		notify_pdf_header(&d);
		notify_pdf_facts(&d);
		notify_pdf_chart_draw(&d);
		notify_pdf_link(&d);
	}
	ok = st.error == 0 && notify_pdf_save(d.doc, out) && st.error == 0;
	if (!ok)
		snprintf(err, errlen, "libharu error 0x%04x (detail %u)",
		    (unsigned)st.error, (unsigned)st.detail);
	HPDF_Free(d.doc);
	return (ok);
}
