#!/usr/bin/env bash
# A Vigie server and worker for load tests, on the test stack's services
# (scripts/stack.sh env test) or those of VIGIE_STACK=external, in a folder
# of their own (var/load/server-<port>/), configured as in production
# except for what a load test from one machine needs:
#   - VIGIE_TRUSTED_PROXIES=127.0.0.1, so each simulated person's
#     X-Forwarded-For address is its own (per-address login limits);
#   - a platform administrator (LOAD_ADMIN_EMAIL / LOAD_ADMIN_PASSWORD) so
#     that locustfile.py can move its organizations to the pro plan.
#
#   locust/server.sh start [PORT]   (default 18117; prints the pids)
#   locust/server.sh stop [PORT]
#
# Knobs: VIGIE_MONGO_DB (default vigie_load), VIGIE_REDIS_URL, VIGIE_WORKERS
# (2), VIGIE_ACCESS_LOG (errors), VIGIE_LOG_LEVEL (info); builds nothing
# (run `make -j2 all` first). Stops only the pids it started.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"
cd "$VIGIE_ROOT"

cmd=${1:-}
port=${2:-18117}
dir="$VIGIE_ROOT/var/load/server-$port"
logs="$dir/logs"

case "$cmd" in
start)
	if [ "${VIGIE_STACK:-local}" != external ]; then
		eval "$(scripts/stack.sh env test)"
	fi
	export VIGIE_JWT_SECRET=${VIGIE_JWT_SECRET:-load-test-secret-0123456789abcdefghijkl}
	export VIGIE_HOST=127.0.0.1 VIGIE_PORT=$port VIGIE_ENV=staging
	export VIGIE_MONGO_DB=${VIGIE_MONGO_DB:-vigie_load}
	export VIGIE_DATA_DIR=$dir/data
	export VIGIE_ACCESS_LOG=${VIGIE_ACCESS_LOG:-errors} VIGIE_LOG_LEVEL=${VIGIE_LOG_LEVEL:-info}
	export VIGIE_TRUSTED_PROXIES=127.0.0.1
	export VIGIE_ADMIN_EMAIL=${LOAD_ADMIN_EMAIL:-load-admin@vigie.test}
	export VIGIE_ADMIN_PASSWORD=${LOAD_ADMIN_PASSWORD:-load-admin-password-0123}
	stop_pidfile "$dir/worker.pid"
	stop_pidfile "$dir/server.pid"
	mkdir -p "$logs" "$VIGIE_DATA_DIR"
	server_dir "$dir"
	start_server "$dir" "$logs/server.log"
	start_worker "$dir" "$logs/worker.log"
	wait_http "http://127.0.0.1:$port/api/v1/ping" 20 ||
		{ tail -n 30 "$logs/server.log" >&2; die "the load-test server did not start"; }
	say "load-test server on http://127.0.0.1:$port (kore pid $(cat "$dir/server.pid"), worker pid $(cat "$dir/worker.pid")); logs in ${logs#"$VIGIE_ROOT"/}"
	;;
stop)
	stop_pidfile "$dir/worker.pid"
	stop_pidfile "$dir/server.pid"
	say "load-test server on port $port stopped"
	;;
*)
	echo "usage: $0 start|stop [PORT]" >&2
	exit 2
	;;
esac
