#!/usr/bin/env python3
"""tests/app/pages_entry.py — the entry page and the feed page in headless
Chromium (Debian's chromium, driven by chromium-driver through
python3-selenium), on `eddy serve` over feeds a loopback http.server serves.

1. The bundled podcast (demo/cuaderno.rss and its two WAVs): the entry page
   shows the episode's text, its feed (a link to the feed page), its date
   (relative, exact on hover) and an <audio controls preload=none> whose src
   is the WAV; asked to load, the browser reads it (duration 2 s).  Opening
   the page marked the entry read; its star form stars it and comes back.
   A video enclosure gets <video preload=none>, a PDF a download link, an
   untyped .mp3 an audio player.  The
   river's titles open the entry page.  Screenshot: build/screenshots/.
2. The feed page: the podcast's status (last fetch, HTTP 200, counts,
   repairs), its entries linking to their pages, its forms; a feed of 55
   entries pages with the river's cursor (50, then 5, and back).
3. Hostile enclosures and links: a feed's javascript:/data:/vbscript:
   enclosures are not stored; the same put straight into the store (the
   page's own filter is what is tested then) give no src or href with a
   script scheme, no player, and no script runs.  Then the XSS corpus
   (tests/feed/xss/vectors.txt, in the feeds tests/feed/xss.py writes, as
   pages_browser.py's river check has them): every 7th entry's page, CSP
   bypassed, probed as the river is (no hit, no handler, no dangerous
   element or URL).
No console error and no CSP violation on the pages of 1 and 2.
Last line "N passed, M failed"."""
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "support"))
from serve import Serve, build, check, db, run_eddy, summary, top  # noqa: E402

try:
    from selenium.webdriver.common.by import By
    from pages_browser import PROBE, SHOTS, Files, api, browser, console_errors, wait_for
except ImportError:
    check("python3-selenium is installed (scripts/deps)", False)
    summary()

SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
# Every src and href under <main>, and the protocol the browser reads in it.
URLS = """
var out = [];
document.querySelectorAll('main [src], main [href]').forEach(function (el) {
    ['src', 'href'].forEach(function (a) {
        var v = el.getAttribute(a);
        if (v === null) return;
        var p = '';
        try { p = new URL(v, document.baseURI).protocol; } catch (e) {}
        out.push([el.localName, a, v, p]);
    });
});
return out;
"""


def rss(title, items):
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>%s</title>'
            '<link>http://example.com/</link>%s</channel></rss>' % (title, "".join(items)))


def item(guid, title, extra="", day=1, hour=10):
    return ("<item><title>%s</title><link>http://example.com/%s</link><guid>%s</guid>"
            "<pubDate>Tue, %02d Dec 2026 %02d:00:00 GMT</pubDate><description>About %s.</description>%s</item>"
            % (title, guid, guid, day, hour, title, extra))


def entry_id(sv, cond):
    for e in api(sv, "/api/v1/entries?limit=1000")["entries"]:
        if cond(e):
            return e
    return None


def clean(d, what):
    """No console error, no CSP report on the page shown."""
    csp = d.execute_script("return window.__csp")
    errors = console_errors(d)
    check(what + ": no console error, no CSP violation", not csp and not errors, str(csp + errors))


