#!/usr/bin/env python3
"""`eddy fetch` against hostile feed servers on loopback (issue 11): an
endless body, a trickle (a byte a second), a gzip bomb, a redirect loop, a
Content-Length longer or shorter than the body, one far over the size
limit, a silent server, a reply that is no HTTP, a TLS port with a
self-signed certificate and one whose handshake is garbage.  One run with
all of them and a good feed: each hostile one ends (the run ends; the ones
that never stop end at --timeout) with its own error, and the good feed is
fetched.  Prints ok/FAIL lines and "N passed, M failed" for tests/run."""
import os
import re
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import zlib

TOP = os.environ.get("EDDY_TOP", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
EDDY = os.path.join(os.environ.get("EDDY_BUILD", os.path.join(TOP, "build")), "eddy")

GOOD = b"<rss version=\"2.0\"><channel><title>Good</title><item><title>One</title></item></channel></rss>"
FEED = (b"<rss version=\"2.0\"><channel><title>Cut</title>" +
        b"".join(b"<item><title>Item %d</title></item>" % i for i in range(200)) + b"</channel></rss>")
MAX_BODY = 32 << 20  # the client's default limit (src/client/client.c)
TIMEOUT = 8          # --timeout: what ends the servers that never stop


def gzip_bomb():
    """128 MiB of zeros (4x the limit) as gzip: 130 KB on the wire."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join(c.compress(zeros) for _ in range(128)) + c.flush()


BOMB = gzip_bomb()


def head(extra=b"", length=None):
    h = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n" + extra
    if length is not None:
        h += b"Content-Length: %d\r\n" % length
    return h + b"\r\n"


def sendall(sock, data):
    try:
        sock.sendall(data)
    except OSError:
        pass  # the client gave up: that is the point


def linger_until_closed(sock):
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        req = b""
        while b"\r\n\r\n" not in req:
            chunk = s.recv(4096)
            if not chunk:
                return
            req += chunk
        path = req.split(b" ", 2)[1].decode()
        if path == "/good":
            sendall(s, head(length=len(GOOD)) + GOOD)
        elif path == "/endless":
            sendall(s, head())
            block = b"<!-- " + b"x" * 65536 + b" -->"
            try:
                while True:
                    s.sendall(block)
            except OSError:
                pass
        elif path == "/trickle":
            sendall(s, head())
            try:
                for b in FEED:
                    s.sendall(bytes([b]))
                    time.sleep(1)
            except OSError:
                pass
        elif path == "/bomb":
            sendall(s, head(b"Content-Encoding: gzip\r\n", len(BOMB)) + BOMB)
        elif path.startswith("/loop"):
            n = int(path[5:] or 0)
            sendall(s, b"HTTP/1.1 302 Found\r\nLocation: /loop%d\r\nContent-Length: 0\r\n"
                       b"Connection: close\r\n\r\n" % ((n + 1) % 3))
        elif path == "/cut":  # says more than it sends, then closes
            sendall(s, head(length=len(FEED)) + FEED[:len(FEED) // 2])
        elif path == "/short":  # says less than it sends: only that is read
            sendall(s, head(length=len(FEED) // 2) + FEED)
        elif path == "/huge":  # says more than the client takes
            sendall(s, head(length=MAX_BODY * 4) + FEED)
            linger_until_closed(s)
        elif path == "/silent":
            linger_until_closed(s)
        elif path == "/garbage":
            sendall(s, b"SSH-2.0-OpenSSH_9.2\r\n" + bytes(range(256)) * 4)
        elif path == "/badlength":
            sendall(s, b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n" + GOOD)
        else:
            sendall(s, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class TLSHandler(Handler):
    """A TLS port with a self-signed certificate (then a good feed)."""

    def setup(self):
        try:
            self.request = self.server.ctx.wrap_socket(self.request, server_side=True)
        except (OSError, ssl.SSLError):
            self.request = None

    def handle(self):
        if self.request:
            Handler.handle(self)


class GarbageTLSHandler(socketserver.BaseRequestHandler):
    """Answers a ClientHello with bytes that look like a TLS record and are not."""

    def handle(self):
        try:
            self.request.recv(4096)
            self.request.sendall(b"\x16\x03\x03\x00\x10" + b"\xff" * 16 + b"\x15\x03\x03garbage")
            linger_until_closed(self.request)
        except OSError:
            pass


def self_signed(tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    tmp = tempfile.mkdtemp(prefix="eddy-hostile-")
    plain = serve(Server(("127.0.0.1", 0), Handler))
    tls = Server(("127.0.0.1", 0), TLSHandler)
    tls.ctx = self_signed(tmp)
    serve(tls)
    garbage_tls = serve(Server(("127.0.0.1", 0), GarbageTLSHandler))
    base = "http://127.0.0.1:%d" % plain.server_address[1]
    # What each URL must end with: the error, as a pattern (None: a feed).
    cases = {
        base + "/good": None,
        base + "/endless": r"^body too large: over %d bytes$" % MAX_BODY,
        base + "/trickle": r"^timed out during the response: .* after \d+ milliseconds with \d+ bytes received$",
        base + "/bomb": r"^body too large: over %d bytes once decoded \(Content-Encoding: gzip\)$" % MAX_BODY,
        base + "/loop": r"^redirect loop: .*/loop\d \(302\) leads back to .*/loop\d$",
        base + "/cut": r"^body cut short: .*\d+ bytes remaining",
        base + "/short": None,
        base + "/huge": r"^body too large: Content-Length %d is over %d bytes$" % (MAX_BODY * 4, MAX_BODY),
        base + "/silent": r"^timed out before a response: .* after \d+ milliseconds with 0 bytes received$",
        base + "/garbage": r"^protocol error: not an HTTP reply \(.*HTTP/0\.9",
        base + "/badlength": r"^protocol error: .*[Cc]ontent-[Ll]ength",
        "https://127.0.0.1:%d/good" % tls.server_address[1]: r"^TLS verification failed: .*self[- ]signed",
        "https://127.0.0.1:%d/good" % garbage_tls.server_address[1]: r"^TLS handshake failed: .*unexpected message",
    }
    out = subprocess.run([EDDY, "fetch", "--json", "--threads", "1", "--timeout", "%ds" % TIMEOUT]
                         + list(cases), capture_output=True, text=True, timeout=120)
    import json
    got = {}
    for line in out.stdout.splitlines():
        o = json.loads(line)
        if "url" in o:
            got[o["url"]] = o
    checks = [("every URL reported, exit 1 (%d: %s)" % (out.returncode, out.stderr[:200]),
               out.returncode == 1 and set(got) == set(cases))]
    for url, want in cases.items():
        o = got.get(url, {})
        err = o.get("error")
        if want is None:
            checks.append(("%s: a feed (%r)" % (url, err or o.get("title")),
                           o and err is None and o.get("entries", 0) > 0))
        else:
            checks.append(("%s: error %r ~ /%s/" % (url, err, want), bool(err and re.search(want, err))))
    # The one cut by its Content-Length is the document's first half: bozo.
    short = got.get(base + "/short", {})
    checks.append(("/short: bozo, fewer than 200 entries (%r)" % short,
                   short.get("bozo") is True and 0 < short.get("entries", 0) < 200))
    errors = [o.get("error") for o in got.values() if o.get("error")]
    checks.append(("the errors differ from each other: %r" % errors, len(set(errors)) == len(errors)))
    failed = 0
    for what, good in checks:
        print(("ok: " if good else "FAIL: ") + what)
        failed += not good
    print("%d passed, %d failed" % (len(checks) - failed, failed))
    for s in (plain, tls, garbage_tls):
        s.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
