#!/usr/bin/env bash
#
# Fuzz targets of the log parsers (libFuzzer, clang -fsanitize=fuzzer,
# address,undefined). One target per parser (csv, json, access, syslog)
# plus detect, which also parses with the detected format (so the Apache
# error and plain parsers are covered), search (the free-text query
# parser of src/core/search_query.c), overrides (an administrator's
# limit overrides, core/quota.c), image (logo headers, core/image.c),
# netguard (outbound URL and address checks), notify (notification
# rendering) and alertrule (alert rule definitions).
# Seeds: tests/fuzz/corpus/<target>/.
#
#   tests/fuzz/run.sh build        build build/fuzz/fuzz_<target>
#   tests/fuzz/run.sh smoke        build, replay every seed, then fuzz each
#                                  target FUZZ_SECONDS (10) - bounded, for
#                                  make test (about 45 s on 2 cores)
#   tests/fuzz/run.sh run [target] build and fuzz FUZZ_SECONDS (300) each
#
# New inputs found go to build/fuzz/work/<target>/ (not the seeds); a
# crash, leak or timeout leaves build/fuzz/artifacts/<target>-* and makes
# the script fail. Knobs: FUZZ_SECONDS, FUZZ_JOBS (parallel targets,
# default: number of CPUs), CLANG (default clang).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT="$ROOT/build/fuzz"
CLANG=${CLANG:-clang}
TARGETS=(csv json access syslog detect search overrides image netguard notify alertrule esanswer bulkanswer accept)
# Every file of src/core: it is pure code; each target links what it uses.
mapfile -t CORE < <(cd "$ROOT/src/core" && ls -- *.c | sed 's/\.c$//')
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
# ASan keeps up to 256 MB of freed memory in quarantine by default; with
# the allocation churn of regcomp (alertrule) that alone crosses the 512 MB
# RSS limit within seconds. 64 MB still catches use-after-free of recent
# blocks, and the RSS limit stays a real check of what a target keeps.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=64}"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -I$ROOT/src \
	$(pkg-config --cflags jansson)"
LIBS="$(pkg-config --libs jansson libcrypto libargon2 libjwt) -lhpdf -lz -lm"

say() { printf '==> fuzz: %s\n' "$*"; }

build() {
	command -v "$CLANG" >/dev/null ||
		{ echo "fuzz: $CLANG not found (scripts/install.sh installs it)" >&2; exit 1; }
	mkdir -p "$OUT/obj" "$OUT/artifacts"
	local objs=() src obj t
	for src in "${CORE[@]}"; do
		obj="$OUT/obj/$src.o"
		if [ ! -f "$obj" ] || [ "$ROOT/src/core/$src.c" -nt "$obj" ] ||
			[ -n "$(find "$ROOT/src/core" -name '*.h' -newer "$obj")" ]; then
			$CLANG $CFLAGS $SAN -fsanitize=fuzzer-no-link \
				-c "$ROOT/src/core/$src.c" -o "$obj" &
		fi
		objs+=("$obj")
	done
	wait
	for t in "${TARGETS[@]}"; do
		$CLANG $CFLAGS $SAN -fsanitize=fuzzer \
			"$ROOT/tests/fuzz/fuzz_$t.c" "${objs[@]}" $LIBS \
			-o "$OUT/fuzz_$t" &
	done
	wait
	for t in "${TARGETS[@]}"; do
		[ -x "$OUT/fuzz_$t" ] || { echo "fuzz: fuzz_$t did not build" >&2; exit 1; }
	done
}

# replay TARGET: run every seed once (fails on any crash or leak).
replay() {
	local t=$1
	"$OUT/fuzz_$t" -runs=1 "$ROOT/tests/fuzz/corpus/$t"/* \
		>"$OUT/replay_$t.log" 2>&1 ||
		{ tail -40 "$OUT/replay_$t.log" >&2; return 1; }
}

# fuzz TARGET SECONDS
fuzz() {
	local t=$1 secs=$2
	mkdir -p "$OUT/work/$t"
	if "$OUT/fuzz_$t" "$OUT/work/$t" "$ROOT/tests/fuzz/corpus/$t" \
		-max_total_time="$secs" -timeout=5 -rss_limit_mb=512 \
		-max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$OUT/artifacts/$t-" >"$OUT/fuzz_$t.log" 2>&1; then
		printf '  %-8s %s\n' "$t" "$(grep -E '^stat::number_of_executed_units' \
			"$OUT/fuzz_$t.log" | awk '{print $2 " runs, no crash"}')"
	else
		printf '  %-8s FAILED (see %s)\n' "$t" "$OUT/fuzz_$t.log"
		tail -40 "$OUT/fuzz_$t.log" >&2
		return 1
	fi
}
export -f fuzz
export OUT ROOT

run_all() {
	local secs=$1 jobs=${FUZZ_JOBS:-$(nproc)}
	shift
	printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c "fuzz {} $secs"
}

case "${1:-smoke}" in
build)
	build
	;;
smoke)
	start=$SECONDS
	say "build"
	build
	say "replay the seed corpora"
	for t in "${TARGETS[@]}"; do replay "$t"; done
	say "fuzz each target ${FUZZ_SECONDS:-10} s"
	run_all "${FUZZ_SECONDS:-10}" "${TARGETS[@]}"
	say "done in $((SECONDS - start)) s"
	;;
run)
	build
	if [ $# -ge 2 ]; then set -- "${@:2}"; else set -- "${TARGETS[@]}"; fi
	for t in "$@"; do replay "$t"; done
	run_all "${FUZZ_SECONDS:-300}" "$@"
	;;
*)
	echo "usage: $0 build|smoke|run [target...]" >&2
	exit 2
	;;
esac
