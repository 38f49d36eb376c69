#!/usr/bin/env bash
# The process-level server: examples/hello with 2 worker threads on one
# SO_REUSEPORT port (port 0 resolved once), its soft descriptor limit raised
# to the hard one, many curl requests spread over the workers, SIGHUP reopens
# the access log (logrotate's way: move, HUP), SIGTERM ends it gracefully
# with status 0.
set -u
hello="$EDDY_BUILD/examples/hello"
log=$(mktemp); dir=$(mktemp -d)
trap 'rm -rf "$log" "$dir"; kill -9 $pid 2>/dev/null' EXIT
# Started with a low soft descriptor limit: the server raises it to the hard one.
(ulimit -Sn 256; exec "$hello" --listen 127.0.0.1:0 --workers 2 --access-log "$dir/access.log") 2>"$log" &
pid=$!
for _ in $(seq 50); do grep -q 'serving on' "$log" && break; sleep 0.1; done
port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$log")
[ -n "$port" ] || { echo "FAIL: no port: $(cat "$log")"; exit 1; }
# An option without its value is a usage error, not silently ignored.
timeout 5 "$hello" --listen 127.0.0.1:0 --workers >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: --workers without a value was accepted"; exit 1; }
ok=0
for i in $(seq 40); do
    [ "$(curl -s "http://127.0.0.1:$port/")" = "Hello, World!" ] && ok=$((ok + 1))
done
[ "$ok" -eq 40 ] || { echo "FAIL: $ok/40 answered"; exit 1; }
read -r soft hard < <(awk '/^Max open files/ {print $4, $5}' /proc/$pid/limits)
[ "$soft" = "$hard" ] || { echo "FAIL: descriptor limit $soft, hard $hard"; exit 1; }
# Two threads are serving (besides the main one): the process has 3+ threads.
threads=$(ls /proc/$pid/task | wc -l)
[ "$threads" -ge 3 ] || { echo "FAIL: $threads threads"; exit 1; }
sleep 0.5 # the log is flushed within 200 ms
[ "$(grep -c '"GET / HTTP/1.1" 200 13' "$dir/access.log")" -eq 40 ] || { echo "FAIL: access log: $(head -3 "$dir/access.log")"; exit 1; }
mv "$dir/access.log" "$dir/access.log.1"
kill -HUP $pid; sleep 0.2
[ "$(curl -s "http://127.0.0.1:$port/")" = "Hello, World!" ] || { echo "FAIL: dead after SIGHUP"; exit 1; }
sleep 0.5
[ "$(wc -l <"$dir/access.log")" -eq 1 ] || { echo "FAIL: no new access log after SIGHUP"; exit 1; }
kill -TERM $pid
wait $pid; st=$?
[ "$st" -eq 0 ] || { echo "FAIL: exit status $st after SIGTERM: $(cat "$log")"; exit 1; }
curl -s "http://127.0.0.1:$port/" >/dev/null && { echo "FAIL: still answering"; exit 1; }
echo "ok: 40 requests over 2 workers, access log reopened on SIGHUP, graceful SIGTERM"
