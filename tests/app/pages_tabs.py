#!/usr/bin/env python3
"""tests/app/pages_tabs.py — many river tabs in one headless Chromium.

A browser opens at most 6 connections per site over HTTP/1.1.  Each river
tab used to hold its own GET /events (Server-Sent Events, never ending), so
a seventh tab found no connection to load its page on and hung.  Now one
SharedWorker (static/events.js) holds the one /events connection and passes
its events to every tab: 9 tabs load, each shows "1 new entry" when a
refresh pass stores one, tabs closed leave the worker serving the others,
and no console error or CSP violation shows.
Last line "N passed, M failed"."""
import http.server
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "support"))
from serve import Serve, check, db, run_eddy, summary  # noqa: E402

try:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from pages_browser import HOOKS, browser, console_errors, wait_for
except ImportError:
    check("python3-selenium is installed (scripts/deps)", False)
    summary()

TABS = 9
items = ["alpha", "beta"]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Tabs</title>'
                '<link>http://example.com/</link>%s</channel></rss>' % "".join(
                    "<item><title>entry %s</title><link>http://example.com/%s</link><guid>%s</guid>"
                    "<description>About %s.</description></item>" % (t, t, t, t) for t in items)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def banners(d, tabs):
    """The text of each tab's 'N new entries' banner ('' while hidden)."""
    out = []
    for t in tabs:
        d.switch_to.window(t)
        b = d.find_element(By.ID, "live-new")
        out.append(b.text.split(" \u00b7 ")[0] if b.is_displayed() else "")  # "N new entries · show them"
    return out


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
tmp = tempfile.TemporaryDirectory()
data = os.path.join(tmp.name, "data")
st, _, err = run_eddy("add", "--no-fetch", "--data", data, "http://127.0.0.1:%d/feed" % srv.server_address[1])
check("eddy add: 1 feed", st == 0, err)
sv = Serve(data)
check("eddy serve starts", bool(sv.url), sv.stderr()[-300:])
wait_for("the first pass stored 2 entries",
         lambda: db(data).execute("SELECT count(*) FROM entries").fetchone()[0] == 2)

d = browser()
d.set_page_load_timeout(20)  # a tab left without a connection never loads
try:  # the browser quits whatever happens
    tabs, loaded = [], 0
    try:
        for i in range(TABS):
            if i:  # (pages_browser's browser() hooked the first)
                d.switch_to.new_window("tab")
                d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOKS})
            tabs.append(d.current_window_handle)
            d.get(sv.url + "/")  # returns once loaded (one left without a connection never is)
            loaded += 1
    except TimeoutException:
        pass
    check("%d river tabs in one browser all load (%d did)" % (TABS, loaded), loaded == TABS)
    time.sleep(1)  # the worker's /events is open
    check("no banner before a refresh", banners(d, tabs[:loaded]) == [""] * loaded)

    items.append("gamma")
    fid = json.loads(sv.get("/api/v1/feeds")[1])["feeds"][0]["id"]


    def refresh():
        urllib.request.urlopen(urllib.request.Request(sv.url + "/api/v1/feeds/%d/refresh" % fid, data=b"",
                                                      method="POST"), timeout=60).close()


    refresh()
    if not wait_for("after a refresh stores one entry, every tab says '1 new entry'",
                    lambda: banners(d, tabs[:loaded]) == ["1 new entry"] * loaded):
        print("  the tabs say %s" % banners(d, tabs[:loaded]))

    # Tabs closed: the others still hear (the worker dropped their ports).
    for t in tabs[2:]:
        d.switch_to.window(t)
        d.close()
    tabs = tabs[:2]
    items.append("delta")
    refresh()
    if not wait_for("with 7 tabs closed, the 2 left say '2 new entries' after the next",
                    lambda: banners(d, tabs) == ["2 new entries"] * 2):
        print("  the tabs say %s" % banners(d, tabs))
    d.switch_to.window(tabs[0])
    d.find_element(By.ID, "live-new").click()
    wait_for("a click on the banner shows the new entries",
             lambda: "entry delta" in d.find_element(By.CSS_SELECTOR, ".river").text, 30)

    csp = []
    for t in tabs:
        d.switch_to.window(t)
        csp += d.execute_script("return window.__csp")
    errors = console_errors(d)
    check("no console error, no CSP violation", not errors and not csp, str(errors + csp)[:300])
finally:
    d.quit()
check("SIGTERM: exit 0", sv.term() == 0)
summary()
