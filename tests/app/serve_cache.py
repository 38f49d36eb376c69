#!/usr/bin/env python3
"""The response cache (src/app/cache.c) over real HTTP against `eddy serve`:
every page answered from it shows the state after the last write.

The server runs with EDDY_CACHE_TTL_MS=3600000 (an hour): only the store's
generation can make a kept page stale, so a write that failed to invalidate
shows as a stale page here.  Each step asks the page first (kept), writes,
then asks again: after a mark read, a star, a new entry (a refresh), a
removed feed, a password set (the login gate and the login state); two
browsers with their own CSRF tokens never get each other's; the relative
date moves ("just now", then "1 min ago", the minute is in the key); the
cache stays at most 64 pages however many distinct queries come.  Then a
second server with the default TTL (1 s) shows another process's write
(the backstop).  The feed is this script's: entries without dates (first
seen now), one more when asked.
Last line "N passed, M failed"."""
import gzip
import http.server
import json
import os
import re
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from serve import Serve, check, db, metric, run_eddy, summary  # noqa: E402

items = ["alpha", "beta", "gamma"]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        name = self.path.strip("/")
        body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %s</title>'
                '<link>http://example.com/</link>%s</channel></rss>' % (name, "".join(
                    "<item><title>%s %s</title><link>http://example.com/%s/%s</link><guid>%s-%s</guid>"
                    "<description>About %s.</description></item>" % (name, t, name, t, name, t, t)
                    for t in items))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
