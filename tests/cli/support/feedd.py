"""A real HTTP server of feeds for the CLI tests (not a test itself).

Run as `python3 tests/cli/support/feedd.py`: binds 127.0.0.1 on a free port,
prints the port on one line, serves until killed.

  /feed/N          an RSS 2.0 feed titled "Feed N" with N items
  /slow/MS/N       the same feed, after MS milliseconds
  /page            an HTML page (text/html): no feed
  anything else    404
"""
import http.server
import socketserver
import time


def rss(n):
    items = "".join("<item><title>Item %d</title><link>http://example.com/%d</link></item>" % (i, i)
                    for i in range(n))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            "<title>Feed %d</title><link>http://example.com/</link>%s</channel></rss>\n" % (n, items)).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path.split("/")[1:]
        if p[0] == "feed" and len(p) == 2:
            self.send(200, rss(int(p[1])), "application/rss+xml")
        elif p[0] == "slow" and len(p) == 3:
            time.sleep(int(p[1]) / 1000)
            self.send(200, rss(int(p[2])), "application/rss+xml")
        elif p[0] == "page":
            self.send(200, b"<!DOCTYPE html>\n<html><head><title>Home</title></head><body><p>Hi<br></body></html>\n",
                      "text/html; charset=utf-8")
        else:
            self.send(404, b"no such path\n", "text/plain")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024


if __name__ == "__main__":
    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
