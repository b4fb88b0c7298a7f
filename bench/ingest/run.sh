#!/usr/bin/env bash
#
# Ingestion benchmark: end to end through Vigie against the ceiling of
# sending the same _bulk bodies straight to Elasticsearch. Details in
# bench/ingest/README.md. Run by hand (not by make test):
#
#   bench/ingest/run.sh
#   BENCH_LINES=200000 bench/ingest/run.sh
#
# Knobs: BENCH_LINES (1000000), BENCH_PORT (18390), BENCH_MONGO_DB
# (vigie_bench), BENCH_REDIS_DB (12), BENCH_TIMEOUT (900 s per phase),
# BENCH_KEEP=1 (keep the indices and the generated files).
#
# Uses the test stack (scripts/stack.sh env test; it must be running), or
# the services named by VIGIE_ES_URL, VIGIE_MONGO_URI and VIGIE_REDIS_URL
# when BENCH_STACK=external. Starts its own server and worker on
# BENCH_PORT, with their own MongoDB database and Redis database.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$VIGIE_ROOT"

LINES=${BENCH_LINES:-1000000}
PORT=${BENCH_PORT:-18390}
TIMEOUT=${BENCH_TIMEOUT:-900}
SOURCE=${BENCH_SOURCE:-${VIGIE_SHARED_DATA:-$VIGIE_ROOT/../shared/data}/apache_access_10k.log}
PY=python3

