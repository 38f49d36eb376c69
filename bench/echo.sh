#!/usr/bin/env bash
# bench/echo.sh — uvloop's echo benchmark: eddy vs asyncio vs uvloop, one core each.
#
#   bench/echo.sh [--duration SECONDS] [--conns N] [--sizes "64 1024 16384"]
#
# Each server (build/bench/net_echo_server; bench/echo_server.py on asyncio,
# then on uvloop) runs alone, pinned to CPU 1, while the C load client
# (build/bench/net_echo_client) runs on CPU 0: N connections, one message in
# flight on each.  Prints messages per second side by side and eddy's ratio.
# Figures, not a test: nothing here passes or fails on a timing.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${EDDY_BUILD:-$top/build}
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
duration=5 conns=10 sizes="64 1024 16384"
while [ $# -gt 0 ]; do
    case $1 in
        --duration) duration=$2; shift 2;;
        --conns) conns=$2; shift 2;;
        --sizes) sizes=$2; shift 2;;
        *) sed -n '2,11p' "$0"; exit 2;;
    esac
done
for b in net_echo_server net_echo_client; do
    [ -x "$build/bench/$b" ] || { echo "echo.sh: $build/bench/$b missing: run make first" >&2; exit 2; }
done

# Pin server and client to different CPUs when there are two.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    on_srv="taskset -c 1" on_cli="taskset -c 0"
else
    on_srv="" on_cli=""
    echo "echo.sh: fewer than 2 CPUs (or no taskset): server and client share the machine" >&2
fi

srv=""
stop() {
    if [ -n "$srv" ]; then
        kill "$srv" 2>/dev/null
        wait "$srv" 2>/dev/null
        srv=""
    fi
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

port=$((20000 + RANDOM % 20000))
declare -A rate
# bench NAME COMMAND... : serves with COMMAND on $port and loads it at each size.
bench() {
    local name=$1 size out
    shift
    port=$((port + 1))
    $on_srv "$@" --port "$port" >/dev/null 2>&1 &
    srv=$!
    for size in $sizes; do
        out=$($on_cli "$build/bench/net_echo_client" --port "$port" --conns "$conns" \
              --size "$size" --duration "$duration") || out=""
        [[ $out =~ msgs_per_s=([0-9]+) ]] && rate[$name,$size]=${BASH_REMATCH[1]} || rate[$name,$size]=-
        echo "  $name size=$size: ${out:-failed}" >&2
    done
    stop
}

bench eddy "$build/bench/net_echo_server"
bench asyncio "$py" "$top/bench/echo_server.py"
if "$py" -c 'import uvloop' 2>/dev/null; then
    bench uvloop "$py" "$top/bench/echo_server.py" --uvloop
else
    echo "echo.sh: uvloop is not installed (apt-get install python3-uvloop)" >&2
fi

ratio() { [[ $1 =~ ^[0-9]+$ && $2 =~ ^[1-9][0-9]*$ ]] && awk "BEGIN{printf \"%.2fx\", $1/$2}" || echo -; }
echo
echo "echo, $conns connections, ${duration}s per run, server on one core (messages/s):"
printf '%8s %12s %12s %12s %10s %10s\n' size eddy asyncio uvloop eddy/async eddy/uvl
for size in $sizes; do
    e=${rate[eddy,$size]:--} a=${rate[asyncio,$size]:--} u=${rate[uvloop,$size]:--}
    printf '%8s %12s %12s %12s %10s %10s\n' "$size" "$e" "$a" "$u" "$(ratio "$e" "$a")" "$(ratio "$e" "$u")"
done
