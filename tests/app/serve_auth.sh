#!/usr/bin/env bash
# `eddy serve`'s access rules: with a token (EDDY_TOKEN, --token-file) every
# /api/ request needs `Authorization: Bearer TOKEN` or gets 401 JSON; the
# front page, /metrics and /demo/ stay open; without a token, an address
# other than loopback is refused with one line saying how to set one.
. "$(dirname "$0")/support/lib.sh"
. "$(dirname "$0")/support/serve.sh"
unset EDDY_TOKEN EDDY_LISTEN
run serve --help
expect "eddy serve --help: exit 0, synopsis, --listen and --token-file" \
    '[ "$status" -eq 0 ] && grep -q "^usage: eddy serve " "$tmp/out" && grep -q -- "--listen HOST:PORT" "$tmp/out" && grep -q -- "--token-file FILE" "$tmp/out"'
refused "eddy serve: unknown option '--bogus'" serve --bogus
refused "eddy serve: --concurrency: expected an integer from 1 to 100000, got '0'" serve --concurrency 0
refused "eddy serve: --interval: expected a duration from 1m to 24h (like 5s, 250ms, 2m; a plain number is seconds), got '5s'" serve --interval 5s
refused "eddy serve: unexpected argument 'x': expected no argument" serve x
expect "nothing refused created the data folder" '[ ! -e "$data" ]'
run serve --data "$data" --demo '' --allow 10.0.0.0/33
expect "--allow 10.0.0.0/33: exit 1, said why" '[ "$status" -eq 1 ] && grep -q -- "--allow" "$tmp/err"'

mkdir "$tmp/demo"
echo '<rss version="2.0"><channel><title>d</title></channel></rss>' >"$tmp/demo/d.xml"

EDDY_TOKEN=s3cret-token start_serve --data "$data" --demo "$tmp/demo" || { summary; exit 1; }
code=$(http /api/v1/entries)
[ "$code" = 401 ] && "$py" -c 'import json,sys; assert json.load(open(sys.argv[1]))["error"]' "$tmp/body"
verdict "no Authorization: 401 with a JSON error (got $code)"
curl -s -D "$tmp/head" -o /dev/null "$url/api/v1/entries"
grep -qi '^WWW-Authenticate: Bearer' "$tmp/head" && grep -qi '^Content-Type: application/json' "$tmp/head"
verdict "401: WWW-Authenticate: Bearer, Content-Type: application/json"
for h in "Bearer wrong" "Bearer s3cret-toke" "Bearer s3cret-token2" "Basic czNjcmV0LXRva2Vu" "Bearer" "s3cret-token"; do
    code=$(http /api/v1/entries -H "Authorization: $h")
    [ "$code" = 401 ]; verdict "Authorization: '$h': 401 (got $code)"
done
for h in "Bearer s3cret-token" "bearer   s3cret-token"; do
    code=$(http /api/v1/entries -H "Authorization: $h")
    [ "$code" != 401 ] && [ "$code" != 000 ]; verdict "Authorization: '$h': let through (got $code)"
done
code=$(http /api/v1/feeds -X POST -H 'Content-Type: application/json' -d '{"url": "http://example.com/"}')
[ "$code" = 401 ]; verdict "POST /api/v1/feeds without the token: 401 (got $code)"
for p in /%61pi/v1/entries /api%2Fv1/entries /api/; do
    code=$(http "$p" --path-as-is)
    [ "$code" = 401 ]; verdict "$p (the decoded path is under /api/): 401 (got $code)"
done
code=$(http //api/v1/entries --path-as-is)
[ "$code" = 401 ] || [ "$code" = 404 ]; verdict "//api/v1/entries: 401 or 404, never served (got $code)"
[ "$(http /)" = 200 ] && [ "$(http /metrics)" = 200 ] && [ "$(http /demo/d.xml)" = 200 ]
verdict "/, /metrics and /demo/ need no token"
stop_serve
[ "$serve_status" -eq 0 ]; verdict "SIGTERM: exit 0"

printf 'from-a-file\n' >"$tmp/token"
start_serve --data "$data" --demo '' --token-file "$tmp/token" || { summary; exit 1; }
[ "$(http /api/v1/entries)" = 401 ] && [ "$(http /api/v1/entries -H 'Authorization: Bearer from-a-file')" != 401 ]
verdict "--token-file: the file's first line is the token"
stop_serve
: >"$tmp/empty"
run serve --data "$data" --demo '' --token-file "$tmp/empty"
[ "$status" -eq 1 ] && grep -q "no token in its first line" "$tmp/err"; verdict "an empty token file: exit 1, said why"

# Not loopback, no token: one line, exit 1, nothing served.
for listen in 0.0.0.0:0 "[::]:0" 192.0.2.1:8080; do
    run serve --data "$data" --listen "$listen"
    [ "$status" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "EDDY_TOKEN=.*--token-file" "$tmp/err"
    verdict "--listen $listen without a token: refused in one line saying how to set one"
done
EDDY_LISTEN=0.0.0.0:0 run serve --data "$data"
[ "$status" -eq 1 ] && grep -q "^eddy serve: 0.0.0.0:0 is reachable from other machines" "$tmp/err"
verdict "EDDY_LISTEN=0.0.0.0:0 without a token: refused"
run serve --data "$data" --listen localhost:8080
[ "$status" -eq 1 ] && grep -q "expected a numeric HOST:PORT" "$tmp/err"; verdict "--listen localhost:8080: exit 1, says what it takes"
for listen in "[::1]:0" 127.0.0.2:0; do
    : >"$tmp/serve.err"
    "$eddy" serve --data "$data" --demo '' --listen "$listen" 2>"$tmp/serve.err" &
    serve_pid=$!
    wait_until 'grep -q serving "$tmp/serve.err"' || ! kill -0 $serve_pid 2>/dev/null
    grep -q serving "$tmp/serve.err"; verdict "--listen $listen (loopback) needs no token"
    stop_serve
done

# With a token, any address: reachable here through loopback.
: >"$tmp/serve.err"
EDDY_TOKEN=t "$eddy" serve --data "$data" --demo '' --listen 0.0.0.0:0 2>"$tmp/serve.err" &
serve_pid=$!
wait_until 'grep -q serving "$tmp/serve.err"'
url=$(sed -n 's|.*serving \(http://[^/]*\)/.*|\1|p' "$tmp/serve.err")
[[ $url == http://127.0.0.1:* ]] && [ "$(http /metrics)" = 200 ] && [ "$(http /api/v1/entries)" = 401 ]
verdict "--listen 0.0.0.0:0 with a token: serves (at $url), the API locked"
stop_serve
[ "$serve_status" -eq 0 ]; verdict "SIGTERM: exit 0"
summary
