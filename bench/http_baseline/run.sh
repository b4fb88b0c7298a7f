#!/usr/bin/env bash
#
# HTTP baseline: how much of bare Kore's request rate Vigie keeps on its
# cheapest route. Builds a bare Kore 4.1 module answering the same bytes
# as GET /api/v1/ping (hello/), builds Vigie (make build), starts both on
# free loopback ports with the same Kore worker count, warms each up, then
# loads each with wrk in alternating rounds (A/B/A/B...) and prints the
# medians, the ratio Vigie/Kore and PASS/FAIL against the target ratio.
#
# The verdict is printed only: timings depend on the machine, so the
# script exits 0 whenever the measurement itself ran. Run from anywhere;
# `make bench` calls it. Knobs (environment):
#
#   BENCH_DURATION     seconds per measured run              (10)
#   BENCH_WARMUP       seconds of warm-up per server         (3)
#   BENCH_ROUNDS       measured runs per server, alternated  (3)
#   BENCH_THREADS      wrk threads                           (1)
#   BENCH_CONNECTIONS  wrk connections                       (50)
#   BENCH_WORKERS      Kore workers for both servers         (1)
#   BENCH_WRK_CPUS     CPU list wrk is pinned to (taskset); "" = no pinning
#                      (default 0 when the machine has 2+ CPUs: Kore pins
#                      worker 1 to CPU 1)
#   BENCH_TARGET       minimum Vigie/Kore req/s ratio        (0.8)
#   BENCH_MAX_OTHER    rounds where the rest of the machine used more than
#                      this % of a CPU are left out of the medians   (20)
#   BENCH_ACCESS_LOG   VIGIE_ACCESS_LOG for the Vigie server (errors)
#   BENCH_SKIP_BUILD   1 = use the existing build/ outputs
#   BENCH_KEEP_LOGS    1 = keep the servers' logs under build/bench/
#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/http_baseline"
OUT="$ROOT/build/bench"

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
WORKERS=${BENCH_WORKERS:-1}
TARGET=${BENCH_TARGET:-0.8}
MAX_OTHER=${BENCH_MAX_OTHER:-20}
ACCESS_LOG=${BENCH_ACCESS_LOG:-errors}
if [ -z "${BENCH_WRK_CPUS+x}" ]; then
	if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
		BENCH_WRK_CPUS=0
	else
		BENCH_WRK_CPUS=
	fi
fi
PATH_PING=/api/v1/ping
START_TIMEOUT=15

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

for v in DURATION WARMUP ROUNDS THREADS CONNECTIONS WORKERS MAX_OTHER; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]] || [ "${!v}" -lt 1 ]; then
		die "BENCH_$v must be a positive integer (got '${!v}')"
	fi
done
[ "$CONNECTIONS" -ge "$THREADS" ] || die "BENCH_CONNECTIONS < BENCH_THREADS"

# --- tools -------------------------------------------------------------

command -v kore >/dev/null || die "kore not found (Debian package 'kore')"
command -v curl >/dev/null || die "curl not found"
if ! command -v wrk >/dev/null; then
	log "wrk not found, installing the Debian package"
	if [ "$(id -u)" -eq 0 ]; then
		apt-get install -y wrk >/dev/null ||
		    { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
	else
		sudo apt-get install -y wrk >/dev/null
	fi
	command -v wrk >/dev/null || die "cannot install wrk"
fi

# --- build -------------------------------------------------------------

mkdir -p "$OUT"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	log "building bench/http_baseline/hello -> build/bench/hello.so"
	# shellcheck disable=SC2046
	${CC:-cc} -O2 -g -Wall -Wextra -Werror -shared -fPIC \
	    $(cat /usr/share/kore/features 2>/dev/null) \
	    -o "$OUT/hello.so" "$HERE/hello/hello.c"
	log "building Vigie (make build)"
	make -C "$ROOT" --no-print-directory build >&2
fi
[ -f "$OUT/hello.so" ] || die "missing $OUT/hello.so"
[ -f "$ROOT/build/vigie.so" ] || die "missing build/vigie.so"

# --- processes we own --------------------------------------------------

RUN=$(mktemp -d "$OUT/run.XXXXXX")
PIDS=()		# kore parents started here
declare -A WORKER_PIDS=()	# parent pid -> its worker pids

# shellcheck disable=SC2317	# reached through the EXIT trap
stop_server() {
	local pid=$1 w i
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "kore $pid ignored SIGTERM, killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null || true
	# Workers exit with their parent; kill any recorded one that did not
	# (still a kore process: its pid was not reused meanwhile).
	for w in ${WORKER_PIDS[$pid]:-}; do
		if [ "$(cat "/proc/$w/comm" 2>/dev/null)" = kore ]; then
			log "worker $w outlived its parent, killing it"
			kill -KILL "$w" 2>/dev/null || true
		fi
	done
}

# shellcheck disable=SC2317
cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		stop_server "$pid"
	done
	if [ "${BENCH_KEEP_LOGS:-0}" = 1 ]; then
		log "logs kept in ${RUN#"$ROOT"/}"
	else
		rm -rf "$RUN"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() {
	ss -Htln 2>/dev/null | awk '{print $4}' | grep -Eq "[:.]$1\$"
}

free_port() {
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 40000))
		[ "$p" = "${HELLO_PORT:-}" ] && continue
		port_in_use "$p" || { echo "$p"; return 0; }
	done
	die "no free port found"
}

