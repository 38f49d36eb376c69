"""A loopback feed server for the tests/app scripts (not a test itself).

Run as `python3 tests/app/support/feeds.py`: binds 127.0.0.1 on a free port,
prints the port, serves until killed (or its parent dies).  Paths:

  /feed/NAME          RSS 2.0 with 3 entries (guids NAME-1..3), ETag "NAME",
                      304 when If-None-Match matches; /feed/NAME?n=K: K entries
  /ttl                RSS with <ttl>180</ttl> (3 hours); /ttl?m=M: <ttl>M</ttl>
  /r301/NAME, /r308/NAME   a permanent redirect to /feed/NAME
  /r302/NAME          a temporary one
  /gone               410
  /error              500
  /busy               503 with Retry-After: 120
  /stall              headers, a few bytes, then silence for 60 s
  /page               HTML announcing ../feed/p (relative, after a <base href>)
                      with rel="alternate stylesheet"-like decoys first
  /blank              HTML announcing no feed
  /requests           the request log: one "PATH INM" line per request
                      (INM: the If-None-Match sent, or -)
"""
import http.server
import os
import socketserver
import sys
import threading
import time
import urllib.parse

log = []
lock = threading.Lock()


def rss(name, n, ttl=None):
    items = "".join(
        "<item><title>%s entry %d</title><link>http://example.com/%s/%d</link>"
        "<guid>%s-%d</guid><pubDate>Sat, 05 Dec 2026 10:%02d:00 GMT</pubDate>"
        "<description>Body of %s %d &amp; more</description></item>" % (name, i, name, i, name, i, i % 60, name, i)
        for i in range(1, n + 1))
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %s</title>'
            '<link>http://example.com/%s</link>%s%s</channel></rss>'
            % (name, name, "<ttl>%d</ttl>" % ttl if ttl else "", items)).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        p = u.path.strip("/").split("/")
        with lock:
            log.append("%s %s" % (self.path, self.headers.get("If-None-Match", "-")))
        xml = ("Content-Type", "application/rss+xml")
        if p[0] == "feed" and len(p) == 2:
            etag = '"%s"' % p[1]
            if self.headers.get("If-None-Match") == etag:
                return self.send(304, b"", [("ETag", etag)])
            self.send(200, rss(p[1], int(q.get("n", ["3"])[0])), [xml, ("ETag", etag)])
        elif p[0] == "ttl":
            self.send(200, rss("ttl", 1, int(q.get("m", ["180"])[0])), [xml])
        elif p[0] in ("r301", "r308", "r302") and len(p) == 2:
            self.send(int(p[0][1:]), b"", [("Location", "/feed/" + p[1])])
        elif p[0] == "gone":
            self.send(410, b"gone")
        elif p[0] == "error":
            self.send(500, b"oops")
        elif p[0] == "busy":
            self.send(503, b"busy", [("Retry-After", "120")])
        elif p[0] == "stall":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<?xml version='1.0'?><rss version='2.0'>")
            self.wfile.flush()
            time.sleep(60)
        elif p[0] == "page":
            html = ('<!DOCTYPE html><html><head><base href="/sub/dir/">'
                    '<link rel="stylesheet" type="text/css" href="x.css">'
                    '<link rel="alternate" type="text/html" href="other.html">'
                    '<LINK REL="Alternate home" TYPE="application/rss+xml; charset=utf-8" '
                    'href="../../feed/p" title="P">'
                    '<link rel="alternate" type="application/atom+xml" href="/feed/q">'
                    '</head><body><p>Hello<p>unclosed</body></html>')
            self.send(200, html.encode(), [("Content-Type", "text/html")])
        elif p[0] == "blank":
            self.send(200, b"<html><body>nothing</body></html>", [("Content-Type", "text/html")])
        elif p[0] == "requests":
            with lock:
                body = "".join(line + "\n" for line in log).encode()
            self.send(200, body, [("Content-Type", "text/plain")])
        else:
            self.send(404, b"no such path")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    parent = os.getppid()

    def orphaned():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=orphaned, daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
