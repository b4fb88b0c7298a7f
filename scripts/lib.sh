# Shared helpers for the project's scripts. Source it; do not run it.

VIGIE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"


say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# wait_http URL SECONDS: wait until URL answers with any HTTP status.
wait_http() {
	local url=$1 limit=$2 i
	for ((i = 0; i < limit * 10; i++)); do
		if curl -s -o /dev/null -m 1 "$url"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# stop_pidfile FILE: stop the process recorded in FILE, and only it.
stop_pidfile() {
	local file=$1 pid i
	[ -f "$file" ] || return 0
	pid=$(cat "$file")
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$file"
}

# server_dir DIR: a working folder for one kore instance (its pid file,
# body spool), linking the parts it serves from the repository.
server_dir() {
	local dir=$1 part
	mkdir -p "$dir/var/tmp"
	for part in kore.conf assets tenants; do
		ln -sfn "$VIGIE_ROOT/$part" "$dir/$part"
	done
	# VIGIE_BUILD_DIR: another build folder (build-cov of make coverage).
	ln -sfn "$VIGIE_ROOT/${VIGIE_BUILD_DIR:-build}" "$dir/build"
}

# start_server DIR LOG: start kore in DIR in the background.
start_server() {
	local dir=$1 log=$2
	# exec: $! is then kore's own pid, the one to stop (setsid would fork
	# and leave us a pid that is not kore's).
	(cd "$dir" && exec kore -c kore.conf -f -n -r) >>"$log" 2>&1 &
	echo $! >"$dir/server.pid"
}

# start_worker DIR LOG: start vigie-worker in the background.
start_worker() {
	local dir=$1 log=$2
	"$VIGIE_ROOT/${VIGIE_BUILD_DIR:-build}/vigie-worker" >>"$log" 2>&1 &
	echo $! >"$dir/worker.pid"
}
