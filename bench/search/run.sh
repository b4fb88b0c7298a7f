#!/usr/bin/env bash
#
# Search benchmark (details in bench/search/README.md). Run by hand:
#
#   bench/search/run.sh
#   BENCH_DOCS=20000 BENCH_DURATION=5 bench/search/run.sh
#
# 1. cached search: wrk on GET /api/v1/logs (an X-Cache: HIT answer,
#    sent from the event loop), on GET /api/v1/ping and on GET /_license
#    (the floor of an authenticated task-thread endpoint), in alternating
#    rounds; requests/s and p99 of each, and the ratio cached / ping
#    (target >= 0.5). Ping and the search are asked by the same client, one
#    that accepts gzip as browsers do; the search is also measured without
#    compression (its ratio printed beside, not judged).
# 2. uncached search: BENCH_QUERIES distinct searches (each a cache MISS)
#    through Vigie, and the very same _search bodies (printed by
#    bench/search/dsl.c from Vigie's own builder) sent straight to
#    Elasticsearch, both with curl over one kept-alive connection, in
#    chunks of 20 taking turns to go first; p50 and p99 of each (target: Vigie p50 <= 1.2 x
#    Elasticsearch p50).
# 3. CSV export: peak RSS (VmHWM) of the Kore worker before and after an
#    export of 10,000 rows and one of every document (BENCH_DOCS, at most
#    VIGIE_EXPORT_MAX_ROWS), with their times.
#
# Knobs: BENCH_DOCS (100000), BENCH_PORT (18391), BENCH_DURATION (5 s per
# wrk run), BENCH_ROUNDS (3), BENCH_CONNECTIONS (20), BENCH_QUERIES (200),
# BENCH_ISOLATED (40 misses 0.3 s apart, printed beside the figure),
# BENCH_MONGO_DB (vigie_bench_search), BENCH_REDIS_DB (13), BENCH_KEEP=1
# (keep the tenant's indices).
#
# Uses the test stack (scripts/stack.sh env test; it must be running), or
# the services of VIGIE_ES_URL, VIGIE_MONGO_URI and VIGIE_REDIS_URL when
# BENCH_STACK=external. Starts its own server and worker on BENCH_PORT.
# Prints the figures and PASS/FAIL; exits 0 whenever the measurement ran.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$VIGIE_ROOT"

DOCS=${BENCH_DOCS:-100000}
PORT=${BENCH_PORT:-18391}
DURATION=${BENCH_DURATION:-5}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-20}
QUERIES=${BENCH_QUERIES:-200}
PY=$VIGIE_ROOT/.venv/bin/python
[ -x "$PY" ] || PY=python3

