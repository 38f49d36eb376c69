#!/usr/bin/env bash
# `eddy add` records the site link: the HTML page that announced the feed at
# once, a feed's own <link> from the first refresh (which also replaces the
# page's).
. "$(dirname "$0")/support/lib.sh"
start_feeds

run add --data "$data" "$base/page" "$base/feed/x"
expect "added through the page, and directly" '[ "$status" -eq 0 ] && [ "$(grep -c "^added " "$tmp/out")" -eq 2 ]'
expect "the page is the site link of the feed it announced" '[ "$(field /feed/p "f[\"site_link\"]")" = "$base/page" ]'
expect "the record changed nothing else: due at once, never fetched" \
    '[ "$(field /feed/p "(f[\"next_check\"], f[\"last_check\"], f[\"last_status\"], f[\"consecutive_errors\"], f[\"last_error\"])")" = "(0, 0, 0, 0, None)" ]'
expect "a feed given directly: no site link before a fetch" '[ "$(field /feed/x "f[\"site_link\"]")" = None ]'
run add --data "$data" "$base/page"
expect "the page again: exists, nothing recorded" '[ "$status" -eq 0 ] && grep -q "^exists " "$tmp/out"'
run refresh --data "$data"
expect "refresh: both fetched" '[ "$status" -eq 0 ] && grep -q "^2 feeds: 2 fetched" "$tmp/out"'
expect "after a fetch, the feed's own link" \
    '[ "$(field /feed/x "f[\"site_link\"]")" = http://example.com/x ] && [ "$(field /feed/p "f[\"site_link\"]")" = http://example.com/p ]'
summary
