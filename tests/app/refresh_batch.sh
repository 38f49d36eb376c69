#!/usr/bin/env bash
# `eddy refresh` writes a pass in batches (many feeds per transaction): every
# feed's entries and record arrive from several threads and many batches; a
# feed whose write is refused (a permanent redirect onto a URL another
# subscription has) is written again without the move, alone, and its
# neighbours in the batch are not disturbed.  --index catches the search
# index up after the pass.
. "$(dirname "$0")/support/lib.sh"
start_feeds

urls=()
for i in $(seq 1 300); do urls+=("$base/feed/f$i?n=4"); done
run add --no-fetch --data "$data" "$base/feed/a" "$base/r301/a" "${urls[@]}"
expect "add: 302 feeds" '[ "$status" -eq 0 ] && [ "$(grep -c '\''^added '\'' "$tmp/out")" -eq 302 ]'

run refresh --data "$data" --threads 2 --concurrency 8 --per-host 8
expect "pass 1: every feed fetched, none failed (got: $(cat "$tmp/out"))" '[ "$status" -eq 0 ] && grep -qx "302 feeds: 302 fetched, 0 not modified, 0 errors, 1206 new entries, 0 updated" "$tmp/out"'
expect "a pass without failures says nothing on stderr" '[ ! -s "$tmp/err" ]'
expect "every entry stored" '[ "$(stat entries)" -eq 1206 ]'
expect "moved onto a subscribed URL: the feed keeps its own" '[ "$(field /r301/a '\''f["last_status"]'\'')" -eq 200 ] && [ "$(field /r301/a '\''f["etag"]'\'')" = "\"a\"" ]'
expect "every feed has its validators" '[ "$("$eddy" list --data "$data" --json | "$py" -c "import json,sys; print(sum(1 for f in json.load(sys.stdin) if f[\"etag\"]))")" -eq 302 ]'

run refresh --data "$data" --all --threads 2 --concurrency 8 --per-host 8
expect "pass 2: 304 for every feed (got: $(cat "$tmp/out") $(head -c 600 "$tmp/err"))" '[ "$status" -eq 0 ] && grep -qx "302 feeds: 0 fetched, 302 not modified, 0 errors, 0 new entries, 0 updated" "$tmp/out"'
expect "pass 2: 304s counted" '[ "$(field "/f17?n=4" '\''f["count_304"]'\'')" -eq 1 ]'
expect "the search index trails the pass" '[ "$(stat unindexed)" -eq 1206 ]'
run refresh --data "$data" --index
expect "--index catches it up" '[ "$status" -eq 0 ] && grep -qx "1206 entries indexed in [0-9.]* s" "$tmp/out" && [ "$(stat unindexed)" -eq 0 ]'
summary
