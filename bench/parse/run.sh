#!/usr/bin/env bash
#
# Parse-only benchmark of the log parsers (see main.c): builds the core
# library (make build/libvigie-core.a) and the benchmark with -O2, then
# runs it on one CPU (pinned with taskset when there are 2 or more) over
# the shared reference data. Prints a table and the verdict on the access
# log target; exits 0 whenever the measurement ran.
#
#   bench/parse/run.sh [DATA_DIR]
#
# Knobs: BENCH_LINES (1000000 lines per input), BENCH_ROUNDS (3),
# BENCH_CPU (CPU to pin to; default 1 on a 2+ CPU machine, "" = none).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT="$ROOT/build/bench"
DATA=${1:-$(cd "$ROOT/.." && pwd)/shared/data}

cd "$ROOT"
make --no-print-directory build/libvigie-core.a >/dev/null
mkdir -p "$OUT"
# shellcheck disable=SC2046
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Isrc \
	$(pkg-config --cflags jansson) bench/parse/main.c \
	build/libvigie-core.a $(pkg-config --libs jansson) -o "$OUT/parse-bench"

CPU=${BENCH_CPU-$([ "$(nproc)" -ge 2 ] && echo 1 || echo "")}
echo "machine: $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -sr), cc $(cc -dumpversion), jansson $(pkg-config --modversion jansson)"
echo "pinned to CPU: ${CPU:-none}"
if [ -n "$CPU" ] && command -v taskset >/dev/null; then
	exec taskset -c "$CPU" "$OUT/parse-bench" "$DATA"
fi
exec "$OUT/parse-bench" "$DATA"
