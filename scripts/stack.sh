#!/usr/bin/env bash
# Vigie's local service stack: Elasticsearch, FerretDB (MongoDB wire protocol,
# SQLite backend) and Redis, bound to 127.0.0.1 only.
#
# Usage:
#   scripts/stack.sh start|stop|status|env [run|test]
#   scripts/stack.sh start-one|stop-one|restart-one es|mongo|redis [run|test]
#
# Profiles (ports can be overridden with VIGIE_STACK_ES_PORT,
# VIGIE_STACK_MONGO_PORT, VIGIE_STACK_REDIS_PORT):
#   run   (default)  ES 9200   FerretDB 27017  Redis 6379
#   test             ES 19200  FerretDB 37017  Redis 16379
# Derived ports: ES transport = ES HTTP + 100, FerretDB debug = Mongo + 1.
# Other knobs: VIGIE_STACK_ES_HEAP (512m), VIGIE_STACK_{ES,MONGO,REDIS}_TIMEOUT
# (start-up timeouts in seconds: 120, 30, 15).
#
# Layout, all under the git-ignored var/<profile>/:
#   es/{data,config,tmp}  ferretdb/  redis/   service data
#   logs/                 <service>.log (stdout/stderr), logs/es/ (ES own logs)
#   pids/<service>.pid    process-group id of each service
#
# Every service is started with setsid, so it leads its own process group and
# session: it survives the calling shell, and `stop` can signal the whole
# group (Elasticsearch's launcher + server JVMs) and verify nothing is left.
#
# `status` exits 0 when every service is running and answering, 3 otherwise.
# `eval "$(scripts/stack.sh env test)"` exports VIGIE_ES_URL, VIGIE_MONGO_URI
# and VIGIE_REDIS_URL.
#
# Prerequisites come from scripts/install.sh, which is sourced for the pinned
# versions and paths (ES_HOME, FERRETDB_BIN, find_java_home ...).
set -euo pipefail

STACK_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/install.sh
source "$STACK_SCRIPT_DIR/install.sh"

SERVICES=(es mongo redis)
ES_USER="vigie-es"             # ES refuses to run as root
ES_HEAP="${VIGIE_STACK_ES_HEAP:-512m}"
STOP_TIMEOUT=20                # seconds between TERM and KILL
READY_TIMEOUT_ES="${VIGIE_STACK_ES_TIMEOUT:-120}"
READY_TIMEOUT_MONGO="${VIGIE_STACK_MONGO_TIMEOUT:-30}"
READY_TIMEOUT_REDIS="${VIGIE_STACK_REDIS_TIMEOUT:-15}"

# ---------------------------------------------------------------- messages --

say() { printf 'stack[%s]: %s\n' "${PROFILE:-?}" "$*"; }
warn() { printf 'stack[%s]: %s\n' "${PROFILE:-?}" "$*" >&2; }
die() {
  warn "ERROR: $*"
  exit 1
}

usage() {
  sed -n '5,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Milliseconds since the epoch (bash 5 EPOCHREALTIME, no fork).
now_ms() {
  local t="${EPOCHREALTIME/[.,]/}"
  printf '%s\n' "$((t / 1000))"
}

# ---------------------------------------------------------------- profile --

# Set PROFILE, the ports and the var/ directories for "run" or "test".
load_profile() {
  PROFILE="${1:-run}"
  local es mongo redis
  case "$PROFILE" in
    run) es=9200 mongo=27017 redis=6379 ;;
    test) es=19200 mongo=37017 redis=16379 ;;
    *) die "unknown profile '$PROFILE' (expected run or test)" ;;
  esac
  ES_PORT="${VIGIE_STACK_ES_PORT:-$es}"
  MONGO_PORT="${VIGIE_STACK_MONGO_PORT:-$mongo}"
  REDIS_PORT="${VIGIE_STACK_REDIS_PORT:-$redis}"
  ES_TRANSPORT_PORT=$((ES_PORT + 100))
  MONGO_DEBUG_PORT=$((MONGO_PORT + 1))

  VAR_DIR="$VIGIE_REPO_ROOT/var/$PROFILE"
  LOG_DIR="$VAR_DIR/logs"
  PID_DIR="$VAR_DIR/pids"
}

# Serialise start/stop of one profile (two `make` targets at once, say).
lock_profile() {
  mkdir -p "$VAR_DIR"
  exec 9>"$VAR_DIR/.stack.lock"
  flock -w 300 9 || die "another stack.sh holds $VAR_DIR/.stack.lock"
}

