#!/usr/bin/env python3
"""tests/app/api_parse_bound.py — GET /api/v1/parse runs at most 4 at once,
and subscribing (its discovery fetch) takes the same slots.

`eddy serve --allow 127.0.0.0/8` (the SSRF guard lets the loopback feed
server through) and a feed server that holds /r/1/held until told.  Four
/parse requests for it: the server fetches all four (they hold the four
slots).  A fifth is not fetched: after a short wait it is answered 503 with
Retry-After and a JSON error; so is a POST /api/v1/feeds, and the pages'
add form comes back saying the server is busy, neither URL fetched.  Released, the four are answered 200 with the
feed parsed, and a later request gets a slot again.
Last line "N passed, M failed"."""
import json
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from serve import Feeds, Serve, check, summary  # noqa: E402

SLOTS = 4


def parse(sv, feed, out):
    """GET /api/v1/parse?url=feed: appends (status, headers, body) to out."""
    url = sv.url + "/api/v1/parse?url=" + urllib.request.quote(feed, safe="")
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            out.append((r.status, r.headers, r.read()))
    except urllib.error.HTTPError as e:
        out.append((e.code, e.headers, e.read()))


def until(cond, secs=60):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def held(feeds):
    with feeds.lock:
        return feeds.log.count("/r/1/held")


feeds = Feeds()
feeds.hold.add("/r/1/held")
sv = Serve(os.path.join(tempfile.mkdtemp(), "data"), "--allow", "127.0.0.0/8", "--per-host", "16")
try:
    check("eddy serve started", sv.url, sv.stderr())
    if sv.url:
        first = []
        threads = [threading.Thread(target=parse, args=(sv, feeds.base + "/r/1/held?n=%d" % (i + 1), first))
                   for i in range(SLOTS)]
        for t in threads:
            t.start()
        check("%d requests: all %d fetches under way" % (SLOTS, SLOTS), until(lambda: held(feeds) == SLOTS),
              "the feed server saw %d" % held(feeds))
        extra = []
        t5 = threading.Thread(target=parse, args=(sv, feeds.base + "/r/1/held?n=9", extra))
        t5.start()
        # Whichever comes first: its answer, or its fetch reaching the feed server.
        until(lambda: extra or held(feeds) > SLOTS)
        check("one more: not fetched while %d run" % SLOTS, held(feeds) == SLOTS,
              "the feed server saw %d" % held(feeds))
        if not extra:  # fetched (no bound): its answer comes once the feed server lets go
            feeds.release.set()
            until(lambda: extra)
        st, headers, body = extra[0] if extra else (None, {}, b"")
        try:
            error = json.loads(body).get("error", "")
        except ValueError:
            error = ""
        check("one more: 503 with Retry-After and a JSON error",
              st == 503 and (headers.get("Retry-After") or "").isdigit() and "try again" in error,
              "%s %s %r" % (st, headers.get("Retry-After"), body[:200]))
        # Subscribing fetches too (discovery): the same slots, API and page.
        try:
            req = urllib.request.Request(sv.url + "/api/v1/feeds", method="POST", data=json.dumps(
                {"url": feeds.base + "/r/3/sub"}).encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=60) as r:
                st, headers = r.status, r.headers
        except urllib.error.HTTPError as e:
            st, headers = e.code, e.headers
        check("POST /api/v1/feeds meanwhile: 503 with Retry-After, its URL not fetched",
              st == 503 and headers.get("Retry-After") and not feeds.asked("/r/3/sub"), "%s" % st)

        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args):
                return None
        form = urllib.parse.urlencode({"csrf": "a" * 32, "url": feeds.base + "/r/4/page"}).encode()
        req = urllib.request.Request(sv.url + "/feeds/add", data=form, headers={"Cookie": "eddy_csrf=" + "a" * 32})
        try:
            urllib.request.build_opener(Stay).open(req, timeout=60)
            where = None
        except urllib.error.HTTPError as e:
            where = e.headers.get("Location")
        check("the pages' add form meanwhile: back to /feeds saying busy, not fetched",
              where == "/feeds?msg=busy" and not feeds.asked("/r/4/page"), str(where))
        feeds.release.set()
        for t in threads + [t5]:
            t.join(120)
        ok = [s for s, h, b in first if s == 200 and len(json.loads(b)["entries"]) >= 1]
        check("released: the %d answered 200, the feed parsed" % SLOTS, len(ok) == SLOTS,
              str([(s, b[:100]) for s, h, b in first]))
        later = []
        parse(sv, feeds.base + "/r/2/later?n=2", later)
        check("then a new request gets a slot: 200", later and later[0][0] == 200
              and len(json.loads(later[0][2])["entries"]) == 2, str(later)[:300])
finally:
    feeds.release.set()
    check("eddy serve stops cleanly", sv.term() == 0, sv.stderr()[-2000:])
summary()
