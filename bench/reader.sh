#!/usr/bin/env bash
# bench/reader.sh — the reader's speed (issue 10's targets), with wrk:
# `eddy serve` on a data folder of 100,000 entries in 500 feeds
# (bench/fill-store, made once and kept), wrk -c64 -t2 --latency against:
#   river       GET /  (the river page, 50 entries)
#   api         GET /api/v1/entries  (50 entries as JSON)
#   api-gzip    the same with Accept-Encoding: gzip, as browsers, curl
#               --compressed and Python's requests send it
#   search      GET /?q=harbor  (the page)   api-search  /api/v1/entries?q=harbor
#   refresh     GET /  while a refresh pass runs: every feed made due (POST
#               /api/v1/feeds/ID/refresh) just before, bench/reader_feeds.py
#               serving each a changed feed (5 new entries of 20 at every
#               fetch) after FEED_DELAY seconds (0.15: 8 fetches at once per
#               host make the pass last about the 10 s)
#   river-miss, api-miss, search-miss  the same, each request a distinct
#               cursor (bench/reader_bypass.lua): the response cache bypassed
#   hello       build/examples/hello's GET /, for scale
# Each ROUNDS times (2); prints rps, p50 and p99 of each round, then the page
# weight (HTML + CSS + JS of /).  Figures only, nothing judged.
#   READER_DATA  the data folder (default: $TMPDIR/eddy-reader-bench)
#   READER_SECONDS per measurement (10), ROUNDS (2), FEED_PORT (18999)
set -eu
build=${EDDY_BUILD:-build}
top=${EDDY_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
data=${READER_DATA:-${TMPDIR:-/tmp}/eddy-reader-bench}
secs=${READER_SECONDS:-10} rounds=${ROUNDS:-2} feed_port=${FEED_PORT:-18999}
command -v wrk >/dev/null || { echo "reader.sh: wrk is not installed (scripts/deps)"; exit 0; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

if [ ! -f "$data/eddy.db" ]; then
    echo "filling $data (once):"
    "$build/bench/fill-store" "$data" 500 100000 "http://127.0.0.1:$feed_port"
fi
python3 "$top/bench/reader_feeds.py" "$feed_port" "${FEED_DELAY:-0.15}" & pids+=($!)
# Listening before eddy serve's first pass (refused, its 500 fetches failed
# at once and the feeds backed off).
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$feed_port/" && break; sleep 0.1; done

log=$(mktemp)
"$build/eddy" serve --data "$data" --listen 127.0.0.1:0 --demo '' 2>"$log" & pids+=($!)
. "$top/bench/lib.sh"
url=$(wait_url "$log") || exit 1
hello_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/examples/hello" --port "$hello_port" >/dev/null 2>&1 & pids+=($!)
sleep 0.5
curl -s "$url/" >/dev/null # the first request warms the page cache

# "rps p50 p99" of one wrk run (more arguments: wrk's, e.g. a script).
measure() {
    wrk -c64 -t2 -d"${secs}s" --timeout 30s --latency "$@" | awk '
        /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^Requests\/sec/ {rps=$2}
        /Non-2xx/ {bad=$NF} /Socket errors/ {bad=bad " " $0}
        END {printf "%10s rps  p50 %8s  p99 %8s%s\n", rps, p50, p99, bad ? "  errors:" bad : ""}'
}

# Makes every feed due now (the server idle meanwhile: under wrk these
# requests would queue behind its 64 connections).
make_due() {
    python3 - "$url" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
ids = [f["id"] for f in json.load(urllib.request.urlopen(url + "/api/v1/feeds"))["feeds"]]
for i in ids:
    urllib.request.urlopen(urllib.request.Request(url + "/api/v1/feeds/%d/refresh" % i, data=b"", method="POST"))
print(len(ids))
PY
}

for r in $(seq "$rounds"); do
    echo "round $r ($secs s each, wrk -c64 -t2):"
    printf '  %-11s' river;      measure "$url/"
    printf '  %-11s' api;        measure "$url/api/v1/entries"
    printf '  %-11s' api-gzip;   measure -H "Accept-Encoding: gzip" "$url/api/v1/entries"
    printf '  %-11s' search;     measure "$url/?q=harbor"
    printf '  %-11s' api-search; measure "$url/api/v1/entries?q=harbor"
    # The same pages, each request a URL the response cache never kept:
    # what a page costs to build (cursors "7fffffff-N": the first page).
    bypass="$top/bench/reader_bypass.lua"
    printf '  %-11s' river-miss;  measure -s "$bypass" "$url/" -- "/?after=7fffffff-%x"
    printf '  %-11s' api-miss;    measure -s "$bypass" "$url/" -- "/api/v1/entries?cursor=7fffffff-%x"
    printf '  %-11s' search-miss; measure -s "$bypass" "$url/" -- "/?q=harbor&after=7fffffff-%x"
    printf '  %-11s' hello;      measure "http://127.0.0.1:$hello_port/"
    due=$(make_due)
    printf '  %-11s' refresh;    measure "$url/"
    echo "    ($due feeds made due just before; the pass's fetches and duration:)"
    curl -s "$url/metrics" | awk '/^eddy_response_cache_total/{printf "    %s\n", $0}'
    curl -s "$url/metrics" | awk '/^eddy_refresh_passes_total|^eddy_refresh_last_pass_seconds|^eddy_entries |^eddy_fetches_total|^eddy_entries_stored_total/{printf "    %s\n", $0}'
done

html=$(curl -s "$url/" | wc -c)
css=$(curl -s "$url/static/eddy.css" | wc -c)
js=$(curl -s "$url/static/eddy.js" | wc -c)
ev=$(curl -s "$url/static/events.js" | wc -c) # the SharedWorker eddy.js starts
echo "page weight of /: HTML $html + CSS $css + JS $js + $ev = $((html + css + js + ev)) bytes"