service_url() {
  case "$1" in
    es) printf 'http://127.0.0.1:%s\n' "$ES_PORT" ;;
    mongo) printf 'mongodb://127.0.0.1:%s/\n' "$MONGO_PORT" ;;
    redis) printf 'redis://127.0.0.1:%s/0\n' "$REDIS_PORT" ;;
  esac
}

service_ports() {
  case "$1" in
    es) printf '%s %s\n' "$ES_PORT" "$ES_TRANSPORT_PORT" ;;
    mongo) printf '%s %s\n' "$MONGO_PORT" "$MONGO_DEBUG_PORT" ;;
    redis) printf '%s\n' "$REDIS_PORT" ;;
  esac
}

# A word that the command line of the service's processes must contain, so a
# PID file whose number was reused by an unrelated process is not trusted.
service_signature() {
  case "$1" in
    es) printf 'org.elasticsearch\n' ;;
    mongo) printf '%s\n' "$FERRETDB_BIN" ;;
    redis) printf 'redis-server\n' ;;
  esac
}

ready_timeout() {
  case "$1" in
    es) printf '%s\n' "$READY_TIMEOUT_ES" ;;
    mongo) printf '%s\n' "$READY_TIMEOUT_MONGO" ;;
    redis) printf '%s\n' "$READY_TIMEOUT_REDIS" ;;
  esac
}

check_service_name() {
  case "$1" in
    es | mongo | redis) ;;
    *) die "unknown service '$1' (expected es, mongo or redis)" ;;
  esac
}

# ------------------------------------------------------ process bookkeeping --

pid_file() { printf '%s/%s.pid\n' "$PID_DIR" "$1"; }
log_file() { printf '%s/%s.log\n' "$LOG_DIR" "$1"; }

# The recorded process-group id, or nothing.
recorded_pgid() {
  local file pgid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 0
  pgid="$(<"$file")"
  if [[ "$pgid" =~ ^[0-9]+$ ]]; then printf '%s\n' "$pgid"; fi
}

# PIDs of the live processes in process group $1. Zombies do not count: the
# services are re-parented to PID 1 once setsid's fork exits, and PID 1 may
# take a moment to reap them.
group_members() {
  ps -e -o pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ {print $1}'
}