def podcast(d, sv, files):
    ep = entry_id(sv, lambda e: e["link"].endswith("#episodio-2"))
    if not check("the podcast's episode is stored with its enclosure",
                 ep and ep["enclosures"] == [{"url": files.base + "/episodio-2.wav", "type": "audio/wav",
                                              "length": 16044}], str(ep)):
        return
    check("not read before its page is opened", not ep["read"])
    d.get("%s/entries/%d" % (sv.url, ep["id"]))
    check("the entry page: its title", d.find_element(By.TAG_NAME, "h1").text == "Episodio 2: sin algoritmos",
          d.find_element(By.TAG_NAME, "h1").text)
    check("its text", "Tú eliges lo que lees" in d.find_element(By.CSS_SELECTOR, "article .content").text)
    feed = d.find_element(By.CSS_SELECTOR, "article .meta a.feed")
    check("its feed, linking to the feed page",
          feed.text == "Cuaderno de escucha" and feed.get_attribute("href") == "%s/feeds/%d" % (sv.url, ep["feed_id"]))
    t = d.find_element(By.CSS_SELECTOR, "article .meta time")
    check("its date: relative, the exact time in its title",
          t.get_attribute("title") == "2026-12-05 17:00 UTC" and "ago" in t.text, t.text)
    out = d.find_element(By.CSS_SELECTOR, "a.original")
    check("its original link: noopener noreferrer, no referrer",
          out.get_attribute("href") == files.base + "/index.html#episodio-2" and
          out.get_attribute("rel") == "noopener noreferrer" and out.get_attribute("referrerpolicy") == "no-referrer",
          out.get_attribute("href"))
    audio = d.find_elements(By.CSS_SELECTOR, "article audio")
    check("one audio player, controls, preload=none, its src the WAV",
          len(audio) == 1 and audio[0].get_attribute("src") == files.base + "/episodio-2.wav" and
          audio[0].get_attribute("preload") == "none" and audio[0].get_attribute("controls") is not None,
          str([a.get_attribute("outerHTML") for a in audio]))
    got = d.execute_async_script("""
        var done = arguments[arguments.length - 1], a = document.querySelector('article audio');
        a.addEventListener('loadedmetadata', function () { done([a.readyState, a.duration]); });
        a.addEventListener('error', function () { done(['error', a.error && a.error.code]); });
        a.preload = 'auto';
        a.load();""")
    check("the WAV loads in the player: 2 s of sound", got[0] != "error" and got[0] >= 1 and abs(got[1] - 2.0) < 0.1,
          str(got))
    check("opening the page marked it read", api(sv, "/api/v1/entries/%d" % ep["id"])["read"])
    clean(d, "the entry page")
    os.makedirs(SHOTS, exist_ok=True)
    d.save_screenshot(os.path.join(SHOTS, "entry-light.png"))

    d.find_element(By.CSS_SELECTOR, "article .star-btn").click()
    wait_for("back on the entry page, starred",
             lambda: d.find_element(By.CSS_SELECTOR, "article .star-btn").text == "★ Starred")
    check("its star form: stored, and back on its page",
          api(sv, "/api/v1/entries/%d" % ep["id"])["starred"] and
          d.current_url == "%s/entries/%d?keep=1" % (sv.url, ep["id"]), d.current_url)
    d.find_element(By.CSS_SELECTOR, "article .read-btn").click()
    wait_for("marked unread", lambda: d.find_element(By.CSS_SELECTOR, "article .read-btn").text == "Mark read")
    check("its read form: unread again (and the page, reloaded by the form, did not mark it read)",
          not api(sv, "/api/v1/entries/%d" % ep["id"])["read"])

    # Other kinds of enclosure.
    x = entry_id(sv, lambda e: e["link"].endswith("/media"))
    d.get("%s/entries/%d" % (sv.url, x["id"]))
    video = d.find_elements(By.CSS_SELECTOR, "article video")
    check("a video enclosure: <video controls preload=none>",
          len(video) == 1 and video[0].get_attribute("src") == files.base + "/clip.mp4" and
          video[0].get_attribute("preload") == "none" and video[0].get_attribute("controls") is not None)
    links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "figure.file a")]
    check("a PDF: a download link, no player", links == [files.base + "/notes.pdf"], str(links))
    audio = [a.get_attribute("src") for a in d.find_elements(By.CSS_SELECTOR, "article audio")]
    check("an enclosure without a type, named .mp3: an audio player", audio == [files.base + "/talk.mp3?t=1"],
          str(audio))
    clean(d, "an entry page with a video")

    # The river's titles open the entry page.
    d.get(sv.url + "/?feed=%d" % ep["feed_id"])
    title = d.find_element(By.CSS_SELECTOR, "#e%d h2 a" % ep["id"])
    check("the river's title links to the entry page",
          title.get_attribute("href") == "%s/entries/%d" % (sv.url, ep["id"]))
    check("... and the ↗ link goes to the site",
          d.find_element(By.CSS_SELECTOR, "#e%d h2 a + a" % ep["id"]).get_attribute("href") ==
          files.base + "/index.html#episodio-2")
    title.click()
    wait_for("the entry page", lambda: d.current_url.endswith("/entries/%d" % ep["id"]))
    check("clicked: the entry page", d.find_elements(By.CSS_SELECTOR, "article audio") != [])
    clean(d, "the river and the entry page")
    return ep["feed_id"]


