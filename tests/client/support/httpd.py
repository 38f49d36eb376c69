"""A real HTTP/1.1 test server for the client tests (not a test itself).

Run as `python3 tests/client/support/httpd.py [--tls CERT KEY]`: binds 127.0.0.1 on a
free port, prints the port on one line, serves until killed.  Each path is a
behaviour the client must handle:

  /ok                      200 "ok", two X-Dup headers
  /size/N                  N bytes of 'x' with Content-Length
  /chunked/N               N bytes of 'y', chunked
  /gzip                    a gzip-encoded body (when the client accepts it)
  /etag                    ETag "v1" + Last-Modified; 304 when they match
  /redirect/N/CODE[/PATH]  N redirects with status CODE, then /ok (or /PATH)
  /loop                    redirects to itself forever
  /slow/MS                 answers after MS milliseconds
  /stall                   headers and 10 bytes, then silence for 30 s
  /headers                 the request headers, as the body
  /echo                    the request body (POST), as the body
  /stats                   the most requests ever in flight at once
"""
import gzip
import http.server
import socketserver
import ssl
import sys
import threading
import time

lock = threading.Lock()
in_flight = 0
peak = 0


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
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        self.send(200, body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        global in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            self.route(self.path.split("/")[1:])
        finally:
            with lock:
                in_flight -= 1

    def route(self, p):
        if p[0] == "ok":
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
            last = "/" + p[3] if len(p) > 3 else "/ok"
            to = last if n <= 1 else "/redirect/%d/%d%s" % (n - 1, code, last if len(p) > 3 else "")
            self.send(code, b"", [("Location", to)])
        elif p[0] == "loop":
            self.send(302, b"", [("Location", "/loop")])
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
    srv = Server(("127.0.0.1", 0), Handler)
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
