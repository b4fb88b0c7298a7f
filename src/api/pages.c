/*
 * HTML pages served by the server itself, and the answer for paths no
 * route knows: JSON under /api/, the HTML 404 page elsewhere.
 */
#include <stdio.h>
#include <string.h>

#include "api/call.h"
#include "api/pages.h"
#include "core/buf.h"

static struct buf page_index_html;
static struct buf page_404_html;

static void
pages_read(const char *path, struct buf *out)
{
	char   chunk[4096];
	size_t n;
	FILE  *fp;

	buf_init(out, 4096);
	if ((fp = fopen(path, "r")) == NULL) {
		buf_appendf(out,
		    "<!doctype html><title>Vigie</title>"
		    "<p>%s is missing from this installation.</p>",
		    path);
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(out, chunk, n);
	fclose(fp);
}

/* Reads the pages once per worker; they are served from memory. */
void
pages_load(void)
{
	pages_read("assets/index.html", &page_index_html);
	pages_read("assets/404.html", &page_404_html);
}

static void
pages_send(struct http_request *req, int status, const struct buf *page)
{
	http_response_header(req, "content-type", "text/html; charset=utf-8");
	http_response(req, status, page->data, page->len);
}

int
page_index(struct http_request *req)
{
	(void)api_call_begin(req, ROUTE_PAGE);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	pages_send(req, HTTP_STATUS_OK, &page_index_html);
	return (KORE_RESULT_OK);
}

int
page_not_found(struct http_request *req)
{
	(void)api_call_begin(req, ROUTE_NOT_FOUND);
	if (strncmp(req->path, "/api/", 5) == 0 ||
	    strcmp(req->path, "/api") == 0) {
		api_respond_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no API route %s %s", http_method_text(req->method),
		    req->path);
		return (KORE_RESULT_OK);
	}
	pages_send(req, HTTP_STATUS_NOT_FOUND, &page_404_html);
	return (KORE_RESULT_OK);
}
