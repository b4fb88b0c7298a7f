/*
 * What Elasticsearch needs before logs arrive: the component template
 * vigie-logs-mappings (settings and mappings of every log index, which
 * each tenant's template composes) and the base index template
 * logs-vigie for logs-* indices no tenant template matches. Both come
 * from elk/elasticsearch/, embedded at build time.
 */
#ifndef VIGIE_STORE_ES_SETUP_H
#define VIGIE_STORE_ES_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#define ES_SETUP_COMPONENT "vigie-logs-mappings"
#define ES_SETUP_BASE      "logs-vigie"

bool es_setup_apply(char *err, size_t errlen);

#endif
