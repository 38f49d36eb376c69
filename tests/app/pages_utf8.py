#!/usr/bin/env python3
"""tests/app/pages_utf8.py — the pages over a store holding invalid UTF-8.

eddy's parser never stores any, but another program writing the database, or
an older eddy, could.  A feed refreshed from a loopback server, then its
title and category, and one entry's title, author, link, summary and
content, rewritten straight into SQLite with bytes that are no UTF-8 (a
lone continuation byte, a truncated sequence, an overlong form, a
surrogate).  Then `eddy serve`: the river (/ and filtered by that feed and
category), the entry's page, its text fragment, the feed's page, /feeds,
/status and the digest's e-mail answer 200 with valid UTF-8, the bad bytes
shown as U+FFFD and the text around them kept, as the API (/api/v1/entries)
does.
Last line "N passed, M failed"."""
import os
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from serve import Feeds, Serve, check, db, run_eddy, summary  # noqa: E402

BAD = b"\x80lone \xe2\x82 cut \xc0\xaf overlong \xed\xa0\x80 surrogate"


def bad(word):
    return word.encode() + b" " + BAD


def get(sv, path):
    """(status, body bytes) of GET path."""
    try:
        with urllib.request.urlopen(sv.url + path, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def shown(body, *words):
    """The body is UTF-8, and every word is in it followed by the repaired
    run of bad bytes (a U+FFFD where each was)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        return "not UTF-8: %s" % e
    missing = [w for w in words if w + " \ufffd" not in text]
    return "missing: %s" % missing if missing else ""


feeds = Feeds()
tmp = tempfile.mkdtemp()
data = os.path.join(tmp, "data")
st, out, err = run_eddy("add", "--no-fetch", "--data", data, feeds.base + "/r/1/bad?n=2")
st2, out2, err2 = run_eddy("refresh", "--data", data)
check("setup: a feed of 2 entries stored", st == 0 and st2 == 0 and "2 new" in out2, out + err + out2 + err2)

c = db(data)
feed_id = c.execute("SELECT id FROM feeds").fetchone()[0]
entry_id = c.execute("SELECT id FROM entries ORDER BY id LIMIT 1").fetchone()[0]
text = "CAST(? AS TEXT)"  # TEXT values, as another program's sqlite3_bind_text would store them
c.execute("UPDATE feeds SET title = %s, category = %s WHERE id = ?" % (text, text),
          (bad("Feedtitle"), bad("Category"), feed_id))
c.execute("UPDATE entries SET title = %s, author = %s, summary = %s, content = %s, link = %s WHERE id = ?"
          % (text, text, text, text, text),
          (bad("Entrytitle"), bad("Author"), bad("Summary"), b"<p>" + bad("Content") + b"</p>",
           b"http://example.com/\xff", entry_id))
check("setup: the bad bytes are in the store",
      c.execute("SELECT typeof(title), hex(title) FROM entries WHERE id = ?", (entry_id,)).fetchone()
      == ("text", bad("Entrytitle").hex().upper()))
c.close()

sv = Serve(data)
try:
    check("eddy serve started", sv.url, sv.stderr())
    if sv.url:
        category = urllib.request.quote(bad("Category"))
        for what, path, words in [
                ("the river", "/", ["Entrytitle", "Feedtitle", "Category"]),
                ("the river of that feed", "/?feed=%d" % feed_id, ["Entrytitle", "Feedtitle"]),
                # (the filter holds the bytes as sent; the link the river gives holds U+FFFD)
                ("the river of that category", "/?category=" + category, ["Category"]),
                ("the entry's page", "/entries/%d" % entry_id, ["Entrytitle", "Author", "Content", "Feedtitle"]),
                ("the entry's text", "/entries/%d/content" % entry_id, ["Content"]),
                ("the feed's page", "/feeds/%d" % feed_id, ["Entrytitle", "Feedtitle"]),
                ("the feeds page", "/feeds", ["Feedtitle", "Category"]),
                ("the status page", "/status", ["Feedtitle"]),
                ("the digest's mail", "/digest/mail.html", ["Entrytitle", "Feedtitle"]),
                ("the API (the reference)", "/api/v1/entries", []),
        ]:
            st, body = get(sv, path)
            why = shown(body, *words) if st == 200 else body[:300]
            check("%s: 200, valid UTF-8, U+FFFD for each bad sequence" % what, st == 200 and not why,
                  "%s %s" % (st, why))
finally:
    check("eddy serve stops cleanly", sv.term() == 0, sv.stderr()[-2000:])
summary()
