#!/usr/bin/env bash
# bench/reader_cpu.sh — server CPU per request (utime + stime of `eddy
# serve` from /proc/PID/stat) over N sequential curl requests per URL: a
# steadier figure than wrk's on a shared machine.  Each URL gets 3 warm-up
# requests first.  A URL with "%d" in it is asked with the request's
# number there (a distinct query each time: the response cache bypassed).
#   bench/reader_cpu.sh DATA [N] [PATH...]   (defaults: 300; / /api/v1/entries)
#   EDDY_BUILD: the build folder whose eddy runs (default build)
#   KEEPALIVE=1: one keep-alive connection instead (wrk -c1 -t1 -d5s, N
#   ignored; bench/reader_bypass.lua for a URL with "%x"): without the cost
#   of a new connection per request, which dominates a cache hit
set -eu
build=${EDDY_BUILD:-build}
data=$1 n=${2:-300}
shift $(($# > 1 ? 2 : 1))
[ $# -gt 0 ] || set -- / /api/v1/entries
log=$(mktemp)
"$build/eddy" serve --data "$data" --listen 127.0.0.1:0 --demo '' 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -f "$log"' EXIT
. "$(dirname "$0")/lib.sh"
url=$(wait_url "$log") || exit 1
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
N=$n
for path in "$@"; do
    n=$N
    for i in 1 2 3; do curl -s -o /dev/null "$url$(printf "$path" "$i" 2>/dev/null)"; done
    bytes=$(curl -s "$url$(printf "$path" 1 2>/dev/null)" | wc -c)
    a=$(cpu)
    if [ -n "${KEEPALIVE:-}" ]; then
        case $path in
        *%*) n=$(wrk -c1 -t1 -d5s -s "$(dirname "$0")/reader_bypass.lua" "$url/" -- "$path" | awk '/requests in/ {print $1}') ;;
        *) n=$(wrk -c1 -t1 -d5s "$url$path" | awk '/requests in/ {print $1}') ;;
        esac
    else
        for i in $(seq 1000 $((999 + n))); do curl -s -o /dev/null "$url$(printf "$path" "$i" 2>/dev/null)"; done
    fi
    b=$(cpu)
    awk -v p="$path" -v t=$((b - a)) -v n="$n" -v hz="$tck" -v by="$bytes" \
        'BEGIN {printf "%-40s %7.3f ms CPU per request (%d requests, %d bytes)\n", p, t * 1000 / hz / n, n, by}'
done
