#!/usr/bin/env bash
# The river's weight on a big store (bench/fill-store: 500 feeds, entries of
# 0.4-6 KB of HTML): the page of 50 entries stays under 50 KB (bytes, not
# time) because it carries excerpts, not texts, and 20 feeds, not 500 (and
# with its CSS and JS too: the budget of 50 KB before images); an
# entry's text comes from /entries/ID/content, sanitized; the entries' buttons
# share one form and come back to their entry.
. "$(dirname "$0")/support/lib.sh"
. "$(dirname "$0")/support/serve.sh"

"${EDDY_BUILD:-$top/build}/bench/fill-store" "$data" 500 1000 http://127.0.0.1:9 >/dev/null
verdict "bench/fill-store: 500 feeds, 1000 entries"
start_serve --data "$data" --demo '' || { summary; exit 1; }

[ "$(http /)" = 200 ]; verdict "GET / answers"
page=$(wc -c <"$tmp/body")
[ "$(grep -c '<article ' "$tmp/body")" = 50 ]; verdict "the page holds 50 entries"
[ "$page" -lt $((50 * 1024)) ]; verdict "the river page is under 50 KB ($page bytes)"
# The whole budget: the page and the style sheets and scripts it links, raw
# (a browser without gzip loads that much before images).
assets=$(sed -n 's/.*<link rel="stylesheet" href="\([^"]*\)".*/\1/p; s/.*<script src="\([^"]*\)".*/\1/p' "$tmp/body")
assets="$assets /static/events.js" # the SharedWorker eddy.js starts
total=$page sizes=
for a in $assets; do
    n=$(curl -s "$url$a" | wc -c) z=$(curl -s -H 'Accept-Encoding: gzip' "$url$a" | wc -c)
    total=$((total + n)) sizes="$sizes + $a $n ($z gzipped)"
done
echo "note: the river with 50 entries and 500 feeds: HTML $page$sizes = $total bytes"
[ -n "$assets" ] && [ "$total" -lt $((50 * 1024)) ]
verdict "the river, its CSS and JS are under 50 KB ($total bytes)"
[ "$(grep -c '<option value="[0-9]' "$tmp/body")" -le 20 ] && grep -q 'href="/feeds">all 500 feeds' "$tmp/body"
verdict "20 feeds in its filter at most, and a link to all 500"
! sed -n '/<article/,/<\/article>/p' "$tmp/body" | grep -q '<em>\|<code>\|<img'
verdict "no entry's text in the page"
cp "$tmp/body" "$tmp/river"

id=$(sed -n 's/.*<article class="entry[^"]*" id="e\([0-9]*\)".*/\1/p' "$tmp/river" | head -n 1)
[ "$(http "/entries/$id/content" -D "$tmp/headers")" = 200 ] && grep -q '<p>' "$tmp/body" &&
    grep -qi '^content-type: text/html' "$tmp/headers" &&
    grep -qi "^content-security-policy: default-src 'self'; script-src 'self';" "$tmp/headers"
verdict "GET /entries/$id/content: the text as HTML, under the pages' CSP"
[ "$(http /entries/999999/content)" = 404 ]; verdict "GET /entries/999999/content: 404"

# One entry's button: POST read=ID on the shared form, back to the entry.
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$tmp/river" | head -n 1)
loc=$(curl -s -o /dev/null -w '%{redirect_url}' -b "eddy_csrf=$csrf" -H "Origin: $url" \
    --data "csrf=$csrf&back=/&ids=1,2&read=$id" "$url/entries/mark")
[ "$loc" = "$url/#e$id" ]; verdict "an entry's button marks it, back to it ($loc)"
[ "$(http "/api/v1/entries/$id")" = 200 ] && grep -q '"read": *true' "$tmp/body" &&
    [ "$(http /api/v1/entries/1)" = 200 ] && grep -q '"read": *false' "$tmp/body"
verdict "... that entry read, not the form's other ids"
curl -s -o /dev/null -b "eddy_csrf=$csrf" -H "Origin: $url" \
    --data "csrf=$csrf&back=/&ids=1,2,&action=read" "$url/entries/mark"
[ "$(http /api/v1/entries/2)" = 200 ] && grep -q '"read": *true' "$tmp/body"
verdict "mark all in view: the ids list"
stop_serve
summary
