#!/usr/bin/env python3
"""tests/app/api_opml_limit.py — POST /api/v1/opml and the request body limit.

An OPML import is one request body, so its size limit is the server's (1 MiB):
a document of exactly 1 MiB (three feeds, padded with a comment) is
imported; one byte more is refused 413 by the server itself, and the answer
says the limit in bytes, so the owner of a larger file knows what to do.
Last line "N passed, M failed"."""
import os
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from serve import Serve, check, summary  # noqa: E402

LIMIT = 1 << 20


def opml(size):
    """An OPML document of exactly `size` bytes."""
    head = ('<?xml version="1.0"?><opml version="2.0"><body>'
            '<outline text="a" xmlUrl="http://example.com/a.xml"/>'
            '<outline text="b" xmlUrl="http://example.com/b.xml"/>'
            '<outline text="c" xmlUrl="http://example.com/c.xml"/>'
            '</body></opml><!--').encode()
    tail = b"-->\n"
    return head + b"x" * (size - len(head) - len(tail)) + tail


def post(sv, body):
    req = urllib.request.Request(sv.url + "/api/v1/opml", data=body, method="POST",
                                 headers={"Content-Type": "text/x-opml"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


sv = Serve(os.path.join(tempfile.mkdtemp(), "data"))
try:
    check("eddy serve started", sv.url, sv.stderr())
    if sv.url:
        st, body = post(sv, opml(LIMIT + 1))
        check("1 MiB + 1 byte: 413, the answer says the limit (%d bytes)" % LIMIT,
              st == 413 and str(LIMIT) in body, "%s %r" % (st, body[:300]))
        st, body = post(sv, opml(LIMIT))
        check("exactly 1 MiB: imported (no smaller cap behind the server's)",
              st == 200 and '"added":3' in body, "%s %r" % (st, body[:300]))
finally:
    check("eddy serve stops cleanly", sv.term() == 0, sv.stderr()[-2000:])
summary()
