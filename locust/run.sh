#!/usr/bin/env bash
# Runs the Locust load test headless, bounded in time, against a Vigie
# server on this machine (127.0.0.1 only), and writes the reports to
# var/locust/<UTC time>/ (stats CSVs, report.html, locust.log).
#
# Usage: locust/run.sh [--host URL] [--users N] [--spawn-rate N] [--run-time T] [--stress]
#   --host        http://127.0.0.1[:port]   (default http://127.0.0.1:8080)
#   --users       concurrent users          (default 20, at most 1000)
#   --spawn-rate  users started per second  (default 10)
#   --run-time    e.g. 30s, 2m, 1h          (default 30s, at most 1h)
#   --stress      ramp users step by step until failures or p99 > 3 s
#                 (locustfile.py StressShape; STRESS_* knobs; --users ignored)
# The same settings can come from LOCUST_HOST, LOCUST_USERS,
# LOCUST_SPAWN_RATE and LOCUST_RUN_TIME; LOCUST_TENANTS sets the number of
# organizations (10). LOCUST_SAMPLE="label=pid ..." samples the CPU of those
# processes and their children every 5 s into cpu.csv (sample_cpu.py).
# Locust is installed into .venv (or LOCUST_VENV) when missing. Exit
# status: Locust's (1 when any request failed), 2 for bad arguments or an
# unreachable server.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCUST_VERSION=2.47.0
VENV=${LOCUST_VENV:-$ROOT/.venv}
HOST=${LOCUST_HOST:-http://127.0.0.1:8080}
USERS=${LOCUST_USERS:-20}
SPAWN_RATE=${LOCUST_SPAWN_RATE:-10}
RUN_TIME=${LOCUST_RUN_TIME:-30s}
STRESS=0
MAX_SECONDS=3600
MAX_USERS=1000

die() {
	printf 'locust/run.sh: %s\n' "$*" >&2
	exit 2
}

usage() {
	sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while (($#)); do
	case $1 in
	--host) HOST=${2:?--host needs a value}; shift 2 ;;
	--users) USERS=${2:?--users needs a value}; shift 2 ;;
	--spawn-rate) SPAWN_RATE=${2:?--spawn-rate needs a value}; shift 2 ;;
	--run-time) RUN_TIME=${2:?--run-time needs a value}; shift 2 ;;
	--stress) STRESS=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

# Load tests never leave this machine.
[[ $HOST =~ ^http://127\.0\.0\.1(:[0-9]{1,5})?/?$ ]] ||
	die "refusing host '$HOST': only http://127.0.0.1[:port] is allowed"
HOST=${HOST%/}

if ! [[ $USERS =~ ^[0-9]{1,4}$ ]] || ((10#$USERS < 1 || 10#$USERS > MAX_USERS)); then
	die "--users must be 1..$MAX_USERS"
fi
if ! [[ $SPAWN_RATE =~ ^[0-9]+(\.[0-9]+)?$ ]] || [[ $SPAWN_RATE =~ ^[0.]+$ ]]; then
	die "--spawn-rate must be a positive number"
fi

# run_time_seconds T: seconds in a Locust duration (90, 90s, 2m, 1h30m).
run_time_seconds() {
	local t=$1
	if [[ $t =~ ^[0-9]+$ ]]; then
		echo "$t"
	elif [[ $t =~ ^(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?$ && -n $t ]]; then
		echo $((10#${BASH_REMATCH[2]:-0} * 3600 + 10#${BASH_REMATCH[4]:-0} * 60 + 10#${BASH_REMATCH[6]:-0}))
	else
		return 1
	fi
}
seconds=$(run_time_seconds "$RUN_TIME") || die "bad --run-time '$RUN_TIME' (use e.g. 30s, 2m, 1h)"
((seconds >= 1 && seconds <= MAX_SECONDS)) || die "--run-time must be between 1s and 1h"

if ! curl -fsS -o /dev/null -m 5 "$HOST/api/v1/ping"; then
	die "no Vigie server answers at $HOST/api/v1/ping (start one with 'make run')"
fi

if ! "$VENV/bin/python" -c "import locust" 2>/dev/null; then
	printf 'locust/run.sh: installing locust %s into %s\n' "$LOCUST_VERSION" "$VENV"
	[[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
	"$VENV/bin/python" -m pip install -q --disable-pip-version-check "locust==$LOCUST_VERSION"
fi

out="$ROOT/var/locust/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
printf 'locust/run.sh: %s users for %ss against %s; reports in %s\n' \
	"$USERS" "$seconds" "$HOST" "${out#"$ROOT"/}"

sampler=
if [[ -n ${LOCUST_SAMPLE:-} ]]; then
	# locust= is this script's tree: Locust itself (and the sampler).
	# shellcheck disable=SC2086
	"$VENV/bin/python" "$ROOT/locust/sample_cpu.py" --out "$out/cpu.csv" \
		--seconds $((seconds + 30)) $LOCUST_SAMPLE "locust=$$" &
	sampler=$!
fi
# The server's own view (latency by route, from its histogram): /metrics
# before and after; locust/summary.py subtracts them.
curl -fsS -m 5 -o "$out/metrics_before.txt" "$HOST/metrics" || true
if ((STRESS)); then
	export LOCUST_STRESS=1 LOCUST_STRESS_CSV="$out/stress_steps.csv"
fi

# The outer timeout is a safety net should Locust not stop by itself.
status=0
timeout --kill-after=10 $((seconds + 60)) \
	"$VENV/bin/locust" -f "$ROOT/locust/locustfile.py" \
	--headless \
	--host "$HOST" \
	--users "$USERS" \
	--spawn-rate "$SPAWN_RATE" \
	--run-time "${seconds}s" \
	--stop-timeout 5 \
	--csv "$out/stats" \
	--html "$out/report.html" \
	--logfile "$out/locust.log" \
	--only-summary || status=$?

curl -fsS -m 5 -o "$out/metrics_after.txt" "$HOST/metrics" || true
if [[ -n $sampler ]]; then
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
fi
printf 'locust/run.sh: exit status %s; reports in %s\n' "$status" "${out#"$ROOT"/}"
exit "$status"
