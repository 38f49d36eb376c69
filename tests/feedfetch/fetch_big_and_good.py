#!/usr/bin/env python3
"""`eddy fetch` with a big feed and a good one on one thread: the good one
prints first (issue 11, defect 2).  The loopback server here sends the good
feed only once the client has closed the big feed's connection (its
transfer done, Connection: close), so when the big parse held the loop, the
big line always came first.  Ordering only, no timing.  Prints ok/FAIL
lines and "N passed, M failed" for tests/run."""
import os
import socket
import socketserver
import subprocess
import sys
import threading

TOP = os.environ.get("EDDY_TOP", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
EDDY = os.path.join(os.environ.get("EDDY_BUILD", os.path.join(TOP, "build")), "eddy")

ITEMS = 60000
BIG = ("<rss version=\"2.0\"><channel><title>Big</title>\n" + "".join(
    "<item><title>Item %d</title><link>http://example.com/%d</link>"
    "<description>&lt;p&gt;Text of &lt;b&gt;item&lt;/b&gt; %d&lt;/p&gt;</description></item>\n" % (i, i, i)
    for i in range(ITEMS)) + "</channel></rss>\n").encode()
GOOD = b"<rss version=\"2.0\"><channel><title>Good</title><item><title>One</title></item></channel></rss>"
big_closed = threading.Event()


def reply(sock, body):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n" % len(body) + body)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        req = b""
        while b"\r\n\r\n" not in req:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            req += chunk
        if req.startswith(b"GET /big"):
            reply(self.request, BIG)
            while self.request.recv(4096):  # until the client closes
                pass
            big_closed.set()
        else:
            big_closed.wait(120)
            reply(self.request, GOOD)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % srv.server_address[1]
    out = subprocess.run([EDDY, "fetch", "--threads", "1", base + "/big", base + "/good"],
                         capture_output=True, text=True, timeout=300)
    lines = out.stdout.splitlines()
    checks = [
        ("both feeds fetched, exit 0 (%d: %s)" % (out.returncode, out.stderr[:200]),
         out.returncode == 0 and len(lines) == 2),
        ("the good feed printed first: %r" % lines,
         len(lines) == 2 and lines[0].endswith("/good  Good") and lines[1].endswith("/big  Big")),
        ("the big feed has all its entries", len(lines) == 2 and " %d entries " % ITEMS in lines[1]),
    ]
    failed = 0
    for what, good in checks:
        print(("ok: " if good else "FAIL: ") + what)
        failed += not good
    print("%d passed, %d failed" % (len(checks) - failed, failed))
    srv.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
