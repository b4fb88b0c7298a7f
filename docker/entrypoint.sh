#!/bin/sh
# Vigie container entrypoint.
#
#   server      run the Kore server in the foreground (default)
#   worker      run the background worker; extra arguments are passed on
#   selfcheck   check that kore and both binaries find every shared library
#   help        print this text
#   anything else is executed as given (e.g. `sh`, `kore -v`)
set -eu

# APP_DIR overrides the application folder (tests outside the image); it is
# not a VIGIE_* name because the application warns about unknown ones.
APP_DIR=${APP_DIR:-/opt/vigie}

usage() {
	sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
}

# The application validates its whole configuration itself; this only turns
# the most common deployment mistake into a clear message before start.
require_jwt_secret() {
	if [ -z "${VIGIE_JWT_SECRET:-}" ]; then
		echo "vigie: VIGIE_JWT_SECRET is not set (it must be at least 32 bytes)" >&2
		exit 64
	fi
	if [ "$(printf '%s' "$VIGIE_JWT_SECRET" | wc -c)" -lt 32 ]; then
		echo "vigie: VIGIE_JWT_SECRET is shorter than 32 bytes" >&2
		exit 64
	fi
}

selfcheck() {
	status=0
	for f in "$(command -v kore)" "$APP_DIR/build/vigie.so" "$APP_DIR/build/vigie-worker"; do
		if [ ! -e "$f" ]; then
			echo "selfcheck: missing $f" >&2
			status=1
			continue
		fi
		missing=$(ldd "$f" 2>&1 | grep 'not found' || true)
		if [ -n "$missing" ]; then
			echo "selfcheck: $f has unresolved libraries:" >&2
			echo "$missing" >&2
			status=1
		else
			echo "selfcheck: $f ok"
		fi
	done
	return "$status"
}

cmd=${1:-server}
[ "$#" -gt 0 ] && shift

case "$cmd" in
server)
	require_jwt_secret
	cd "$APP_DIR"
	# -f foreground, -n no chroot, -r keep the (already unprivileged) user.
	exec kore -c kore.conf -f -n -r "$@"
	;;
worker)
	require_jwt_secret
	cd "$APP_DIR"
	exec "$APP_DIR/build/vigie-worker" "$@"
	;;
selfcheck)
	selfcheck
	;;
help | -h | --help)
	usage
	;;
*)
	exec "$cmd" "$@"
	;;
esac
