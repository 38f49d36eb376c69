"""What the tests/app/serve_*.py scripts share (not a test itself): a
loopback feed server they steer, `eddy serve` as a child process, checks
that print "ok: ..." / "FAIL: ..." and the last line tests/run counts.

The feed server answers /r/ROUND/NAME?n=K with an RSS feed of K entries
whose guids are ROUND-NAME-1..K (fresh guids for every round), and keeps a
log of the paths asked.  A path listed in Feeds.hold waits until
Feeds.release is set: a refresh pass that asked for it is still running.
"""
import http.server
import os
import re
import signal
import socketserver
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

top = os.environ.get("EDDY_TOP") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
build = os.environ.get("EDDY_BUILD") or os.path.join(top, "build")
eddy = os.path.join(build, "eddy")

passed = failed = 0


def check(what, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok: " + what)
    else:
        failed += 1
        print("FAIL: %s%s" % (what, (" (" + detail + ")") if detail else ""))
    sys.stdout.flush()
    return cond


def summary():
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


def rss(prefix, n, body=30):
    items = "".join(
        "<item><title>%s entry %d</title><link>http://example.com/%s/%d</link>"
        "<guid>%s-%d</guid><pubDate>Sat, 05 Dec 2026 10:%02d:00 GMT</pubDate>"
        "<description>%s</description></item>" % (prefix, i, prefix, i, prefix, i, i % 60, "word " * body)
        for i in range(1, n + 1))
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %s</title>'
            '<link>http://example.com/%s</link>%s</channel></rss>' % (prefix, prefix, items)).encode()


class Feeds:
    def __init__(self):
        self.log = []
        self.lock = threading.Lock()
        self.hold = set()
        self.release = threading.Event()
        feeds = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                u = urllib.parse.urlsplit(self.path)
                with feeds.lock:
                    feeds.log.append(u.path)
                p = u.path.strip("/").split("/")
                if len(p) != 3 or p[0] != "r":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if u.path in feeds.hold:
                    feeds.release.wait(120)
                n = int(urllib.parse.parse_qs(u.query).get("n", ["3"])[0])
                body = rss("%s-%s" % (p[1], p[2]), n)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass

        self.srv = Server(("127.0.0.1", 0), Handler)
        self.base = "http://127.0.0.1:%d" % self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def asked(self, path):
        with self.lock:
            return path in self.log


def run_eddy(*args):
    """Runs eddy ARGS to the end: (status, stdout, stderr)."""
    p = subprocess.run([eddy] + list(args), capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


class Serve:
    """`eddy serve --listen 127.0.0.1:0` on a data folder; .url once it listens."""

    def __init__(self, data, *args, env=None):
        self.errfile = tempfile.TemporaryFile(mode="w+")
        e = dict(os.environ)
        e.pop("EDDY_TOKEN", None)
        e.update(env or {})
        self.p = subprocess.Popen([eddy, "serve", "--data", data, "--listen", "127.0.0.1:0", "--demo", ""]
                                  + list(args), stderr=self.errfile, stdout=subprocess.DEVNULL, env=e)
        self.url = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.p.poll() is None:
            for line in self.stderr().splitlines():
                if "serving http://" in line:
                    self.url = line.split("serving ")[1].split("/ ")[0]
                    return
            time.sleep(0.01)

    def stderr(self):
        self.errfile.seek(0)
        return self.errfile.read()

    def get(self, path, headers=None, timeout=120):
        """(status, body) of GET path."""
        req = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def weight(self, path):
        """Bytes of page path before images: its HTML and the style sheets
        and scripts it links (each asked for raw, as the page names it)."""
        html = self.get(path)[1]
        assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"|<script src="([^"]+)"', html)
        return len(html.encode()) + sum(len(self.get(a or b)[1].encode()) for a, b in assets)

    def kill(self):
        self.p.send_signal(signal.SIGKILL)
        return self.p.wait(60)

    def term(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return "hung"


def db(data):
    """A connection to the data folder's database (WAL: reads never wait)."""
    c = sqlite3.connect(os.path.join(data, "eddy.db"), timeout=60, isolation_level=None)
    return c


def metric(text, name):
    """The value of the sample `name` (with its labels) in a /metrics text."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None