# True when the PID file points at a live process group running this service.
service_running() {
  local svc="$1" pgid pid signature cmdline
  pgid="$(recorded_pgid "$svc")"
  [[ -n "$pgid" ]] || return 1
  signature="$(service_signature "$svc")"
  for pid in $(group_members "$pgid"); do
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    [[ "$cmdline" == *"$signature"* ]] && return 0
  done
  return 1
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Keep one previous generation of a service log once it passes 10 MB.
rotate_log() {
  local log="$1"
  if [[ -f "$log" ]] && (($(stat -c %s "$log") > 10 * 1024 * 1024)); then
    mv -f "$log" "$log.1"
  fi
}

# spawn_detached <svc> <cwd> <command...>: start a command in a new session
# (setsid --fork), detached from our terminal and stdin, output appended to
# the service log. The child writes its own PID, which is also its process
# group id, before exec'ing the service. fd 9 (our profile lock) is closed,
# or the service would hold the lock for as long as it runs.
spawn_detached() {
  local svc="$1" cwd="$2" pidfile
  shift 2
  pidfile="$(pid_file "$svc")"
  rm -f "$pidfile"
  rotate_log "$(log_file "$svc")"
  printf '\n==== %s: starting %s\n' "$(date -Is)" "$svc" >>"$(log_file "$svc")"
  # shellcheck disable=SC2016 # $$ and $@ are for the inner sh
  (cd "$cwd" && setsid --fork sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" \
    >>"$(log_file "$svc")" 2>&1 </dev/null 9>&-)
  local tries=50
  while ((tries-- > 0)); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  die "$svc: no PID file after spawning (see $(log_file "$svc"))"
}

# TERM the service's process group, wait, KILL what is left, then verify.
kill_group() {
  local svc="$1" pgid="$2" deadline
  kill -TERM -- "-$pgid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while [[ -n "$(group_members "$pgid")" ]] && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if [[ -n "$(group_members "$pgid")" ]]; then
    warn "$svc: still alive after ${STOP_TIMEOUT}s, sending KILL"
    kill -KILL -- "-$pgid" 2>/dev/null || true
    sleep 0.5
  fi
  if [[ -n "$(group_members "$pgid")" ]]; then
    die "$svc: processes $(group_members "$pgid" | tr '\n' ' ')survived KILL"
  fi
}

# Forget a PID file that no longer points at our service: its group is gone,
# or its number now belongs to an unrelated process (left alone). Survivors
# of our own group (say the ES server JVM after its launcher died) still count
# as running, so `stop` will take them down with the group.
clean_stale() {
  local svc="$1"
  [[ -f "$(pid_file "$svc")" ]] || return 0
  service_running "$svc" && return 0
  warn "$svc: removing stale PID file $(pid_file "$svc")"
  rm -f "$(pid_file "$svc")"
}

# --------------------------------------------------------- readiness probes --

es_ready() {
  curl -fsS --max-time 5 -o /dev/null \
    "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null
}

# A real MongoDB "ping" over the wire protocol (OP_MSG), with python3's
# standard library only: no driver needed, and it proves FerretDB answers
# commands, not just that the port is open.
mongo_ready() {
  python3 - "$MONGO_PORT" 2>/dev/null <<'PY'
import socket, struct, sys

def bson(fields):
    body = b""
    for key, value in fields:
        name = key.encode() + b"\0"
        if isinstance(value, int):
            body += b"\x10" + name + struct.pack("<i", value)
        else:
            raw = value.encode() + b"\0"
            body += b"\x02" + name + struct.pack("<i", len(raw)) + raw
    return struct.pack("<i", len(body) + 5) + body + b"\0"

# OP_MSG (2013): flags, then a kind-0 section holding the command document.
msg = struct.pack("<I", 0) + b"\0" + bson([("ping", 1), ("$db", "admin")])
header = struct.pack("<iiii", 16 + len(msg), 1, 0, 2013)
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3) as s:
    s.sendall(header + msg)
    reply = b""
    while len(reply) < 4 or len(reply) < struct.unpack("<i", reply[:4])[0]:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit(1)
        reply += chunk
# The reply document must contain ok: 1.0 (a BSON double).
sys.exit(0 if b"\x01ok\x00" + struct.pack("<d", 1.0) in reply else 1)
PY
}

redis_ready() {
  [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

service_ready() { "${1}_ready"; }

# wait_all_ready <svc>=<launch epoch ms> ...: poll every service until it
# answers, printing its start-up time; fail fast if one dies or times out.
wait_all_ready() {
  local -A since=() deadline=()
  local entry svc ms
  for entry in "$@"; do
    svc="${entry%%=*}"
    since[$svc]="${entry#*=}"
    deadline[$svc]=$((SECONDS + $(ready_timeout "$svc")))
  done
  while ((${#since[@]} > 0)); do
    for svc in "${!since[@]}"; do
      if service_ready "$svc"; then
        ms=$(($(now_ms) - since[$svc]))
        say "$(printf '%-5s ready in %d.%01d s  %s' "$svc" $((ms / 1000)) \
          $((ms % 1000 / 100)) "$(service_url "$svc")")"
        unset "since[$svc]"
      elif ! service_running "$svc"; then
        fail_with_log "$svc" "exited during start-up"
      elif ((SECONDS >= deadline[$svc])); then
        fail_with_log "$svc" "not ready after $(ready_timeout "$svc") s"
      fi
    done
    ((${#since[@]} == 0)) || sleep 0.2
  done
}

fail_with_log() {
  local svc="$1" why="$2"
  warn "$svc: $why; last lines of $(log_file "$svc"):"
  tail -n 30 "$(log_file "$svc")" >&2 || true
  exit 1
}

# ---------------------------------------------------------- Elasticsearch --

# Run ES as the unprivileged $ES_USER when we are root (ES refuses root),
# as ourselves otherwise.
es_run_as() {
  if [[ "$(id -u)" == 0 ]]; then
    printf '%s\n' setpriv "--reuid=$ES_USER" "--regid=$ES_USER" --init-groups --
  fi
}

ensure_es_user() {
  [[ "$(id -u)" == 0 ]] || return 0
  id -u "$ES_USER" >/dev/null 2>&1 && return 0
  say "creating system user $ES_USER to run Elasticsearch"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$ES_USER"
}

# ES keeps its own config dir per profile (ES_PATH_CONF), so the unpacked
# distribution stays read-only and both profiles can run at once.
es_write_config() {
  local conf="$VAR_DIR/es/config"
  mkdir -p "$conf"
  cp "$ES_HOME/config/log4j2.properties" "$conf/"
  # Stock JVM options, but keep at most 4 x 16 MB of GC logs (not 32 x 64 MB).
  sed 's/filecount=32,filesize=64m/filecount=4,filesize=16m/' \
    "$ES_HOME/config/jvm.options" >"$conf/jvm.options"
  mkdir -p "$conf/jvm.options.d"
  # The 8.19 integ-test-zip does ship x-pack-security, and on first start it
  # would auto-configure TLS + passwords (plain-HTTP requests then get an
  # empty reply). Disabling it explicitly also skips that auto-configuration.
  # Other xpack.* settings do not exist in this distribution.
  local security=""
  if [[ -d "$ES_HOME/modules/x-pack-security" ]]; then
    security="xpack.security.enabled: false"
  fi
  # The test suite signs up hundreds of organizations, each with daily
  # indices (back-dated ones for retention, alerting and calibration):
  # more shards than the default 1000 a node, on a node that only lives
  # for the run.
  local shards=""
  if [[ "$PROFILE" == test ]]; then
    shards="cluster.max_shards_per_node: 3000"
  fi
  cat >"$conf/elasticsearch.yml" <<EOF
# Generated by scripts/stack.sh at each start; edits are overwritten.
cluster.name: vigie-$PROFILE
node.name: vigie-$PROFILE
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
path.data: $VAR_DIR/es/data
path.logs: $LOG_DIR/es
# Dev machines often have a fuller disk than ES likes; never go read-only.
cluster.routing.allocation.disk.threshold_enabled: false
$shards
$security
EOF
}

es_check_readable() {
  [[ "$(id -u)" == 0 ]] || return 0
  local probe
  for probe in "$ES_HOME/bin/elasticsearch" "$VAR_DIR/es/data"; do
    if ! setpriv "--reuid=$ES_USER" "--regid=$ES_USER" --init-groups -- test -r "$probe"; then
      die "es: user $ES_USER cannot reach $probe; every parent directory of $VIGIE_REPO_ROOT needs o+x"
    fi
  done
}

es_launch() {
  [[ -x "$ES_HOME/bin/elasticsearch" ]] ||
    die "es: $ES_HOME missing, run scripts/install.sh"
  local java_home
  java_home="$(find_java_home)" || die "es: no java >= $JAVA_MIN_MAJOR, run scripts/install.sh"
  ensure_es_user
  mkdir -p "$VAR_DIR/es/data" "$VAR_DIR/es/tmp" "$LOG_DIR/es"
  es_write_config
  if [[ "$(id -u)" == 0 ]]; then
    chown -R "$ES_USER:$ES_USER" "$VAR_DIR/es" "$LOG_DIR/es"
  fi
  es_check_readable
  local -a run_as
  mapfile -t run_as < <(es_run_as)
  # The ES launcher starts the server JVM as a child (same process group);
  # the server's working directory is path.logs.
  spawn_detached es "$VAR_DIR/es" env \
    ES_JAVA_HOME="$java_home" \
    ES_PATH_CONF="$VAR_DIR/es/config" \
    ES_TMPDIR="$VAR_DIR/es/tmp" \
    ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" \
    HOME="$VAR_DIR/es" \
    "${run_as[@]}" "$ES_HOME/bin/elasticsearch"
}

# ---------------------------------------------------------------- FerretDB --

mongo_launch() {
  [[ -x "$FERRETDB_BIN" ]] || die "mongo: $FERRETDB_BIN missing, run scripts/install.sh"
  mkdir -p "$VAR_DIR/ferretdb"
  # The debug handler (metrics, /debug/livez, /debug/readyz) listens on
  # port+1 so that two profiles never fight over FerretDB's default 8088.
  spawn_detached mongo "$VAR_DIR/ferretdb" "$FERRETDB_BIN" \
    --handler=sqlite \
    "--sqlite-url=file:$VAR_DIR/ferretdb/" \
    "--state-dir=$VAR_DIR/ferretdb" \
    "--listen-addr=127.0.0.1:$MONGO_PORT" \
    "--debug-addr=127.0.0.1:$MONGO_DEBUG_PORT" \
    --telemetry=disable \
    --log-level=info
}

# ------------------------------------------------------------------ Redis --

redis_launch() {
  command -v redis-server >/dev/null || die "redis: redis-server missing, run scripts/install.sh"
  mkdir -p "$VAR_DIR/redis"
  local -a persistence=()
  if [[ "$PROFILE" == test ]]; then
    # Tests want a clean, fast Redis: no RDB snapshots, no AOF.
    persistence=(--save "" --appendonly no)
  fi
  spawn_detached redis "$VAR_DIR/redis" redis-server \
    --port "$REDIS_PORT" \
    --bind 127.0.0.1 \
    --protected-mode yes \
    --dir "$VAR_DIR/redis" \
    --daemonize no \
    --logfile "" \
    "${persistence[@]}"
}

# ------------------------------------------------------- service lifecycle --

# Start one service unless it is already ours and running. Prints the epoch
# ms at which it was launched (or "0" if it was already running).
launch_service() {
  local svc="$1" port
  clean_stale "$svc"
  if service_running "$svc"; then
    printf '0\n'
    return 0
  fi
  for port in $(service_ports "$svc"); do
    if port_in_use "$port"; then
      die "$svc: port $port on 127.0.0.1 is already in use by a process that is not in our PID files (another stack? a system service?)"
    fi
  done
  now_ms
  "${svc}_launch" >&2
}

start_services() {
  local svc launched
  local -a waiting=()
  mkdir -p "$LOG_DIR" "$PID_DIR"
  # Launch everything first, then wait: start-up time is that of the slowest.
  for svc in "$@"; do
    launched="$(launch_service "$svc")"
    if [[ "$launched" != 0 ]]; then
      waiting+=("$svc=$launched")
    elif service_ready "$svc"; then
      say "$(printf '%-5s already running  %s' "$svc" "$(service_url "$svc")")"
    else
      waiting+=("$svc=$(now_ms)") # ours, still starting: wait for it
    fi
  done
  wait_all_ready "${waiting[@]}"
}

stop_service() {
  local svc="$1" pgid
  pgid="$(recorded_pgid "$svc")"
  if [[ -z "$pgid" ]]; then
    rm -f "$(pid_file "$svc")"
    say "$(printf '%-5s not running' "$svc")"
    return 0
  fi
  if service_running "$svc"; then
    kill_group "$svc" "$pgid"
    say "$(printf '%-5s stopped (pgid %s)' "$svc" "$pgid")"
  else
    say "$(printf '%-5s not running (stale PID file removed)' "$svc")"
  fi
  rm -f "$(pid_file "$svc")"
}

stop_services() {
  local svc
  for svc in "$@"; do stop_service "$svc"; done
}

# Prints one line per service; returns 3 if any is not running + answering.
status_services() {
  local svc state rc=0
  for svc in "$@"; do
    if ! service_running "$svc"; then
      state="stopped"
      rc=3
    elif service_ready "$svc"; then
      state="running (pgid $(recorded_pgid "$svc")), answering"
    else
      state="running (pgid $(recorded_pgid "$svc")), NOT answering"
      rc=3
    fi
    say "$(printf '%-5s %-40s %s' "$svc" "$state" "$(service_url "$svc")")"
  done
  return "$rc"
}

print_env() {
  printf 'export VIGIE_ES_URL=%s\n' "$(service_url es)"
  printf 'export VIGIE_MONGO_URI=%s\n' "$(service_url mongo)"
  printf 'export VIGIE_REDIS_URL=%s\n' "$(service_url redis)"
}

# -------------------------------------------------------------------- main --

stack_main() {
  local cmd="${1:-}"
  case "$cmd" in
    start | stop | status | env)
      (($# <= 2)) || usage
      load_profile "${2:-run}"
      ;;
    start-one | stop-one | restart-one)
      (($# >= 2 && $# <= 3)) || usage
      check_service_name "$2"
      load_profile "${3:-run}"
      ;;
    *) usage ;;
  esac

  case "$cmd" in
    env) print_env ;;
    status) status_services "${SERVICES[@]}" ;;
    start) lock_profile && start_services "${SERVICES[@]}" ;;
    stop) lock_profile && stop_services "${SERVICES[@]}" ;;
    start-one) lock_profile && start_services "$2" ;;
    stop-one) lock_profile && stop_services "$2" ;;
    restart-one) lock_profile && stop_services "$2" && start_services "$2" ;;
  esac
}

stack_main "$@"
