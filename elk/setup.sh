#!/usr/bin/env bash
# Installs Vigie's Elasticsearch and Kibana objects; idempotent, safe to rerun.
#
#   elk/setup.sh elasticsearch   ILM policy (only where ILM exists), the
#                                component template vigie-logs-mappings and
#                                the base index template logs-vigie
#   elk/setup.sh kibana          saved objects (the logs-* data view, the
#                                visualisations and the overview dashboard)
#   elk/setup.sh all             both
#
# Environment: ES_URL (default http://elasticsearch:9200), KIBANA_URL
# (default http://kibana:5601), SETUP_WAIT_SECONDS (default 300).
# docker-compose.yml runs it as the one-shot services elk-setup and
# kibana-setup; it also works against a local stack, e.g.
#   ES_URL=http://127.0.0.1:9200 elk/setup.sh elasticsearch
set -euo pipefail

ELK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ES_URL=${ES_URL:-http://elasticsearch:9200}
KIBANA_URL=${KIBANA_URL:-http://kibana:5601}
WAIT_SECONDS=${SETUP_WAIT_SECONDS:-300}
TEMPLATE_NAME=logs-vigie
COMPONENT_NAME=vigie-logs-mappings
ILM_POLICY=vigie-logs

log() { printf 'elk-setup: %s\n' "$*" >&2; }

# wait_for URL: retries until URL answers 2xx or WAIT_SECONDS pass.
wait_for() {
	local url=$1 deadline=$((SECONDS + WAIT_SECONDS))
	until curl -fsS -o /dev/null "$url"; do
		if ((SECONDS >= deadline)); then
			log "gave up waiting for $url"
			return 1
		fi
		sleep 3
	done
}

# put JSON_FILE URL: PUT a JSON body, fail with the server's answer on error.
put_json() {
	local file=$1 url=$2 out status
	out=$(mktemp)
	status=$(curl -sS -o "$out" -w '%{http_code}' -X PUT "$url" \
		-H 'Content-Type: application/json' --data-binary "@$file")
	if [[ $status != 2* ]]; then
		log "PUT $url answered $status: $(cat "$out")"
		rm -f "$out"
		return 1
	fi
	rm -f "$out"
}

setup_elasticsearch() {
	local component=$ELK_DIR/elasticsearch/component-template-logs-mappings.json
	local template=$ELK_DIR/elasticsearch/index-template-logs.json
	local policy=$ELK_DIR/elasticsearch/ilm-policy-logs.json
	local status

	log "waiting for $ES_URL"
	wait_for "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=5s"

	# ILM exists only with X-Pack; the integ-test distribution and
	# OpenSearch lack it, and Vigie then deletes whole daily indices itself.
	status=$(curl -sS -o /dev/null -w '%{http_code}' "$ES_URL/_ilm/status" || true)
	if [[ $status == 200 ]]; then
		put_json "$policy" "$ES_URL/_ilm/policy/$ILM_POLICY"
		log "ILM policy $ILM_POLICY installed (not attached: retention is Vigie's job)"
	else
		log "no ILM on this cluster (status $status): retention is Vigie's job"
	fi
	# The same two files, unchanged, that vigie-worker applies at start
	# (it embeds them at build time), so the two never undo each other.
	# The component first: the index template is composed of it.
	put_json "$component" "$ES_URL/_component_template/$COMPONENT_NAME"
	log "component template $COMPONENT_NAME installed"
	put_json "$template" "$ES_URL/_index_template/$TEMPLATE_NAME"
	log "index template $TEMPLATE_NAME installed"
}

setup_kibana() {
	local objects=$ELK_DIR/kibana/saved-objects.ndjson out

	log "waiting for $KIBANA_URL"
	wait_for "$KIBANA_URL/api/status"
	out=$(curl -sS -X POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" \
		-H 'kbn-xsrf: vigie-setup' --form "file=@$objects")
	if ! [[ $out =~ \"success\"[[:space:]]*:[[:space:]]*true ]]; then
		log "saved objects import failed: $out"
		return 1
	fi
	log "Kibana saved objects imported"
}

case ${1:-all} in
elasticsearch) setup_elasticsearch ;;
kibana) setup_kibana ;;
all)
	setup_elasticsearch
	setup_kibana
	;;
*)
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 64
	;;
esac
