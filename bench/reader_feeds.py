#!/usr/bin/env python3
"""bench/reader_feeds.py PORT [DELAY] — the feeds of bench/fill-store's data folder,
changed at every fetch: GET /f/N.xml answers an RSS document of 20 items of
~3 KB, 5 of them new since the feed's last fetch (guids and links never seen,
in this run or an earlier one on the same store: they carry the run's start
time, as a changed guid with the same link and title is the same entry;
so a run's first fetch of a feed has 20 new), so a refresh pass parses,
stores and indexes real work.  No validators: every
fetch is a 200, answered after DELAY seconds (0).  For bench/reader.sh; runs until killed."""
import http.server
import socketserver
import sys
import threading
import time

WORDS = ("the of and to in is that for it with as was on be at by this from or an but not are "
         "which one all were when we there can more time about people would like into than "
         "first water been call who now find long down day did get come made may part over "
         "new sound take only little work know place year live back give most very after").split()
rounds = {}
RUN = int(time.time())
DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
lock = threading.Lock()


def text(seed, n):
    return " ".join(WORDS[(seed * 7 + i * 13) % len(WORDS)] for i in range(n))


def feed(n, r):
    items = []
    for k in range(r * 5 + 19, r * 5 - 1, -1):
        body = "".join("<p>%s <a href=\"https://blog%d.example.org/p/%d\">more</a>.</p>"
                       % (text(k + j, 40), n, k) for j in range(8))
        items.append("<item><title>%s %d</title><link>https://blog%d.example.org/new/%d/%d</link>"
                     "<guid>bench-%d-%d-%d</guid><pubDate>Mon, 07 Dec 2026 00:%02d:00 GMT</pubDate>"
                     "<description><![CDATA[%s]]></description></item>"
                     % (text(k, 6), k, n, RUN, k, RUN, n, k, k % 60, body))
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Bench feed %d</title><link>https://blog%d.example.org/</link>%s"
            "</channel></rss>" % (n, n, "".join(items))).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        try:
            n = int(self.path.split("/f/")[1].split(".")[0])
        except (IndexError, ValueError):
            self.send_error(404)
            return
        with lock:
            r = rounds[n] = rounds.get(n, 0) + 1
        body = feed(n, r)
        time.sleep(DELAY)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 256


Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
