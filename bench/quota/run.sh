#!/usr/bin/env bash
#
# Cost of the API-request quota on the authenticated hot path. Starts two
# Vigie servers from the same build on the same stack, one with
# VIGIE_QUOTAS=on (every request runs the quota script in Redis: count,
# compare, active user) and one with VIGIE_QUOTAS=off, signs up one tenant
# (moved to the "enterprise" plan, unlimited requests, so the check runs
# but never refuses), and loads GET /api/v1/me with the owner's token on
# each server in alternating rounds (off/on, on/off, ...). Prints the medians,
# the slowdown and PASS/FAIL against the target. Exits 0 whenever the
# measurement ran: timings depend on the machine.
#
# Needs the test stack (scripts/stack.sh start test) or, with
# BENCH_STACK=external, VIGIE_ES_URL, VIGIE_MONGO_URI and VIGIE_REDIS_URL.
# Knobs (environment):
#
#   BENCH_DURATION     seconds per measured run             (6)
#   BENCH_WARMUP       seconds of warm-up per server        (2)
#   BENCH_ROUNDS       measured runs per server, alternated (5)
#   BENCH_CONNECTIONS  wrk connections                      (32)
#   BENCH_TARGET       largest slowdown accepted, %         (5)
#   BENCH_MONGO_DB     MongoDB database of the run          (vigie_bench_quota)
#   BENCH_REDIS_DB     Redis database of the run            (13)
#   BENCH_SKIP_BUILD   1 = use the existing build/ outputs
#   BENCH_KEEP_LOGS    1 = keep the servers' logs under build/bench/
#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT="$ROOT/build/bench"
REPORT="$ROOT/bench/http_baseline/report.lua"

DURATION=${BENCH_DURATION:-6}
WARMUP=${BENCH_WARMUP:-2}
ROUNDS=${BENCH_ROUNDS:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
TARGET=${BENCH_TARGET:-5}
MONGO_DB=${BENCH_MONGO_DB:-vigie_bench_quota}
REDIS_DB=${BENCH_REDIS_DB:-13}
PY="$ROOT/.venv/bin/python"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

for v in DURATION WARMUP ROUNDS CONNECTIONS TARGET REDIS_DB; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "BENCH_$v must be a whole number"
done
command -v kore >/dev/null || die "kore not found (Debian package 'kore')"
command -v wrk >/dev/null || die "wrk not found (Debian package 'wrk')"
[ -x "$PY" ] || die "missing $PY (scripts/install.sh)"

if [ "${BENCH_STACK:-local}" != external ]; then
	eval "$("$ROOT/scripts/stack.sh" env test)"
fi
: "${VIGIE_ES_URL:?}" "${VIGIE_MONGO_URI:?}" "${VIGIE_REDIS_URL:?}"
REDIS_URL="${VIGIE_REDIS_URL%/*}/$REDIS_DB"

mkdir -p "$OUT"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	log "building Vigie (make build)"
	make -C "$ROOT" --no-print-directory build >&2
fi

RUN=$(mktemp -d "$OUT/quota.XXXXXX")
PIDS=()
TENANT_ID=

stop_server() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# Removes what the run wrote: its tenant's Redis keys, its database, the
# tenant's index template.
forget_tenant() {
	[ -n "$TENANT_ID" ] || return 0
	"$PY" - "$VIGIE_MONGO_URI" "$MONGO_DB" "$REDIS_URL" "$TENANT_ID" \
	    "$VIGIE_ES_URL" <<'EOF' || true
import sys, pymongo, redis, requests
uri, db, rurl, tid, es = sys.argv[1:]
pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000).drop_database(db)
r = redis.Redis.from_url(rurl)
for k in r.scan_iter(f"t:{tid}:*"):
    r.delete(k)
requests.delete(f"{es}/_index_template/vigie-t-{tid}", timeout=10)
EOF
}

cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		stop_server "$pid"
	done
	forget_tenant
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

free_port() {
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 40000))
		ss -Htln | awk '{print $4}' | grep -Eq "[:.]$p\$" || {
			echo "$p"
			return 0
		}
	done
	die "no free port found"
}

