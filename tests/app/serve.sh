#!/usr/bin/env bash
# `eddy serve` end to end on a temporary data folder and a free loopback
# port: the demo subscribed on the first start and fetched from the server
# itself, the front page (escaped, no javascript: link), /metrics, a clean
# SIGTERM; then the demo removed and local feeds added: a restart does not
# bring the demo back, and fetches the new feeds.
. "$(dirname "$0")/support/lib.sh"
. "$(dirname "$0")/support/serve.sh"
start_feeds

mkdir "$tmp/demo"
cat >"$tmp/demo/one.xml" <<'XML'
<?xml version="1.0"?><rss version="2.0"><channel><title>Demo &lt;one&gt;</title><link>http://example.com/one</link>
<item><title>First &lt;b&gt;bold&lt;/b&gt; entry</title><link>javascript:alert(1)</link><guid>one-1</guid><description>Hello &lt;script&gt;alert(2)&lt;/script&gt;world</description></item>
<item><title>Second entry</title><link>http://example.com/one/2</link><guid>one-2</guid></item>
</channel></rss>
XML
cat >"$tmp/demo/two.json" <<'JSON'
{"version": "https://jsonfeed.org/version/1.1", "title": "Demo two", "home_page_url": "http://example.com/two",
 "items": [{"id": "two-1", "url": "http://example.com/two/1", "title": "Zweiter Eintrag", "content_text": "Grüße"}]}
JSON
printf '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & co</title><item><title>Unclosed<guid>b-1</guid></item></channel></rss>' >"$tmp/demo/broken.rss"
echo "not a feed" >"$tmp/demo/README"

start_serve --data "$data" --demo "$tmp/demo" || { summary; exit 1; }
grep -q "first start: subscribed 3 demo feeds at $url/demo/" "$tmp/serve.err"; verdict "first start: the 3 demo feeds subscribed (README left out)"
wait_until '[ "$(entries)" -ge 4 ]'; verdict "the demo's 4 entries stored (fetched from the server itself)"
[ "$(http /demo/one.xml)" = 200 ] && grep -q "Demo &lt;one&gt;" "$tmp/body"; verdict "GET /demo/one.xml serves the file"
[ "$(http /demo/../eddy.db --path-as-is)" = 404 ] && [ "$(http /demo/%2e%2e/eddy.db --path-as-is)" = 404 ]
verdict "no path out of the demo folder"
[ "$(http /)" = 200 ] && grep -q "First &lt;b&gt;bold&lt;/b&gt; entry" "$tmp/body" && grep -q "Zweiter Eintrag" "$tmp/body"
verdict "GET / lists the entries, titles escaped"
! grep -v '^<script src="/static/eddy.js" defer></script>$' "$tmp/body" | grep -qi "javascript:\|<script" && grep -q 'href="http://example.com/one/2"' "$tmp/body"
verdict "GET /: a javascript: link dropped, no script, http links kept"
grep -q "eddy add" "$tmp/body" && grep -q "$url/api/v1/feeds" "$tmp/body"; verdict "GET / says how to add feeds"
[ "$(metric eddy_feeds)" = 3 ] && [ "$(metric 'eddy_fetches_total{outcome="200"}')" = 3 ] &&
    [ "$(metric 'eddy_entries_stored_total{kind="added"}')" = 4 ]
verdict "/metrics: 3 feeds, 3 fetches answered 200, 4 entries added"
[ "$(metric eddy_feeds_repaired)" = 1 ] && [ "$(metric eddy_feeds_last_parse_repairs)" -ge 2 ] && [ "$(metric 'eddy_feed_responses{status="200"}')" = 3 ]
verdict "/metrics: the broken feed's repairs counted, every feed's 200s"
curl -s "$url/metrics" >"$tmp/metrics"
grep -q '^# TYPE eddy_feeds_last_parse_repairs gauge$' "$tmp/metrics" &&
    ! awk '$1 == "#" && $2 == "TYPE" && (($4 == "counter") != ($3 ~ /_total$/))' "$tmp/metrics" | grep -q .
verdict "/metrics: the last parses' repairs a gauge; every counter, and only counters, named _total"
grep -q '^eddy_http_requests_total{class="2xx"} [1-9]' "$tmp/metrics" &&
    grep -q '^eddy_http_requests_total{class="4xx"} [1-9]' "$tmp/metrics" &&
    grep -q '^eddy_http_request_duration_seconds_bucket{le="+Inf"} [1-9]' "$tmp/metrics" &&
    grep -q '^eddy_loop_watchdog_reports_total [0-9]' "$tmp/metrics" &&
    grep -q '^# TYPE eddy_http_request_duration_seconds histogram' "$tmp/metrics"
verdict "/metrics: requests by class (the 404 counted), the latency histogram, the watchdog"
stop_serve
[ "$serve_status" -eq 0 ] && grep -q "stopping" "$tmp/serve.err"; verdict "SIGTERM: exit 0 (got $serve_status)"

run remove --data "$data" 1 && run remove --data "$data" 2 && run remove --data "$data" 3
run add --no-fetch --data "$data" "$base/feed/a" "$base/feed/b?n=5"
start_serve --data "$data" --demo "$tmp/demo" || { summary; exit 1; }
! grep -q "demo feeds" "$tmp/serve.err"; verdict "restart: the deleted demo is not subscribed again"
wait_until '[ "$(entries)" -eq 8 ]'; verdict "restart: the local feeds' 8 entries stored"
[ "$(metric eddy_feeds)" = 2 ]; verdict "restart: 2 feeds"
stop_serve
[ "$serve_status" -eq 0 ]; verdict "SIGTERM again: exit 0"
[ "$("$py" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$data/eddy.db")" = ok ]
verdict "integrity_check ok"

# make run's default: the demo beside the build folder, or where it looked.
start_serve --data "$tmp/other" || { summary; exit 1; }
# (the "subscribed" line comes after the "serving" one, once the store said so)
wait_until 'grep -q "subscribed [0-9]* demo feeds\|no demo feeds: no folder at .*/demo, .*/share/eddy/demo" "$tmp/serve.err"'
verdict "without --demo: demo/ of the source tree, or a line saying where it looked"
stop_serve
summary
