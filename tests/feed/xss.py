#!/usr/bin/env python3
"""tests/feed/xss.py — the sanitizer's output, rendered in headless Chromium,
runs no script.

Every vector of tests/feed/xss/vectors.txt goes into feeds: Atom entry
title, content and summary (type="html", CDATA included), Atom xhtml
content when the vector is well-formed XML, RSS description and
content:encoded, JSON Feed item title, summary and content_html (JSON also
carries the controls XML cannot), and for a quarter of the vectors each a
feed-level Atom subtitle / JSON Feed description (a process each).  `eddy
parse` sanitizes them; each distinct value is shown as a page would show it
(a value typed text/plain escaped, text/html or untyped as HTML) in its own
document: a srcdoc iframe of one page, so Chromium starts once.
tests/feed/xss/harness.js records calls to __x/alert/..., fires every on*
handler left, follows script URLs in links and forms, and lists dangerous
constructs (script schemes as the browser reads them, handlers,
<script>/<iframe>/<meta>/<base>..., script in CSS).  All values are also
rendered together as one page, as a feed page would.

The detector is checked on every run: the UNSANITIZED vectors are rendered
the same way and exactly those marked "run" in the corpus must execute (a
sanitized value equal to its vector reuses that result).  Failures matched by
tests/feed/xss/known-failing.txt are expected; a rule there that matches
nothing any more is a failure (the list must stay true).

  xss.py               the test (last line "N passed, M failed")
  xss.py --feedparser  also renders Debian's python3-feedparser output of the
                       same vectors and reports what runs there (report only)
  xss.py --keep DIR    keep the feeds and pages in DIR
Needs chromium, chromium-driver and python3-selenium (scripts/deps installs
them); about 30 s idle, longer on a loaded machine (real time, not virtual:
its result does not depend on the load)."""
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.dom.minidom
from concurrent.futures import ThreadPoolExecutor

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("EDDY_TOP", os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("EDDY_BUILD", os.path.join(TOP, "build"))
CORPUS = os.path.join(HERE, "xss")
# Chromium runs in real time (virtual time let harness.js's timers jump ahead
# of frames still loading on a loaded machine); this bound on one render is a
# safety net, not a timing check.
RESULT_BOUND = 600
ATOM = "http://www.w3.org/2005/Atom"

PRELUDE = ('<!doctype html><html><head><meta charset="utf-8"><script>var __id=@ID@;'
           'window.__harness=Array.from(document.head.children);'
           'function __x(){parent.__hit(__id)}'
           'window.alert=window.confirm=window.prompt=window.print=__x;</script></head>'
           '<body><div id="c">')
# The page goes on after the value, as a feed page does (unclosed tags bite).
POSTLUDE = '</div><p title="after">after</p><p>more</p></body></html>'

passed = failed = 0


def ok(msg):
    global passed
    passed += 1
    print("ok: " + msg)


def fail(msg, details=()):
    global failed
    failed += 1
    print("FAIL: " + msg)
    for d in details:
        print("    " + d)


def unescape_vector(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "u":
                out.append(chr(int(s[i + 2:i + 6], 16)))
                i += 6
                continue
            if n == "x":
                out.append(chr(int(s[i + 2:i + 4], 16)))
                i += 4
                continue
            out.append({"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "0": "\0", "\\": "\\"}[n])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def load_vectors():
    vectors = []
    with open(os.path.join(CORPUS, "vectors.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            vid, raw, vec = line.split("\t", 2)
            assert raw in ("run", "-"), line
            vectors.append((vid, raw == "run", unescape_vector(vec)))
    return vectors


def load_known_failing():
    """[(vector id or "*", context or "*")] from known-failing.txt."""
    rules = []
    path = os.path.join(CORPUS, "known-failing.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    vid, ctx, _ = line.rstrip("\n").split("\t", 2)
                    rules.append((vid, ctx))
    return rules


def known_rule(rules, vid, ctx):
    for r in rules:
        if r[0] in ("*", vid) and r[1] in ("*", ctx):
            return r
    return None


# XML 1.0 cannot carry these: such vectors go into JSON Feed only.
XML_ILLEGAL = set(chr(c) for c in range(32) if c not in (9, 10, 13))


def xml_ok(s):
    return not any(c in XML_ILLEGAL for c in s)


def text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cdata(s):
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def well_formed(s):
    try:
        xml.dom.minidom.parseString('<div xmlns="http://www.w3.org/1999/xhtml" '
                                    'xmlns:xlink="http://www.w3.org/1999/xlink">' + s + "</div>")
        return True
    except Exception:
        return False


def feed_level(i, fmt):
    return i % 4 == (0 if fmt == "atom" else 2)


def write_feeds(vectors, d):
    """Writes the feed documents into d; returns [(file, kind)]."""
    atom = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="%s"><title>xss</title><id>t</id>' % ATOM]
    xhtml = list(atom)
    rss = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>xss</title>'
           '<link>http://example.com/</link><description>d</description>']
    files = [("atom.xml", "entries"), ("xhtml.xml", "entries"), ("rss.xml", "entries"), ("json.json", "entries")]
    jfeed = {"version": "https://jsonfeed.org/version/1.1", "title": "xss",
             "items": [{"id": "v%d" % i, "title": v, "summary": v, "content_html": v}
                       for i, (_, _, v) in enumerate(vectors)]}
    with open(os.path.join(d, "json.json"), "w", encoding="utf-8") as f:
        json.dump(jfeed, f)
    for i, (vid, _, v) in enumerate(vectors):
        # A feed-level value needs a document of its own (a process each): a
        # quarter of the vectors each, in Atom and in JSON Feed.
        if feed_level(i, "json"):
            name = "json-%d.json" % i
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                json.dump({"version": "https://jsonfeed.org/version/1.1", "title": "xss", "description": v}, f)
            files.append((name, i))
        if not xml_ok(v):
            continue
        atom.append('<entry><id>v%d</id><title type="html">%s</title><content type="html">%s</content>'
                    '<summary type="html">%s</summary></entry>' % (i, text(v), text(v), cdata(v)))
        if well_formed(v):
            xhtml.append('<entry><id>v%d</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml" '
                         'xmlns:xlink="http://www.w3.org/1999/xlink">%s</div></content></entry>' % (i, v))
        rss.append("<item><guid>v%d</guid><description>%s</description><content:encoded>%s"
                   "</content:encoded></item>" % (i, text(v), cdata(v)))
        if feed_level(i, "atom"):
            name = "subtitle-%d.xml" % i
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="%s"><title>xss</title>'
                        '<subtitle type="html">%s</subtitle></feed>' % (ATOM, text(v)))
            files.append((name, i))
    for name, parts, end in (("atom.xml", atom, "</feed>"), ("xhtml.xml", xhtml, "</feed>"),
                             ("rss.xml", rss, "</channel></rss>")):
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write("".join(parts) + end)
    return files


def typed(out, i, ctx, obj, key):
    """Appends obj[key] as a page shows it: a value typed text/plain is text
    (escaped); text/html, or no type at all, is HTML."""
    if key not in obj:
        return
    detail = obj.get(key + "_detail") or {}
    v = obj[key]
    if detail.get("type") == "text/plain":
        v = html.escape(v)
        ctx += " (text)"
    elif not detail:
        ctx += " (untyped)"
    out.append((i, ctx, v))


def values_of(result, name, kind):
    """[(vector index, context, html as a page would show it)] from one parse result."""
    out = []
    base = "json" if name.endswith(".json") else "atom" if name.startswith("subtitle") else name.split(".")[0]
    if kind != "entries":
        typed(out, kind, "%s feed subtitle" % base, result.get("feed", {}), "subtitle")
    for e in result.get("entries", []):
        eid = e.get("id", "")
        if not eid.startswith("v"):
            continue
        i = int(eid[1:]) if kind == "entries" else kind
        for key in ("title", "summary"):
            typed(out, i, "%s %s" % (base, key), e, key)
        for c in e.get("content", []):
            out.append((i, "%s content%s" % (base, " (text)" if c["type"] == "text/plain" else ""),
                        html.escape(c["value"]) if c["type"] == "text/plain" else c["value"]))
    return out


def parse_eddy(d, files):
    eddy = os.path.join(BUILD, "eddy")

    def one(item):
        name, kind = item
        hdr = ["--header", "Content-Type: application/feed+json"] if name.endswith(".json") else []
        p = subprocess.run([eddy, "parse"] + hdr + [os.path.join(d, name)], capture_output=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("eddy parse %s: exit %d: %s" % (name, p.returncode, p.stderr.decode()[-2000:]))
        return values_of(json.loads(p.stdout), name, kind)

    with ThreadPoolExecutor(4) as ex:
        return [v for vals in ex.map(one, files) for v in vals]


def parse_feedparser(vectors, d):
    """feedparser's values, one vector a document: a single vector can make it
    raise (sgmllib's AssertionError), which would lose the whole document."""
    import feedparser
    out, crashed = [], []
    for i, v in enumerate(vectors):
        sub = os.path.join(d, "fp-%d" % i)
        os.makedirs(sub)
        for name, kind in write_feeds([v], sub):
            try:
                hdr = {"content-type": "application/feed+json"} if name.endswith(".json") else {}
                r = feedparser.parse(os.path.join(sub, name), response_headers=hdr)
            except Exception:
                crashed.append(v[0])
                continue
            out += [(i, ctx, val) for _, ctx, val in values_of(json.loads(json.dumps(r, default=str)), name, kind)]
    return out, sorted(set(crashed))


def render(cases, d, tag):
    """Renders [(frame id, html)] in one Chromium run, driven by chromedriver
    in real time: (results, seconds)."""
    with open(os.path.join(CORPUS, "harness.js"), encoding="utf-8") as f:
        js = f.read()

    def js_data(x):
        return json.dumps(x).replace("<", "\\u003c")

    page = os.path.join(d, "page-%s.html" % tag)
    with open(page, "w", encoding="utf-8") as f:
        f.write('<!doctype html><html><head><meta charset="utf-8"><title>xss</title></head><body>'
                '<pre id="result"></pre><script>var PRELUDE=%s, POSTLUDE=%s, CASES=%s;\n%s</script>'
                '</body></html>' % (js_data(PRELUDE), js_data(POSTLUDE), js_data(cases), js))
    o = webdriver.ChromeOptions()
    o.binary_location = shutil.which("chromium")
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
              "--mute-audio", "--disable-dev-shm-usage", "--user-data-dir=" + tempfile.mkdtemp(dir=d),
              # no name resolves: nothing leaves the machine, failures are instant
              "--host-resolver-rules=MAP * ~NOTFOUND"):
        o.add_argument(a)
    # Popups stay blocked as in a plain browser; a dialog no hook caught is
    # dismissed (as headless Chromium does on its own).
    o.add_experimental_option("excludeSwitches", ["disable-popup-blocking", "enable-automation"])
    o.set_capability("unhandledPromptBehavior", "dismiss")
    o.page_load_strategy = "eager"  # the harness's own wait is the one that counts
    t0 = time.monotonic()
    drv = webdriver.Chrome(service=webdriver.chrome.service.Service(shutil.which("chromedriver")), options=o)
    try:
        drv.set_page_load_timeout(RESULT_BOUND)
        drv.set_script_timeout(RESULT_BOUND)
        drv.get("file://" + page)
        out = WebDriverWait(drv, RESULT_BOUND, poll_frequency=1).until(
            lambda x: x.execute_script("return document.getElementById('result').textContent"))
    except TimeoutException:
        raise RuntimeError("chromium (%s) gave no result within %d s of real time (a safety bound, not a "
                           "timing check: a hung harness or a stalled machine)" % (tag, RESULT_BOUND))
    except WebDriverException as e:
        raise RuntimeError("chromedriver (%s): %s" % (tag, e.msg))
    finally:
        drv.quit()
    res = json.loads(out)
    if res["unloaded"]:
        raise RuntimeError("chromium (%s): %d of %d frames never loaded within the harness's bound: %s" %
                           (tag, len(res["unloaded"]), len(cases), " ".join(res["unloaded"][:40])))
    return res, time.monotonic() - t0


def sanitized_cases(values, vectors, rules):
    """Distinct HTML values per vector as frames (escaped text is not
    rendered); returns (cases, frame id -> (i, contexts, html)).  The
    one-page case holds every value that is not known to fail."""
    frames, by_key = {}, {}
    for i, ctx, v in values:
        if ctx.endswith("(text)"):
            continue
        key = (i, v)
        if key not in by_key:
            by_key[key] = "s%d.%d" % (i, len(by_key))
            frames[by_key[key]] = (i, [], v)
        frames[by_key[key]][1].append(ctx)
    whole = "".join('<div class="entry">%s</div><hr>' % v for (i, ctxs, v) in frames.values()
                    if not all(known_rule(rules, vectors[i][0], c) for c in ctxs))
    return [[fid, v] for fid, (_, _, v) in frames.items()] + [["page", whole]], frames


def verdicts(res, frames):
    """{(vector index, context): problem} for executions and dangerous constructs."""
    bad = {}
    for fid, (i, ctxs, v) in frames.items():
        probs = (["EXECUTED"] if res["hits"].get(fid) else []) + res["danger"].get(fid, [])
        for c in ctxs if probs else ():
            bad[(i, c)] = "%s -> %r" % ("; ".join(probs), v[:300])
    return bad


def check_corpus(vectors, rules):
    ids = [v[0] for v in vectors]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    unknown = sorted({r[0] for r in rules} - set(ids) - {"*"})
    if len(vectors) >= 100 and not dup and not unknown:
        ok("%d vectors, %d marked to run unsanitized, %d known-failing rules" %
           (len(vectors), sum(v[1] for v in vectors), len(rules)))
    else:
        fail("corpus: %d vectors (want >= 100), duplicate ids %s, unknown ids in known-failing.txt %s" %
             (len(vectors), dup, unknown))


def check_coverage(vectors, values):
    """Every vector reached the sanitizer in every context it was put in."""
    seen = {}
    for i, ctx, _ in values:
        seen.setdefault(i, set()).add(ctx.split(" (")[0])
    missing = []
    for i, v in enumerate(vectors):
        want = {"json title", "json content", "json summary"}
        if xml_ok(v[2]):
            want |= {"atom title", "atom content", "atom summary", "rss summary", "rss content"}
        want |= {"%s feed subtitle" % f for f in ("atom", "json") if feed_level(i, f) and (f == "json" or xml_ok(v[2]))}
        if want - seen.get(i, set()):
            missing.append("%s: %s" % (v[0], sorted(want - seen.get(i, set()))))
    if not missing:
        ok("every vector came out of eddy parse in each of its contexts (%d values, %d of them xhtml)" %
           (len(values), sum(1 for _, c, _ in values if c.startswith("xhtml"))))
    else:
        fail("vectors missing from eddy parse's output", missing[:40])


def check_control(vectors, raw, secs):
    """The detector sees what the raw vectors do: exactly those marked run execute."""
    ran = {vectors[int(k[1:])][0] for k, n in raw["hits"].items() if k != "top" and n}
    marked = {v[0] for v in vectors if v[1]}
    flagged = {vectors[int(k[1:])][0] for k in list(raw["danger"]) + list(raw["notes"]) if k != "top"}
    if ran == marked:
        ok("control: %d of %d unsanitized vectors executed, exactly those marked run; %d more flagged "
           "dangerous (%.1f s)" % (len(ran), len(vectors), len(flagged - ran), secs))
    else:
        fail("control: the unsanitized vectors that executed are not those marked run "
             "(a Chromium change? then update vectors.txt)",
             ["marked run, did not execute: " + " ".join(sorted(marked - ran)),
              "executed, not marked run: " + " ".join(sorted(ran - marked))])
    quiet = sorted(v[0] for v in vectors if v[0] not in flagged | ran)
    print("note: %d unsanitized vectors neither execute nor are flagged here (inert in Chromium): %s" %
          (len(quiet), " ".join(quiet)))


def vector_of(fid):
    return int(fid[1:].split(".")[0]) if fid[0] in "rs" else -1


def to_render(cases, vectors):
    """A value the sanitizer left as the vector was is the document the
    control renders: its result is taken from there (merge_raw)."""
    return [c for c in cases if vector_of(c[0]) < 0 or c[1] != vectors[vector_of(c[0])][2]]


def merge_raw(cases, got, raw, vectors):
    res = {k: dict(got[k]) for k in ("hits", "danger", "notes")}
    rendered = {c[0] for c in to_render(cases, vectors)}
    for fid, _ in cases:
        if fid not in rendered:
            for k in res:
                if "r%d" % vector_of(fid) in raw[k]:
                    res[k][fid] = raw[k]["r%d" % vector_of(fid)]
    return res


def render_all(vectors, values, rules, d, who):
    """Renders the control and the sanitized values in two Chromium processes
    at once; returns (raw, raw_secs, cases, frames, res, secs)."""
    cases, frames = sanitized_cases(values, vectors, rules)
    with ThreadPoolExecutor(2) as ex:
        fr = ex.submit(render, [["r%d" % i, v[2]] for i, v in enumerate(vectors)], d, "raw")
        fs = ex.submit(render, to_render(cases, vectors), d, who)
        (raw, raw_secs), (got, secs) = fr.result(), fs.result()
    return raw, raw_secs, cases, frames, merge_raw(cases, got, raw, vectors), secs


def check_sanitized(vectors, rules, cases, frames, res, secs, who="eddy"):
    bad = verdicts(res, frames)
    unexpected = sorted(k for k in bad if not known_rule(rules, vectors[k[0]][0], k[1]))
    used = {known_rule(rules, vectors[i][0], c) for i, c in bad}
    if not unexpected:
        ok("%s: %d distinct values of %d vectors (%d rendered, the others as the control): 0 execute "
           "or leave dangerous output outside the %d known-failing (vector, context) pairs (%.1f s)" %
           (who, len(frames), len(vectors), len(to_render(cases, vectors)), len(bad), secs))
    else:
        fail("%s: %d (vector, context) pairs execute or leave dangerous output after sanitizing" %
             (who, len(unexpected)), ["%s in %s: %s" % (vectors[i][0], c, bad[(i, c)]) for i, c in unexpected])
    known = sorted(k for k in bad if k not in unexpected)
    if known:
        print("known failing: %d pairs of %d vectors, e.g. %s in %s: %s" % (
            len(known), len({i for i, _ in known}), vectors[known[0][0]][0], known[0][1], bad[known[0]]))
    stale = [r for r in rules if r not in used]
    if stale:
        fail("known-failing rules that match no failure any more (remove them): %s" % stale)
    page = (["EXECUTED"] if res["hits"].get("page") else []) + res["danger"].get("page", [])
    if not page:
        ok("%s: all values on one page (known failures left out): nothing ran, nothing dangerous" % who)
    else:
        fail("%s: all values on one page" % who, page)
    if res["hits"].get("top"):
        fail("%s: a value reached the harness page itself" % who)
    notes = sorted({n for fid, l in res["notes"].items() for n in l
                    if fid in frames and not all(known_rule(rules, vectors[frames[fid][0]][0], c)
                                                 for c in frames[fid][1])})
    if notes:
        print("note: allowed, worth knowing: " + "; ".join(notes[:10]))


def report_feedparser(vectors, d):
    values, crashed = parse_feedparser(vectors, d)
    cases, frames = sanitized_cases(values, vectors, [])
    res, secs = render(cases, d, "feedparser")
    bad = verdicts(res, frames)
    ran = sorted({frames[f][0] for f in frames if res["hits"].get(f)})
    ran_html = sorted({frames[f][0] for f in frames if res["hits"].get(f)
                       if any(not c.endswith("(untyped)") for c in frames[f][1])})
    print("report: python3-feedparser %s: %d of %d vectors execute after it (%d in a value typed "
          "text/html; %.1f s), %d vectors leave dangerous output; it raised on: %s; JSON Feed values: %d" %
          (__import__("feedparser").__version__, len(ran), len(vectors), len(ran_html), secs,
           len({i for i, _ in bad}), " ".join(crashed) or "nothing",
           sum(1 for _, c, _ in values if c.startswith("json"))))
    for i in ran_html:
        print("    runs: %s: %s" % (vectors[i][0], next(b for (j, c), b in bad.items()
                                                        if j == i and not c.endswith("(untyped)"))))


def main():
    argv = sys.argv[1:]
    keep = argv[argv.index("--keep") + 1] if "--keep" in argv else None
    t0 = time.monotonic()
    if not shutil.which("chromium") or not shutil.which("chromedriver") or not webdriver:
        fail("chromium, chromium-driver or python3-selenium not found (scripts/deps installs them)")
        return
    vectors = load_vectors()
    rules = load_known_failing()
    check_corpus(vectors, rules)
    d = keep or tempfile.mkdtemp(prefix="xss-")
    os.makedirs(d, exist_ok=True)
    try:
        values = parse_eddy(d, write_feeds(vectors, d))
        check_coverage(vectors, values)
        raw, raw_secs, cases, frames, res, secs = render_all(vectors, values, rules, d, "eddy")
        check_control(vectors, raw, raw_secs)
        check_sanitized(vectors, rules, cases, frames, res, secs)
        if "--feedparser" in argv:
            report_feedparser(vectors, d)
    finally:
        if not keep:
            shutil.rmtree(d, ignore_errors=True)
    print("time: %.1f s" % (time.monotonic() - t0))


if __name__ == "__main__":
    try:
        main()
    except (RuntimeError, OSError, subprocess.TimeoutExpired, ValueError) as e:
        fail("%s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