base = "http://127.0.0.1:%d" % srv.server_address[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


opener = urllib.request.build_opener(NoRedirect)


def req(sv, path, cookie=None, data=None, method=None, ctype=None):
    """(status, headers, body) of one request."""
    h = {}
    if cookie:
        h["Cookie"] = cookie
    if ctype:
        h["Content-Type"] = ctype
    r = urllib.request.Request(sv.url + path, data=data, headers=h, method=method)
    try:
        with opener.open(r, timeout=60) as resp:
            return resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def api(sv, path, body=None, method=None, cookie=None):
    st, _, text = req(sv, path, cookie, None if body is None else json.dumps(body).encode(), method,
                      "application/json" if body is not None else None)
    return st, (json.loads(text) if text else None)


def tokens(page):
    return set(re.findall(r'name="csrf" value="([0-9a-f]+)"', page))


def article(page, eid):
    m = re.search(r'<article class="([^"]*)" id="e%d">(.*?)</article>' % eid, page, re.S)
    return (m.group(1), m.group(2)) if m else (None, None)


def cache_total(sv, outcome):
    return metric(req(sv, "/metrics")[2], 'eddy_response_cache_total{outcome="%s"}' % outcome) or 0


def wait(cond, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    return cond()


tmp = tempfile.TemporaryDirectory()
data = os.path.join(tmp.name, "data")
st, _, err = run_eddy("add", "--no-fetch", "--data", data, base + "/one", base + "/two")
check("eddy add: 2 feeds", st == 0, err)
sv = Serve(data, env={"EDDY_CACHE_TTL_MS": "3600000"})
check("eddy serve starts", bool(sv.url), sv.stderr()[-300:])
first = time.time()
# Waits on the database itself (not through the cache under test).
check("the first pass stored 6 entries",
      wait(lambda: db(data).execute("SELECT count(*) FROM entries").fetchone()[0] == 6))
entries = api(sv, "/api/v1/entries")[1]["entries"]
A = "eddy_csrf=" + "a" * 32
B = "eddy_csrf=" + "b" * 32

# A hit is a hit: the same page twice, the second from the cache.
req(sv, "/", A)
hits = cache_total(sv, "hit")
st, _, page = req(sv, "/", A)
check("the river again: a cache hit", st == 200 and cache_total(sv, "hit") == hits + 1)

# Two browsers: each gets its own token, in every form, never the other's.
st, _, pb = req(sv, "/", B)
check("browser B's page carries B's token only", tokens(pb) == {"b" * 32}, str(tokens(pb)))
st, _, pa = req(sv, "/", A)
check("browser A's page (a hit after B's) carries A's token only", tokens(pa) == {"a" * 32}, str(tokens(pa)))
st, h, pn = req(sv, "/")
new = re.search(r"eddy_csrf=([0-9a-f]{32})", h.get("Set-Cookie") or "")
check("a browser without a cookie gets a new token, the page the same one",
      new and tokens(pn) == {new.group(1)}, "%s %s" % (h.get("Set-Cookie"), tokens(pn)))

# Marks.
eid = [e for e in entries if e["title"].startswith("one ")][0]["id"]  # feed one stays
def unread(page):
    m = re.search(r'class="counts">(\d+) unread of', page)
    return int(m.group(1)) if m else None


page = req(sv, "/", A)[2]
cls, _ = article(page, eid)
check("entry unread on the kept page, 6 unread in the counts", cls is not None and "read" not in cls.split()
      and unread(page) == 6, "%s %s" % (cls, unread(page)))
req(sv, "/?after=7fffffff-1", A)  # a second page of the plain river: the counts kept beside
api(sv, "/api/v1/entries/%d" % eid, {"read": True})
page = req(sv, "/", A)[2]
cls, _ = article(page, eid)
check("after a mark read: the page shows it read, 5 unread", cls is not None and "read" in cls.split()
      and unread(page) == 5, "%s %s" % (cls, unread(page)))
check("... and so does another page of the river", unread(req(sv, "/?after=7fffffff-2", A)[2]) == 5)
req(sv, "/api/v1/entries?limit=20")  # the API's list kept too
api(sv, "/api/v1/entries/%d" % eid, {"starred": True})
cls, _ = article(req(sv, "/", A)[2], eid)
check("after a star: the page shows it starred", cls is not None and "starred" in cls.split(), cls)
st, listed = api(sv, "/api/v1/entries?limit=20")
check("after a star: the API's kept list shows it starred",
      st == 200 and any(e["id"] == eid and e["starred"] for e in listed["entries"]), str(listed)[:200])

# gzip: the API's kept lists go out gzipped to clients that take it (made
# once, on the thread pool), the same JSON; pages never (CSRF tokens).
def raw(sv, path, enc, cookie=None):
    h = {"Accept-Encoding": enc}
    if cookie:
        h["Cookie"] = cookie
    with opener.open(urllib.request.Request(sv.url + path, headers=h), timeout=60) as resp:
        return resp.headers, resp.read()


plain_h, plain = raw(sv, "/api/v1/entries?limit=7", "identity")
zh, z = raw(sv, "/api/v1/entries?limit=7", "gzip, deflate")
check("the API to a client that takes gzip: gzipped, the same JSON, Vary on both",
      zh.get("Content-Encoding") == "gzip" and gzip.decompress(z) == plain and len(z) < len(plain)
      and zh.get("Vary") == "Accept-Encoding" == plain_h.get("Vary"),
      "%s %s %d %d" % (zh.get("Content-Encoding"), zh.get("Vary"), len(z), len(plain)))
hits = cache_total(sv, "hit")
zh, z2 = raw(sv, "/api/v1/entries?limit=7", "x-gzip;q=0.5")
ph, p2 = raw(sv, "/api/v1/entries?limit=7", "gzip;q=0, *")
check("... then both from the cache: gzipped (x-gzip) and not (gzip;q=0)",
      cache_total(sv, "hit") == hits + 2 and z2 == z and zh.get("Content-Encoding") == "gzip"
      and p2 == plain and ph.get("Content-Encoding") is None, "%s %s" % (zh, ph))
api(sv, "/api/v1/entries/%d" % eid, {"starred": False})
zh, z = raw(sv, "/api/v1/entries?limit=20", "gzip")
check("after a write: the gzipped list shows it (not starred)", zh.get("Content-Encoding") == "gzip" and any(
    e["id"] == eid and not e["starred"] for e in json.loads(gzip.decompress(z))["entries"]))
api(sv, "/api/v1/entries/%d" % eid, {"starred": True})
ph, page = raw(sv, "/", "gzip", A)
ph2, page2 = raw(sv, "/", "gzip", A)
check("the river page (its CSRF token inside) never gzipped, kept or not",
      ph.get("Content-Encoding") is None and ph2.get("Content-Encoding") is None and b"csrf" in page2)

# A page's form marks (the river's own form, its token checked).
st, _, _ = req(sv, "/entries/mark", A, ("csrf=%s&unread=%d&back=/" % ("a" * 32, eid)).encode(), "POST",
               "application/x-www-form-urlencoded")
cls, _ = article(req(sv, "/", A)[2], eid)
check("after the river's own Mark unread (303): the page shows it unread",
      st == 303 and cls is not None and "read" not in cls.split(), "%s %s" % (st, cls))

# A new entry: the feed grows, a refresh stores it.
feed_one = [f for f in api(sv, "/api/v1/feeds")[1]["feeds"] if f["url"].endswith("/one")][0]
check("the kept page has no 'delta' yet", "one delta" not in req(sv, "/", A)[2])
items.append("delta")
req(sv, "/api/v1/feeds/%d/refresh" % feed_one["id"], data=b"", method="POST")
seen = wait(lambda: "one delta" in req(sv, "/", A)[2], 60)
check("after a refresh stored a new entry: the page shows it", seen)

# A removed feed: its entries leave the page.
feed_two = [f for f in api(sv, "/api/v1/feeds")[1]["feeds"] if f["url"].endswith("/two")][0]
check("the kept page lists feed two's entries", "two alpha" in req(sv, "/", A)[2])
st, _ = api(sv, "/api/v1/feeds/%d" % feed_two["id"], method="DELETE")
page = req(sv, "/", A)[2]
check("after removing feed two: none of its entries on the page", st in (200, 204) and "two alpha" not in page,
      "status %s" % st)

# Bounded: 100 distinct queries, at most 64 pages kept.
for i in range(100):
    req(sv, "/?q=word%d" % i, A)
mt = req(sv, "/metrics")[2]
kept = metric(mt, "eddy_response_cache_entries")
check("100 distinct searches: at most 64 pages kept (%s, %s bytes)" % (kept, metric(mt, "eddy_response_cache_bytes")),
      kept is not None and 0 < kept <= 64)

# The relative date moves: the entries were first seen at `first`.
_, text = article(req(sv, "/", A)[2], eid)
check("the kept page says 'just now' of entry %d" % eid, text and "just now" in text, text)
time.sleep(max(0, first + 62 - time.time()))
_, text = article(req(sv, "/", A)[2], eid)
check("a minute later: '1 min ago'", text and "1 min ago" in text, text)

# A password set: the gate runs before the cache, the login state is keyed.
req(sv, "/", A)
st, h, _ = req(sv, "/settings/password", A,
               ("csrf=%s&action=set&new=a+long+password+here&confirm=a+long+password+here" % ("a" * 32)).encode(),
               "POST", "application/x-www-form-urlencoded")
session = re.search(r"(eddy_session=[^;]+)", h.get("Set-Cookie") or "")
check("a password set (303, a session for this browser)", st == 303 and session, "%s %s" % (st, h.get("Set-Cookie")))
st, h, _ = req(sv, "/", B)
check("another browser now gets the login page, not the kept river", st in (302, 303) and "/login" in
      (h.get("Location") or ""), "%s %s" % (st, h.get("Location")))
if session:
    st, _, page = req(sv, "/", A + "; " + session.group(1))
    check("the logged-in browser: the river with its Log out button", st == 200 and 'action="/logout"' in page)
sv.term()

# Another process's write: caught by the 1 s TTL (the default).
sv = Serve(data)
check("eddy serve again (default TTL)", bool(sv.url), sv.stderr()[-300:])
page = req(sv, "/", A)[2]
c = db(data)
c.execute("UPDATE entries SET title = 'changed elsewhere' WHERE id = ?", (eid,))
logged = A + "; " + (session.group(1) if session else "")
seen = wait(lambda: "changed elsewhere" in req(sv, "/", logged)[2], 30)
check("another process's write shows (the TTL)", seen)
# The API's JSON writer: quotes, backslashes, control characters, UTF-8,
# and an invalid byte (U+FFFD in the reply; the store should hold none).
c.execute("UPDATE entries SET title = CAST(? || X'FF' || '!' AS TEXT) WHERE id = ?",
          ('changed "q" \\ \x01\t\n é 😀 ', eid))
c.close()
st, e = api(sv, "/api/v1/entries/%d" % eid, cookie=logged)
check("the API's JSON of a title with quotes, controls, UTF-8 and a bad byte",
      st == 200 and e["title"] == 'changed "q" \\ \x01\t\n é 😀 \ufffd!', "%s %r" % (st, e and e.get("title")))
# Pages the cache never kept, 8 at a time, while marks change the
# generation: each miss holds the river's kept counts across its store read
# while another replaces them (a use after free crashed the server here).
c = db(data)
c.execute("UPDATE entries SET title = 'fine again' WHERE id = ?", (eid,))
c.close()
statuses = []


def reader(k):
    for i in range(40):
        statuses.append(req(sv, "/?after=7fffffff-%x" % (k * 1000 + i + 1), logged)[0])


def marker():
    for i in range(40):
        api(sv, "/api/v1/entries/%d" % eid, {"read": i % 2 == 0}, cookie=logged)


threads = [threading.Thread(target=reader, args=(k,)) for k in range(8)] + [threading.Thread(target=marker)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check("320 uncached pages during 40 marks: all answered 200", statuses.count(200) == 320,
      "%d of %d" % (statuses.count(200), len(statuses)))
# Right after a write, 16 browsers ask for the river at once: one builds
# it, the others wait for it (one miss, whatever the timing).
api(sv, "/api/v1/entries/%d" % eid, {"starred": False}, cookie=logged)
misses = cache_total(sv, "miss")
go = threading.Barrier(16)
burst = []


def asker():
    go.wait()
    burst.append(req(sv, "/", logged)[0])


threads = [threading.Thread(target=asker) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check("16 at once after a write: all 200, one built the page (misses +%s)" % (cache_total(sv, "miss") - misses),
      burst.count(200) == 16 and cache_total(sv, "miss") - misses == 1)
check("SIGTERM: exit 0", sv.term() == 0)
summary()
