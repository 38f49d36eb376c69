#!/usr/bin/env python3
"""tests/app/digest_serve.py — the digest in `eddy serve`: on a schedule,
"Send now", the /digest page, and the e-mail in a real browser.

A store filled by `eddy add` + `eddy refresh` from a loopback HTTP server
(tests/app/data/digest-*), a real SMTP server on loopback (aiosmtpd, with
AUTH: the login comes from EDDY_SMTP_USER/EDDY_SMTP_PASSWORD).

1. `eddy serve --digest-at HH:MM:SS` (a few seconds ahead, local time): the
   message arrives once — multipart/alternative, a text/plain and a
   text/html part, links absolute, nothing runnable — the send is recorded
   in the data folder, /metrics counts it, and it is not sent again.
2. /digest: the page (strict CSP, in the layout, a "Digest" nav link) and
   /digest/mail.html (its own CSP: sandboxed, nothing loads, inline style
   only); "Send now" without the CSRF token is refused, with it a second
   message arrives.
3. Restarts: with the same --digest-at (its time now passed and recorded)
   nothing is sent; with the record set back before it (a send the server
   missed while down) it is sent at start; with no record (a new schedule)
   the start is recorded and nothing is sent.
4. Headless Chromium: /digest shows the e-mail in its frame with the inline
   style applied and no CSP violation; the HTML part of the message
   rendered at 800 px wide is saved as build/screenshots/digest-mail.png
   (docs/digest-mail.png is a copy).
Last line "N passed, M failed"."""
import email
import email.policy
import functools
import html.parser
import http.server
import os
import re
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "support"))
from serve import Serve, build, check, metric, run_eddy, summary  # noqa: E402
from smtp import LOGIN, start as start_smtp  # noqa: E402

SHOTS = os.path.join(build, "screenshots")
TITLES = ["Crème brûlée & the art of waiting", "Undated item"]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.urls, self.events = set(), [], []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, v in attrs:
            if k in ("href", "src", "action", "background", "poster"):
                self.urls.append(v)
            if k.startswith("on"):
                self.events.append(k)


def check_message(what, raw, base):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    types = [p.get_content_type() for p in m.iter_parts()] if m.is_multipart() else []
    check(what + ": multipart/alternative of text/plain and text/html",
          m.get_content_type() == "multipart/alternative" and types == ["text/plain", "text/html"],
          str(types))
    if types != ["text/plain", "text/html"]:
        return None
    text, doc = (p.get_content() for p in m.iter_parts())
    check(what + ": the text part has the titles and an absolute link",
          all(t in text for t in TITLES) and "<%s/recipes/creme>" % base in text, text[:400])
    p = Links()
    p.feed(doc)
    bad = [u for u in p.urls if not re.match(r"(https?://[^/]|mailto:)", u or "")]
    check(what + ": every link of the HTML part absolute http(s) or mailto",
          p.urls and not bad and base + "/recipes/creme" in p.urls, str(bad or p.urls))
    check(what + ": no script, image, iframe, style element or event handler in the HTML part",
          not p.tags & {"script", "img", "iframe", "style", "object", "embed", "form"}
          and not p.events and "javascript:" not in doc, str((p.tags, p.events)))
    check(what + ": the HTML part has the titles",
          all(t.replace("&", "&amp;") in doc for t in TITLES))
    return doc


