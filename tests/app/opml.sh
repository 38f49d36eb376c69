#!/usr/bin/env bash
# `eddy import` / `eddy export`: exports in Miniflux's, FreshRSS's and
# newsboat's shapes import with their categories, and a round trip through
# eddy keeps every feed and category.
. "$(dirname "$0")/support/lib.sh"
samples=$top/tests/app/data

# pairs DATA: the "category<TAB>url" lines of a store, sorted.
pairs() {
    "$eddy" list --data "$1" --json |
        "$py" -c 'import json,sys; [print("%s\t%s" % (f["category"], f["url"])) for f in json.load(sys.stdin)]' | sort
}

for shape in miniflux:3 freshrss:3 newsboat:3; do
    name=${shape%%:*} n=${shape##*:}
    d=$tmp/$name
    run import --data "$d" "$samples/$name.opml"
    expect "$name: imports $n feeds" '[ "$status" -eq 0 ] && grep -qx "imported $n feeds (0 already subscribed)" "$tmp/out"'
    pairs "$d" >"$tmp/$name.before"
    "$eddy" export --data "$d" >"$tmp/$name.out.opml"
    expect "$name: export exits 0 and is OPML 2.0" '[ $? -eq 0 ] && grep -q "<opml version=\"2.0\">" "$tmp/$name.out.opml"'
    run import --data "$d.again" "$tmp/$name.out.opml"
    pairs "$d.again" >"$tmp/$name.after"
    expect "$name: the round trip keeps every feed and category" \
        '[ "$status" -eq 0 ] && [ -s "$tmp/$name.after" ] && cmp -s "$tmp/$name.before" "$tmp/$name.after"'
    run import --data "$d" "$samples/$name.opml"
    expect "$name: a second import adds nothing" '[ "$status" -eq 0 ] && grep -qx "imported 0 feeds ($n already subscribed)" "$tmp/out"'
done

expect "Miniflux: categories from the enclosing outlines, & decoded" \
    'grep -qx "All	https://notes.example.net/atom?format=full&lang=en" "$tmp/miniflux.before" &&
     grep -qx "Tech	https://lwn.net/headlines/rss" "$tmp/miniflux.before"'
expect "FreshRSS: categories, UTF-8 titles" \
    'grep -qx "Blogs	https://jvns.ca/atom.xml" "$tmp/freshrss.before" &&
     [ "$(field_in "$tmp/freshrss" daniel.haxx "f[\"title\"]")" = "Däniel'\''s Blög" ]'
expect "newsboat: flat, uncategorized, a private address kept" \
    'grep -qx "None	http://192.168.1.10/private/feed.rss" "$tmp/newsboat.before"'

printf '<html><body>no opml</body></html>' >"$tmp/page.html"
run import --data "$tmp/x" "$tmp/page.html"
expect "an HTML page is no OPML: exit 1" '[ "$status" -eq 1 ] && grep -q "no OPML document" "$tmp/err"'
run import --data "$tmp/x" "$tmp/missing.opml"
expect "a missing file: exit 1" '[ "$status" -eq 1 ] && grep -q "No such file" "$tmp/err"'
"$eddy" import --data "$tmp/stdin" - <"$samples/newsboat.opml" >"$tmp/out" 2>&1
expect "- reads stdin" '[ $? -eq 0 ] && grep -q "^imported 3 feeds" "$tmp/out"'
summary
