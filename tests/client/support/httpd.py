"""A real HTTP/1.1 test server for the client tests (not a test itself).

Run as `python3 tests/client/support/httpd.py [--tls CERT KEY] [--bind ADDR]`: binds
127.0.0.1 (or ADDR) on a free port, prints the port on one line, serves until killed.  Each path is a
behaviour the client must handle:

  /ok                      200 "ok", two X-Dup headers
  /size/N                  N bytes of 'x' with Content-Length
  /chunked/N               N bytes of 'y', chunked
  /gzip                    a gzip-encoded body (when the client accepts it)
  /bomb/N                  N MiB of zeros, gzip-encoded (about N KB sent)
  /etag                    ETag "v1" + Last-Modified; 304 when they match
  /redirect/N/CODE[/PATH]  N redirects with status CODE, then /ok (or /PATH,
                           which may have slashes); POST too
  /loop                    redirects to itself forever
  /rel/A/B                 302 to the relative reference ../../ok
  /slowhop/N/MS            after MS milliseconds, 302 to /slowhop/N-1/MS; /ok at 0
  /method                  "METHOD BODY-LENGTH" of the request; POST too
  /slow/MS                 answers after MS milliseconds
  /stall                   headers and 10 bytes, then silence for 30 s
  /headers                 the request headers, as the body
  /echo                    the request body (POST), as the body
  /stats                   the most requests ever in flight at once
  /to/URL                  302 to URL (the rest of the path, percent-decoded); POST too
  /feed/koi8               RSS in KOI8-R declared only by Content-Type's charset;
                           ETag "f1" + Last-Modified, 304 when they match
  /feed/json               a JSON Feed served as application/feed+json
  /feed/text               plain text (no feed)
  /moved                   301 to /feed/koi8
  /garbage                 bytes that are no HTTP response, then close
  /reply?status=N&h=Name:value&rss=XML&etag=E
                           status N (200 by default) with the headers h (any
                           number; a Date given replaces the server's); a 200
                           is an RSS feed with XML in its channel; with etag, a
                           304 (the same headers) when If-None-Match is "E"
"""
import gzip
import http.server
import os
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
import zlib

lock = threading.Lock()
bombs = {}


def bomb(mib):
    if mib not in bombs:
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = bytes(1 << 20)
        bombs[mib] = b"".join(z.compress(zeros) for _ in range(mib)) + z.flush()
    return bombs[mib]