# start NAME QUOTAS: a server in its own directory; sets PORT and PID
# (not in a $(...): PIDS must reach the cleanup).
SECRET="bench-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
start() {
	local name=$1 quotas=$2 port dir i
	port=$(free_port)
	dir="$RUN/$name"
	mkdir -p "$dir/var/tmp" "$dir/build" "$dir/var/data"
	cp "$ROOT/kore.conf" "$dir/kore.conf"
	cp "$ROOT/build/vigie.so" "$dir/build/vigie.so"
	ln -s "$ROOT/assets" "$dir/assets"
	ln -s "$ROOT/tenants" "$dir/tenants"
	(
		cd "$dir"
		export VIGIE_HOST=127.0.0.1 VIGIE_PORT="$port" VIGIE_WORKERS=1 \
		    VIGIE_ACCESS_LOG=errors VIGIE_JWT_SECRET="$SECRET" \
		    VIGIE_MONGO_DB="$MONGO_DB" VIGIE_REDIS_URL="$REDIS_URL" \
		    VIGIE_QUOTAS="$quotas" VIGIE_DATA_DIR="$dir/var/data"
		exec kore -c kore.conf -f -n -r
	) >"$RUN/$name.log" 2>&1 &
	PID=$!
	PIDS+=("$PID")
	PORT=$port
	for ((i = 0; i < 150; i++)); do
		curl -fsS --max-time 1 "http://127.0.0.1:$port/api/v1/ping" \
		    >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$name did not start: $(tail -n 20 "$RUN/$name.log")"
}

start off off
PORT_OFF=$PORT PID_OFF=$PID
start on on
PORT_ON=$PORT PID_ON=$PID
log "servers: quotas off on :$PORT_OFF, on on :$PORT_ON"

# One tenant for both (same stores, same JWT secret), on an unlimited plan.
read -r TENANT_ID TOKEN < <("$PY" - "$PORT_ON" "$VIGIE_MONGO_URI" \
    "$MONGO_DB" "$REDIS_URL" <<'EOF'
import sys, uuid, pymongo, redis, requests
port, uri, db, rurl = sys.argv[1:]
base = f"http://127.0.0.1:{port}"
slug = f"bq-{uuid.uuid4().hex[:10]}"
email = f"owner@{slug}.example.com"
pw = "correct horse battery staple"
r = requests.post(f"{base}/api/v1/signup", timeout=30, json={
    "organization_name": slug, "slug": slug, "email": email, "name": "B",
    "password": pw})
r.raise_for_status()
tid = r.json()["tenant"]["id"]
pymongo.MongoClient(uri)[db].tenants.update_one(
    {"slug": slug}, {"$set": {"plan": "enterprise"}})
rc = redis.Redis.from_url(rurl)
rc.delete(f"t:{tid}:meta", f"t:{tid}:quota:limits")
r = requests.post(f"{base}/api/v1/auth/login", timeout=30,
                  json={"email": email, "password": pw})
r.raise_for_status()
print(tid, r.json()["access_token"])
EOF
)
[ -n "${TOKEN:-}" ] || die "could not sign up the bench tenant"
for port in "$PORT_OFF" "$PORT_ON"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' \
	    -H "Authorization: Bearer $TOKEN" \
	    "http://127.0.0.1:$port/api/v1/me")
	[ "$code" = 200 ] || die "GET /api/v1/me answered $code on :$port"
done