if [ "${BENCH_STACK:-test}" != "external" ]; then
	eval "$(scripts/stack.sh env test)"
	VIGIE_REDIS_URL=${VIGIE_REDIS_URL%/*}/${BENCH_REDIS_DB:-13}
fi
ES=$VIGIE_ES_URL
curl -fsS -o /dev/null "$ES/_cluster/health" || die "Elasticsearch at $ES does not answer"
command -v wrk >/dev/null || die "wrk not found (scripts/install.sh installs it)"

export VIGIE_ES_URL VIGIE_MONGO_URI VIGIE_REDIS_URL
export VIGIE_JWT_SECRET=${VIGIE_JWT_SECRET:-search-benchmark-secret-0123456789abcdef}
export VIGIE_HOST=127.0.0.1 VIGIE_PORT=$PORT VIGIE_ENV=bench VIGIE_WORKERS=1
export VIGIE_LOG_LEVEL=info VIGIE_ACCESS_LOG=errors
export VIGIE_MONGO_DB=${BENCH_MONGO_DB:-vigie_bench_search}
export VIGIE_DATA_DIR=$VIGIE_ROOT/var/bench/data-$PORT
export VIGIE_ADMIN_EMAIL=admin@vigie.bench VIGIE_ADMIN_PASSWORD=admin-password-for-the-bench

dir=$VIGIE_ROOT/var/bench/server-$PORT
work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-search-bench.XXXXXX")
tenant_id=""

cleanup() {
	stop_pidfile "$dir/worker.pid"
	stop_pidfile "$dir/server.pid"
	if [ "${BENCH_KEEP:-0}" != 1 ] && [ -n "$tenant_id" ]; then
		idx=$(curl -s "$ES/_cat/indices/vigie-t-$tenant_id?h=index" | paste -sd, -)
		[ -z "$idx" ] || curl -s -o /dev/null -X DELETE "$ES/$idx"
	fi
	rm -rf "$work" "$VIGIE_DATA_DIR"
}
trap cleanup EXIT

json() { $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
API=http://127.0.0.1:$PORT/api/v1

start() {
	: >"$dir/server.log"
	server_dir "$dir"
	start_server "$dir" "$dir/server.log"
	wait_http "$API/ping" 30 || die "the server did not start (see $dir/server.log)"
}

say "building"
make --no-print-directory build >/dev/null
make --no-print-directory build/libvigie-core.a >/dev/null
mkdir -p build/bench
# shellcheck disable=SC2046
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes -Isrc \
	$(pkg-config --cflags jansson) bench/search/dsl.c build/libvigie-core.a \
	$(pkg-config --libs jansson) -lcrypto -lm -o build/bench/search-dsl

say "starting the server and worker on port $PORT"
mkdir -p "$dir"
stop_pidfile "$dir/worker.pid"
stop_pidfile "$dir/server.pid"
start
start_worker "$dir" "$dir/worker.log"

slug=bsearch-$(head -c 5 /dev/urandom | od -An -tx1 | tr -d ' \n')
email=owner@$slug.example.com
password="bench password $slug"
tenant_id=$(curl -fsS -X POST "$API/signup" -H 'Content-Type: application/json' \
	-d "{\"organization_name\":\"Bench $slug\",\"slug\":\"$slug\",\"email\":\"$email\",\"name\":\"Owner\",\"password\":\"$password\"}" |
	json 'd["tenant"]["id"]')
access=$(curl -fsS -X POST "$API/auth/login" -H 'Content-Type: application/json' \
	-d "{\"email\":\"$email\",\"password\":\"$password\"}" | json 'd["access_token"]')
# The enterprise plan (unlimited API requests): the free plan's daily
# request quota would answer 429 within the first wrk round. The quota
# check still runs; its cost is bench/quota's question.
admin=""
for _ in $(seq 50); do
	admin=$(curl -fsS -X POST "$API/admin/login" -H 'Content-Type: application/json' \
		-d "{\"email\":\"$VIGIE_ADMIN_EMAIL\",\"password\":\"$VIGIE_ADMIN_PASSWORD\"}" 2>/dev/null |
		json 'd["access_token"]' 2>/dev/null) && break
	sleep 0.2
done
[ -n "$admin" ] || die "the platform administrator could not log in"
curl -fsS -o /dev/null -X PATCH "$API/admin/tenants/$tenant_id" -H "Authorization: Bearer $admin" \
	-H 'Content-Type: application/json' -d '{"plan":"enterprise"}'
newkey() {
	curl -fsS -X POST "$API/api-keys" -H "Authorization: Bearer $access" \
		-H 'Content-Type: application/json' -d "{\"name\":\"$1\",\"scopes\":[\"$1\"]}" |
		json 'd["key"]'
}
ingest_key=$(newkey ingest)
read_key=$(newkey read)
AUTH="Authorization: ApiKey $read_key"

say "ingesting $DOCS JSON documents through /api/v1/ingest"
"$PY" - "$API" "$ingest_key" "$DOCS" <<'EOF'
import datetime as dt, json, random, sys, urllib.request
api, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(42)
levels = ["DEBUG", "INFO", "INFO", "INFO", "WARNING", "ERROR", "CRITICAL"]
services = ["api", "web", "db", "auth", "billing", "search", "mail", "cron"]
words = "timeout refused connection user payment disk cache queue retry slow".split()
now = dt.datetime.now(dt.timezone.utc)
batch = []
def send():
    req = urllib.request.Request(f"{api}/ingest", data=json.dumps(batch).encode(),
        headers={"Authorization": f"ApiKey {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        out = json.load(r)
    assert out["rejected"] == 0, out
    batch.clear()
for i in range(n):
    t = now - dt.timedelta(seconds=rnd.randint(0, 7 * 86400))
    batch.append({"@timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "level": rnd.choice(levels), "service": rnd.choice(services),
        "message": " ".join(rnd.choice(words) for _ in range(6)) + f" request {i}",
        "status": rnd.choice([200] * 8 + [301, 404, 500]),
        "bytes": rnd.randint(100, 100000), "path": f"/p/{rnd.randint(1, 50)}"})
    if len(batch) == 5000:
        send()
if batch:
    send()
EOF
curl -s -o /dev/null -X POST "$ES/vigie-t-$tenant_id/_refresh"
count=$(curl -s "$ES/vigie-t-$tenant_id/_count" | json 'd["count"]')
[ "$count" -eq "$DOCS" ] || die "only $count of $DOCS documents indexed"

# A fresh server for the measures: its worker's peak memory starts now.
stop_pidfile "$dir/server.pid"
start
server_pid=$(cat "$dir/server.pid")
# The Kore worker (titled "kore [wrk 1]"): not the short-lived children
# the parent may have right after its start.
kworker=""
for _ in $(seq 50); do
	kworker=$(pgrep -P "$server_pid" -f 'wrk [0-9]' | head -1) && break
	sleep 0.1
done
[ -n "$kworker" ] || die "the Kore worker of the server $server_pid was not found"

# ---- 1. cached search vs ping -------------------------------------------
SEARCH_PATH="/api/v1/logs?q=level:error%20service:api%20timeout&size=50"
# Until cached: answers are not stored for 3 s after the last ingest.
for ((i = 0; i < 20; i++)); do
	xc=$(curl -fsS -o /dev/null -D - -H "$AUTH" "http://127.0.0.1:$PORT$SEARCH_PATH" |
		tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache" {print $2}')
	[ "$xc" = HIT ] && break
	sleep 0.5
done
[ "$xc" = HIT ] || die "the search is not cached (X-Cache: $xc)"

# wrk_run URL [HEADER...]: "req/s p99_ms"
wrk_run() {
	local out url=$1 h=()
	shift
	for x in "$@"; do h+=(-H "$x"); done
	out=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${h[@]}" "$url")
	echo "$out" | grep -q "Non-2xx" && die "non-2xx answers under load: $out"
	echo "$out" | awk '
		/Requests\/sec/ { rps = $2 }
		$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
			ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
		END { printf "%.0f %.2f\n", rps, ms }'
}
# The answer's size, as browsers get it (gzip) and without compression.
GZ="Accept-Encoding: gzip"
size_gz=$(curl -fsS -H "$AUTH" -H "$GZ" -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT$SEARCH_PATH")
size_id=$(curl -fsS -H "$AUTH" -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT$SEARCH_PATH")
say "cached search vs ping: $ROUNDS rounds of ${DURATION}s each, $CONNECTIONS connections"
: >"$work/ping" ; : >"$work/cached" ; : >"$work/cached_id" ; : >"$work/floor"
wrk -t1 -c"$CONNECTIONS" -d2s "$API/ping" >/dev/null
for ((r = 0; r < ROUNDS; r++)); do
	# The same client for both: one that accepts gzip, as browsers do.
	wrk_run "$API/ping" "$GZ" >>"$work/ping"
	wrk_run "http://127.0.0.1:$PORT$SEARCH_PATH" "$AUTH" "$GZ" >>"$work/cached"
	# A client that does not (curl without --compressed, most scripts).
	wrk_run "http://127.0.0.1:$PORT$SEARCH_PATH" "$AUTH" >>"$work/cached_id"
	# The floor of any authenticated task-thread endpoint: a static answer.
	wrk_run "http://127.0.0.1:$PORT/_license" "$AUTH" >>"$work/floor"
done
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ping_rps=$(cut -d' ' -f1 "$work/ping" | median)
ping_p99=$(cut -d' ' -f2 "$work/ping" | median)
cached_rps=$(cut -d' ' -f1 "$work/cached" | median)
cached_p99=$(cut -d' ' -f2 "$work/cached" | median)
cachedid_rps=$(cut -d' ' -f1 "$work/cached_id" | median)
cachedid_p99=$(cut -d' ' -f2 "$work/cached_id" | median)
floor_rps=$(cut -d' ' -f1 "$work/floor" | median)
floor_p99=$(cut -d' ' -f2 "$work/floor" | median)

# ---- 2. uncached search vs Elasticsearch ------------------------------------
say "uncached search: $QUERIES distinct searches, Vigie and Elasticsearch alternately"
now_ms=$(($(date +%s) * 1000))
"$PY" - "$QUERIES" "$now_ms" >"$work/queries" <<'EOF'
import datetime as dt, sys
n, now_ms = int(sys.argv[1]), int(sys.argv[2])
qs = ["level:error", "service:api timeout", "payment OR refused",
      "status:5xx", "-level:info service:db", "path:/p/1*"]
for i in range(n):
    # A different millisecond each: a different cache key, the same work.
    t = dt.datetime.fromtimestamp((now_ms - 3 * 86400000 + i) / 1000, dt.timezone.utc)
    frm = t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    print(f"q={qs[i % len(qs)].replace(' ', '%20')}&from={frm}&size=50")
EOF
build/bench/search-dsl "$now_ms" <"$work/queries" >"$work/bodies"
"$PY" - "$work" "http://127.0.0.1:$PORT" "$ES" "$tenant_id" "$AUTH" <<'EOF'
import sys
work, vigie, es, tid, auth = sys.argv[1:6]
qs = open(f"{work}/queries").read().split()
bodies = open(f"{work}/bodies").read().splitlines()
chunk = 20
for k in range(0, len(qs), chunk):
    with open(f"{work}/vigie-{k // chunk:04d}.cfg", "w") as v, \
         open(f"{work}/es-{k // chunk:04d}.cfg", "w") as e:
        for i in range(k, min(k + chunk, len(qs))):
            sep = "next\n" if i > k else ""
            v.write(f'{sep}url = "{vigie}/api/v1/logs?{qs[i]}"\nheader = "{auth}"\n'
                    'output = "/dev/null"\n'
                    'write-out = "%{http_code} %{time_total} %header{x-cache}\\n"\n')
            body = bodies[i].replace("\\", "\\\\").replace('"', '\\"')
            e.write(f'{sep}url = "{es}/vigie-t-{tid}/_search?ignore_unavailable=true&allow_no_indices=true"\n'
                    'request = "POST"\nheader = "Content-Type: application/json"\n'
                    f'data-binary = "{body}"\noutput = "/dev/null"\n'
                    'write-out = "%{http_code} %{time_total} -\\n"\n')
EOF
# Warm both paths once (connections, Elasticsearch's caches of the index).
curl -s -o /dev/null -H "$AUTH" "$API/logs?q=warm&size=50"
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
	"$ES/vigie-t-$tenant_id/_search" -d "$(head -1 "$work/bodies")"
# The Kore worker's CPU time (user + system, all its threads, in clock
# ticks): what each miss costs Vigie, a figure the load of the machine
# moves much less than latencies.
worker_ticks() { awk '{print $14 + $15}' "/proc/$kworker/stat"; }
# How many misses went to be computed on the caller's lease, without a
# Redis round trip first (src/api/fast.c; VIGIE_HIT_LEASE_MS).
leased_misses() { curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '$1 == "vigie_http_leased_misses_total" {print $2}'; }
leased0=$(leased_misses)
ticks0=$(worker_ticks)
: >"$work/t_vigie" ; : >"$work/t_es"
# Whichever goes second finds Elasticsearch's caches warm for that query:
# the order alternates from one chunk to the next.
k=0
for cfg in "$work"/vigie-*.cfg; do
	n=${cfg##*/vigie-}
	if ((k++ % 2 == 0)); then
		curl -s -K "$cfg" >>"$work/t_vigie"
		curl -s -K "$work/es-$n" >>"$work/t_es"
	else
		curl -s -K "$work/es-$n" >>"$work/t_es"
		curl -s -K "$cfg" >>"$work/t_vigie"
	fi
