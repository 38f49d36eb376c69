#!/usr/bin/env bash
# The bundled demo feeds (demo/): every one parses as its format with no
# repair, its entries dated and linked, and the demo page announces them all;
# then as `make run` has them: served by `eddy serve` itself, subscribed on
# the first start, all 11 entries stored with no repair and absolute links;
# the river again as Atom and JSON Feed, read back by eddy and feedparser.
# (JSON Feed links stay as written, relative here, as in feedparser: the
# aggregator resolves them against the feed's URL when it stores them.)
. "$(dirname "$0")/support/lib.sh"
. "$(dirname "$0")/support/serve.sh"

declare -A version=([letters.rss]=rss20 [cuaderno.rss]=rss20 [journal.atom]=atom10
    [werkstatt.rdf]=rss10 [tsushin.json]=json11)
for f in "${!version[@]}"; do
    "$eddy" parse --diagnostics --url "http://127.0.0.1:8080/demo/$f" "$top/demo/$f" >"$tmp/out" 2>"$tmp/err"
    status=$?
    expect "$f: parses, no repair" '[ "$status" -eq 0 ] && [ ! -s "$tmp/err" ]'
    expect "$f: ${version[$f]}, not bozo, every entry dated and linked into the demo page" \
        '"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); es=d[\"entries\"];
assert d[\"bozo\"] is False and d[\"version\"] == sys.argv[2] and len(es) >= 2, d
for e in es:
    assert e[\"link\"].startswith((\"http://127.0.0.1:8080/demo/index.html#\", \"index.html#\")), e[\"link\"]
    assert e.get(\"published_parsed\") or e.get(\"updated_parsed\"), e" "$tmp/out" "${version[$f]}"'
done
for f in "${!version[@]}"; do
    expect "index.html announces $f" 'grep -q "rel=\"alternate\".*href=\"$f\"" "$top/demo/index.html"'
done
expect "every link target exists in index.html" \
    '! grep -ho "index.html#[a-z0-9-]*" "$top"/demo/*.rss "$top"/demo/*.atom "$top"/demo/*.rdf "$top"/demo/*.json |
       sed "s/.*#//" | sort -u | while read -r a; do grep -q "id=\"$a\"" "$top/demo/index.html" || echo "$a"; done | grep .'

start_serve --data "$data" || { summary; exit 1; }
wait_until '[ "$(entries)" -eq 11 ]'; verdict "eddy serve: the bundled demo's 11 entries stored"
for f in "${!version[@]}"; do
    [ "$(http "/demo/$f")" = 200 ] && cmp -s "$tmp/body" "$top/demo/$f"; verdict "GET /demo/$f serves the file"
done
curl -s "$url/api/v1/feeds" | "$py" -c 'import json, sys
fs = json.load(sys.stdin)["feeds"]
bad = [(f["url"], f.get("repairs"), f.get("last_error")) for f in fs if f.get("repairs") or f.get("last_error") or f["last_status"] != 200]
assert len(fs) == 5 and not bad, bad' >"$tmp/feeds.err" 2>&1
st=$? why=$(tail -n 1 "$tmp/feeds.err")
[ "$st" -eq 0 ]; verdict "every demo feed fetched with no repair, its Content-Type included ($why)"
curl -s "$url/api/v1/entries" | "$py" -c 'import json, sys
es = json.load(sys.stdin)["entries"]
assert all(e["link"].startswith(sys.argv[1] + "/demo/index.html#") for e in es), [e["link"] for e in es]' "$url"
verdict "every entry's link absolute, into the demo page"
# The river as feeds: read back by eddy's parser with no repair, and by feedparser.
for f in river.atom river.json; do
    [ "$(http "/feeds/$f?category=Demo")" = 200 ] && cp "$tmp/body" "$tmp/$f"
    "$eddy" parse --diagnostics --url "$url/feeds/$f" "$tmp/$f" >"$tmp/$f.out" 2>"$tmp/$f.err"
    st=$? n=$("$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["entries"]), d["version"], d["bozo"])' "$tmp/$f.out" 2>&1)
    [ "$st" -eq 0 ] && [ ! -s "$tmp/$f.err" ] && case $n in "11 atom10 False"|"11 json11 False") true;; *) false;; esac
    verdict "GET /feeds/$f: 11 entries, parsed back with no repair (got: $n)"
    n=$("$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(sorted(x["href"].rsplit("/", 1)[-1] + " " + x.get("type", "") for e in d["entries"]
             for x in e.get("links", []) if x.get("rel") == "enclosure"))' "$tmp/$f.out" 2>&1)
    [ "$n" = "['episodio-1.wav audio/wav', 'episodio-2.wav audio/wav']" ]
    verdict "GET /feeds/$f: the podcast's two episodes are enclosures still (got: $n)"
done
"$py" -c 'import feedparser, sys
d = feedparser.parse(open(sys.argv[1], "rb").read())
assert not d.bozo and len(d.entries) == 11, (d.bozo, len(d.entries))
titles = {e.source.title for e in d.entries}
assert "Letters from a Feed" in titles and "Journal de bord" in titles, titles
assert all(e.link.startswith(sys.argv[2] + "/demo/index.html#") for e in d.entries)
wavs = sorted(x.href.rsplit("/", 1)[-1] for e in d.entries for x in e.enclosures)
assert wavs == ["episodio-1.wav", "episodio-2.wav"], wavs' "$tmp/river.atom" "$url" 2>"$tmp/fp.err"
st=$? why=$(tail -n 1 "$tmp/fp.err")
[ "$st" -eq 0 ]; verdict "feedparser reads river.atom: 11 entries, each with its source feed, the episodes as enclosures ($why)"
[ "$(http "/feeds/river.atom?category=None%20such")" = 200 ] && ! grep -q "<entry>" "$tmp/body"
verdict "a category with no feed: a valid empty feed"
[ "$(http /)" = 200 ] && grep -q 'rel="alternate" type="application/atom+xml"[^>]*href="/feeds/river.atom"' "$tmp/body"
verdict "the river page announces its feed"
stop_serve
[ "$serve_status" -eq 0 ]; verdict "SIGTERM: exit 0"
# Started again on another port: the demo feeds (served by eddy itself)
# follow the server instead of pointing at the old port.
old_url=$url
start_serve --data "$data" || { summary; exit 1; }
[ "$url" != "$old_url" ] && grep -q "moved 5 demo feeds to $url/demo/" "$tmp/serve.err"
verdict "restarted on another port: the 5 demo feeds moved with it"
feeds_ok() {
    curl -s "$url/api/v1/feeds" | "$py" -c 'import json, sys
fs = json.load(sys.stdin)["feeds"]
assert len(fs) == 5 and all(f["url"].startswith(sys.argv[1] + "/demo/") and f["count_200"] >= 2 and not f.get("last_error") for f in fs), fs' "$url" 2>/dev/null
}
wait_until feeds_ok; verdict "each fetched again at the new address (no validators carried over), no error"
stop_serve
summary
