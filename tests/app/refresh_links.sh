#!/usr/bin/env bash
# Relative entry links are stored absolute: RSS and Atom links come resolved
# from the parser, JSON Feed ones (which feedparser leaves as written) are
# resolved against the feed's URL by the refresh.  The bundled demo feeds,
# served from a loopback http.server, have relative links in every format.
. "$(dirname "$0")/support/lib.sh"

"$py" -c '
import functools, http.server, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
h.func.log_message = lambda *a: None
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
print(s.server_address[1], flush=True)
s.serve_forever()' "$top/demo" >"$tmp/port" &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
base=http://127.0.0.1:$(head -n 1 "$tmp/port")

for f in letters.rss journal.atom werkstatt.rdf tsushin.json cuaderno.rss; do
    "$eddy" add --no-fetch --data "$data" "$base/$f" >/dev/null
done
run refresh --data "$data"
expect "the demo feeds are fetched (got: $(cat "$tmp/out"))" \
    '[ "$status" -eq 0 ] && grep -qx "5 feeds: 5 fetched, 0 not modified, 0 errors, 11 new entries, 0 updated" "$tmp/out"'
"$py" -c 'import sqlite3, sys
for (link,) in sqlite3.connect(sys.argv[1]).execute("SELECT link FROM entries ORDER BY id"):
    print(link)' "$data/eddy.db" >"$tmp/links"
expect "11 links stored" '[ "$(wc -l <"$tmp/links")" -eq 11 ]'
expect "every link absolute, into the page beside the feeds (got: $(sort "$tmp/links" | tr "\n" " "))" \
    '! grep -v "^$base/index.html#[a-z0-9-]*\$" "$tmp/links"'
expect "the JSON Feed's too" '[ "$(grep -c "#tsushin-" "$tmp/links")" -eq 2 ]'
summary