# wait_ready NAME PID URL: waits for the expected body, records workers.
wait_ready() {
	local name=$1 pid=$2 url=$3 body i
	for ((i = 0; i < START_TIMEOUT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null ||
		    die "$name exited at start-up, see its log:
$(tail -n 20 "$RUN/$name.log")"
		body=$(curl -fsS --max-time 1 "$url" 2>/dev/null || true)
		if [ "$body" = '{"status":"ok"}' ]; then
			WORKER_PIDS[$pid]=$(pgrep -P "$pid" | tr '\n' ' ')
			return 0
		fi
		sleep 0.1
	done
	die "$name did not answer $url within ${START_TIMEOUT}s"
}

# Sum of user+system CPU ticks of the given processes.
cpu_ticks() {
	local p t=0 f
	for p in "$@"; do
		f=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		f=${f##*) }	# fields after the command name
		# shellcheck disable=SC2086
		set -- $f
		t=$((t + ${12} + ${13}))	# utime, stime (fields 14, 15)
	done
	echo "$t"
}

# "busy total steal" jiffies of the whole machine, from /proc/stat.
cpu_jiffies() {
	awk '$1 == "cpu" {
		print $2 + $3 + $4 + $7 + $8,
		    $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $9
	}' /proc/stat
}

# CPU seconds of the waited-for children, from the output of `times`
# (which must run in the shell that waited for them, not in a $(...)).
children_cpu_s() {
	awk 'NR == 2 {
		s = 0
		for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] }
		print s
	}' "$1"
}

# --- start both servers ------------------------------------------------

# The Kore limits shared with kore.conf take kore.conf's current values,
# so the baseline follows it if it changes.
SHARED_KEYS="worker_max_connections worker_rlimit_nofiles worker_accept_threshold http_keepalive_time http_request_limit http_header_max"
HELLO_PORT=$(free_port)
SED=(-e "s|^\([[:space:]]*bind[[:space:]]\).*|\1127.0.0.1 $HELLO_PORT|"
    -e "s|^load[[:space:]].*|load		$OUT/hello.so|"
    -e "s|^pidfile[[:space:]].*|pidfile			$RUN/hello/kore.pid|"
    -e "s|^workers[[:space:]].*|workers			$WORKERS|")
for key in $SHARED_KEYS; do
	val=$(awk -v k="$key" '$1 == k { print $2 }' "$ROOT/kore.conf")
	[ -n "$val" ] && SED+=(-e "s|^${key}[[:space:]].*|${key}	$val|")
done
sed "${SED[@]}" "$HERE/hello/hello.conf" > "$RUN/hello.conf"
mkdir -p "$RUN/hello"
(cd "$RUN/hello" && exec kore -c "$RUN/hello.conf" -f -n -r) \
    > "$RUN/hello.log" 2>&1 &
HELLO_PID=$!
PIDS+=("$HELLO_PID")
wait_ready hello "$HELLO_PID" "http://127.0.0.1:$HELLO_PORT$PATH_PING"
log "bare Kore: pid $HELLO_PID, workers ${WORKER_PIDS[$HELLO_PID]}, port $HELLO_PORT"

# Vigie runs in its own directory (kore.pid lands in the cwd) with copies
# of kore.conf and build/vigie.so, so a rebuild or a conf edit in the tree
# during the run does not change what is measured, and a link to assets/.
VIGIE_PORT_=$(free_port)
mkdir -p "$RUN/vigie/var/tmp" "$RUN/vigie/build"
cp "$ROOT/kore.conf" "$RUN/vigie/kore.conf"
cp "$ROOT/build/vigie.so" "$RUN/vigie/build/vigie.so"
ln -s "$ROOT/assets" "$RUN/vigie/assets"
(
	cd "$RUN/vigie"
	export VIGIE_HOST=127.0.0.1 VIGIE_PORT="$VIGIE_PORT_" \
	    VIGIE_WORKERS="$WORKERS" VIGIE_ACCESS_LOG="$ACCESS_LOG"
	VIGIE_JWT_SECRET="bench-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
	export VIGIE_JWT_SECRET
	exec kore -c kore.conf -f -n -r
) > "$RUN/vigie.log" 2>&1 &
VIGIE_PID=$!
PIDS+=("$VIGIE_PID")
wait_ready vigie "$VIGIE_PID" \
    "http://127.0.0.1:$VIGIE_PORT_$PATH_PING"
