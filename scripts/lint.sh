#!/usr/bin/env bash
# make lint: static analysis of src/ with cppcheck and clang-tidy.
# Fails on any finding. Both tools come from Debian (scripts/install.sh).
#
#   cppcheck    warning, style, performance and portability checks, with
#               scripts/lint/cppcheck.cfg for the jansson and Kore macros;
#               variableScope is off (house style declares variables at the
#               top of a function, see STYLE.md).
#   clang-tidy  the checks of .clang-tidy (clang static analyser, bugprone,
#               a few CERT rules), each file compiled with the flags the
#               Makefile uses (Kore's feature flags for src/api).
#
# False positives are silenced at the line, with the reason next to it:
# /* cppcheck-suppress <id> */ or /* NOLINTNEXTLINE(<check>) */.
#
# Knobs: LINT_JOBS (parallel clang-tidy runs, default 2), LINT_ONLY=cppcheck
# or LINT_ONLY=clang-tidy, and file arguments to lint only those files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VIGIE_ROOT"

jobs=${LINT_JOBS:-2}
only=${LINT_ONLY:-}
if [ "$#" -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(git ls-files 'src/*.c')
fi
[ "${#files[@]}" -gt 0 ] || die "lint: no source file"

for tool in cppcheck clang-tidy pkg-config; do
	command -v "$tool" >/dev/null || die "lint: $tool not found (scripts/install.sh installs it)"
done

status=0

if [ -z "$only" ] || [ "$only" = cppcheck ]; then
	say "cppcheck ($(cppcheck --version))"
	if ! cppcheck -q -j "$jobs" --std=c11 --error-exitcode=1 \
		--enable=warning,style,performance,portability \
		--inline-suppr --library=scripts/lint/cppcheck.cfg \
		--suppress=missingIncludeSystem --suppress=variableScope \
		-Isrc -D_GNU_SOURCE -D__GNUC__ \
		--template='{file}:{line}: {severity} [{id}] {message}' \
		"${files[@]}"; then
		status=1
	fi
fi

if [ -z "$only" ] || [ "$only" = clang-tidy ]; then
	say "clang-tidy ($(clang-tidy --version | sed -n 's/.*LLVM version //p'), $jobs jobs)"
	# es_setup.c includes the header the Makefile generates from elk/.
	make --no-print-directory -s build/gen/es_templates.h
	pkg_cflags=$(pkg-config --cflags libmongoc-1.0 hiredis libcurl jansson libjwt libargon2)
	kore_features=$(cat /usr/share/kore/features 2>/dev/null || true)
	out=$(mktemp)
	trap 'rm -f "$out"' EXIT
	# One clang-tidy per file; a file's findings are printed together.
	printf '%s\n' "${files[@]}" |
		KORE_FEATURES="$kore_features" OUT="$out" xargs -P "$jobs" -I{} sh -c '
		f=$1; shift
		extra=""
		case "$f" in src/api/*) extra=$KORE_FEATURES ;; esac
		if ! clang-tidy -quiet "$f" -- -std=c11 -D_GNU_SOURCE -Isrc \
			-Ibuild/gen -DVIGIE_VERSION="\"lint\"" $extra "$@" \
			>"$OUT.$$" 2>/dev/null; then
			cat "$OUT.$$"; echo "FAILED $f"
		fi
		rm -f "$OUT.$$"' sh {} $pkg_cflags >"$out"
	if grep -q '^FAILED ' "$out"; then
		grep -v '^FAILED ' "$out"
		echo "clang-tidy: findings in $(grep -c '^FAILED ' "$out") file(s)" >&2
		status=1
	fi
fi

if [ "$status" -eq 0 ]; then
	say "lint: no finding in ${#files[@]} files"
fi
exit "$status"
