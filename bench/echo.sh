#!/usr/bin/env bash
# bench/echo.sh — uvloop's echo benchmark: eddy vs asyncio vs uvloop, one core each.
#
#   bench/echo.sh [--duration SECONDS] [--conns N] [--sizes "64 1024 16384"] [--runs R]
#
# Each server (build/bench/net_echo_server; bench/echo_server.py on asyncio,
# then on uvloop; and build/bench/net_echo_epoll, a bare epoll loop in C that
# shows the kernel's floor) runs alone, pinned to CPU 1, while the C load client
# (build/bench/net_echo_client) runs on CPU 0: N connections, one message in
# flight on each.  Prints messages per second side by side and eddy's ratio,
# and the server's CPU time per message (user + system, from /proc): on a
# shared machine the throughput moves with everyone else's load, the CPU cost
# much less.  With --runs R each figure is the best of R runs.
# Figures, not a test: nothing here passes or fails on a timing.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${EDDY_BUILD:-$top/build}
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
duration=5 conns=10 sizes="64 1024 16384" runs=1
while [ $# -gt 0 ]; do
    case $1 in
        --duration) duration=$2; shift 2;;
        --conns) conns=$2; shift 2;;
        --sizes) sizes=$2; shift 2;;
        --runs) runs=$2; shift 2;;
        *) sed -n '2,11p' "$0"; exit 2;;
    esac
done
for b in net_echo_server net_echo_client net_echo_epoll; do
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
declare -A cpu
# CPU time (user + system, clock ticks) that process $1 has used.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# bench NAME COMMAND... : serves with COMMAND on $port and loads it at each
# size, $runs times, keeping the best run.  Besides messages/s it records the
# server's CPU time per message, the figure that other load on the machine
# disturbs least.
bench() {
    local name=$1 size out run t0 t1 msgs hz
    shift
    hz=$(getconf CLK_TCK)
    port=$((port + 1))
    $on_srv "$@" --port "$port" >/dev/null 2>&1 &
    srv=$!
    for size in $sizes; do
        rate[$name,$size]=- cpu[$name,$size]=-
        for run in $(seq "$runs"); do
            t0=$(ticks "$srv")
            out=$($on_cli "$build/bench/net_echo_client" --port "$port" --conns "$conns" \
                  --size "$size" --duration "$duration") || out=""
            t1=$(ticks "$srv")
            echo "  $name size=$size: ${out:-failed}" >&2
            [[ $out =~ msgs=([0-9]+).*msgs_per_s=([0-9]+) ]] || continue
            msgs=${BASH_REMATCH[1]}
            if [[ ${rate[$name,$size]} == - ]] || (( BASH_REMATCH[2] > rate[$name,$size] )); then
                rate[$name,$size]=${BASH_REMATCH[2]}
                cpu[$name,$size]=$(awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / $hz * 1e6 / $msgs}")
            fi
        done
    done
    stop
}

bench epoll "$build/bench/net_echo_epoll"
bench eddy "$build/bench/net_echo_server"
bench asyncio "$py" "$top/bench/echo_server.py"
if "$py" -c 'import uvloop' 2>/dev/null; then
    bench uvloop "$py" "$top/bench/echo_server.py" --uvloop
else
    echo "echo.sh: uvloop is not installed (apt-get install python3-uvloop)" >&2
fi

ratio() { [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] && awk "BEGIN{ if ($2 > 0) printf \"%.2fx\", $1/$2; else print \"-\" }" || echo -; }
echo
echo "echo, $conns connections, ${duration}s per run, best of $runs, server on one core"
echo "messages/s:"
printf '%8s %10s %10s %10s %12s %11s %10s\n' size eddy asyncio uvloop "(bare epoll)" eddy/asyncio eddy/uvloop
for size in $sizes; do
    e=${rate[eddy,$size]:--} a=${rate[asyncio,$size]:--} u=${rate[uvloop,$size]:--} p=${rate[epoll,$size]:--}
    printf '%8s %10s %10s %10s %12s %11s %10s\n' "$size" "$e" "$a" "$u" "$p" "$(ratio "$e" "$a")" "$(ratio "$e" "$u")"
done
echo "server CPU microseconds per message (lower is better; ratio = how many times cheaper eddy is):"
printf '%8s %10s %10s %10s %12s %11s %10s\n' size eddy asyncio uvloop "(bare epoll)" asyncio/eddy uvloop/eddy
for size in $sizes; do
    e=${cpu[eddy,$size]:--} a=${cpu[asyncio,$size]:--} u=${cpu[uvloop,$size]:--} p=${cpu[epoll,$size]:--}
    printf '%8s %10s %10s %10s %12s %11s %10s\n' "$size" "$e" "$a" "$u" "$p" "$(ratio "$a" "$e")" "$(ratio "$u" "$e")"
done
