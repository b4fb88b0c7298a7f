#!/usr/bin/env bash
# Fluent Bit against Vigie: build it from a source tree you already have
# (this script never downloads anything), and ship a log file through its
# `tail` input and `es` output into a Vigie tenant.
#
#   scripts/fluentbit.sh build <fluent-bit source dir> [build dir]
#       cmake + make of a minimal Fluent Bit (tail, parser, es, stdout);
#       the binary lands in <build dir>/bin/fluent-bit
#       (default build dir: /work/fluentbit-build). Needs cmake, flex,
#       bison, pkg-config, libssl-dev, libyaml-dev.
#
#   scripts/fluentbit.sh ship <vigie base url> <api key> <log file> [binary]
#       ships the Apache/Nginx combined log file once, from its first line,
#       to <vigie base url>/_bulk with the key as HTTP password, then exits
#       (tail's Exit_On_EOF; pending chunks are flushed in the grace
#       period). Prints the seconds it took. The binary defaults to
#       $VIGIE_FLUENTBIT or /work/fluentbit-build/bin/fluent-bit;
#       FLUENTBIT_COMPRESS=gzip makes it compress its requests.
#
# Neither Fluent Bit's source nor its build belongs in this repository.
set -euo pipefail

usage() {
	sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

cmd_build() {
	local src=${1:?source dir} out=${2:-/work/fluentbit-build}
	[[ -f $src/CMakeLists.txt && -d $src/plugins/out_es ]] ||
		{ echo "$src is not a Fluent Bit source tree" >&2; exit 1; }
	mkdir -p "$out"
	# Everything optional off: the proof needs tail, a regex parser and
	# the es output. (v3.1 needs TLS and the HTTP server libraries to
	# link, even when unused; its sqlite is left out, so no tail DB.)
	cmake -S "$src" -B "$out" \
		-DFLB_MINIMAL=On -DFLB_ALL=Off -DFLB_RELEASE=On -DFLB_DEBUG=Off \
		-DFLB_IN_TAIL=On -DFLB_PARSER=On -DFLB_OUT_ES=On \
		-DFLB_OUT_STDOUT=On -DFLB_EXAMPLES=Off -DFLB_SHARED_LIB=Off \
		-DFLB_TLS=On -DFLB_HTTP_SERVER=On -DFLB_SQLDB=Off \
		-DFLB_LUAJIT=Off -DFLB_WASM=Off -DFLB_AWS=Off -DFLB_SIGNV4=Off \
		-DFLB_STREAM_PROCESSOR=Off -DFLB_PROXY_GO=Off \
		-DFLB_CUSTOM_CALYPTIA=Off -DFLB_IN_CALYPTIA_FLEET=Off \
		-DFLB_BACKTRACE=Off -DFLB_CONFIG_YAML=Off
	make -C "$out" -j"$(nproc)" fluent-bit-bin
	echo "built $out/bin/fluent-bit"
}

cmd_ship() {
	local base=${1:?vigie base url} key=${2:?api key} file=${3:?log file}
	local bin=${4:-${VIGIE_FLUENTBIT:-/work/fluentbit-build/bin/fluent-bit}}
	local hostport host port start end

	[[ -x $bin ]] || { echo "no Fluent Bit binary at $bin" >&2; exit 1; }
	[[ -r $file ]] || { echo "cannot read $file" >&2; exit 1; }
	hostport=${base#http://}
	hostport=${hostport%%/*}
	host=${hostport%%:*}
	port=${hostport##*:}
	[[ $port != "$hostport" ]] || port=80
	dir=$(mktemp -d) # global: the EXIT trap runs after this function
	trap 'rm -rf "$dir"' EXIT

	# The group names are ones Vigie maps to ECS fields (client.ip,
	# http.response.status_code, ...); the regex is Fluent Bit's apache2.
	cat >"$dir/parsers.conf" <<'EOF'
[PARSER]
    Name        vigie_apache
    Format      regex
    Regex       ^(?<client_ip>[^ ]*) [^ ]* (?<remote_user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^ ]*) +(?<protocol>\S*))?" (?<status>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>.*)")?$
    Time_Key    time
    Time_Format %d/%b/%Y:%H:%M:%S %z
    Time_Keep   Off
    Types       status:integer size:integer
EOF
	cat >"$dir/fluent-bit.conf" <<EOF
[SERVICE]
    Flush        1
    Grace        30
    Log_Level    info
    Parsers_File $dir/parsers.conf

[INPUT]
    Name           tail
    Path           $file
    Read_from_Head On
    Exit_On_EOF    On
    Parser         vigie_apache
    Buffer_Max_Size 1M
    Tag            vigie.apache

[OUTPUT]
    Name               es
    Match              *
    Host               $host
    Port               $port
    HTTP_User          fluentbit
    HTTP_Passwd        $key
    Index              anything
    Suppress_Type_Name On
    # The answer lists every item: do not cap the buffer reading it.
    Buffer_Size        False
    Retry_Limit        5
    Trace_Error        On
EOF
	if [[ -n ${FLUENTBIT_COMPRESS:-} ]]; then
		echo "    Compress           $FLUENTBIT_COMPRESS" \
			>>"$dir/fluent-bit.conf"
	fi
	start=$(date +%s.%N)
	"$bin" -c "$dir/fluent-bit.conf"
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" \
		'BEGIN { printf "shipped in %.2f s\n", e - s }'
}

case ${1:-} in
build) shift; cmd_build "$@" ;;
ship) shift; cmd_ship "$@" ;;
*) usage ;;
esac