def wait_for(cond, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


def fetch(url, data=None, headers=None):
    """(status, headers, body) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=60) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def at_ahead(secs):
    t = time.localtime(time.time() + secs)
    return time.strftime("%H:%M:%S", t), int(time.mktime(t))


def screenshots(sv, doc):
    try:
        from selenium import webdriver
        from selenium.webdriver.common.by import By
    except ImportError:
        check("python3-selenium is installed (scripts/deps)", False)
        return
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-dev-shm-usage", "--window-size=1000,900", "--hide-scrollbars"):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=webdriver.chrome.service.Service("/usr/bin/chromedriver"), options=o)
    d.set_page_load_timeout(60)
    d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', function (e) {
            window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
        });"""})
    try:
        d.get(sv.url + "/digest")
        frame = d.find_element(By.CSS_SELECTOR, "iframe.mail")
        d.switch_to.frame(frame)
        wait_for(lambda: d.find_elements(By.TAG_NAME, "h1"), 30)
        h1 = d.find_elements(By.TAG_NAME, "h1")
        size = h1[0].value_of_css_property("font-size") if h1 else None
        check("browser: the e-mail shows in /digest's frame with its inline style applied",
              h1 and h1[0].text == "Letters from a Feed" and size == "26px", str(size))
        d.switch_to.default_content()
        csp = d.execute_script("return window.__csp")
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        check("browser: /digest reports no CSP violation and no console error",
              csp == [] and errors == [], str((csp, errors)))
        # The message's HTML part as a mail client shows it, 800 px wide.
        path = os.path.join(tempfile.mkdtemp(), "mail.html")
        with open(path, "w") as f:
            f.write(doc)
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": 800, "height": 600, "deviceScaleFactor": 1, "mobile": False})
        d.get("file://" + path)
        height = d.execute_script("return document.documentElement.scrollHeight")
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": 800, "height": min(max(height, 400), 1600),
                           "deviceScaleFactor": 1, "mobile": False})
        os.makedirs(SHOTS, exist_ok=True)
        shot = os.path.join(SHOTS, "digest-mail.png")
        d.save_screenshot(shot)
        check("browser: the e-mail's screenshot saved", os.path.getsize(shot) > 1000)
    finally:
        d.quit()


