#!/usr/bin/env python3
"""tests/app/pages_status.py — the status page (the feed doctor) and the live
refresh in headless Chromium (Debian's chromium through chromium-driver and
python3-selenium, started as tests/app/pages_browser.py starts it).

`eddy serve` on feeds a loopback server serves slowly
(support/status_feeds.py: a head after DELAY, the body after another), one
the parser repairs, one that fails.  /status lists every feed, failing
first, with its last fetch (status, bytes, time per phase), error, next
check and the repairs (line and column); it works as served, before any
script.  "Refresh all now" (its form) starts a pass and the slow feed's row
moves through every state as the events arrive, ending "parsed (3 new)"
with its new timings; the form itself brings the page back saying so, and
the unchanged feed's row then ends "304 unchanged".  On the river, a pass that stores entries raises the
"N new entries" banner; a click shows them.  No console error, no CSP
violation (a listener installed before any page script); HTML + CSS + JS
of /status under 50 KB.  A screenshot goes to build/screenshots/status.png
(docs/pages-status.png, the README's, is a copy of one).
Last line "N passed, M failed"."""
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "support"))
sys.path.insert(0, HERE)
from serve import Serve, build, check, run_eddy, summary  # noqa: E402
from status_feeds import StatusFeeds  # noqa: E402

# (pages_browser checks that selenium is there)
from pages_browser import api, browser, console_errors, wait_for  # noqa: E402  (the same chromium)
from selenium.webdriver.common.by import By  # noqa: E402

DELAY = 1.0  # seconds before the slow feed's head, and again before its body
SHOTS = os.path.join(build, "screenshots")
# Records every text the slow feed's live cell is given, from the mutation
# records (two events in one network read change it twice in one task).
WATCH = """
window.__seen = [];
var cell = document.querySelector('#s' + arguments[0] + ' .live');
new MutationObserver(function (records) {
    records.forEach(function (r) {
        r.addedNodes.forEach(function (n) { window.__seen.push(n.textContent); });
    });
}).observe(cell, {childList: true});
"""
ORDER = ["queued\u2026", "connecting\u2026", "waiting\u2026", "receiving\u2026", "parsed (3 new)"]


