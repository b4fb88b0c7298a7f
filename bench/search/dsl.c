/*
 * Prints the Elasticsearch _search body Vigie builds for each query
 * string read on stdin (one per line, as in GET /api/v1/logs?...), one
 * compact JSON body per line, so that the benchmark sends Elasticsearch
 * exactly what Vigie sends. Relative times are read at NOW_MS (argv[1]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/query.h"
#include "core/search_query.h"

int
main(int argc, char **argv)
{
	struct search_params p;
	struct search_error  err;
	json_t              *args, *body;
	char                 line[4096], why[160], *text;
	long long            now_ms;

	now_ms = argc > 1 ? atoll(argv[1]) : 0;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((args = query_parse(line, why, sizeof(why))) == NULL ||
		    !search_params_from_args(args, now_ms, &p, &err) ||
		    (body = search_body_build(&p, &err)) == NULL) {
			fprintf(stderr, "dsl: %s: %s %s\n", line, err.field,
			    err.message);
			return (1);
		}
		text = json_dumps(body, JSON_COMPACT);
		puts(text);
		free(text);
		json_decref(body);
		json_decref(args);
	}
	return (0);
}
