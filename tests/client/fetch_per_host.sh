#!/usr/bin/env bash
# `eddy fetch --per-host N` holds to N connections to one host however many
# threads it spreads over (each thread has its own session, so a share per
# thread below 1 must not round up to 1 per thread).
set -u
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
"$py" "$EDDY_TOP/tests/client/support/httpd.py" >"$tmp/port" &
pid=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(head -n1 "$tmp/port")
[ -n "$port" ] || { echo "FAIL: httpd did not start"; exit 1; }
urls=$(for i in $(seq 16); do echo "http://127.0.0.1:$port/slow/$((200 + i))"; done)
# The bodies are not feeds: only the concurrency matters here.
"$EDDY_BUILD/eddy" fetch --per-host 2 --threads 4 --concurrency 8 $urls >/dev/null 2>&1
peak=$(curl -s "http://127.0.0.1:$port/stats")
[ "$peak" -le 2 ] || { echo "FAIL: $peak requests at once to one host, --per-host 2"; exit 1; }
echo "ok: --per-host 2 over 4 threads: at most $peak at once"