done
miss_cpu_us=$((($(worker_ticks) - ticks0) * 1000000 / $(getconf CLK_TCK) / QUERIES))
on_lease=$(($(leased_misses) - leased0))
read -r v50 v99 es50 es99 misses bad < <("$PY" - "$work" <<'EOF'
import sys
work = sys.argv[1]
def load(name):
    rows = [l.split() for l in open(f"{work}/{name}") if l.strip()]
    return rows
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000
v, e = load("t_vigie"), load("t_es")
bad = sum(1 for r in v + e if r[0] != "200")
misses = sum(1 for r in v if len(r) > 2 and r[2] == "MISS")
vt = [float(r[1]) for r in v]
et = [float(r[1]) for r in e]
print(f"{pct(vt, 50):.2f} {pct(vt, 99):.2f} {pct(et, 50):.2f} {pct(et, 99):.2f} {misses} {bad}")
EOF
)
[ "$bad" = 0 ] || die "$bad requests did not answer 200"

# Isolated misses: each after a pause longer than a lease, so that each
# asks Redis before Elasticsearch (a caller's first search after a
# while). Printed beside the figure, not judged.
ISOLATED=${BENCH_ISOLATED:-40}
"$PY" - "$ISOLATED" "$now_ms" >"$work/iso_queries" <<'EOF'
import datetime as dt, sys
n, now_ms = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    t = dt.datetime.fromtimestamp((now_ms - 4 * 86400000 + i) / 1000, dt.timezone.utc)
    frm = t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    print(f"q=level:error&from={frm}&size=50")
