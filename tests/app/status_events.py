#!/usr/bin/env python3
"""tests/app/status_events.py — the live refresh over real HTTP: `eddy serve`
on loopback, feeds from a loopback server that takes its time
(support/status_feeds.py), GET /events read as a browser's EventSource
would.

Each feed's states arrive in order — queued, connecting, waiting,
receiving, then parsed (with its count of new entries), 304 or error — and
the ids grow; a pass is announced and summed up.  What the fetch cost is
stored (the phases the slow server made long are at least that long, the
bytes are the body's).  POST /refresh (CSRF form) wakes the scheduler: the
unchanged feed ends in 304, the changed one in new entries.  A stream
resumed with Last-Event-ID goes on after that event; one with an id of no
run of this server gets what is kept.  /status shows the broken feed's
repairs with their line and column.  A stop ends the open streams at once
rather than at the drain's deadline.
Last line "N passed, M failed"."""
import os
import re
import signal
import sqlite3
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "support"))
from serve import Serve, check, run_eddy, summary  # noqa: E402
from status_feeds import Events, StatusFeeds  # noqa: E402

RANK = {"queued": 0, "connecting": 1, "waiting": 2, "receiving": 3, "parsed": 4, "304": 4, "error": 4}
DELAY = 0.3


def wait_for(what, cond, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return check(what, False, "timed out")


def states(events, fid, since=0):
    return [d["state"] for (_, e, d) in events[since:] if e == "feed" and d["id"] == fid]


def ended(events, fid, since=0):
    s = states(events, fid, since)
    return bool(s) and RANK[s[-1]] == 4


def in_order(seq):
    """queued first, ranks strictly growing, one final state last."""
    r = [RANK[s] for s in seq]
    return bool(r) and r[0] == 0 and r[-1] == 4 and all(a < b for a, b in zip(r, r[1:]))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def csrf_post(sv, path):
    """POSTs the /status page's form (its cookie and token): (status, Location)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), NoRedirect())
    with opener.open(sv.url + "/status", timeout=60) as r:
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', r.read().decode()).group(1)
    req = urllib.request.Request(sv.url + path, data=urllib.parse.urlencode({"csrf": token}).encode())
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, r.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location")


def main():
    feeds = StatusFeeds(delay=DELAY)
    data = tempfile.mkdtemp(prefix="status-events-")
    urls = {"a": feeds.base + "/slow/a", "b": feeds.base + "/slow/b",
            "broken": feeds.base + "/broken/x", "fail": feeds.base + "/fail/x"}
    for u in urls.values():
        run_eddy("add", "--data", data, u)
    feeds.bump("a"), feeds.bump("b")  # whatever `eddy add` saw, the first pass gets new documents
    sv = Serve(data)
    if not check("eddy serve started", sv.url, sv.stderr()):
        summary()
    try:
        ids = {f["url"]: f["id"] for f in __import__("json").loads(sv.get("/api/v1/feeds")[1])["feeds"]}
        fid = {k: ids[u] for k, u in urls.items()}
        # The first pass starts with the server: "after" an id of no run of
        # this server gives every event still kept, so none is missed.
        ev = Events(sv.url, after="0")
        check("/events answers 200 text/event-stream", ev.status == 200 and
              (ev.ctype or "").startswith("text/event-stream"), str(ev.ctype))
        wait_for("every feed ended the first pass", lambda: all(ended(ev.snapshot(), i) for i in fid.values()))
        wait_for("the pass is summed up", lambda: any(e == "pass" and d["state"] == "end" for (_, e, d) in ev.snapshot()))
        evs = ev.snapshot()
        check("the stream starts with a reconnect delay", ev.raw[:1] == ["retry: 3000"], str(ev.raw[:2]))
        for k in ("a", "b"):
            check("slow feed %s: queued, connecting, waiting, receiving, parsed" % k,
                  states(evs, fid[k]) == ["queued", "connecting", "waiting", "receiving", "parsed"],
                  str(states(evs, fid[k])))
        for k, i in fid.items():
            check("feed %s: its states in order, one end" % k, in_order(states(evs, i)), str(states(evs, i)))
        last = {k: [d for (_, e, d) in evs if e == "feed" and d["id"] == i][-1] for k, i in fid.items()}
        check("a parsed feed says how many entries are new", last["a"]["added"] == 3 and last["a"]["status"] == 200,
              str(last["a"]))
        check("the broken feed is parsed, with repairs", last["broken"]["state"] == "parsed" and
              last["broken"]["repairs"] >= 2, str(last["broken"]))
        check("the failing feed ends in error with its message", last["fail"]["state"] == "error" and
              last["fail"]["status"] == 500 and last["fail"]["error"] == "HTTP status 500", str(last["fail"]))
        check("an ended feed carries what its fetch cost", last["a"]["bytes"] == feeds.body_len("a") and
              last["a"]["us"]["wait"] >= DELAY * 1e6 * 0.9 and last["a"]["next_check"] > time.time(),
              str(last["a"]))
        passes = [d for (_, e, d) in evs if e == "pass"]
        check("the pass starts, then ends with its counts", passes[0]["state"] == "start" and
              passes[-1]["state"] == "end" and passes[-1]["feeds"] == 4 and passes[-1]["errors"] == 1 and
              passes[-1]["added"] >= 8, str(passes))
        seqs = [i.split("-") for (i, _, _) in evs]
        check("ids are one run's, growing by one",
              len({e for e, _ in seqs}) == 1 and [int(s) for _, s in seqs] ==
              list(range(int(seqs[0][1]), int(seqs[0][1]) + len(seqs))), str(seqs[:3]))

        # Stored: the phases the server made long are at least that long.
        db = sqlite3.connect(os.path.join(data, "eddy.db"))
        row = db.execute("SELECT fetch_bytes, t_wait, t_receive, t_connect, t_parse FROM feeds WHERE id = ?",
                         (fid["a"],)).fetchone()
        db.close()
        check("the store keeps bytes and time per phase",
              row[0] == feeds.body_len("a") and row[1] >= DELAY * 1e6 * 0.9 and row[2] >= DELAY * 1e6 * 0.9 and
              row[4] > 0, str(row))

        page = sv.get("/status")[1]
        check("/status shows the broken feed's repairs with line and column",
              re.search(r"line 4, column \d+</span> Opening and ending tag mismatch", page) is not None and
              "repairs in its last document" in page)
        check("/status shows the failing feed's error and the summary",
              "HTTP status 500" in page and re.search(r"<strong>1</strong> failing", page) is not None)

        # Refresh all now: a 303 back, the scheduler woken; a changes, b not.
        feeds.bump("b")
        n0 = len(ev.snapshot())
        st, loc = csrf_post(sv, "/refresh")
        check("POST /refresh answers 303 to /status", st == 303 and loc == "/status?msg=refreshing", "%s %s" % (st, loc))
        check("POST /refresh without the cookie's token is refused", post_plain(sv, "/refresh") == 403)
        wait_for("every feed ended the second pass",
                 lambda: all(ended(ev.snapshot(), i, n0) for i in fid.values()))
        evs = ev.snapshot()
        sa, sb = states(evs, fid["a"], n0), states(evs, fid["b"], n0)
        check("the unchanged feed ends in 304, no body received", in_order(sa) and sa[-1] == "304" and
              "receiving" not in sa, str(sa))
        newb = [d for (_, e, d) in evs[n0:] if e == "feed" and d["id"] == fid["b"]][-1]
        check("the changed one ends parsed, 3 new", in_order(sb) and newb["state"] == "parsed" and newb["added"] == 3,
              str(newb))

        # Resuming: after the 5th event, the 6th comes first.
        ev2 = Events(sv.url, last_id=evs[4][0])
        wait_for("the resumed stream catches up", lambda: len(ev2.snapshot()) >= len(evs) - 5)
        got = ev2.snapshot()
        check("Last-Event-ID: the stream goes on after that event", got[:len(evs) - 5] == evs[5:],
              "%s vs %s" % (got[:1], evs[5:6]))
        ev2.close()
        ev3 = Events(sv.url, last_id="12345-1")
        wait_for("a stranger's id gets what is kept", lambda: len(ev3.snapshot()) >= len(evs))
        check("an id of another run: every event still kept", ev3.snapshot()[:len(evs)] == evs)
        ev3.close()

        # A stop with a stream open: the stream ends, the server does not
        # wait for it until its drain deadline cancels it.
        sv.p.send_signal(signal.SIGTERM)
        code = sv.p.wait(60)
        check("stopped cleanly with a stream open", code == 0 and "still running" not in sv.stderr(),
              sv.stderr()[-300:])
        ev.close()
    finally:
        if sv.p.poll() is None:
            sv.kill()
    summary()


def post_plain(sv, path):
    req = urllib.request.Request(sv.url + path, data=b"csrf=0123456789abcdef0123456789abcdef")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


if __name__ == "__main__":
    main()