def feed_page(d, sv, feed_id):
    d.get("%s/feeds/%d" % (sv.url, feed_id))
    check("the feed page: its title", d.find_element(By.TAG_NAME, "h1").text == "Cuaderno de escucha")
    status = d.find_element(By.CSS_SELECTOR, "dl.fstatus").text
    check("its status: last fetch, HTTP 200, counts, next check, repairs",
          "HTTP 200" in status and "1 × 200" in status and "0 × 304" in status and "Next check" in status and
          "none: its last document was well-formed" in status, status)
    titles = [a.text for a in d.find_elements(By.CSS_SELECTOR, "article.entry a.title")]
    check("its entries, newest first", titles == ["Episodio 2: sin algoritmos", "Episodio 1: ¿qué es un feed?"],
          str(titles))
    ids = [e["id"] for e in api(sv, "/api/v1/feeds/%d/entries" % feed_id)["entries"]]
    check("each linking to its entry page", [a.get_attribute("href") for a in d.find_elements(
        By.CSS_SELECTOR, "article.entry a.title")] == ["%s/entries/%d" % (sv.url, i) for i in ids])
    actions = sorted(f.get_attribute("action").replace(sv.url, "") for f in d.find_elements(
        By.CSS_SELECTOR, ".fmanage form"))
    check("its forms: refresh now, rename/categorize, remove", actions == sorted(
        "/feeds/%d/%s" % (feed_id, a) for a in ("refresh", "edit", "remove")), str(actions))
    clean(d, "the feed page")
    d.save_screenshot(os.path.join(SHOTS, "feed-light.png"))
    d.find_element(By.CSS_SELECTOR, ".fmanage form[action$=refresh] button").click()
    wait_for("refresh now answered", lambda: "msg=refreshing" in d.current_url)
    check("refresh now: back on the feed page, which says so",
          d.current_url == "%s/feeds/%d?msg=refreshing" % (sv.url, feed_id) and
          d.find_element(By.CSS_SELECTOR, "p.msg").text == "It will be fetched in a moment.", d.current_url)
    d.find_element(By.CSS_SELECTOR, ".fmanage summary").click()
    name = d.find_element(By.CSS_SELECTOR, ".fmanage input[name=title]")
    name.clear()
    name.send_keys("Cuaderno")
    d.find_element(By.CSS_SELECTOR, ".fmanage form[action$=edit] button").click()
    wait_for("rename answered", lambda: "msg=saved" in d.current_url)
    check("rename: back on the feed page, renamed",
          d.find_element(By.TAG_NAME, "h1").text == "Cuaderno" and
          api(sv, "/api/v1/feeds/%d" % feed_id)["title"] == "Cuaderno", d.find_element(By.TAG_NAME, "h1").text)

    # /feeds links to the feed page.
    d.get(sv.url + "/feeds")
    check("the feeds page links each feed to its page", "%s/feeds/%d" % (sv.url, feed_id) in [
        a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "table.status td:first-child > a")])

    # Paging with the river's cursor.
    many = [f for f in api(sv, "/api/v1/feeds")["feeds"] if f["url"].endswith("/many.rss")][0]
    d.get("%s/feeds/%d" % (sv.url, many["id"]))
    first = [a.text for a in d.find_elements(By.CSS_SELECTOR, "article.entry a.title")]
    d.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    wait_for("the next page", lambda: "after=" in d.current_url)
    second = [a.text for a in d.find_elements(By.CSS_SELECTOR, "article.entry a.title")]
    check("a feed of 55 entries: 50, then 5 older, none twice",
          len(first) == 50 and len(second) == 5 and not set(first) & set(second) and
          first[0] == "Item 55" and second[-1] == "Item 1", "%d %d" % (len(first), len(second)))
    check("the last page: no next, a link to the newest",
          not d.find_elements(By.CSS_SELECTOR, "a[rel=next]") and
          d.find_element(By.LINK_TEXT, "Newest").get_attribute("href") == "%s/feeds/%d" % (sv.url, many["id"]))
    clean(d, "a feed page's second page")
    weight = sv.weight("/feeds/%d" % many["id"])
    print("note: a feed page of 50 entries weighs %d bytes (HTML + CSS + JS)" % weight)
    check("a feed page of 50 entries: HTML + CSS + JS under 50 KB", weight < 50 * 1024, str(weight))
    check("an unknown feed: 404", sv.get("/feeds/999999")[0] == 404)
    check("an unknown entry: 404", sv.get("/entries/999999")[0] == 404)
    check("a cursor this page never gave: 400", sv.get("/feeds/%d?after=x" % many["id"])[0] == 400)


