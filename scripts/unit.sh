#!/usr/bin/env bash
# Runs the cmocka unit test binaries given as arguments (make unit passes
# them all) and fails if any test fails.
set -uo pipefail

failed=0
for bin in "$@"; do
	[ -x "$bin" ] || { echo "unit: $bin is not built" >&2; failed=1; continue; }
	if ! "$bin"; then
		failed=1
	fi
done
exit "$failed"
