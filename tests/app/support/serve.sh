# serve.sh — sourced by the tests/app/serve*.sh scripts (not a test itself),
# after lib.sh: `eddy serve` in the background on a free loopback port.

# start_serve ARGS...: starts `eddy serve --listen 127.0.0.1:0 ARGS`, waits
# for its "serving" line; sets $serve_pid and $url (http://127.0.0.1:PORT).
start_serve() {
    : >"$tmp/serve.err"
    "$eddy" serve --listen 127.0.0.1:0 "$@" 2>"$tmp/serve.err" >/dev/null &
    serve_pid=$!
    url=
    for _ in $(seq 600); do
        url=$(sed -n 's|.*serving \(http://[^/]*\)/.*|\1|p' "$tmp/serve.err")
        [ -n "$url" ] && return 0
        kill -0 "$serve_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAIL: eddy serve did not start: $(cat "$tmp/serve.err")"
    return 1
}

# stop_serve: SIGTERM, waits; leaves $serve_status.
stop_serve() {
    kill -TERM "$serve_pid"
    wait "$serve_pid"
    serve_status=$?
}

# wait_until 'CONDITION': evaluates it every 0.1 s, for 60 s at most.
wait_until() {
    for _ in $(seq 600); do
        eval "$1" && return 0
        sleep 0.1
    done
    return 1
}

# http PATH [CURL ARGS...]: the status code of GET $url/PATH; the body in $tmp/body.
http() {
    local path=$1; shift
    curl -s -o "$tmp/body" -w '%{http_code}' "$@" "$url$path"
}

# metric NAME: one sample of GET /metrics (NAME with its labels).
metric() {
    curl -s "$url/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

# entries: how many entries the server has stored, as the API lists them.
entries() {
    curl -sf -H "Authorization: Bearer ${EDDY_TOKEN:-}" "$url/api/v1/entries?limit=1000" |
        "$py" -c 'import json, sys; print(len(json.load(sys.stdin)["entries"]))'
}
