#!/usr/bin/env bash
# The bundled podcast (demo/cuaderno.rss) as `make run` has it: served and
# fetched by `eddy serve` itself, each of its episodes carries its WAV
# enclosure (resolved against the feed's URL, with its type and length) in
# the API, the file is served, and the entry's page plays it; the other
# demo feeds' entries carry none.  Then a refresh: the enclosures stay, not
# doubled.
. "$(dirname "$0")/support/lib.sh"
. "$(dirname "$0")/support/serve.sh"

start_serve --data "$data" || { summary; exit 1; }
wait_until '[ "$(entries)" -eq 11 ]'; verdict "eddy serve: the demo's 11 entries stored"

# enclosures: "N url type length" per entry of the podcast, "-" per other entry.
enclosures() {
    curl -s "$url/api/v1/entries?limit=100" | "$py" -c 'import json, sys
for e in sorted(json.load(sys.stdin)["entries"], key=lambda e: e["id"]):
    x = e["enclosures"]
    if "/demo/index.html#episodio-" in e["link"]:
        print(e["id"], len(x), *(v for y in x for v in (y["url"], y["type"], y["length"])))
    elif x:
        print(e["id"], "unexpected", x)'
}
enclosures >"$tmp/enc"
grep -q unexpected "$tmp/enc" && cat "$tmp/enc"
awk -v u="$url" 'NF != 5 || $2 != 1 || $3 !~ "^" u "/demo/episodio-[12][.]wav$" || $4 != "audio/wav" || $5 != 16044 { bad = 1 }
    END { exit bad || NR != 2 }' "$tmp/enc"
verdict "both episodes carry their WAV, absolute, audio/wav, 16044 bytes; no other entry has one ($(tr '\n' ' ' <"$tmp/enc"))"

read -r id _ wav _ <"$tmp/enc"
name=${wav##*/}
[ "$(http "/demo/$name")" = 200 ] && cmp -s "$tmp/body" "$top/demo/$name"
verdict "GET $wav serves the file"
[ "$(http "/entries/$id")" = 200 ] && grep -qF "<audio controls preload=\"none\" src=\"$wav\"></audio>" "$tmp/body"
verdict "the entry's page plays it: <audio controls preload=none src=the WAV>"
[ "$(curl -s "$url/api/v1/entries/$id" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["read"])')" = True ]
verdict "opening the entry's page marked it read"

# A refresh of the podcast (whatever the server answers, 200 or 304): the
# same enclosures, once each.
feed=$(curl -s "$url/api/v1/entries/$id" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["feed_id"])')
fetches() {
    curl -s "$url/api/v1/feeds/$feed" | "$py" -c 'import json, sys; f = json.load(sys.stdin); print(f["count_200"] + f["count_304"])'
}
before=$(fetches)
[ "$(http "/api/v1/feeds/$feed/refresh" -X POST)" -lt 300 ] && wait_until '[ "$(fetches)" -gt "$before" ]'
verdict "refresh now: the podcast fetched again"
enclosures >"$tmp/enc2"
cmp -s "$tmp/enc" "$tmp/enc2"; verdict "after the refresh: the same enclosures, none doubled"

stop_serve
[ "$serve_status" -eq 0 ]; verdict "SIGTERM: exit 0"
summary
