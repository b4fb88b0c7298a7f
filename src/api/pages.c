/*
 * HTML pages served by the server itself, and the answer for paths no
 * route knows: JSON under /api/, the HTML 404 page elsewhere.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/call.h"
#include "api/ingest.h"
#include "api/pages.h"
#include "core/buf.h"

static struct buf page_index_html;
static struct buf page_404_html;
static struct buf page_signup_html;
static struct buf page_login_html;
static struct buf page_app_html;

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
	pages_read("assets/signup.html", &page_signup_html);
	pages_read("assets/login.html", &page_login_html);
	pages_read("assets/app.html", &page_app_html);
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
	/* Shippers and JSON clients ask "/" for the Elasticsearch banner. */
	if (api_es_root_wanted(req))
		return (api_es_root(req));
	(void)api_call_begin(req, ROUTE_PAGE);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	pages_send(req, HTTP_STATUS_OK, &page_index_html);
	return (KORE_RESULT_OK);
}

/*
 * The application's pages (sign-up, login, the logged-in app) keep access
 * tokens in the page, so they load nothing but our own files, cannot be
 * framed, and are never cached.
 */
static void
pages_send_app(struct http_request *req, const struct buf *page)
{
	http_response_header(req, "content-security-policy",
	    "default-src 'self'; object-src 'none'; base-uri 'none'; "
	    "form-action 'self'; frame-ancestors 'none'");
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "referrer-policy", "same-origin");
	http_response_header(req, "cache-control", "no-store");
	pages_send(req, HTTP_STATUS_OK, page);
}

int
page_signup(struct http_request *req)
{
	(void)api_call_begin(req, ROUTE_PAGE);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	pages_send_app(req, &page_signup_html);
	return (KORE_RESULT_OK);
}

int
page_login(struct http_request *req)
{
	(void)api_call_begin(req, ROUTE_PAGE);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	pages_send_app(req, &page_login_html);
	return (KORE_RESULT_OK);
}

int
page_app(struct http_request *req)
{
	(void)api_call_begin(req, ROUTE_PAGE);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	pages_send_app(req, &page_app_html);
	return (KORE_RESULT_OK);
}

/* Content types of the files under assets/; others are not served. */
static const struct {
	const char *ext;
	const char *type;
} page_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".map", "application/json"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *
page_type(const char *path)
{
	const char *dot;
	size_t      i;

	if ((dot = strrchr(path, '.')) == NULL)
		return (NULL);
	for (i = 0; i < sizeof(page_types) / sizeof(page_types[0]); i++) {
		if (strcmp(dot, page_types[i].ext) == 0)
			return (page_types[i].type);
	}
	return (NULL);
}

/*
 * A path under /assets/ is served only if every segment is made of
 * [A-Za-z0-9_.-], does not start with a dot (no "..", no hidden files),
 * and the file type is known.
 */
static bool
page_asset_path_ok(const char *path)
{
	const char *p;
	bool        segment_start;

	segment_start = true;
	for (p = path; *p != '\0'; p++) {
		if (*p == '/') {
			if (segment_start)
				return (false);
			segment_start = true;
			continue;
		}
		if (segment_start && *p == '.')
			return (false);
		segment_start = false;
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
			*p == '.'))
			return (false);
	}
	return (!segment_start);
}

/*
 * Serves a static file of assets/. Files are small and on local disk;
 * they are read with one open/fstat/read and sent with a long cache
 * lifetime only when versioned (vendor bundles), otherwise revalidated.
 */
int
page_asset(struct http_request *req)
{
	const char *rel, *type;
	struct stat st;
	struct buf  body;
	char        path[512], chunk[16384];
	ssize_t     n;
	int         fd;

	(void)api_call_begin(req, ROUTE_ASSET);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	rel = req->path + strlen("/assets/");
	if (!page_asset_path_ok(rel) || (type = page_type(rel)) == NULL ||
	    snprintf(path, sizeof(path), "assets/%s", rel) >= (int)sizeof(path))
		return (page_not_found(req));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (page_not_found(req));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return (page_not_found(req));
	}
	buf_init(&body, (size_t)st.st_size + 1);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&body, chunk, (size_t)n);
	close(fd);
	http_response_header(req, "content-type", type);
	http_response_header(req, "cache-control", "public, max-age=300");
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response(req, HTTP_STATUS_OK, body.data, body.len);
	buf_free(&body);
	return (KORE_RESULT_OK);
}

int
page_not_found(struct http_request *req)
{
	struct api_call *call;

	call = api_call_begin(req, ROUTE_NOT_FOUND);
	call->route = ROUTE_NOT_FOUND;
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