def main():
    web = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=os.path.join(HERE, "data")))
    threading.Thread(target=web.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % web.server_address[1]

    received = []
    smtpd, port = start_smtp(received, auth_require_tls=False)
    env = LOGIN
    smtp = ["--smtp", "smtp://127.0.0.1:%d" % port, "--digest-to", "me@example.com"]

    tmp = tempfile.mkdtemp()
    data = os.path.join(tmp, "data")
    state = os.path.join(data, "digest-last-sent")
    try:
        st, out, err = run_eddy("add", "--no-fetch", "--data", data, base + "/digest-cafe.atom",
                                base + "/digest-news.rss")
        check("setup: eddy add", st == 0, err)
        st, out, err = run_eddy("refresh", "--data", data)
        check("setup: eddy refresh stores 4 entries", st == 0 and "4 new entries" in out, out + err)

        st, out, err = run_eddy("serve", "--data", data, "--digest-at", "25:00", *smtp)
        check("--digest-at 25:00 is a usage error", st == 2 and "HH:MM" in err, err)
        st, out, err = run_eddy("serve", "--data", data, "--digest-at", "07:00")
        check("--digest-at without --digest-to is a usage error", st == 2, err)

        # ---- 1. on a schedule ----
        at, when = at_ahead(3)
        # A schedule that ran before (its record a minute old): the send at
        # `at` arrives whether the server is up before then, or late on a
        # loaded machine (then as the missed send, at start).
        os.makedirs(data, exist_ok=True)
        with open(state, "w") as f:
            f.write("%d\n" % (time.time() - 60))
        sv = Serve(data, "--digest-at", at, *smtp, env=env)
        check("serve starts with --digest-at %s" % at, sv.url is not None, sv.stderr())
        check("the scheduled digest arrives", wait_for(lambda: received, 40), sv.stderr())
        doc = None
        if received:
            e = received[0]
            check("its envelope: from and to the recipient",
                  e.mail_from == "me@example.com" and e.rcpt_tos == ["me@example.com"],
                  str((e.mail_from, e.rcpt_tos)))
            doc = check_message("scheduled", e.content, base)
        check("the send is recorded in the data folder (the scheduled time)",
              wait_for(lambda: os.path.exists(state) and open(state).read().strip() == str(when), 10),
              open(state).read() if os.path.exists(state) else "no file")
        status, body = sv.get("/metrics")
        check("/metrics: eddy_digests_sent_total 1", metric(body, "eddy_digests_sent_total") == 1,
              str(metric(body, "eddy_digests_sent_total")))
        time.sleep(3)
        check("not sent twice", len(received) == 1, str(len(received)))

        # ---- 2. the pages ----
        status, headers, page = fetch(sv.url + "/digest")
        csp = headers.get("Content-Security-Policy", "")
        check("/digest: 200 in the layout, a nav link, the frame, 'Send now'",
              status == 200 and '<a href="/digest" aria-current="page">Digest</a>' in page
              and 'src="/digest/mail.html?since=24h"' in page and "Send now to me@example.com" in page,
              page[:800])
        check("/digest: the site's strict CSP (no inline script or style)",
              "style-src 'self';" in csp and "unsafe" not in csp and "frame-ancestors 'none'" in csp, csp)
        status, headers, mail = fetch(sv.url + "/digest/mail.html?since=2d")
        mcsp = headers.get("Content-Security-Policy", "")
        check("/digest/mail.html: the e-mail's HTML, links to a new tab",
              status == 200 and "Letters from a Feed" in mail and '<base target="_blank">' in mail
              and "Crème brûlée &amp; the art of waiting" in mail, mail[:500])
        check("/digest/mail.html: its own CSP: sandboxed, nothing loads, no script, inline style",
              "default-src 'none'" in mcsp and "sandbox" in mcsp and "script" not in mcsp
              and "style-src 'unsafe-inline'" in mcsp and "frame-ancestors 'self'" in mcsp, mcsp)
        check("/digest?since=1x: 400", fetch(sv.url + "/digest?since=1x")[0] == 400)
        cookie = headers_cookie = None
        status, headers, page = fetch(sv.url + "/digest")
        for v in headers.get_all("Set-Cookie") or []:
            if v.startswith("eddy_csrf="):
                headers_cookie = v.split(";")[0]
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        token = m.group(1) if m else ""
        cookie = headers_cookie or ""
        st = fetch(sv.url + "/digest/send", urllib.parse.urlencode({"since": "24h"}).encode())[0]
        check("Send now without the CSRF token: 403, nothing sent", st == 403 and len(received) == 1,
              str(st))
        st, h, _ = fetch(sv.url + "/digest/send",
                         urllib.parse.urlencode({"since": "24h", "csrf": token}).encode(),
                         {"Cookie": cookie})
        check("Send now: 303 back to the page saying so, a second message",
              st == 303 and "msg=sent" in (h.get("Location") or "") and len(received) == 2,
              str((st, h.get("Location"), len(received))))
        if len(received) == 2:
            check_message("send now", received[1].content, base)
        status, body = sv.get("/metrics")
        check("/metrics: eddy_digests_sent_total 2", metric(body, "eddy_digests_sent_total") == 2)

        if doc:
            screenshots(sv, doc)
        check("serve stops cleanly", sv.term() == 0, sv.stderr())

        # ---- 3. restarts ----
        sv = Serve(data, "--digest-at", at, *smtp, env=env)
        time.sleep(4)
        check("restart, the same --digest-at: its window is not sent again",
              len(received) == 2, str(len(received)) + sv.stderr())
        check("serve stops cleanly", sv.term() == 0, sv.stderr())
        with open(state, "w") as f:
            f.write("%d\n" % (when - 60))
        sv = Serve(data, "--digest-at", at, *smtp, env=env)
        check("restart after a missed send: it is sent at start",
              wait_for(lambda: len(received) == 3, 30), sv.stderr())
        check("... and recorded", wait_for(lambda: open(state).read().strip() == str(when), 10))
        check("serve stops cleanly", sv.term() == 0, sv.stderr())
        # A new schedule (no record) starts from now: nothing sent at start.
        os.remove(state)
        later, _ = at_ahead(3600)
        t0 = int(time.time())
        sv = Serve(data, "--digest-at", later, *smtp, env=env)
        check("a new schedule records its start, sends nothing",
              wait_for(lambda: os.path.exists(state) and open(state).read().strip().isdigit(), 10)
              and int(open(state).read()) >= t0 and len(received) == 3, sv.stderr())
        check("serve stops cleanly", sv.term() == 0, sv.stderr())
    finally:
        smtpd.stop()
        web.shutdown()
    summary()


main()
