#!/usr/bin/env bash
# `eddy add` fetches each URL first: a feed is subscribed as it is, an HTML
# page through the feed it announces, a page without one is refused, an
# unreachable URL is subscribed as given.
. "$(dirname "$0")/support/lib.sh"
start_feeds

run add --data "$data" --category Blogs "$base/feed/x"
expect "a feed: subscribed as given" '[ "$status" -eq 0 ] && grep -qx "added 1 $base/feed/x" "$tmp/out"'
run add --data "$data" "$base/page"
expect "an HTML page: its first announced feed, resolved against <base href>" \
    '[ "$status" -eq 0 ] && grep -qx "added 2 $base/feed/p (announced by $base/page)" "$tmp/out"'
run add --data "$data" "$base/page"
expect "the same page again: exists" '[ "$status" -eq 0 ] && grep -qx "exists 2 $base/feed/p (announced by $base/page)" "$tmp/out"'
run add --data "$data" "$base/blank" "$base/feed/y"
expect "a page without a feed: exit 1, the others still added" \
    '[ "$status" -eq 1 ] && grep -qx "eddy add: $base/blank: no feed there, and the page announces none" "$tmp/err" &&
     grep -qx "added 3 $base/feed/y" "$tmp/out"'
run add --data "$data" "$base/error"
expect "a server error: subscribed as given, with a warning" \
    '[ "$status" -eq 0 ] && grep -q "^eddy add: $base/error: HTTP status 500; subscribed as given" "$tmp/err" &&
     grep -qx "added 4 $base/error" "$tmp/out"'
expect "the category was stored" '[ "$(field /feed/x "f[\"category\"]")" = Blogs ] && [ "$(field /feed/p "f[\"category\"]")" = None ]'
expect "--no-fetch requests nothing" \
    '"$eddy" add --no-fetch --data "$data" "$base/feed/z" >/dev/null &&
     [ "$(curl -s "$base/requests" | grep -c /feed/z)" -eq 0 ]'
summary
