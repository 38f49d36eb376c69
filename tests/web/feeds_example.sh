#!/usr/bin/env bash
# The article's example end to end: examples/feeds fetches two real feeds
# from a real HTTP server on loopback concurrently, plus a missing one and a
# refused one, and renders them all (the failures as errors on the page).
set -u
tmp=$(mktemp -d); pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
cat >"$tmp/a.xml" <<'X'
<?xml version="1.0"?><rss version="2.0"><channel><title>Alpha &amp; Co</title>
<link>http://a.example/</link><item><title>First &lt;post&gt;</title><link>http://a.example/1</link>
<pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item>
<item><title>Trap</title><link>JaVa&#x09;script:alert(1)</link></item></channel></rss>
X
cat >"$tmp/b.xml" <<'X'
<feed xmlns="http://www.w3.org/2005/Atom"><title>Beta</title><link href="http://b.example/"/>
<entry><title>Atom entry</title><link href="http://b.example/e"/><id>e</id></entry></feed>
X
# An option without its value is a usage error, not silently ignored.
timeout 5 "$EDDY_BUILD/examples/feeds" --port 0 --templates >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: --templates without a value was accepted"; exit 1; }
port() { sed -n "s/$1/\\1/p" "$2" | head -n1; }
(cd "$tmp" && exec "$PYTHON" -u -c "
import http.server, socketserver
s = socketserver.TCPServer(('127.0.0.1', 0), http.server.SimpleHTTPRequestHandler)
print('port', s.server_address[1], flush=True); s.serve_forever()" >"$tmp/py.log" 2>/dev/null) &
pids+=($!)
"$EDDY_BUILD/examples/feeds" --port 0 --templates "$EDDY_TOP/examples/templates" 2>"$tmp/feeds.log" &
pids+=($!)
for _ in $(seq 50); do grep -q port "$tmp/py.log" && grep -q 'serving on' "$tmp/feeds.log" && break; sleep 0.1; done
src=$(port '^port \([0-9]*\)$' "$tmp/py.log"); app=$(port '.*(port \([0-9]*\)).*' "$tmp/feeds.log")
[ -n "$src" ] && [ -n "$app" ] || { echo "FAIL: servers did not start"; cat "$tmp"/*.log; exit 1; }
page=$(curl -s "http://127.0.0.1:$app/?url=http://127.0.0.1:$src/a.xml&url=http://127.0.0.1:$src/b.xml&url=http://127.0.0.1:$src/missing.xml&url=http://127.0.0.1:1/refused")
fail=0
for want in '<title>eddy: 4 feeds</title>' '>Alpha &amp; Co</a>' 'First &lt;post&gt;' \
            '>Beta</a>' 'href="http://b.example/e">Atom entry' 'class="err">HTTP 404' \
            'class="err">could not connect'; do
    grep -qF "$want" <<<"$page" || { echo "FAIL: page lacks: $want"; fail=1; }
done
# A feed's javascript: link is shown as text, never as an href (issue 11).
grep -qi 'script:' <<<"$page" && { echo "FAIL: a javascript: link reached the page"; fail=1; }
grep -qF '<li>Trap' <<<"$page" || { echo "FAIL: page lacks the entry with the refused link"; fail=1; }
[ $fail -eq 0 ] && echo "ok: 4 feeds fetched concurrently and rendered" || { echo "$page" | head -40; exit 1; }
