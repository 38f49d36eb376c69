#!/usr/bin/env bash
# The aggregator's commands: --help for each, bad values refused with exit 2
# and one clear line, before any data folder is touched.
. "$(dirname "$0")/support/lib.sh"
export EDDY_DATA=$tmp/env-data

for c in add remove list refresh stats import export; do
    run "$c" --help
    expect "eddy $c --help: exit 0, synopsis and --data" \
        '[ "$status" -eq 0 ] && grep -q "^usage: eddy $c " "$tmp/out" && grep -q -- "--data DIR" "$tmp/out"'
    refused "eddy $c: unknown option '--bogus'" "$c" --bogus
    run help "$c"
    expect "eddy help $c" '[ "$status" -eq 0 ] && grep -q "^usage: eddy $c " "$tmp/out"'
done
refused "eddy refresh: --concurrency: expected an integer from 1 to 100000, got '0'" refresh --concurrency 0
refused "eddy refresh: --per-host: expected an integer from 1 to 100000, got 'x'" refresh --per-host x
refused "eddy refresh: --timeout: expected a duration from 1ms to 1h (like 5s, 250ms, 2m; a plain number is seconds), got '5x'" refresh --timeout 5x
refused "eddy refresh: --interval: expected a duration from 1m to 24h (like 5s, 250ms, 2m; a plain number is seconds), got '5s'" refresh --interval 5s
refused "eddy refresh: unexpected argument 'http://a/': expected no argument" refresh http://a/
refused "eddy refresh: --data needs a value (DIR)" refresh --data
refused "eddy add: missing argument: expected URLs" add
refused "eddy add: 'ftp://example.com/' is no http or https URL" add ftp://example.com/
refused "eddy add: 'feed.xml' is no http or https URL" add http://a/ feed.xml
refused "eddy remove: missing argument: expected one URL or ID" remove
refused "eddy import: unexpected argument 'b.opml': expected one FILE" import a.opml b.opml
refused "eddy stats: --json takes no value, got '1'" stats --json=1
expect "nothing refused created the data folder" '[ ! -e "$EDDY_DATA" ]'

run stats --json
expect "EDDY_DATA is the default data folder" \
    '[ "$status" -eq 0 ] && [ -f "$EDDY_DATA/eddy.db" ] && grep -qx "{\"feeds\": 0, \"errors\": 0, \"dead\": 0, \"unread\": 0, \"starred\": 0, \"unindexed\": 0, \"entries\": 0}" "$tmp/out"'
run add --data "$tmp/d" http://127.0.0.1:9/feed
data=$tmp/d
expect "--data wins over EDDY_DATA" '[ "$status" -eq 0 ] && [ "$(stat feeds)" -eq 1 ] && [ "$(data=$EDDY_DATA stat feeds)" -eq 0 ]'
summary
