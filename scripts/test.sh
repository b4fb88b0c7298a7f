#!/usr/bin/env bash
# make test: build, run the unit tests, start a test stack of our own
# (other ports and folders than 'make run'), run the integration tests,
# and stop what was started. Exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VIGIE_ROOT"

say "build"
make --no-print-directory all

say "unit tests (cmocka)"
make --no-print-directory unit

say "fuzz smoke (log parsers)"
make --no-print-directory fuzz-smoke

if [ "${VIGIE_STACK:-local}" != "external" ]; then
	say "test stack"
	trap 'scripts/stack.sh stop test' EXIT
	scripts/stack.sh start test
fi

say "integration tests"
scripts/integration.sh
