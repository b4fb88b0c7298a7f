#!/usr/bin/env bash
# make run: start the local stack, build, and serve Vigie in the
# foreground (Ctrl-C stops the server and the worker; the stack stays up
# for the next run: 'make stop' stops everything).
#
#   scripts/run.sh         start and serve
#   scripts/run.sh stop    stop server, worker and the local stack
#
# A platform administrator (the console at /admin) is created or updated
# by the worker at start from two settings, e.g. in .env:
#   VIGIE_ADMIN_EMAIL=you@example.com
#   VIGIE_ADMIN_PASSWORD=a-password-of-12-characters-or-more
# Leave VIGIE_ADMIN_EMAIL empty for none.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VIGIE_ROOT"

dir="$VIGIE_ROOT/var/run/server"

if [ "${1:-}" = "stop" ]; then
	stop_pidfile "$dir/worker.pid"
	stop_pidfile "$dir/server.pid"
	scripts/stack.sh stop run
	exit 0
fi

scripts/stack.sh start run
make --no-print-directory build

# Settings: the stack's addresses, then .env (which wins), then a
# development JWT secret kept under var/ if none was given.
eval "$(scripts/stack.sh env run)"
if [ -f .env ]; then
	set -a
	# shellcheck disable=SC1091
	. ./.env
	set +a
fi
if [ -z "${VIGIE_JWT_SECRET:-}" ]; then
	mkdir -p var/run
	[ -s var/run/dev-jwt-secret ] ||
		head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >var/run/dev-jwt-secret
	VIGIE_JWT_SECRET=$(cat var/run/dev-jwt-secret)
	export VIGIE_JWT_SECRET
	say "no VIGIE_JWT_SECRET set: using a development secret from var/run/dev-jwt-secret"
fi
export VIGIE_HOST=${VIGIE_HOST:-127.0.0.1} VIGIE_PORT=${VIGIE_PORT:-8080}

stop_pidfile "$dir/worker.pid"
stop_pidfile "$dir/server.pid"
server_dir "$dir"
mkdir -p var/run/logs
start_worker "$dir" var/run/logs/worker.log
trap 'stop_pidfile "$dir/worker.pid"; stop_pidfile "$dir/server.pid"' EXIT INT TERM

say "Vigie on http://$VIGIE_HOST:$VIGIE_PORT  (health: /health, metrics: /metrics)"
say "worker log: var/run/logs/worker.log; Ctrl-C to stop"
cd "$dir"
kore -c kore.conf -f -n -r &
echo $! >"$dir/server.pid"
wait "$(cat "$dir/server.pid")"