log "Vigie:     pid $VIGIE_PID, workers ${WORKER_PIDS[$VIGIE_PID]}, port $VIGIE_PORT_"

# --- load --------------------------------------------------------------

WRK=(wrk)
[ -n "$BENCH_WRK_CPUS" ] && WRK=(taskset -c "$BENCH_WRK_CPUS" wrk)

# run_wrk NAME PID PORT SECONDS: prints "rps p50_us p99_us errors
# worker_cpu% wrk_cpu% other_cpu% steal% mean_us", CPU figures in % of one CPU:
# the server's workers, wrk itself, and everything else on the machine
# (kernel softirq time, other processes).
run_wrk() {
	local name=$1 pid=$2 port=$3 secs=$4 out line c0 c1 t0 t1 hz m0 m1 w0 w1
	local tag=$RUN/wrk.$BASHPID
	hz=$(getconf CLK_TCK)
	# shellcheck disable=SC2086
	c0=$(cpu_ticks ${WORKER_PIDS[$pid]})
	m0=$(cpu_jiffies)
	times > "$tag.t0"
	t0=$(date +%s%N)
	# Not in $(...): wrk must be a child of this shell for `times`.
	timeout --foreground $((secs + 30)) "${WRK[@]}" -t"$THREADS" -c"$CONNECTIONS" \
	    -d"${secs}s" -s "$HERE/report.lua" \
	    "http://127.0.0.1:$port$PATH_PING" > "$tag.out" 2>&1 ||
	    die "wrk failed against $name: $(cat "$tag.out")"
	t1=$(date +%s%N)
	out=$(cat "$tag.out")
	times > "$tag.t1"
	w0=$(children_cpu_s "$tag.t0")
	w1=$(children_cpu_s "$tag.t1")
	# shellcheck disable=SC2086
	c1=$(cpu_ticks ${WORKER_PIDS[$pid]})
	m1=$(cpu_jiffies)
	line=$(grep '^WRK_RESULT' <<<"$out") ||
	    die "no WRK_RESULT line from wrk: $out"
	awk -v l="$line" -v c=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) \
	    -v w0="$w0" -v w1="$w1" -v m0="$m0" -v m1="$m1" -v ncpu="$(nproc)" '
	BEGIN {
		n = split(l, f, /[ =]/)
		for (i = 2; i < n; i += 2) v[f[i]] = f[i + 1]
		split(m0, x, " "); split(m1, y, " ")
		secs = ns / 1e9
		worker = 100 * (c / hz) / secs
		client = 100 * (w1 - w0) / secs
		busy = y[2] > x[2] ? 100 * ncpu * (y[1] - x[1]) / (y[2] - x[2]) : 0
		other = busy - worker - client
		steal = y[2] > x[2] ? 100 * ncpu * (y[3] - x[3]) / (y[2] - x[2]) : 0
		printf "%s %s %s %s %.0f %.0f %.0f %.1f %s\n", v["rps"], v["p50_us"],
		    v["p99_us"], v["errors"], worker, client,
		    other < 0 ? 0 : other, steal, v["mean_us"]
	}'
}

log "warm-up: ${WARMUP}s each"
run_wrk hello "$HELLO_PID" "$HELLO_PORT" "$WARMUP" >/dev/null
run_wrk vigie "$VIGIE_PID" "$VIGIE_PORT_" "$WARMUP" >/dev/null
# Every worker has started by now: record them all for the CPU figures.
for pid in "$HELLO_PID" "$VIGIE_PID"; do
	WORKER_PIDS[$pid]=$(pgrep -P "$pid" | tr '\n' ' ')
done

# One line per measured run in $RUN/results:
#   server round rps p50_us p99_us errors worker% wrk% other% steal% mean_us
: > "$RUN/results"
for ((r = 1; r <= ROUNDS; r++)); do
	for name in hello vigie; do
		if [ "$name" = hello ]; then
			res=$(run_wrk hello "$HELLO_PID" "$HELLO_PORT" "$DURATION")
		else
			res=$(run_wrk vigie "$VIGIE_PID" "$VIGIE_PORT_" "$DURATION")
		fi
		echo "$name $r $res" >> "$RUN/results"
		read -r rps p50 p99 err cpu client other steal mean <<<"$res"
		log "$(printf 'round %d/%d %-5s %7.0f req/s  p50 %4dus  p99 %5dus  mean %4dus  CPU%%: worker %3d wrk %3d other %3d steal %3.0f  errors %d' \
		    "$r" "$ROUNDS" "$name" "$rps" "$p50" "$p99" "$mean" "$cpu" "$client" "$other" "$steal" "$err")"
	done
