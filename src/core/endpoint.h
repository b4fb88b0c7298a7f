/*
 * Parsing of service URLs of the form scheme://[user][:password@]host[:port][/path].
 */
#ifndef VIGIE_CORE_ENDPOINT_H
#define VIGIE_CORE_ENDPOINT_H

#include <stdbool.h>

struct endpoint {
	char scheme[16];
	char host[256];
	int  port;
	char password[256];
	char path[256]; /* without the leading '/' */
};

bool endpoint_parse(const char *url, int default_port, struct endpoint *);

#endif