def hostile(d, sv, data):
    fed = entry_id(sv, lambda e: e["link"].endswith("/evil"))
    check("the feed's script-scheme enclosures were not stored", fed and fed["enclosures"] == [], str(fed))
    bad = ["javascript:__x(1)", "JaVaScRiPt:__x(2)", "java\tscript:__x(3)", " \x01javascript:__x(4)",
           "data:text/html,<script>__x(5)</script>", "vbscript:__x(6)", "&#106;avascript:__x(7)",
           "javascript&colon;__x(8)", "\njavascript:__x(9)"]
    c = db(data)
    # Straight into the store, as if an older eddy or another writer had let them in.
    for i, u in enumerate(bad):
        c.execute("INSERT INTO enclosures (entry_id, pos, url, type, length) VALUES (?, ?, ?, ?, 0)",
                  (fed["id"], i, u, ("audio/mpeg", "video/mp4", "application/pdf")[i % 3]))
    c.close()
    got = api(sv, "/api/v1/entries/%d" % fed["id"])["enclosures"]
    check("the store hands them out as they are (the page must filter them)", len(got) == len(bad), str(got))
    d.get("%s/entries/%d" % (sv.url, fed["id"]))
    urls = d.execute_script(URLS)
    found = [u for u in urls if u[3] in SCRIPT_SCHEMES or u[2].strip().lower().startswith(SCRIPT_SCHEMES)]
    check("no src or href with a script scheme on the entry page", found == [], str(found))
    check("no player and no link for them",
          not d.find_elements(By.CSS_SELECTOR, "audio, video, figure.enclosure"),
          d.find_element(By.TAG_NAME, "main").get_attribute("innerHTML")[:500])
    d.get("%s/feeds/%d" % (sv.url, fed["feed_id"]))
    urls = d.execute_script(URLS)
    found = [u for u in urls if u[3] in SCRIPT_SCHEMES]
    check("none on the feed page either", found == [], str(found))
    time.sleep(0.2)
    check("no script ran", d.execute_script("return window.__hits") == [])


