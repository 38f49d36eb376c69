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
# and the server's CPU time per message (user + system, from /proc), then its
# user-space part alone, which is what a runtime adds to the kernel's work: on
# a shared machine the throughput moves with everyone else's load, the CPU
# cost much less.  With --runs R each figure is the best of R runs.
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

# All servers start at once, each on its own port, idle until its turn (an
# idle server sleeps in epoll_wait and costs nothing); the runs take turns
# (for each run, each size, each server) so that other load on a shared
# machine falls on all of them alike.
pids=()
stop() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    pids=()
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

base=$((20000 + RANDOM % 20000))
names=()
declare -A port pid rate cpu usr
# serve NAME COMMAND... : starts COMMAND --port P in the background.
serve() {
    local name=$1
    shift
    port[$name]=$((base + ${#names[@]}))
    $on_srv "$@" --port "${port[$name]}" >/dev/null 2>&1 &
    pid[$name]=$! names+=("$name") pids+=($!)
}
serve eddy "$build/bench/net_echo_server"
serve asyncio "$py" "$top/bench/echo_server.py"
if "$py" -c 'import uvloop' 2>/dev/null; then
    serve uvloop "$py" "$top/bench/echo_server.py" --uvloop
else
    echo "echo.sh: uvloop is not installed (apt-get install python3-uvloop)" >&2
fi
serve epoll "$build/bench/net_echo_epoll"

# CPU time that process $1 has used, in clock ticks: "user system".
ticks() { awk '{print $14, $15}' "/proc/$1/stat" 2>/dev/null || echo 0 0; }
hz=$(getconf CLK_TCK)
# Keeps, per server and size, the best messages/s of $runs runs and the
# server's CPU time per message in that run.
for run in $(seq "$runs"); do
    for size in $sizes; do
        for name in "${names[@]}"; do
            t0=$(ticks "${pid[$name]}")
            out=$($on_cli "$build/bench/net_echo_client" --port "${port[$name]}" --conns "$conns" \
                  --size "$size" --duration "$duration") || out=""
            t1=$(ticks "${pid[$name]}")
            echo "  run $run $name size=$size: ${out:-failed}" >&2
            [[ $out =~ msgs=([0-9]+).*msgs_per_s=([0-9]+) ]] || continue
            msgs=${BASH_REMATCH[1]} r=${BASH_REMATCH[2]}
            if (( r > ${rate[$name,$size]:-0} )); then
                rate[$name,$size]=$r
                read -r u0 s0 <<<"$t0"
                read -r u1 s1 <<<"$t1"
                cpu[$name,$size]=$(awk "BEGIN{printf \"%.2f\", ($u1 + $s1 - $u0 - $s0) / $hz * 1e6 / $msgs}")
                usr[$name,$size]=$(awk "BEGIN{printf \"%.2f\", ($u1 - $u0) / $hz * 1e6 / $msgs}")
            fi
        done
    done
done
stop

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
echo "of which user space, the runtime's own share (the rest is the kernel's TCP stack):"
printf '%8s %10s %10s %10s %12s %11s %10s\n' size eddy asyncio uvloop "(bare epoll)" asyncio/eddy uvloop/eddy
for size in $sizes; do
    e=${usr[eddy,$size]:--} a=${usr[asyncio,$size]:--} u=${usr[uvloop,$size]:--} p=${usr[epoll,$size]:--}
    printf '%8s %10s %10s %10s %12s %11s %10s\n' "$size" "$e" "$a" "$u" "$p" "$(ratio "$a" "$e")" "$(ratio "$u" "$e")"
done
# When the client, not the server, sets the pace (one message in flight per
# connection, a shared machine), the messages/s above is the same for every
# server and the server is partly idle; what one core can serve is 1 / CPU
# per message.
echo "what one server core can serve = 1e6 / CPU microseconds per message (messages/s):"
printf '%8s %10s %10s %10s %12s %11s %10s\n' size eddy asyncio uvloop "(bare epoll)" eddy/asyncio eddy/uvloop
cap() { [[ $1 =~ ^[0-9.]+$ ]] && awk "BEGIN{ if ($1 > 0) printf \"%.0f\", 1e6 / $1; else print \"-\" }" || echo -; }
for size in $sizes; do
    e=$(cap "${cpu[eddy,$size]:--}") a=$(cap "${cpu[asyncio,$size]:--}")
    u=$(cap "${cpu[uvloop,$size]:--}") p=$(cap "${cpu[epoll,$size]:--}")
    printf '%8s %10s %10s %10s %12s %11s %10s\n' "$size" "$e" "$a" "$u" "$p" "$(ratio "$e" "$a")" "$(ratio "$e" "$u")"
done