# CPU ticks (user + system) of a Kore parent's worker processes.
worker_ticks() {
	local p t=0 f
	for p in $(pgrep -P "$1"); do
		f=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		f=${f##*) }
		# shellcheck disable=SC2086
		set -- $f
		t=$((t + ${12} + ${13}))
	done
	echo "$t"
}

# "calls usec" of EVALSHA in Redis (only Vigie's request scripts use it).
evalsha_stats() {
	redis-cli -u "$REDIS_URL" INFO commandstats |
	    awk -F'[=,:]' '/^cmdstat_evalsha:/ { print $3, $5; f = 1 }
		END { if (!f) print 0, 0 }'
}

# run_wrk PORT PID SECONDS: "rps p50_us p99_us errors worker_us_per_req
# redis_script_us_per_req"
run_wrk() {
	local out t0 t1 c0 c1 u0 u1 n
	t0=$(worker_ticks "$2")
	read -r c0 u0 <<<"$(evalsha_stats)"
	out=$(wrk -t1 -c"$CONNECTIONS" -d"$3s" -s "$REPORT" \
	    -H "Authorization: Bearer $TOKEN" \
	    "http://127.0.0.1:$1/api/v1/me" 2>&1) || die "wrk: $out"
	t1=$(worker_ticks "$2")
	read -r c1 u1 <<<"$(evalsha_stats)"
	grep '^WRK_RESULT' <<<"$out" | awk -v ticks=$((t1 - t0)) \
	    -v hz="$(getconf CLK_TCK)" -v calls=$((c1 - c0)) \
	    -v usec=$((u1 - u0)) '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		n = v["requests"]
		print v["rps"], v["p50_us"], v["p99_us"], v["errors"],
		    (n > 0 ? 1e6 * ticks / hz / n : 0),
		    (calls > 0 ? usec / calls : 0)
	}'
}

before=$(redis-cli -u "$REDIS_URL" HGET "t:$TENANT_ID:usage:$(date -u +%F)" \
    api_requests)
log "warm-up: ${WARMUP}s each"
run_wrk "$PORT_OFF" "$PID_OFF" "$WARMUP" >/dev/null
run_wrk "$PORT_ON" "$PID_ON" "$WARMUP" >/dev/null

: >"$RUN/results"
for ((r = 1; r <= ROUNDS; r++)); do
	# The order swaps every round, so neither side always runs first.
	order="off on"
	[ $((r % 2)) = 0 ] && order="on off"
	for side in $order; do
		port=$PORT_OFF pid=$PID_OFF
		[ "$side" = on ] && port=$PORT_ON pid=$PID_ON
		res=$(run_wrk "$port" "$pid" "$DURATION")
		echo "$side $r $res" >>"$RUN/results"
		read -r rps p50 p99 err cpu script <<<"$res"
		log "$(printf 'round %d/%d quotas %-3s %7.0f req/s  p50 %5dus  p99 %6dus  worker CPU %5.1fus/req  Redis script %4.1fus  errors %d' \
		    "$r" "$ROUNDS" "$side" "$rps" "$p50" "$p99" "$cpu" "$script" "$err")"
	done
done
after=$(redis-cli -u "$REDIS_URL" HGET "t:$TENANT_ID:usage:$(date -u +%F)" \
    api_requests)

# The Redis side alone: the request script as authentication runs it,
# without (off) and with (on) the count, 20,000 calls a run, alternated
# three times; Redis's own CPU time per call (INFO commandstats). "on" is
# the steady state: the user is already among the day's active users
# (store/usage.c then leaves the SADD out). The
# script's text is read from src/store/usage.c: the code as built.
REDIS_MICRO=$("$PY" - "$ROOT/src/store/usage.c" "$REDIS_URL" "$TENANT_ID" <<'EOF'
import ast, re, statistics, sys, redis
src, url, tid = sys.argv[1:]


def strings(body):
    return "".join(ast.literal_eval('"%s"' % p)
                   for p in re.findall(r'"((?:[^"\\]|\\.)*)"', body))


text = open(src).read()
start = text.index("usage_request_script = {")
body = text[start:text.index('""};', start)]
# The shared counting function (USAGE_LUA_API_COUNT, store/usage.h) first.
header = open(src.replace("usage.c", "usage.h")).read()
macro = header[header.index("#define USAGE_LUA_API_COUNT"):]
macro = macro[:macro.index("\n\n")]
script = strings(macro) + strings(body.replace("USAGE_LUA_API_COUNT", ""))
r = redis.Redis.from_url(url)
sha = r.script_load(script)
day = "1999-01-01"  # a day of its own: the tenant's real counters stay
keys = [f"t:{tid}:user:bench", f"t:{tid}:revoked:bench",
        f"t:{tid}:quota:limits", f"t:{tid}:usage:{day}",
        f"t:{tid}:usage:{day}:users"]


def usec():
    s = r.info("commandstats").get("cmdstat_evalsha", {})
    return s.get("calls", 0), s.get("usec", 0)


res = {"off": [], "on": []}
for _ in range(3):
    for side, args in (("off", ["1", "0", "", "60"]),
                       ("on", ["1", "1", "", "60"])):
        c0, u0 = usec()
        p = r.pipeline(transaction=False)
        for _ in range(20000):
            p.evalsha(sha, 5, *keys, *args)
        p.execute()
        c1, u1 = usec()
        res[side].append((u1 - u0) / max(1, c1 - c0))
r.delete(keys[3], keys[4])
print("%.2f %.2f" % (statistics.median(res["off"]),
                     statistics.median(res["on"])))
EOF
)

