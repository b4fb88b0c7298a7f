/*
 * What the web pages need to know of the server's configuration:
 * GET /api/v1/web/config (any signed-in person).
 */
#include "api/serve.h"
#include "core/settings.h"

int api_web_config(struct http_request *);

/*
 * kibana_url: VIGIE_KIBANA_URL, or null when unset (the Kibana page then
 * explains how to enable it). upload_max_bytes: the server's cap on one
 * upload, which the upload page checks before sending.
 */
static void
web_config_run(struct api_work *w)
{
	const char *kibana;

	kibana = api_settings != NULL ? api_settings->kibana_url : "";
	api_work_json(w, HTTP_STATUS_OK,
	    json_pack("{s:o, s:I}", "kibana_url",
		*kibana != '\0' ? json_string(kibana) : json_null(),
		"upload_max_bytes",
		(json_int_t)(api_settings != NULL
			? api_settings->upload_max_bytes
			: 0)));
}

static const struct api_endpoint ep_web_config = {ROUTE_WEB_CONFIG,
    HTTP_METHOD_GET, API_AUTH_USER, PERM_NONE, 0, web_config_run};

int
api_web_config(struct http_request *req)
{
	return (api_serve(req, &ep_web_config));
}