done

# Rounds where something else kept the machine busy (the "other" column
# above BENCH_MAX_OTHER for either server) measure the neighbours, not the
# servers: the medians leave them out while at least one clean round is
# left, and say so.
awk -v target="$TARGET" -v rounds="$ROUNDS" -v d="$DURATION" \
    -v t="$THREADS" -v c="$CONNECTIONS" -v w="$WORKERS" \
    -v cpus="${BENCH_WRK_CPUS:-any}" -v maxother="$MAX_OTHER" '
function median(a, n,    i, j, x, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 2; i <= n; i++)	# insertion sort, n is small
		for (j = i; j > 1 && b[j - 1] > b[j]; j--) {
			x = b[j]; b[j] = b[j - 1]; b[j - 1] = x
		}
	return (n % 2) ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
{
	k = $1; r = $2; nr = r > nr ? r : nr
	rps[k, r] = $3; p50[k, r] = $4; p99[k, r] = $5; err[k] += $6
	cpu[k, r] = $7; cli[k, r] = $8; oth[k, r] = $9
	us[k, r] = $3 > 0 ? 1e6 * $7 / 100 / $3 : 0
}
# Fills sel[1..nsel] with the rounds the medians use.
function select_rounds(    r) {
	nsel = 0
	for (r = 1; r <= nr; r++)
		if (oth["hello", r] <= maxother && oth["vigie", r] <= maxother)
			sel[++nsel] = r
	dropped = nr - nsel
	if (nsel == 0)
		for (r = 1; r <= nr; r++) sel[++nsel] = r
}
function med(arr, k,    i, a) {
	for (i = 1; i <= nsel; i++) a[i] = arr[k, sel[i]]
	return median(a, nsel)
}
function row(k, label) {
	M[k] = med(rps, k); C[k] = med(cpu, k); U[k] = med(us, k)
	printf "%-14s %11.0f %9.3f %9.3f %10.0f%% %12.2f %8.0f%% %8.0f%%\n",
	    label, M[k], med(p50, k) / 1000, med(p99, k) / 1000, C[k], U[k],
	    med(cli, k), med(oth, k)
}
END {
	select_rounds()
	printf "\nHTTP baseline: GET /api/v1/ping, wrk -t%d -c%d -d%ds (wrk on CPU %s),\n", t, c, d, cpus
	printf "%d Kore worker(s) per server, median of %d alternated rounds", w, nsel
	if (dropped > 0 && dropped < nr)
		printf " (%d of %d left out: other load > %d%%)", dropped, nr, maxother
	printf "\n\n"
	printf "%-14s %11s %9s %9s %11s %12s %9s %9s\n", "server", "requests/s",
	    "p50 (ms)", "p99 (ms)", "worker CPU", "CPU us/req", "wrk CPU", "other"
	row("hello", "bare Kore 4.1")
	row("vigie", "Vigie ping")
	ratio = M["hello"] > 0 ? M["vigie"] / M["hello"] : 0
	printf "\nratio Vigie/Kore, requests/s: %.3f   target >= %s: %s%s\n",
	    ratio, target, (ratio >= target) ? "PASS" : "FAIL",
	    dropped == nr ? " (unreliable: busy machine, see below)" : ""
	printf "  per-round ratios:"
	for (i = 1; i <= nsel; i++) {
		r = sel[i]
		pr[i] = rps["hello", r] > 0 ? rps["vigie", r] / rps["hello", r] : 0
		printf " %.3f", pr[i]
	}
	printf " (median %.3f)\n", median(pr, nsel)
	if (U["vigie"] > 0)
		printf "ratio Kore/Vigie, worker CPU per request: %.3f (server-side cost; steadier on a busy machine)\n",
		    U["hello"] / U["vigie"]
	if (err["hello"] + err["vigie"] > 0)
		printf "warning: wrk reported %d socket/HTTP errors; figures are suspect\n",
		    err["hello"] + err["vigie"]
	if (dropped == nr)
		printf "warning: other load > %d%% in every round: the machine was busy, requests/s and latencies are not comparable; CPU us/req still is\n", maxother
	if (C["hello"] < 90 || C["vigie"] < 90)
		printf "note: a Kore worker stayed below 90%% CPU: the load generator, not the server, limited requests/s\n"
}' "$RUN/results"
exit 0
