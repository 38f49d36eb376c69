"""A long store write never stalls `eddy serve`'s answers.

Another process (this script) holds the database's write lock (BEGIN
IMMEDIATE) while eddy serve starts and its first refresh pass fetches the
feeds, so the pass's writes wait on the lock (on the store's threads).
GET /metrics and GET / must be answered while the lock is still held: the
lock is released only after both answers came (order, not duration: were
the answers waiting for the write, they would never come, and the requests
would fail at their generous timeout).
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from serve import Feeds, Serve, check, db, metric, run_eddy, summary  # noqa: E402

tmp = tempfile.TemporaryDirectory()
data = os.path.join(tmp.name, "data")
feeds = Feeds()
paths = ["/r/1/f%d" % i for i in range(4)]
st, out, err = run_eddy("add", "--no-fetch", "--data", data, *("%s%s?n=20" % (feeds.base, p) for p in paths))
check("eddy add: 4 feeds", st == 0, err)

holder = db(data)
holder.execute("BEGIN IMMEDIATE")
holder.execute("UPDATE feeds SET title = title")  # the lock is really taken
s = Serve(data)
check("eddy serve starts while another process holds the write lock", bool(s.url), s.stderr()[-300:])

# The pass has fetched every feed: its writes are waiting for the lock now.
deadline = time.monotonic() + 60
while time.monotonic() < deadline and not all(feeds.asked(p) for p in paths):
    time.sleep(0.01)
check("the pass fetched the feeds (its writes wait on the lock)", all(feeds.asked(p) for p in paths))

time.sleep(0.2)  # not a bound: lets the pass reach its writes
status, body = s.get("/metrics")
recorded = sum(metric(body, 'eddy_fetches_total{outcome="%s"}' % o) or 0 for o in ("200", "304", "error", "gone"))
check("GET /metrics answered while the write lock is held (feeds recorded by then: %d of 4)" % recorded,
      status == 200 and metric(body, "eddy_feeds") == 4, "status %s" % status)
status, body = s.get("/")
check("GET / answered while the write lock is held", status == 200 and "4 feeds" in body, "status %s" % status)
check("... and the lock was still held then (the holder's transaction is open)", holder.in_transaction)
holder.execute("COMMIT")
holder.close()

status, body = s.get("/metrics")
check("after the release: /metrics answers", status == 200)
status = s.term()
check("SIGTERM: exit 0", status == 0, "exit %s; %s" % (status, s.stderr()[-300:]))
c = db(data)
check("integrity_check ok", c.execute("PRAGMA integrity_check").fetchall() == [("ok",)])
summary()