EOF
build/bench/search-dsl "$now_ms" <"$work/iso_queries" >"$work/iso_bodies"
: >"$work/iso_vigie"
: >"$work/iso_es"
while read -r q && read -r body <&3; do
	sleep 0.3
	curl -s -o /dev/null -H "$AUTH" -w '%{time_total}\n' "$API/logs?$q" >>"$work/iso_vigie"
	sleep 0.3
	curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -w '%{time_total}\n' \
		"$ES/vigie-t-$tenant_id/_search?ignore_unavailable=true&allow_no_indices=true" \
		--data-binary "$body" >>"$work/iso_es"
done <"$work/iso_queries" 3<"$work/iso_bodies"
iso_p50() { sort -n "$1" | awk '{a[NR] = $1 * 1000} END {printf "%.2f", a[int((NR + 1) / 2)]}'; }
iso_v50=$(iso_p50 "$work/iso_vigie")
iso_es50=$(iso_p50 "$work/iso_es")

# ---- 3. export memory -------------------------------------------------------
hwm() { awk '/VmHWM/ {print $2}' "/proc/$kworker/status"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$kworker/status"; }
say "CSV export: peak RSS of the Kore worker (pid $kworker)"
hwm0=$(hwm)
t0=$(date +%s.%N)
curl -fsS -H "$AUTH" -o "$work/e10k.csv" "$API/logs/export.csv?limit=10000"
t1=$(date +%s.%N)
hwm1=$(hwm)
curl -fsS -H "$AUTH" -o "$work/eall.csv" "$API/logs/export.csv"
t2=$(date +%s.%N)
hwm2=$(hwm)
rows10=$(($(wc -l <"$work/e10k.csv") - 1))
rowsall=$(($(wc -l <"$work/eall.csv") - 1))

# ---- figures ----------------------------------------------------------------
ratio=$(echo "scale=3; $cached_rps / $ping_rps" | bc)
ratio_id=$(echo "scale=3; $cachedid_rps / $ping_rps" | bc)
lat=$(echo "scale=3; $v50 / $es50" | bc)
echo
echo "machine:  $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)   documents: $DOCS   Kore workers: 1"
echo "cached search  : $cached_rps req/s, p99 $cached_p99 ms   (gzip, $size_gz bytes; median of $ROUNDS x ${DURATION}s, $CONNECTIONS connections; rounds: $(cut -d' ' -f1 "$work/cached" | paste -sd/ -))"
echo "  uncompressed : $cachedid_rps req/s, p99 $cachedid_p99 ms   ($size_id bytes; rounds: $(cut -d' ' -f1 "$work/cached_id" | paste -sd/ -))"
echo "ping           : $ping_rps req/s, p99 $ping_p99 ms   (rounds: $(cut -d' ' -f1 "$work/ping" | paste -sd/ -))"
echo "auth floor     : $floor_rps req/s, p99 $floor_p99 ms   (GET /_license: API key check on a task thread, static answer; rounds: $(cut -d' ' -f1 "$work/floor" | paste -sd/ -))"
echo "ratio cached / ping req/s: $ratio  (target >= 0.5: $(echo "$ratio >= 0.5" | bc | sed 's/1/PASS/;s/0/FAIL/'))"
echo "  uncompressed / ping     : $ratio_id"
echo "uncached search: p50 $v50 ms, p99 $v99 ms   ($QUERIES searches, $misses answered MISS, $on_lease on the caller's lease)"
echo "Elasticsearch  : p50 $es50 ms, p99 $es99 ms   (the same bodies, straight to $ES)"
echo "worker CPU per uncached search: $miss_cpu_us us   (Kore worker, all threads, user + system; clock ticks of $((1000 / $(getconf CLK_TCK))) ms)"
echo "ratio p50 Vigie / Elasticsearch: $lat  (target <= 1.2: $(echo "$lat <= 1.2" | bc | sed 's/1/PASS/;s/0/FAIL/'))"
echo "  isolated misses ($ISOLATED, 0.3 s apart, no lease): p50 $iso_v50 ms, Elasticsearch $iso_es50 ms, ratio $(echo "scale=3; $iso_v50 / $iso_es50" | bc)"
printf 'export %6d rows: %.2f s, worker peak RSS %d -> %d KiB\n' "$rows10" "$(echo "$t1 - $t0" | bc)" "$hwm0" "$hwm1"
printf 'export %6d rows: %.2f s, worker peak RSS %d -> %d KiB (RSS now %d KiB), %d bytes\n' \
	"$rowsall" "$(echo "$t2 - $t1" | bc)" "$hwm1" "$hwm2" "$(rss)" "$(stat -c %s "$work/eall.csv")"
