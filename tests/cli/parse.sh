#!/usr/bin/env bash
# `eddy parse`: a document that is no feed exits 1 (JSON printed anyway),
# messages name the input, feeds without a version (CDF) are still feeds.
. "$(dirname "$0")/support/lib.sh"

printf '<rss version="2.0"><channel><title>T</title><item><title>I</title></item></channel></rss>' >"$tmp/feed.xml"
printf '<rss version="2.0"><channel><title>T &amp more' >"$tmp/bozo.xml"
printf '<CHANNEL HREF="http://example.com/"><ABSTRACT>About</ABSTRACT></CHANNEL>' >"$tmp/cdf.xml"
printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Home</title></head><body><p>Hi<br></body></html>\n' >"$tmp/page.html"
printf 'just some words\n' >"$tmp/words.txt"
: >"$tmp/empty.xml"
mkdir "$tmp/dir"

# is_json FILE: FILE holds one JSON object and nothing else.
is_json() { "$py" -c 'import json,sys; assert isinstance(json.load(open(sys.argv[1])), dict)' "$1" 2>/dev/null; }

for f in feed.xml bozo.xml cdf.xml; do
    run parse "$tmp/$f"
    { [ "$status" -eq 0 ] && is_json "$tmp/out" && [ ! -s "$tmp/err" ]; }; verdict "$f is a feed: exit 0, JSON, nothing on stderr"
done
for f in page.html words.txt empty.xml; do
    run parse "$tmp/$f"
    check "$f is no feed: exit 1, JSON all the same, '$tmp/$f: not a feed: ' on stderr" \
        [ "$status" -eq 1 ] && is_json "$tmp/out" && grep -q "^eddy parse: $tmp/$f: not a feed: ." "$tmp/err"
done
run parse "$tmp/empty.xml"
check "an empty file: 'no feed element and no entries'" grep -qx "eddy parse: $tmp/empty.xml: not a feed: no feed element and no entries" "$tmp/err"
"$eddy" parse - <"$tmp/page.html" >"$tmp/out" 2>"$tmp/err"
{ [ "$?" -eq 1 ] && grep -q '^eddy parse: <stdin>: not a feed: ' "$tmp/err"; }; verdict "stdin is named <stdin>"
run parse "$tmp/dir"
{ [ "$status" -eq 1 ] && [ ! -s "$tmp/out" ] &&
    grep -qx "eddy parse: $tmp/dir: is a directory, not a feed document" "$tmp/err"; }; verdict "a directory gets its own message"
run parse "$tmp/missing.xml"
{ [ "$status" -eq 1 ] && grep -qx "eddy parse: $tmp/missing.xml: No such file or directory" "$tmp/err"; }; verdict "a missing file is named"
run parse --diagnostics "$tmp/bozo.xml"
{ [ "$status" -eq 0 ] && [ -s "$tmp/err" ] &&
    [ "$(grep -cvE "^eddy parse: $tmp/bozo.xml: offset [0-9]+: ." "$tmp/err")" -eq 0 ]; }; verdict "--diagnostics: FILE: offset N: message"
run parse --url=http://example.com/f --header ' X-Test :  a value ' --header 'Content-Type: text/xml' "$tmp/feed.xml"
{ [ "$status" -eq 0 ] &&
    grep -q '"x-test":"a value"' "$tmp/out" && grep -q '"href":"http://example.com/f"' "$tmp/out"; }; verdict "--url=URL and trimmed --header reach the parser"
run parse -- "$tmp/feed.xml"
{ [ "$status" -eq 0 ] && is_json "$tmp/out"; }; verdict "-- ends the options"
summary