in_flight = 0
peak = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def done(self):
        """Ends this request's count before its answer goes out: once the
        client has the answer, its next request may overlap this thread's
        bookkeeping but not the request."""
        global in_flight
        if getattr(self, "counted", False):
            self.counted = False
            with lock:
                in_flight -= 1

    def send(self, code, body=b"", headers=()):
        self.done()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def moved(self, code, to):
        # A body, as servers send: the client must not take it for the
        # final reply's.
        self.send(code, b"<a href='%s'>moved</a>" % to.encode(), [("Location", to),
                  ("Content-Type", "text/html")])

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.body = self.rfile.read(n)
        p = self.path.split("/")[1:]
        if p[0] in ("redirect", "to", "method"):
            self.route(p)
        else:
            self.send(200, self.body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        global in_flight, peak
        # A body sent with a GET (it must not be, after a 303) is read too.
        self.body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        self.counted = True
        try:
            self.route(self.path.split("/")[1:])
        finally:
            self.done()

    def feed(self, kind):
        if kind == "koi8":
            lm = "Wed, 21 Oct 2015 07:28:00 GMT"
            v = [("ETag", '"f1"'), ("Last-Modified", lm)]
            if self.headers.get("If-None-Match") == '"f1"':
                self.send_response(304)
                self.send_header("ETag", '"f1"')
                self.end_headers()
                return
            body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Привет</title>"
                    "<item><title>один</title><link>/one</link></item></channel></rss>").encode("koi8-r")
            self.send(200, body, [("Content-Type", "application/rss+xml; charset=koi8-r")] + v)
        elif kind == "json":
            body = b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", "title": "one"}]}'
            self.send(200, body, [("Content-Type", "application/feed+json")])
        else:
            self.send(200, b"hello, world", [("Content-Type", "text/plain")])

    def reply(self, q):
        code = int(q.get("status", ["200"])[0])
        hdrs = [h.split(":", 1) for h in q.get("h", [])]
        etag = q.get("etag", [None])[0]
        body = b""
        if etag and self.headers.get("If-None-Match") == '"%s"' % etag:
            code = 304
        elif code == 200:
            body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>R</title>"
                    "<link>http://example.com/r</link>%s<item><guid>r-1</guid><title>one</title>"
                    "</item></channel></rss>" % q.get("rss", [""])[0]).encode()
            hdrs.append(["Content-Type", "application/rss+xml"])
        if etag:
            hdrs.append(["ETag", '"%s"' % etag])
        self.send_response_only(code)
        if not any(k.lower() == "date" for k, _ in hdrs):
            self.send_header("Date", self.date_time_string())
        for k, v in hdrs:
            self.send_header(k, v.strip())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route(self, p):
        if p[0].split("?")[0] == "reply":
            self.reply(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
        elif p[0] == "ok":
            self.send(200, b"ok", [("X-Dup", "one"), ("X-Dup", "two"), ("Content-Type", "text/plain")])
        elif p[0] == "size":
            time.sleep(0.001)  # long enough for concurrent requests to overlap
            self.send(200, b"x" * int(p[1]))
        elif p[0] == "chunked":
            n = int(p[1])
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while n > 0:
                k = min(n, 4096)
                self.wfile.write(b"%x\r\n%s\r\n" % (k, b"y" * k))
                n -= k
            self.wfile.write(b"0\r\n\r\n")
        elif p[0] == "bomb":
            with lock:
                body = bomb(int(p[1]))
            self.send(200, body, [("Content-Encoding", "gzip")])
        elif p[0] == "gzip":
            body = b"compressed " * 100
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                self.send(200, gzip.compress(body), [("Content-Encoding", "gzip")])
            else:
                self.send(200, body)
        elif p[0] == "etag":
            lm = "Wed, 21 Oct 2015 07:28:00 GMT"
            if self.headers.get("If-None-Match") == '"v1"' or self.headers.get("If-Modified-Since") == lm:
                self.send_response(304)
                self.send_header("ETag", '"v1"')
                self.end_headers()
            else:
                self.send(200, b"fresh", [("ETag", '"v1"'), ("Last-Modified", lm)])
        elif p[0] == "redirect":
            n, code = int(p[1]), int(p[2])
            last = "/" + "/".join(p[3:]) if len(p) > 3 else "/ok"
            to = last if n <= 1 else "/redirect/%d/%d%s" % (n - 1, code, last if len(p) > 3 else "")
            self.moved(code, to)
        elif p[0] == "slowhop":
            n, ms = int(p[1]), int(p[2])
            time.sleep(ms / 1000)
            self.moved(302, "/slowhop/%d/%d" % (n - 1, ms) if n > 1 else "/ok")
        elif p[0] == "rel":
            self.moved(302, "../../ok")
        elif p[0] == "method":
            self.send(200, b"%s %d" % (self.command.encode(), len(getattr(self, "body", b""))))
        elif p[0] == "loop":
            self.moved(302, "/loop")
        elif p[0] == "slow":
            time.sleep(int(p[1]) / 1000)
            self.send(200, b"slow")
        elif p[0] == "stall":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            time.sleep(30)
        elif p[0] == "headers":
            self.send(200, str(self.headers).encode())
        elif p[0] == "to":
            self.moved(302, urllib.parse.unquote("/".join(p[1:])))
        elif p[0] == "moved":
            self.moved(301, "/feed/koi8")
        elif p[0] == "feed":
            self.feed(p[1])
        elif p[0] == "garbage":
            self.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n")
            self.wfile.flush()
            self.close_connection = True
        elif p[0] == "stats":
            self.send(200, str(peak).encode())
        else:
            self.send(404, b"no such path")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 4096

    def handle_error(self, request, client_address):
        pass  # clients that abort on purpose are the point of some tests


def main():
    args = sys.argv[1:]
    bind = "127.0.0.1"
    if len(args) >= 2 and args[-2] == "--bind":
        bind, args = args[-1], args[:-2]
    srv = Server((bind, 0), Handler)
    if len(args) == 3 and args[0] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args[1], args[2])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    # A test that fails ends without stopping us: go with the test.
    parent = os.getppid()

    def orphaned():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=orphaned, daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
