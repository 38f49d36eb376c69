"""A loopback feed server for the status page's tests (not a test itself):
feeds that take their time, so a refresh's states can be seen, one whose
XML the parser must repair, one that fails.

  /slow/NAME      waits `delay` seconds, sends the head (ETag "NAME-GEN"),
                  waits again, then the body: RSS with `items` entries whose
                  guids carry GEN; 304 when If-None-Match is the current ETag
  /broken/NAME    RSS with an unclosed tag, a bare '&' and an undefined entity
  /fail/NAME      500

Every answer closes its connection, so every fetch connects anew.
bump(NAME) starts a new generation of NAME (new entries, new ETag).
"""
import http.server
import socketserver
import threading
import time


def rss(name, gen, items):
    body = "".join(
        "<item><title>%s %d.%d</title><link>http://example.com/%s/%d/%d</link><guid>%s-%d-%d</guid>"
        "<pubDate>Sun, 06 Dec 2026 %02d:%02d:00 GMT</pubDate><description>Entry %d of %s</description></item>"
        % (name, gen, i, name, gen, i, name, gen, i, 10 + gen % 10, i % 60, i, name)
        for i in range(1, items + 1))
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Slow %s</title>'
            '<link>http://example.com/%s</link>%s</channel></rss>' % (name, name, body)).encode()


BROKEN = (b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Broken & co</title>\n'
          b'<link>http://example.com/broken</link>\n'
          b'<item><title>One</title><guid>b1</guid><description>unclosed <b>bold</description></item>\n'
          b'<item><title>Two &nbsp; x</title><guid>b2</guid></item>\n</channel></rss>\n')


class StatusFeeds:
    def __init__(self, delay=0.4, items=3):
        self.delay = delay
        self.items = items
        self.gen = {}
        self.lock = threading.Lock()
        feeds = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, body=b"", ctype="application/rss+xml", etag=None, length=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                if etag:
                    self.send_header("ETag", etag)
                # A new connection for every fetch: none is reused (eddy's
                # client keeps idle ones per host), so "connecting" is seen.
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                return body

            def do_GET(self):
                p = self.path.split("?")[0].strip("/").split("/")
                kind, name = (p + [""])[:2]
                try:
                    if kind == "slow":
                        with feeds.lock:
                            gen = feeds.gen.setdefault(name, 1)
                        etag = '"%s-%d"' % (name, gen)
                        time.sleep(feeds.delay)
                        if self.headers.get("If-None-Match") == etag:
                            self.send(304, etag=etag)
                            return
                        body = rss(name, gen, feeds.items)
                        self.send(200, etag=etag, length=len(body))  # the head alone
                        self.wfile.flush()
                        time.sleep(feeds.delay)
                        half = len(body) // 2
                        self.wfile.write(body[:half])
                        self.wfile.flush()
                        time.sleep(feeds.delay / 2)
                        self.wfile.write(body[half:])
                    elif kind == "broken":
                        self.wfile.write(self.send(200, BROKEN))
                    elif kind == "fail":
                        self.wfile.write(self.send(500, b"oops\n", "text/plain"))
                    else:
                        self.wfile.write(self.send(404, b"", "text/plain"))
                except OSError:
                    pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass

        self.srv = Server(("127.0.0.1", 0), Handler)
        self.base = "http://127.0.0.1:%d" % self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def body_len(self, name):
        with self.lock:
            gen = self.gen.setdefault(name, 1)
        return len(rss(name, gen, self.items))

    def bump(self, name):
        with self.lock:
            self.gen[name] = self.gen.get(name, 1) + 1


class Events:
    """Reads GET /events in a thread, over a plain socket (http.client
    buffers a chunked body): .events is the list of (id, event, data dict)
    as they arrive; .raw the lines; .comments counts comment lines."""

    def __init__(self, url, last_id=None, after=None):
        import socket
        import urllib.parse
        self.events = []
        self.comments = 0
        self.raw = []
        self.lock = threading.Lock()
        u = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=120)
        head = "GET /events%s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n%s\r\n" % (
            "?after=" + urllib.parse.quote(after) if after else "", u.netloc,
            "Last-Event-ID: %s\r\n" % last_id if last_id else "")
        self.sock.sendall(head.encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            more = self.sock.recv(4096)
            if not more:
                break
            self.buf += more
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        hdrs = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
        self.ctype = hdrs.get("content-type")
        threading.Thread(target=self.run, daemon=True).start()

    def body(self):
        """The chunked body's bytes as they come."""
        while True:
            while b"\r\n" not in self.buf:
                more = self.sock.recv(65536)
                if not more:
                    return
                self.buf += more
            size, _, self.buf = self.buf.partition(b"\r\n")
            n = int(size.split(b";")[0], 16)
            if n == 0:
                return
            while len(self.buf) < n + 2:
                more = self.sock.recv(65536)
                if not more:
                    return
                self.buf += more
            yield self.buf[:n]
            self.buf = self.buf[n + 2:]

    def run(self):
        import json
        ev, text = {}, b""
        try:
            for chunk in self.body():
                text += chunk
                while b"\n" in text:
                    line, _, text = text.partition(b"\n")
                    line = line.decode("utf-8").rstrip("\r")
                    with self.lock:
                        self.raw.append(line)
                    if line == "":
                        if "data" in ev:
                            with self.lock:
                                self.events.append((ev.get("id"), ev.get("event", "message"),
                                                    json.loads(ev["data"]) if ev["data"] else None))
                        ev = {}
                    elif line.startswith(":"):
                        self.comments += 1
                    else:
                        k, _, v = line.partition(":")
                        v = v[1:] if v.startswith(" ") else v
                        if k == "data" and "data" in ev:
                            ev["data"] += "\n" + v
                        else:
                            ev[k] = v
        except (OSError, ValueError):
            pass

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def close(self):
        import socket
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
