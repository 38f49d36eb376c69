#!/usr/bin/env bash
# `eddy refresh` against a real loopback server: entries stored, conditional
# GET and 304 on the next pass, permanent redirects move the feed, 410 marks
# it dead, errors back off, <ttl> is honoured, and a stalling server does not
# keep the good feeds from being stored.
. "$(dirname "$0")/support/lib.sh"
start_feeds

run add --no-fetch --data "$data" "$base/feed/a" "$base/feed/b?n=5" "$base/r301/c" "$base/r308/d" \
    "$base/r302/e" "$base/gone" "$base/error" "$base/stall" "$base/ttl" "$base/busy" "$base/ttl?m=99999999999999999999"
expect "add: 11 feeds" '[ "$status" -eq 0 ] && [ "$(grep -c '\''^added '\'' "$tmp/out")" -eq 11 ]'
run add --no-fetch --data "$data" "$base/feed/a"
expect "add again: exists, exit 0" '[ "$status" -eq 0 ] && grep -q "^exists 1 $base/feed/a\$" "$tmp/out"'

run refresh --data "$data" --timeout 2s
expect "pass 1: exit 0 although feeds failed; summary line (got: $(cat "$tmp/out"))" '[ "$status" -eq 0 ] && grep -qx "11 feeds: 7 fetched, 0 not modified, 4 errors, 19 new entries, 0 updated" "$tmp/out"'
expect "pass 1: each failed feed named on stderr" '[ "$(grep -c '\''^eddy refresh: http'\'' "$tmp/err")" -eq 4 ]'
expect "pass 1: the entries are stored" '[ "$(stat entries)" -eq 19 ]'
expect "the stalled feed timed out with an error" '[ "$(field /stall '\''f["consecutive_errors"]'\'')" -eq 1 ] && [ "$(field /stall '\''"timed out" in f["last_error"]'\'')" = True ]'
expect "301 moved the feed's URL" '[ "$(field /feed/c '\''f["id"]'\'')" -eq 3 ]'
expect "308 moved the feed's URL" '[ "$(field /feed/d '\''f["id"]'\'')" -eq 4 ]'
expect "302 did not" '[ "$(field /r302/e '\''f["id"]'\'')" -eq 5 ]'
expect "410 marked the feed dead" '[ "$(field /gone '\''f["dead"]'\'')" = True ]'
expect "the title comes from the feed" '[ "$(field /feed/a '\''f["title"]'\'')" = "Feed a" ]'
expect "a healthy feed is due in an hour" '[ "$(field /feed/a '\''f["next_check"]-f["last_check"]'\'')" -eq 3600 ]'
expect "<ttl>180</ttl>: due in 3 hours" '[ "$(field "/ttl$" '\''f["next_check"]-f["last_check"]'\'')" -eq 10800 ]'
expect "a <ttl> past any number: due in 24 hours" '[ "$(field "ttl?m=" '\''f["next_check"]-f["last_check"]'\'')" -eq 86400 ]'
expect "first error: backoff 5 minutes less jitter" '[ "$(field /error '\''225 <= f["next_check"]-f["last_check"] <= 300'\'')" = True ]'
expect "503 with a shorter Retry-After (120 s): the backoff" '[ "$(field /busy '\''225 <= f["next_check"]-f["last_check"] <= 300'\'')" = True ]'

run refresh --data "$data"
expect "nothing is due right after a pass" '[ "$status" -eq 0 ] && grep -qx "0 feeds: 0 fetched, 0 not modified, 0 errors, 0 new entries, 0 updated" "$tmp/out"'

curl -s "$base/requests" >"$tmp/before"
run refresh --data "$data" --all --timeout 2s
curl -s "$base/requests" >"$tmp/after"
expect "pass 2 (--all): 304s, no new entries (got: $(cat "$tmp/out"))" '[ "$status" -eq 0 ] && grep -qx "10 feeds: 2 fetched, 5 not modified, 3 errors, 0 new entries, 0 updated" "$tmp/out"'
expect "pass 2 sent If-None-Match with the stored ETag" 'grep -qx '\''/feed/a "a"'\'' "$tmp/after"'
expect "pass 2 fetched moved feeds at their new URL" 'grep -qx '\''/feed/c "c"'\'' "$tmp/after" && [ "$(grep -c '\''^/r301/c '\'' "$tmp/after")" -eq 1 ]'
expect "the dead feed was not fetched again" '[ "$(grep -c '\''^/gone '\'' "$tmp/after")" -eq 1 ]'
expect "304 counted" '[ "$(field /feed/a '\''f["count_304"]'\'')" -eq 1 ] && [ "$(field /feed/a '\''f["count_200"]'\'')" -eq 1 ]'
expect "second error: backoff doubled" '[ "$(field /error '\''f["consecutive_errors"]'\'')" -eq 2 ] && [ "$(field /error '\''450 <= f["next_check"]-f["last_check"] <= 600'\'')" = True ]'
expect "entries unchanged" '[ "$(stat entries)" -eq 19 ]'
expect "stats: errors and dead" '[ "$(stat errors)" -eq 4 ] && [ "$(stat dead)" -eq 1 ]'

run remove --data "$data" "$base/feed/b?n=5"
expect "remove by URL takes the entries along" '[ "$status" -eq 0 ] && [ "$(stat entries)" -eq 14 ]'
run remove --data "$data" 1
expect "remove by id" '[ "$status" -eq 0 ] && [ "$(stat feeds)" -eq 9 ]'
run remove --data "$data" 1
expect "remove a missing feed: exit 1" '[ "$status" -eq 1 ] && grep -q "no such feed" "$tmp/err"'
run list --data "$data"
expect "list: one line per feed, dead shown" '[ "$(wc -l <"$tmp/out")" -eq 9 ] && grep -qP "\tdead\t" "$tmp/out"'
summary