def refresh_all(sv):
    """POST /refresh as the page's form does (its cookie and token)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(sv.url + "/status", timeout=60) as r:
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', r.read().decode()).group(1)
    with opener.open(sv.url + "/refresh", data=urllib.parse.urlencode({"csrf": token}).encode(), timeout=60) as r:
        return r.status


def doctor(d, sv, fid, feeds):
    d.get(sv.url + "/status")
    rows = d.find_elements(By.CSS_SELECTOR, ".doctor-table tbody tr")
    check("/status lists every feed, the failing one first",
          len(rows) == 3 and rows[0].get_attribute("id") == "s%d" % fid["fail"],
          str([r.get_attribute("id") for r in rows]))
    summ = d.find_element(By.CSS_SELECTOR, ".summary").text
    check("the summary counts feeds, failing, dead and entries",
          "3 feeds" in summ and "1 failing" in summ and "0 dead" in summ and "entries" in summ, summ)
    check("the summary says when the last refresh ran",
          d.find_element(By.ID, "pass").text.startswith("Last refresh"), d.find_element(By.ID, "pass").text)
    fail = d.find_element(By.ID, "s%d" % fid["fail"])
    check("a failing feed shows its error and status", "HTTP status 500" in fail.text and "HTTP 500" in fail.text,
          fail.text)
    slow = d.find_element(By.ID, "s%d" % fid["a"])
    wait = slow.find_element(By.CSS_SELECTOR, ".ph-wait dd").text
    check("the slow feed's wait is at least the server's delay (ms)",
          re.fullmatch(r"[0-9.]+", wait) is not None and float(wait) >= DELAY * 900, wait)
    n = feeds.body_len("a")
    check("its bytes and status are shown", "HTTP 200" in slow.text and
          slow.find_element(By.CSS_SELECTOR, ".size").text == ("%d B" % n if n < 1000 else "%.1f kB" % (n / 1e3)),
          slow.text)
    nxt = slow.find_element(By.CSS_SELECTOR, ".next time")
    check("the next check is relative, the exact time beside it and in its title",
          nxt.text.startswith("in ") and "UTC" in nxt.get_attribute("title") and
          "UTC" in slow.find_element(By.CSS_SELECTOR, ".next .sub").text, nxt.text)
    broken = d.find_element(By.ID, "s%d" % fid["broken"])
    det = broken.find_element(By.CSS_SELECTOR, "details.repairs")
    det.find_element(By.TAG_NAME, "summary").click()
    items = [li.text for li in det.find_elements(By.TAG_NAME, "li")]
    check("the broken feed's repairs: what was broken, where",
          any(re.match(r"line 4, column \d+ Opening and ending tag mismatch", t) for t in items) and
          any("nbsp" in t for t in items), str(items))
    weight = sv.weight("/status")
    check("the status page weighs under 50 KB (HTML + CSS + JS)", weight < 50 * 1024, str(weight))

    # Live: the page open, a refresh of everything (the form's POST), the
    # slow feed changed meanwhile.
    feeds.bump("a")
    d.execute_script(WATCH, fid["a"])
    check("refresh all (the form's POST) answered", refresh_all(sv) == 200)
    wait_for("the slow feed's row ends parsed (3 new)",
             lambda: d.find_element(By.CSS_SELECTOR, "#s%d .live" % fid["a"]).text == "parsed (3 new)")
    seen = [s for i, s in enumerate(d.execute_script("return window.__seen")) if i == 0 or
            s != d.execute_script("return window.__seen")[i - 1]]
    print("note: the slow feed's row showed %s" % " → ".join(seen))
    check("the row moved through every state in order while the refresh ran", seen == ORDER, str(seen))
    slow = d.find_element(By.ID, "s%d" % fid["a"])
    check("the row shows the new fetch", "HTTP 200" in slow.text and
          slow.find_element(By.CSS_SELECTOR, ".last time").text == "just now" and
          float(slow.find_element(By.CSS_SELECTOR, ".ph-receive dd").text) >= DELAY * 900, slow.text)
    wait_for("the pass's summary updated", lambda: d.find_element(By.ID, "pass").text.startswith("Last refresh just now"))
    csp = d.execute_script("return window.__csp")
    check("no CSP violation on /status", not csp, str(csp))

    d.execute_script("window.scrollTo(0, 0)")
    os.makedirs(SHOTS, exist_ok=True)
    d.set_window_size(1000, 1100)  # every row, the repairs open
    d.save_screenshot(os.path.join(SHOTS, "status.png"))
    d.set_window_size(1000, 900)

    # The form itself: back on /status, saying so; the unchanged feed's row
    # ends in 304.
    d.find_element(By.CSS_SELECTOR, "form.refresh-all button").click()
    wait_for("back on /status after the form", lambda: "msg=refreshing" in d.current_url)
    check("the page says the refresh starts", "refresh starts" in d.find_element(By.CSS_SELECTOR, ".msg").text)
    wait_for("the unchanged feed's row ends 304",
             lambda: d.find_element(By.CSS_SELECTOR, "#s%d .live" % fid["a"]).text == "304 unchanged")
    csp = d.execute_script("return window.__csp")
    check("no CSP violation on /status after the form", not csp, str(csp))


def river(d, sv, fid, feeds):
    d.get(sv.url + "/")
    before = len(d.find_elements(By.CSS_SELECTOR, "article.entry"))
    banner = d.find_element(By.ID, "live-new")
    check("the river's banner is hidden while nothing is new", not banner.is_displayed())
    time.sleep(0.5)  # EventSource connected (not a check: the pass below takes seconds)
    feeds.bump("a")
    check("refresh all (the form's POST) answered", refresh_all(sv) == 200)
    wait_for("the river says new entries arrived", lambda: banner.is_displayed())
    check("the banner counts the entries stored", banner.text.startswith("3 new entries"), banner.text)
    banner.click()
    wait_for("a click shows them",
             lambda: len(d.find_elements(By.CSS_SELECTOR, "article.entry")) == before + 3)
    titles = [a.text for a in d.find_elements(By.CSS_SELECTOR, "article.entry h2 a:first-child")]
    gen = feeds.gen["a"]
    check("the new entries are in the river", all("a %d.%d" % (gen, i) in titles for i in (1, 2, 3)), str(titles[:6]))


def main():
    feeds = StatusFeeds(delay=DELAY)
    data = tempfile.mkdtemp(prefix="pages-status-")
    urls = {"a": feeds.base + "/slow/a", "broken": feeds.base + "/broken/x", "fail": feeds.base + "/fail/x"}
    for u in urls.values():
        run_eddy("add", "--data", data, u)
    feeds.bump("a")
    sv = Serve(data)
    d = None
    try:
        if not check("eddy serve started", sv.url, sv.stderr()):
            return
        ids = {f["url"]: f["id"] for f in api(sv, "/api/v1/feeds")["feeds"]}
        fid = {k: ids[u] for k, u in urls.items()}
        wait_for("the first pass fetched every feed",
                 lambda: all(f["last_check"] and f["count_200"] + (f["last_error"] is not None) >= 1 and
                             (f["id"] != fid["a"] or f["count_200"] >= 1) for f in api(sv, "/api/v1/feeds")["feeds"]))
        d = browser()
        d.set_window_size(1000, 900)  # the README's screenshot
        doctor(d, sv, fid, feeds)
        river(d, sv, fid, feeds)
        errs = console_errors(d)
        check("no console error", not errs, str(errs[:5]))
        csp = d.execute_script("return window.__csp")
        check("no CSP violation on the river", not csp, str(csp))
    finally:
        if d:
            d.quit()
        sv.term()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a failure, not a crash
        import traceback
        traceback.print_exc()
        check("the browser test ran to its end", False, "%s: %s" % (type(e).__name__, e))
    summary()
