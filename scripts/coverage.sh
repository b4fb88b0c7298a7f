#!/usr/bin/env bash
# make coverage: line coverage of src/ by the unit tests and the integration
# suite, measured with gcov (gcc --coverage) and reported by gcovr.
#
#  1. builds everything again in its own folder, build-cov/ (-O0 --coverage,
#     atomic counters: the server's task threads and the worker's sender
#     thread update them concurrently); build/ is left alone;
#  2. runs the cmocka unit tests of build-cov/;
#  3. runs the integration suite against the instrumented server and worker
#     (scripts/integration.sh with VIGIE_BUILD_DIR=build-cov); both stop on
#     SIGTERM through exit(), which is when gcov writes its .gcda files;
#  4. prints the line coverage of src/ and writes coverage/index.html,
#     coverage/coverage.xml (Cobertura) and coverage/sonarqube.xml (the
#     generic format of sonar-project.properties). coverage/ is git-ignored.
#
# It uses the running test stack like scripts/integration.sh (start it with
# `scripts/stack.sh start test`, or set VIGIE_STACK=external and the
# service URLs as CI does); it never starts or stops services itself.
#
# Knobs: COVERAGE_MIN (fail under this line percentage, default 70),
# COVERAGE_TESTS (pytest arguments; default: the whole integration suite
# but test_zz_isolation_scan.py, which needs an Elasticsearch of its own),
# VIGIE_BROWSER_TESTS (default 0), VIGIE_TEST_PORT, VIGIE_MONGO_DB, ...
# as for scripts/integration.sh. Not part of `make test` (CI time budget).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VIGIE_ROOT"

cov_build=build-cov
out=coverage
min=${COVERAGE_MIN:-70}
gcovr="$VIGIE_ROOT/.venv/bin/gcovr"
[ -x "$gcovr" ] || die "coverage: $gcovr not found (scripts/install.sh installs tests/requirements.txt)"

say "coverage build in $cov_build/"
make --no-print-directory -j"${COVERAGE_JOBS:-2}" BUILD="$cov_build" \
	CFLAGS="-O0 -g --coverage -fprofile-update=atomic" \
	LDFLAGS="--coverage" all
# Counters of an earlier run would add up with this one.
find "$cov_build" -name '*.gcda' -delete

status=0
say "unit tests (instrumented)"
make --no-print-directory BUILD="$cov_build" unit || status=1

say "integration tests (instrumented server and worker)"
if [ -n "${COVERAGE_TESTS:-}" ]; then
	read -r -a tests <<<"$COVERAGE_TESTS"
else
	tests=(tests/integration --ignore=tests/integration/test_zz_isolation_scan.py)
fi
VIGIE_BUILD_DIR="$cov_build" VIGIE_BROWSER_TESTS=${VIGIE_BROWSER_TESTS:-0} \
	scripts/integration.sh "${tests[@]}" || status=1

# The Kore workers and vigie-worker have exited (integration.sh waits for
# them): every process that ran instrumented code has written its counters.
n=$(find "$cov_build/obj/src" -name '*.gcda' | wc -l)
say "coverage report ($n .gcda files)"
[ "$n" -gt 0 ] || die "coverage: no .gcda file was written"
for layer in api worker; do
	if [ -z "$(find "$cov_build/obj/src/$layer" -name '*.gcda' -print -quit)" ]; then
		echo "coverage: WARNING no counters from src/$layer (did its processes exit cleanly?)" >&2
	fi
done

rm -rf "$out"
mkdir -p "$out"
# --gcov-ignore-parse-errors: counters of threads that ran while the
# process exited may be slightly off (negative hits), which gcovr refuses.
"$gcovr" --root . --filter 'src/' --object-directory "$cov_build" \
	--gcov-ignore-parse-errors=negative_hits.warn_once_per_file \
	--exclude-unreachable-branches \
	--print-summary \
	--html-details "$out/index.html" --html-title "Vigie line coverage" \
	--cobertura "$out/coverage.xml" \
	--sonarqube "$out/sonarqube.xml" \
	--txt "$out/summary.txt" \
	--fail-under-line "$min" || status=1
tail -n 3 "$out/summary.txt" || true
say "report: $out/index.html (minimum $min% of lines)"
exit "$status"
