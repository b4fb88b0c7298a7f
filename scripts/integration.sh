#!/usr/bin/env bash
# Runs the integration tests over HTTP against a real server and worker
# started here, on the test stack (ports of 'scripts/stack.sh env test'),
# or on services given from outside when VIGIE_STACK=external (CI
# service containers: then VIGIE_ES_URL, VIGIE_MONGO_URI and
# VIGIE_REDIS_URL must be set).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VIGIE_ROOT"

if [ "${VIGIE_STACK:-local}" != "external" ]; then
	eval "$(scripts/stack.sh env test)"
fi
export VIGIE_JWT_SECRET=${VIGIE_JWT_SECRET:-integration-tests-secret-0123456789abcdef}
export VIGIE_HOST=127.0.0.1 VIGIE_PORT=${VIGIE_TEST_PORT:-18080}
export VIGIE_ENV=test VIGIE_ACCESS_LOG=all VIGIE_LOG_LEVEL=debug
export VIGIE_MONGO_DB=${VIGIE_MONGO_DB:-vigie_test}
export VIGIE_DATA_DIR=${VIGIE_DATA_DIR:-$VIGIE_ROOT/var/test/data-${VIGIE_TEST_PORT:-18080}}
export VIGIE_WORKER_HEARTBEAT_S=1
# Alerting on a fast clock: rules evaluated every second, escalation
# levels 2 and 3 after 3 and 6 seconds (tests/integration/test_alerts*.py).
export VIGIE_ALERT_TICK_S=${VIGIE_ALERT_TICK_S:-1} VIGIE_ALERT_MIN_INTERVAL_S=${VIGIE_ALERT_MIN_INTERVAL_S:-1}
export VIGIE_ALERT_ESCALATE_L2_S=${VIGIE_ALERT_ESCALATE_L2_S:-3} VIGIE_ALERT_ESCALATE_L3_S=${VIGIE_ALERT_ESCALATE_L3_S:-6}
# The platform administrator the worker creates, for the admin API tests.
export VIGIE_ADMIN_EMAIL=${VIGIE_ADMIN_EMAIL:-admin@vigie.test} VIGIE_ADMIN_PASSWORD=${VIGIE_ADMIN_PASSWORD:-admin-password-for-tests-only}
# The tests speak for many clients: they name one in X-Forwarded-For.
export VIGIE_TRUSTED_PROXIES=127.0.0.1
# The platform's own domain, which no organization may claim (branding).
export VIGIE_PLATFORM_DOMAINS=${VIGIE_PLATFORM_DOMAINS:-vigie.test}
# Retention only when a test pushes the job: on its own schedule it would
# delete the old-dated indices other tests ingest (sample logs of 2015).
export VIGIE_RETENTION_INTERVAL_S=${VIGIE_RETENTION_INTERVAL_S:-0}
# One Kore worker, so that tests that check the event loop never stalls
# cannot be passed by a second worker answering instead.
export VIGIE_WORKERS=1
# Notifications (tests/integration/test_notify*.py): the test receivers
# listen on 127.0.0.1, which this allowlist alone lets the worker reach
# (every other internal address stays refused); short retry delays; the
# tests' SMTP server listens on the server's port + 10000.
export VIGIE_WEBHOOK_ALLOW_CIDRS=${VIGIE_WEBHOOK_ALLOW_CIDRS-127.0.0.1/32}
export VIGIE_NOTIFY_BACKOFF_BASE_MS=${VIGIE_NOTIFY_BACKOFF_BASE_MS:-200}
export VIGIE_NOTIFY_BACKOFF_MAX_MS=${VIGIE_NOTIFY_BACKOFF_MAX_MS:-1500}
export VIGIE_NOTIFY_MAX_ATTEMPTS=${VIGIE_NOTIFY_MAX_ATTEMPTS:-12}
export VIGIE_NOTIFY_TIMEOUT_MS=${VIGIE_NOTIFY_TIMEOUT_MS:-3000}
export VIGIE_NOTIFY_HOURLY_CAP=${VIGIE_NOTIFY_HOURLY_CAP:-25}
export VIGIE_SMTP_URL=${VIGIE_SMTP_URL:-smtp://127.0.0.1:$((VIGIE_PORT + 10000))}
export VIGIE_SMTP_TLS=${VIGIE_SMTP_TLS:-off}
export VIGIE_PUBLIC_URL=${VIGIE_PUBLIC_URL:-http://127.0.0.1:$VIGIE_PORT}

# One folder per server port, so that runs on different ports (several
# engineers on one machine) do not share pid files or logs.
dir="$VIGIE_ROOT/var/test/server-$VIGIE_PORT"
logs="$VIGIE_ROOT/var/test/logs-$VIGIE_PORT"
mkdir -p "$logs"
: >"$logs/server.log"
: >"$logs/worker.log"
stop_pidfile "$dir/worker.pid"
stop_pidfile "$dir/server.pid"
server_dir "$dir"

cleanup() {
	stop_pidfile "$dir/worker.pid"
	stop_pidfile "$dir/server.pid"
}
trap cleanup EXIT

start_server "$dir" "$logs/server.log"
start_worker "$dir" "$logs/worker.log"
if ! wait_http "http://127.0.0.1:$VIGIE_PORT/api/v1/ping" 20; then
	tail -n 40 "$logs/server.log" >&2
	die "the server did not start"
fi

export VIGIE_TEST_BASE_URL="http://127.0.0.1:$VIGIE_PORT"
export VIGIE_TEST_SERVER_LOG="$logs/server.log"
export VIGIE_TEST_WORKER_LOG="$logs/worker.log"
export VIGIE_TEST_SERVER_DIR="$dir"
say "integration tests against $VIGIE_TEST_BASE_URL"
# Arguments name test files or pytest options; none runs the whole suite.
if [ "$#" -gt 0 ]; then
	"$VIGIE_ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
else
	"$VIGIE_ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider tests/integration
fi

# The web pages in Chromium (tests/browser), against the same server while
# it is up: on a full run (no pytest arguments), or with
# VIGIE_BROWSER_TESTS=1; VIGIE_BROWSER_TESTS=0 skips them. A full run on a
# machine without Chromium or Node.js (scripts/install.sh installs them)
# says so and skips them; with VIGIE_BROWSER_TESTS=1 that is an error.
browser_tests=${VIGIE_BROWSER_TESTS:-}
if [ -z "$browser_tests" ] && [ $# -eq 0 ]; then
	browser_tests=1
	if [ ! -x "${VIGIE_CHROMIUM:-/usr/bin/chromium}" ] ||
		! command -v npm >/dev/null; then
		say "browser tests SKIPPED: no Chromium or Node.js here"
		browser_tests=0
	fi
fi
if [ "$browser_tests" = 1 ]; then
	say "browser tests against $VIGIE_TEST_BASE_URL"
	scripts/browser.sh
fi
