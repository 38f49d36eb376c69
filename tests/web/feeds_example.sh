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
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">&lt;b&gt;Beta&lt;/b&gt;</title><link href="http://b.example/"/>
<entry><title>Atom entry</title><link href="http://b.example/e"/><id>e</id><updated>2024-02-29T13:45:00+01:00</updated></entry></feed>
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
# Loopback is where the test's feeds live: allowed explicitly (the SSRF guard refuses it by default).
"$EDDY_BUILD/examples/feeds" --port 0 --templates "$EDDY_TOP/examples/templates" --allow 127.0.0.0/8 2>"$tmp/feeds.log" &
pids+=($!)
for _ in $(seq 50); do grep -q port "$tmp/py.log" && grep -q 'serving on' "$tmp/feeds.log" && break; sleep 0.1; done
src=$(port '^port \([0-9]*\)$' "$tmp/py.log"); app=$(port '.*(port \([0-9]*\)).*' "$tmp/feeds.log")
[ -n "$src" ] && [ -n "$app" ] || { echo "FAIL: servers did not start"; cat "$tmp"/*.log; exit 1; }
echo '<html><body>no feed here</body></html>' >"$tmp/page.html"
base="http://127.0.0.1:$src"
# An empty field is ignored and a repeated URL fetched once: 5 feeds on the page.
page=$(curl -s "http://127.0.0.1:$app/?url=$base/a.xml&url=$base/b.xml&url=$base/missing.xml&url=http://127.0.0.1:1/refused&url=&url=$base/a.xml&url=$base/page.html")
fail=0
for want in '<title>eddy: 5 feeds</title>' '>Alpha &amp; Co</a>' 'First &lt;post&gt;' \
            '<a href="http://b.example/">Beta</a>' 'href="http://b.example/e">Atom entry' \
            '<small>29 Feb 2024, 12:45 UTC</small>' '<small>10 Jun 2003, 04:00 UTC</small>' \
            'class="err">HTTP status 404' 'class="err">not a feed' 'at most 32 a page' \
            'class="err">could not reach the host'; do
    grep -qF "$want" <<<"$page" || { echo "FAIL: page lacks: $want"; fail=1; }
done
# A feed's javascript: link is shown as text, never as an href (issue 11).
grep -qi 'script:' <<<"$page" && { echo "FAIL: a javascript: link reached the page"; fail=1; }
grep -qF '<li>Trap' <<<"$page" || { echo "FAIL: page lacks the entry with the refused link"; fail=1; }
grep -qF 'href=""' <<<"$page" && { echo "FAIL: an empty href reached the page"; fail=1; }
[ $(grep -o "$base/a.xml" <<<"$page" | wc -l) -eq 1 ] || { echo "FAIL: a.xml asked for twice was not shown once"; fail=1; }
# Without --allow, loopback is refused with the one generic message (no port-scanner oracle).
"$EDDY_BUILD/examples/feeds" --port 0 2>"$tmp/guarded.log" &
pids+=($!)
for _ in $(seq 50); do grep -q 'serving on' "$tmp/guarded.log" && break; sleep 0.1; done
g=$(port '.*(port \([0-9]*\)).*' "$tmp/guarded.log")
guarded=$(curl -s "http://127.0.0.1:$g/?url=$base/a.xml&url=http://127.0.0.1:1/closed&url=http://localhost:$src/b.xml")
errs=$(grep -o 'class="err">[^<]*' <<<"$guarded" | sort -u)
[ "$(wc -l <<<"$errs")" -eq 1 ] && [ -n "$errs" ] || { echo "FAIL: guarded errors differ or are missing: $errs"; fail=1; }
grep -qF 'Alpha' <<<"$guarded" && { echo "FAIL: the SSRF guard let a loopback feed through"; fail=1; }
[ $fail -eq 0 ] && echo "ok: 4 feeds fetched concurrently and rendered" || { echo "$page" | head -40; exit 1; }
