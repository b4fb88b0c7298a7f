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
#include "core/settings.h"
#include "api/ingest.h"
#include "api/pages.h"
#include "core/buf.h"

static struct buf page_index_html;
static struct buf page_404_html;
static struct buf page_signup_html;
static struct buf page_login_html;

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
}

/*
 * Every HTML page runs our own files only, and only the application's
 * pages may frame anything (the Kibana page, see below).
 */
#define PAGES_CSP \
	"default-src 'self'; img-src 'self' data: blob:; object-src 'none'; " \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

static void
pages_send(struct http_request *req, int status, const struct buf *page)
{
	http_response_header(req, "content-type", "text/html; charset=utf-8");
	http_response_header(req, "x-content-type-options", "nosniff");
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
	http_response_header(req, "content-security-policy", PAGES_CSP);
	pages_send(req, HTTP_STATUS_OK, &page_index_html);
	return (KORE_RESULT_OK);
}

/*
 * The origin (scheme://host[:port]) of VIGIE_KIBANA_URL, which the Kibana
 * page may frame, or "" when it is unset or not a plain http(s) address.
 * Only [A-Za-z0-9.:[]-] may follow the scheme, so nothing can leak into
 * the Content-Security-Policy header.
 */
static void
pages_kibana_origin(char *out, size_t outlen)
{
	const char *url, *p;
	size_t      scheme;

	out[0] = '\0';
	url = api_settings != NULL ? api_settings->kibana_url : "";
	if (strncmp(url, "https://", 8) == 0)
		scheme = 8;
	else if (strncmp(url, "http://", 7) == 0)
		scheme = 7;
	else
		return;
	for (p = url + scheme; *p != '\0' && *p != '/'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
			*p == ':' || *p == '[' || *p == ']'))
			return;
	}
	if (p == url + scheme || (size_t)(p - url) >= outlen)
		return;
	memcpy(out, url, (size_t)(p - url));
	out[p - url] = '\0';
}

/*
 * The application's pages (sign-up, login, the logged-in app) keep access
 * tokens in the page, so they load nothing but our own files (images also
 * from data: for Bootstrap's icons and blob: for a tenant's logo fetched
 * with the token), cannot be framed, and are never cached. Only the
 * Kibana page may frame one other origin, VIGIE_KIBANA_URL's.
 */
static void
pages_send_app(
    struct http_request *req, const struct buf *page, bool frames_kibana)
{
	char origin[300], csp[600];

	origin[0] = '\0';
	if (frames_kibana)
		pages_kibana_origin(origin, sizeof(origin));
	snprintf(csp, sizeof(csp), PAGES_CSP "%s%s",
	    origin[0] != '\0' ? "; frame-src " : "", origin);
	http_response_header(req, "content-security-policy", csp);
	http_response_header(req, "x-frame-options", "DENY");
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
	pages_send_app(req, &page_signup_html, false);
	return (KORE_RESULT_OK);
}

int
page_login(struct http_request *req)
{
	(void)api_call_begin(req, ROUTE_PAGE);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	pages_send_app(req, &page_login_html, false);
	return (KORE_RESULT_OK);
}

/* Reads a whole small file; false when it is absent or not a file. */
static bool
pages_read_file(const char *path, struct buf *out)
{
	struct stat st;
	char        chunk[16384];
	ssize_t     n;
	int         fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (false);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return (false);
	}
	buf_init(out, (size_t)st.st_size + 1);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(out, chunk, (size_t)n);
	close(fd);
	return (true);
}

/*
 * The pages of the logged-in application: /app is assets/app/dashboard.html
 * and /app/<name> is assets/app/<name>.html ([a-z0-9-]+, kore.conf's
 * route), read from disk on each request so that a page is added by adding
 * its file (docs/WEB.md). A name without a file gets the 404 page.
 */
static int
page_app_file(struct http_request *req, const char *name)
{
	struct buf  page;
	const char *p;
	char        path[128];

	(void)api_call_begin(req, ROUTE_PAGE);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			*p == '-'))
			return (page_not_found(req));
	}
	if (p == name ||
	    snprintf(path, sizeof(path), "assets/app/%s.html", name) >=
		(int)sizeof(path) ||
	    !pages_read_file(path, &page))
		return (page_not_found(req));
	pages_send_app(req, &page, strcmp(name, "kibana") == 0);
	buf_free(&page);
	return (KORE_RESULT_OK);
}

int
page_app(struct http_request *req)
{
	return (page_app_file(req, "dashboard"));
}

int
page_app_named(struct http_request *req)
{
	return (page_app_file(req, req->path + strlen("/app/")));
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
	struct buf  body;
	char        path[512];

	(void)api_call_begin(req, ROUTE_ASSET);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	rel = req->path + strlen("/assets/");
	if (!page_asset_path_ok(rel) || (type = page_type(rel)) == NULL ||
	    strncmp(rel, "node_modules/", 13) == 0 ||
	    snprintf(path, sizeof(path), "assets/%s", rel) >=
		(int)sizeof(path) ||
	    !pages_read_file(path, &body))
		return (page_not_found(req));
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
	http_response_header(req, "content-security-policy", PAGES_CSP);
	pages_send(req, HTTP_STATUS_NOT_FOUND, &page_404_html);
	return (KORE_RESULT_OK);
}