def corpus(d, files):
    """Every 7th entry page of the XSS corpus' feeds, CSP bypassed."""
    sys.path.insert(0, os.path.join(HERE, "..", "feed"))
    import xss
    names = [n for n, kind in xss.write_feeds(xss.load_vectors(), files.dir) if kind == "entries"]
    data = tempfile.mkdtemp(prefix="pages-entry-xss-")
    for n in names:
        run_eddy("add", "--data", data, files.base + "/" + n)
    sv = Serve(data)
    try:
        if not check("eddy serve started (the XSS corpus)", sv.url, sv.stderr()):
            return
        if not wait_for("the corpus' feeds fetched", lambda: all(
                f["last_check"] for f in api(sv, "/api/v1/feeds")["feeds"]), 120):
            return
        ids = sorted(e["id"] for e in api(sv, "/api/v1/entries?limit=1000")["entries"])[::7]
        d.execute_cdp_cmd("Page.setBypassCSP", {"enabled": True})
        found, hits = [], []
        for i in ids:
            d.get("%s/entries/%d" % (sv.url, i))
            f, _ = d.execute_script(PROBE)
            found += ["e%d: %s" % (i, x) for x in f]
            hits += d.execute_script("return window.__hits")
        time.sleep(0.2)
        hits += d.execute_script("return window.__hits")
        d.execute_cdp_cmd("Page.setBypassCSP", {"enabled": False})
        print("note: %d entry pages of the XSS corpus probed" % len(ids))
        check("the corpus' entry pages: no script ran (CSP bypassed)", len(ids) > 50 and hits == [], str(hits[:10]))
        check("the corpus' entry pages: no handler, script URL or dangerous element", found == [], str(found[:20]))
        d.get_log("browser")  # hostile pages' console is theirs
    finally:
        sv.term()
        shutil.rmtree(data, ignore_errors=True)


def main():
    files = Files()
    for n in ("cuaderno.rss", "index.html", "episodio-1.wav", "episodio-2.wav"):
        shutil.copy(os.path.join(top, "demo", n), files.dir)
    files.write("media.rss", rss("Media", [item(
        "media", "A clip and its notes",
        '<enclosure url="clip.mp4" type="video/mp4" length="1000000"/>'
        '<enclosure url="http://example.com/notes.pdf" type="application/pdf" length="2048"/>'
        '<enclosure url="talk.mp3?t=1"/>'
        .replace("http://example.com", files.base))]))
    files.write("many.rss", rss("Many", [item("m%d" % i, "Item %d" % i, day=1 + i // 24, hour=i % 24)
                                         for i in range(1, 56)]))
    files.write("evil.rss", rss("Evil", [item(
        "evil", "Hostile enclosures",
        '<enclosure url="javascript:__x(1)" type="audio/mpeg" length="1"/>'
        '<enclosure url="JaVaScRiPt:__x(2)" type="video/mp4" length="1"/>'
        '<enclosure url="data:audio/wav;base64,UklGRg==" type="audio/wav" length="1"/>'
        '<enclosure url="vbscript:__x(3)" type="audio/mpeg" length="1"/>')]))
    data = tempfile.mkdtemp(prefix="pages-entry-")
    for n in ("cuaderno.rss", "media.rss", "many.rss", "evil.rss"):
        st, _, err = run_eddy("add", "--data", data, files.base + "/" + n)
        check("eddy add " + n, st == 0, err)
    sv = Serve(data)
    d = None
    try:
        if not check("eddy serve started", sv.url, sv.stderr()):
            return
        wait_for("the 59 entries stored", lambda: len(api(sv, "/api/v1/entries?limit=100")["entries"]) == 59)
        d = browser()
        feed_id = podcast(d, sv, files)
        if feed_id:
            feed_page(d, sv, feed_id)
        hostile(d, sv, data)
        sv.term()
        corpus(d, files)
    finally:
        if d:
            d.quit()
        sv.term()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a failure, not a crash
        import traceback
        traceback.print_exc()
        check("the browser test ran to its end", False, "%s: %s" % (type(e).__name__, e))
    summary()