awk -v target="$TARGET" -v d="$DURATION" -v c="$CONNECTIONS" \
    -v counted=$((${after:-0} - ${before:-0})) -v micro="$REDIS_MICRO" '
function median(a, cnt,    i, j, x) {
	for (i = 2; i <= cnt; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			x = a[j]; a[j] = a[j - 1]; a[j - 1] = x
		}
	return (cnt % 2) ? a[(cnt + 1) / 2] : (a[cnt / 2] + a[cnt / 2 + 1]) / 2
}
{
	n[$1]++; rps[$1, n[$1]] = $3; p50[$1, n[$1]] = $4; p99[$1, n[$1]] = $5
	err += $6; cpu[$1, n[$1]] = $7; scr[$1, n[$1]] = $8
	if ($1 == "on") ron[n[$1]] = $3
	else roff[n[$1]] = $3
}
END {
	for (k in n) {
		for (i = 1; i <= n[k]; i++) {
			a[i] = rps[k, i]; b[i] = p50[k, i]; e[i] = p99[k, i]
			f[i] = cpu[k, i]; g[i] = scr[k, i]
		}
		M[k] = median(a, n[k]); P50[k] = median(b, n[k]); P99[k] = median(e, n[k])
		C[k] = median(f, n[k]); S[k] = median(g, n[k])
	}
	printf "\nQuota check cost: GET /api/v1/me (Bearer token), wrk -t1 -c%d -d%ds,\n", c, d
	printf "1 Kore worker per server, median of %d alternated rounds\n\n", n["on"]
	printf "%-8s %11s %9s %9s %16s %18s\n", "quotas", "requests/s", "p50 (ms)",
	    "p99 (ms)", "worker us/req", "Redis script us"
	printf "%-8s %11.0f %9.3f %9.3f %16.1f %18.1f\n", "off", M["off"],
	    P50["off"] / 1000, P99["off"] / 1000, C["off"], S["off"]
	printf "%-8s %11.0f %9.3f %9.3f %16.1f %18.1f\n", "on", M["on"],
	    P50["on"] / 1000, P99["on"] / 1000, C["on"], S["on"]
	slow = (M["off"] > 0 ? 100 * (1 - M["on"] / M["off"]) : 100)
	printf "\nslowdown with the quota check: %.1f%%   target <= %s%%: %s\n", slow,
	    target, slow <= target ? "PASS" : "FAIL"
	printf "  per-round slowdowns:"
	for (i = 1; i <= n["on"]; i++)
		printf " %.1f%%", (roff[i] > 0 ? 100 * (1 - ron[i] / roff[i]) : 100)
	printf "\n"
	base = C["off"] + S["off"]
	printf "CPU per request (Kore worker + Redis script): off %.1f us, on %.1f us: %+.1f%% (steadier than requests/s on a busy machine)\n",
	    base, C["on"] + S["on"], (base > 0 ? 100 * (C["on"] + S["on"] - base) / base : 0)
	printf "requests counted by the quota side (Redis): %d\n", counted
	split(micro, mm, " ")
	printf "Redis alone, the request script without / with the count: %.2f / %.2f us of Redis CPU per call\n", mm[1], mm[2]
	if (err > 0)
		printf "warning: wrk reported %d socket/HTTP errors; figures are suspect\n", err
}' "$RUN/results"
