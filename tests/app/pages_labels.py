#!/usr/bin/env python3
"""tests/app/pages_labels.py — the river's buttons say what they do in the
HTML itself, as a text browser, a screen reader without CSS or a page
without its style sheet gets them: "Mark read" and "☆ Star" on a new entry,
"Mark unread" and "★ Starred" once it is read and starred (through the
API).  The river read by Python's html.parser, no CSS applied.
Last line "N passed, M failed"."""
import html.parser
import json
import os
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from serve import Feeds, Serve, check, run_eddy, summary  # noqa: E402


class Buttons(html.parser.HTMLParser):
    """The text of every button in each entry: {entry id: [text, ...]}."""

    def __init__(self):
        super().__init__()
        self.entries, self.entry, self.button = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article" and (a.get("id") or "").startswith("e"):
            self.entry = int(a["id"][1:])
            self.entries[self.entry] = []
        elif tag == "button" and self.entry is not None:
            self.button = ""

    def handle_data(self, data):
        if self.button is not None:
            self.button += data

    def handle_endtag(self, tag):
        if tag == "button" and self.button is not None:
            self.entries[self.entry].append(self.button.strip())
            self.button = None
        elif tag == "article":
            self.entry = None


def buttons(sv):
    st, body = sv.get("/")
    p = Buttons()
    p.feed(body)
    return st, p.entries


feeds = Feeds()
data = os.path.join(tempfile.mkdtemp(), "data")
st, out, err = run_eddy("add", "--no-fetch", "--data", data, feeds.base + "/r/1/labels?n=2")
st2, out2, err2 = run_eddy("refresh", "--data", data)
check("setup: a feed of 2 entries stored", st == 0 and st2 == 0 and "2 new" in out2, out + err + out2 + err2)
sv = Serve(data)
try:
    check("eddy serve started", sv.url, sv.stderr())
    if sv.url:
        st, entries = buttons(sv)
        check("the river: each entry's buttons say Mark read, \u2606 Star in the HTML",
              st == 200 and len(entries) == 2 and all(b == ["Mark read", "\u2606 Star"] for b in entries.values()),
              "%s %s" % (st, entries))
        first = min(entries) if entries else 0
        req = urllib.request.Request("%s/api/v1/entries/%d" % (sv.url, first), method="PUT",
                                     data=json.dumps({"read": True, "starred": True}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            check("an entry marked read and starred (the API)", r.status == 200)
        st, entries = buttons(sv)
        check("then its buttons say Mark unread, \u2605 Starred; the other's are unchanged",
              st == 200 and entries.get(first) == ["Mark unread", "\u2605 Starred"]
              and [b for i, b in entries.items() if i != first] == [["Mark read", "\u2606 Star"]],
              "%s %s" % (st, entries))
finally:
    check("eddy serve stops cleanly", sv.term() == 0, sv.stderr()[-2000:])
summary()
