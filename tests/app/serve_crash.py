"""`eddy serve` killed with SIGKILL in the middle of a refresh that is
writing entries, 50 times, then stopped with SIGTERM in the middle of one.

Each round subscribes new feeds (fresh guids), one of which the feed server
holds until the round ends, so the pass is still running when the kill
comes: right after the first of the round's entries is seen committed (a
reader's snapshot of every entry, taken just before the kill).  Then:
PRAGMA integrity_check is ok, every entry of the snapshot is still there,
and each feed has all of its entries or none (a feed's entries are one
transaction).  The next round's start is the restart.
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from serve import Feeds, Serve, check, db, run_eddy, summary  # noqa: E402

ROUNDS, FEEDS, ENTRIES = 50, 8, 60

tmp = tempfile.TemporaryDirectory()
data = os.path.join(tmp.name, "data")
feeds = Feeds()
seen = set()  # every entry a snapshot saw committed
bad_rounds = []


def snapshot(c):
    return set(r[0] for r in c.execute("SELECT guid FROM entries"))


def verify(rnd, what):
    """integrity, nothing committed lost, every feed whole."""
    c = db(data)
    integrity = c.execute("PRAGMA integrity_check").fetchall()
    now = snapshot(c)
    per_feed = c.execute("SELECT feed_id, count(*) FROM entries GROUP BY feed_id").fetchall()
    c.close()
    problems = []
    if integrity != [("ok",)]:
        problems.append("integrity_check: %r" % integrity[:3])
    lost = seen - now
    if lost:
        problems.append("%d committed entries lost, e.g. %s" % (len(lost), sorted(lost)[:3]))
    torn = [(f, n) for f, n in per_feed if n != ENTRIES]
    if torn:
        problems.append("feeds half-written (feed, entries): %r" % torn[:3])
    if problems:
        bad_rounds.append("%s %d: %s" % (what, rnd, "; ".join(problems)))
    return now


def unfinished(rnd):
    """Whether the round's held feed has no fetch recorded: its pass never ended."""
    c = db(data)
    row = c.execute("SELECT last_check FROM feeds WHERE url LIKE ?", ("%%/r/%d/f%d?%%" % (rnd, FEEDS - 1),)).fetchone()
    c.close()
    return row is not None and not row[0]


def start_round(rnd):
    """Subscribes the round's feeds (the last one held) and starts eddy serve."""
    urls = ["%s/r/%d/f%d?n=%d" % (feeds.base, rnd, i, ENTRIES) for i in range(FEEDS)]
    feeds.hold = {"/r/%d/f%d" % (rnd, FEEDS - 1)}
    feeds.release.clear()
    st, out, err = run_eddy("add", "--no-fetch", "--data", data, *urls)
    if st != 0:
        bad_rounds.append("round %d: eddy add: %s" % (rnd, err.strip()))
    return Serve(data, "--per-host", "4")


def wait_for_writes(s):
    """Polls until more entries than before the start are committed;
    returns the snapshot taken then (None if the server died or nothing came)."""
    c = db(data)
    count = "SELECT count(*) FROM entries"
    before = c.execute(count).fetchone()[0]
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and s.p.poll() is None:
            if c.execute(count).fetchone()[0] > before:
                return snapshot(c)
            time.sleep(0.002)
    finally:
        c.close()
    return None


t0 = time.monotonic()
mid_pass = 0
for rnd in range(1, ROUNDS + 1):
    s = start_round(rnd)
    if not s.url:
        bad_rounds.append("round %d: eddy serve did not start: %s" % (rnd, s.stderr()[-300:]))
        s.kill()
        break
    snap = wait_for_writes(s)
    running = s.p.poll() is None
    s.kill()
    feeds.release.set()
    if snap is None:
        bad_rounds.append("round %d: no entry was written (server %s)" % (rnd, "up" if running else "died"))
        break
    seen |= snap
    verify(rnd, "kill -9 round")
    mid_pass += unfinished(rnd)

check("%d rounds of kill -9 while a pass writes entries: integrity ok, no committed entry lost, "
      "no feed half-written (%d entries checked, %.1f s)" % (ROUNDS, len(seen), time.monotonic() - t0),
      not bad_rounds, "; ".join(bad_rounds[:3]))
check("every kill came while the pass was running (the held feed not recorded): %d of %d" % (mid_pass, ROUNDS),
      mid_pass == ROUNDS)

# SIGTERM in the middle of a pass: a clean stop (exit 0) that waits for no
# held feed, and leaves the store as the kills did.
bad_rounds.clear()
s = start_round(ROUNDS + 1)
snap = wait_for_writes(s) if s.url else None
status = s.term() if snap is not None else s.kill()
feeds.release.set()
check("SIGTERM during a pass: exit 0", status == 0, "exit %s; %s" % (status, s.stderr()[-300:]))
check("SIGTERM: 'stopping' logged", "stopping" in s.stderr())
if snap:
    seen |= snap
verify(ROUNDS + 1, "SIGTERM")
check("after SIGTERM: integrity ok, nothing committed lost, no feed half-written",
      not bad_rounds, "; ".join(bad_rounds[:3]))

# The restart after all that serves and finishes the held feeds.
s = Serve(data, "--per-host", "4")
ok = bool(s.url) and s.get("/metrics")[0] == 200
status = s.term()
check("restart after the kills: /metrics answers, SIGTERM exits 0", ok and status == 0,
      "exit %s; %s" % (status, s.stderr()[-300:]))
summary()