if [ "${BENCH_STACK:-test}" != "external" ]; then
	eval "$(scripts/stack.sh env test)"
	VIGIE_REDIS_URL=${VIGIE_REDIS_URL%/*}/${BENCH_REDIS_DB:-12}
fi
ES=$VIGIE_ES_URL
curl -fsS -o /dev/null "$ES/_cluster/health" || die "Elasticsearch at $ES does not answer"

export VIGIE_ES_URL VIGIE_MONGO_URI VIGIE_REDIS_URL
export VIGIE_JWT_SECRET=${VIGIE_JWT_SECRET:-ingest-benchmark-secret-0123456789abcdef}
export VIGIE_HOST=127.0.0.1 VIGIE_PORT=$PORT VIGIE_ENV=bench
export VIGIE_LOG_LEVEL=info VIGIE_ACCESS_LOG=errors
export VIGIE_MONGO_DB=${BENCH_MONGO_DB:-vigie_bench}
export VIGIE_DATA_DIR=$VIGIE_ROOT/var/bench/data-$PORT
export VIGIE_ADMIN_EMAIL=admin@vigie.bench VIGIE_ADMIN_PASSWORD=admin-password-for-the-bench

dir=$VIGIE_ROOT/var/bench/server-$PORT
work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-ingest-bench.XXXXXX")
worker_log=$dir/worker.log
tenant_id="" ceiling_slugs=""

# The indices a name (alias or pattern) resolves to, comma-separated.
es_indices() {
	curl -s "$ES/_cat/indices/$1?h=index&expand_wildcards=open" | sort | paste -sd, -
}

cleanup() {
	stop_pidfile "$dir/worker.pid"
	stop_pidfile "$dir/server.pid"
	if [ "${BENCH_KEEP:-0}" != 1 ]; then
		local idx
		for name in ${tenant_id:+vigie-t-$tenant_id} $(for c in $ceiling_slugs; do echo "logs-$c-*"; done); do
			idx=$(es_indices "$name")
			[ -z "$idx" ] || curl -s -o /dev/null -X DELETE "$ES/$idx"
		done
		rm -rf "$work" "$VIGIE_DATA_DIR"
	else
		say "kept: $work, indices of vigie-t-$tenant_id and of$ceiling_slugs"
	fi
}
trap cleanup EXIT

# Bash's own clock: no process started in the clocked loops.
now() { echo "${EPOCHREALTIME/,/.}"; }
json() { $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# The first "KEY":value (a string or a number) of the JSON answer in $2,
# into $field, by bash itself: the clocked loops poll five times a
# second, and a python3 start costs some 90 ms of CPU, which
# Elasticsearch would lose in the Vigie phase only (README, "Fairness").
field_of() {
	field=""
	if [[ $2 =~ \"$1\":\"([^\"]*)\" ]] || [[ $2 =~ \"$1\":([0-9]+) ]]; then
		field=${BASH_REMATCH[1]}
	fi
}
# CPU seconds (user + system) of a process, or of every process of a group.
cpu_pid() { awk '{ printf "%.2f\n", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
cpu_group() {
	local t=0 p
	for p in $(ps -e -o pid=,pgid= | awk -v g="$1" '$2 == g {print $1}'); do
		t=$(echo "$t + $(cpu_pid "$p" 2>/dev/null || echo 0)" | bc)
	done
	echo "$t"
}
# CPU seconds of the finished children (curl, grep, ...) of the shell
# whose pid is $1 (its $BASHPID: a $(...) runs in a shell of its own).
cpu_children() { awk '{ printf "%.2f\n", ($16 + $17) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
# The server: kore's parent and its workers.
cpu_server() {
	local t=0 p s
	s=$(cat "$dir/server.pid")
	for p in $s $(ps -o pid= --ppid "$s"); do
		t=$(echo "$t + $(cpu_pid "$p" 2>/dev/null || echo 0)" | bc)
	done
	echo "$t"
}
# The stack's process groups: this tree's, or those of the stack named by
# BENCH_STACK_PIDS (a worktree using another tree's running stack).
pids_dir=${BENCH_STACK_PIDS:-var/test/pids}
es_pgid=$(cat "$pids_dir/es.pid" 2>/dev/null || echo "")
mongo_pgid=$(cat "$pids_dir/mongo.pid" 2>/dev/null || echo "")
cpu_es() { if [ -n "$es_pgid" ]; then cpu_group "$es_pgid"; else echo 0; fi; }
cpu_mongo() { if [ -n "$mongo_pgid" ]; then cpu_group "$mongo_pgid"; else echo 0; fi; }
# Refreshes, then counts, until count == LINES or the deadline.
wait_count() {
	local target=$1 deadline=$2 n=0
	while :; do
		curl -s -o /dev/null -X POST "$ES/$target/_refresh"
		field_of count "$(curl -s "$ES/$target/_count")"
		n=${field:-0}
		[ "$n" -ge "$LINES" ] && break
		[ "${EPOCHSECONDS}" -lt "$deadline" ] || die "only $n of $LINES documents in $target after ${TIMEOUT}s"
		sleep 0.2
	done
	echo "$n"
}

say "building"
make --no-print-directory build >/dev/null
make --no-print-directory build/libvigie-core.a >/dev/null
mkdir -p build/bench
# shellcheck disable=SC2046
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes -Isrc \
	$(pkg-config --cflags jansson) bench/ingest/render.c build/libvigie-core.a \
	$(pkg-config --libs jansson) -lcrypto -lz -lm -o build/bench/ingest-render

say "generating $LINES lines from $(basename "$SOURCE")"
input=$work/bench_access.log.gz
src_lines=$(wc -l <"$SOURCE")
gzip -6 -c "$SOURCE" >"$work/member.gz"
for ((i = 0; i < LINES / src_lines; i++)); do cat "$work/member.gz"; done >"$input"
if ((LINES % src_lines)); then head -n $((LINES % src_lines)) "$SOURCE" | gzip -6 -c >>"$input"; fi

say "starting the server and worker on port $PORT"
mkdir -p "$dir"
: >"$dir/server.log"
: >"$worker_log"
stop_pidfile "$dir/worker.pid"
stop_pidfile "$dir/server.pid"
server_dir "$dir"
start_server "$dir" "$dir/server.log"
start_worker "$dir" "$worker_log"
wait_http "http://127.0.0.1:$PORT/api/v1/ping" 30 || die "the server did not start (see $dir/server.log)"
API=http://127.0.0.1:$PORT/api/v1

slug=bench-$(head -c 5 /dev/urandom | od -An -tx1 | tr -d ' \n')
email=owner@$slug.example.com
password="bench password $slug"
signup=$(curl -fsS -X POST "$API/signup" -H 'Content-Type: application/json' -d "{\"organization_name\":\"Bench $slug\",\"slug\":\"$slug\",\"email\":\"$email\",\"name\":\"Owner\",\"password\":\"$password\"}")
tenant_id=$(echo "$signup" | json 'd["tenant"]["id"]')
access=$(curl -fsS -X POST "$API/auth/login" -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" | json 'd["access_token"]')
key=$(curl -fsS -X POST "$API/api-keys" -H "Authorization: Bearer $access" -H 'Content-Type: application/json' -d '{"name":"bench","scopes":["ingest"]}' | json 'd["key"]')
worker_pid=$(cat "$dir/worker.pid")

# ---- the ceiling's bodies: the worker's code path, rendered once -----------
bodies=$work/bodies
mkdir -p "$bodies"
ceiling_slugs=""
say "ceiling: rendering the _bulk bodies with the worker's code path"
# The ids are those of a file of its own (same shape as Vigie's), so the
# documents are the same size; each ceiling run rewrites the index name.
render=$(build/bench/ingest-render "$input" "$bodies" \
	"$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" ceilingslug \
	"$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')")
echo "  $render"
render_rate=${render##*rate=}
nbodies=$(find "$bodies" -name 'body-*.ndjson' | wc -l)
# The worker's own request (src/store/es_bulk.c ES_BULK_PATH): the same
# short answer, without megabytes of _shards and _seq_no.
BULK_PATH="/_bulk?filter_path=errors,items.*.status,items.*.error.type,items.*.error.reason,items.*.error.caused_by.reason"

# Sends bodies (all, or the first $2) into logs-<$1>-*, one at a time.
send_bodies() {
	local slug=$1 max=${2:-0} k=0 b
	for b in "$bodies"/body-*.ndjson; do
		sed "s/logs-ceilingslug-/logs-$slug-/g" "$b" >"$work/send.ndjson"
		curl -fsS -o "$work/answer.json" -X POST "$ES$BULK_PATH" \
			-H 'Content-Type: application/x-ndjson' --data-binary "@$work/send.ndjson"
		head -c 200 "$work/answer.json" | grep -q '"errors":false' ||
			die "Elasticsearch refused items of $b: $(head -c 600 "$work/answer.json")"
		k=$((k + 1))
		[ "$max" -eq 0 ] || [ "$k" -lt "$max" ] || break
	done
}

# One measured ceiling run into fresh indices logs-<$1>-*: prints
# "<seconds> <sent s> <count> <ES CPU s> <curl and polling CPU s>
# <MongoDB CPU s>" (MongoDB: the other sessions' share, for comparison). The bodies are rewritten for the run's index
# before its clock starts (sed into a copy per body is part of neither).
ceiling_run() {
	local slug=$1 c0 t_sent t1 n e0 k0 k1 me m0
	mkdir -p "$work/run-$slug"
	for b in "$bodies"/body-*.ndjson; do
		sed "s/logs-ceilingslug-/logs-$slug-/g" "$b" >"$work/run-$slug/$(basename "$b")"
	done
	e0=$(cpu_es)
	m0=$(cpu_mongo)
	me=$BASHPID
	k0=$(cpu_children "$me")
	c0=$(now)
	for b in "$work/run-$slug"/body-*.ndjson; do
		curl -fsS -o "$work/answer.json" -X POST "$ES$BULK_PATH" \
			-H 'Content-Type: application/x-ndjson' --data-binary "@$b"
		head -c 200 "$work/answer.json" | grep -q '"errors":false' ||
			die "Elasticsearch refused items of $b: $(head -c 600 "$work/answer.json")"
	done
	t_sent=$(now)
	n=$(wait_count "logs-$slug-*" "$((EPOCHSECONDS + TIMEOUT))")
	t1=$(now)
	k1=$(cpu_children "$me")
	echo "$(echo "$t1 - $c0" | bc) $(echo "$t_sent - $c0" | bc) $n $(echo "$(cpu_es) - $e0" | bc) $(echo "$k1 - $k0" | bc) $(echo "$(cpu_mongo) - $m0" | bc)"
	rm -rf "$work/run-$slug"
}

# Elasticsearch's JIT and caches warm up on the first few hundred
# thousand documents: whichever phase ran first paid for it. A warm-up
# into a throw-away index comes first, and the ceiling is measured both
# before and after Vigie; the reference is the mean of its two rates.
warm=warm-$(head -c 5 /dev/urandom | od -An -tx1 | tr -d ' \n')
ceiling_slugs="$warm"
say "warming Elasticsearch up with $((nbodies < 30 ? nbodies : 30)) bodies"
send_bodies "$warm" 30
idx=$(es_indices "logs-$warm-*")
[ -z "$idx" ] || curl -s -o /dev/null -X DELETE "$ES/$idx"

say "ceiling (before): sending $nbodies bodies to $ES/_bulk one at a time"
# The slug is chosen here: ceiling_run runs in a $(...) of its own, and
# cleanup must know the indices to delete.
slug_a=ceil-$(head -c 5 /dev/urandom | od -An -tx1 | tr -d ' \n')
ceiling_slugs="$ceiling_slugs $slug_a"
read -r ca_s ca_sent ca_count ca_cpu ca_cli ca_mongo <<<"$(ceiling_run "$slug_a")"

# ---- Vigie: upload -> all documents searchable ------------------------------
say "Vigie: uploading $(du -h "$input" | cut -f1) gzip ($LINES lines) for tenant $slug"
w_cpu0=$(cpu_pid "$worker_pid")
s_cpu0=$(cpu_server)
m_cpu0=$(cpu_mongo)
e_cpu0=$(cpu_es)
me=$BASHPID
k_cpu0=$(cpu_children "$me")
v0=$(now)
up=$(curl -fsS -X POST "$API/files?name=bench_access.log.gz" -H "Authorization: ApiKey $key" \
	-H 'Content-Type: application/octet-stream' --data-binary "@$input")
field_of id "$up"
file_id=$field
t_up=$(now)
deadline=$((EPOCHSECONDS + TIMEOUT))
t_start=""
while :; do
	f=$(curl -fsS "$API/files/$file_id" -H "Authorization: Bearer $access")
	field_of status "$f"
	status=$field
	[ -n "$t_start" ] || [ "$status" = queued ] || t_start=$(now)
	case $status in done | partial | failed) break ;; esac
	[ "${EPOCHSECONDS}" -lt "$deadline" ] || die "file still $status after ${TIMEOUT}s"
	# Each poll costs the server and MongoDB some CPU, which
	# Elasticsearch would lose (README, "Fairness"): once a second
	# while the file is far from its end (the progress says how far:
	# written once a second), every 0.1 s for its last 5 %.
	field_of lines_read "$f"
	if [ "$status" = ingesting ] && [ "${field:-0}" -lt $((LINES * 95 / 100)) ]; then
		sleep 1
	else
		sleep 0.1
	fi
done
t_done=$(now)
[ "$status" = "done" ] || die "the file ended $status: $f"
count=$(wait_count "vigie-t-$tenant_id" "$deadline")
t1=$(now)
k_cpu=$(echo "$(cpu_children "$me") - $k_cpu0" | bc)
w_cpu=$(echo "$(cpu_pid "$worker_pid") - $w_cpu0" | bc)
s_cpu=$(echo "$(cpu_server) - $s_cpu0" | bc)
m_cpu=$(echo "$(cpu_mongo) - $m_cpu0" | bc)
e_cpu_v=$(echo "$(cpu_es) - $e_cpu0" | bc)
vigie_s=$(echo "$t1 - $v0" | bc)
vigie_rate=$(echo "$LINES / $vigie_s" | bc)

say "ceiling (after): sending $nbodies bodies to $ES/_bulk one at a time"
slug_b=ceil-$(head -c 5 /dev/urandom | od -An -tx1 | tr -d ' \n')
ceiling_slugs="$ceiling_slugs $slug_b"
read -r cb_s cb_sent cb_count cb_cpu cb_cli cb_mongo <<<"$(ceiling_run "$slug_b")"
ceiling_rate_a=$(echo "$LINES / $ca_s" | bc)
ceiling_rate_b=$(echo "$LINES / $cb_s" | bc)
ceiling_rate=$(echo "($ceiling_rate_a + $ceiling_rate_b) / 2" | bc)
ratio=$(echo "scale=3; $vigie_rate / $ceiling_rate" | bc)

# ---- figures ------------------------------------------------------------------
f3() { printf '%.1f' "$1"; }
echo
echo "machine:  $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)   N = $LINES lines ($(du -h "$input" | cut -f1) gzip)"
echo "Vigie:    $(f3 "$vigie_s") s end to end = $vigie_rate docs/s  (upload $(f3 "$(echo "$t_up - $v0" | bc)") s, queued until $(f3 "$(echo "${t_start:-$t_up} - $v0" | bc)") s, status done at $(f3 "$(echo "$t_done - $v0" | bc)") s, searchable at $(f3 "$vigie_s") s; count $count)"
echo "          CPU: worker $(f3 "$w_cpu") s, server $(f3 "$s_cpu") s (status polls included), MongoDB $(f3 "$m_cpu") s, Elasticsearch $(f3 "$e_cpu_v") s, the bench's own polling $(f3 "$k_cpu") s"
echo "ceiling:  before Vigie $(f3 "$ca_s") s = $ceiling_rate_a docs/s ($nbodies bodies sent in $(f3 "$ca_sent") s; count $ca_count; Elasticsearch CPU $(f3 "$ca_cpu") s, curl and polling $(f3 "$ca_cli") s, MongoDB $(f3 "$ca_mongo") s)"
echo "          after Vigie  $(f3 "$cb_s") s = $ceiling_rate_b docs/s ($nbodies bodies sent in $(f3 "$cb_sent") s; count $cb_count; Elasticsearch CPU $(f3 "$cb_cpu") s, curl and polling $(f3 "$cb_cli") s, MongoDB $(f3 "$cb_mongo") s)"
echo "          reference (mean of the two rates): $ceiling_rate docs/s"
echo "parse + render only (one core, CPU time): $render_rate lines/s"
echo "ratio Vigie / ceiling: $ratio  (target >= 0.9: $(echo "$ratio >= 0.9" | bc | sed 's/1/PASS/;s/0/FAIL/'))"
