#!/usr/bin/env bash
# Runs the browser tests (tests/browser: playwright-core driving Debian's
# Chromium, node's test runner) against a running server:
#
#   VIGIE_TEST_BASE_URL=http://127.0.0.1:18080 scripts/browser.sh [test files]
#
# scripts/integration.sh calls it after pytest, while its server is up.
# Screenshots go to tests/browser/artifacts/ (git-ignored). VIGIE_CHROMIUM
# names another Chromium binary than /usr/bin/chromium.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VIGIE_ROOT/tests/browser"

[ -n "${VIGIE_TEST_BASE_URL:-}" ] ||
	die "VIGIE_TEST_BASE_URL is not set (the server to test)"
export VIGIE_CHROMIUM=${VIGIE_CHROMIUM:-/usr/bin/chromium}
[ -x "$VIGIE_CHROMIUM" ] ||
	die "no Chromium at $VIGIE_CHROMIUM: run scripts/install.sh"
command -v node >/dev/null || die "no node: run scripts/install.sh"
# npm ci when the lock file is newer than what was installed.
if [ ! -f node_modules/.package-lock.json ] ||
	[ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error
fi

rm -rf artifacts
mkdir -p artifacts
if [ $# -eq 0 ]; then
	set -- ./*.test.mjs
fi
node --test --test-concurrency=1 "$@"
