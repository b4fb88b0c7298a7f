#ifndef VIGIE_API_PAGES_H
#define VIGIE_API_PAGES_H

#include <kore/kore.h>
#include <kore/http.h>

void pages_load(void);
int  page_index(struct http_request *);
int  page_signup(struct http_request *);
int  page_login(struct http_request *);
int  page_app(struct http_request *);
int  page_app_named(struct http_request *);
int  page_not_found(struct http_request *);
int  page_asset(struct http_request *);

#endif
