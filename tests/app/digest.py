#!/usr/bin/env python3
"""`eddy digest` end to end: a store filled by `eddy add` + `eddy refresh` from
a loopback HTTP server serving tests/app/data/digest-*, then every output
read back by an independent reader:

  text, html          titles, absolute links, nothing runnable
  mail                Python's email module: multipart/alternative with a
                      text/plain and a text/html part, the subject decoded
  mbox                Python's mailbox module
  atom                feedparser (Debian's) and eddy's parser: same titles,
                      links and source feeds (atom:source)
  json                eddy's parser and json (Debian's feedparser 6.0.10 has
                      no JSON Feed reader)
  --smtp              a real SMTP server on loopback (aiosmtpd) with AUTH:
                      the message arrives, parsed as above; a wrong password,
                      --starttls without STARTTLS and a refused connection
                      fail with one line and exit 1, sending nothing; then
                      STARTTLS and smtps:// servers with a certificate made
                      here: refused without --ca-file, sent with it
"""
import email
import email.header
import email.policy
import functools
import html.parser
import http.server
import json
import mailbox
import os
import re
import ssl
import subprocess
import sys
import tempfile
import threading

import feedparser

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "support"))
from smtp import LOGIN as login, start as start_smtp  # noqa: E402


top = os.environ.get("EDDY_TOP") or os.path.dirname(os.path.dirname(here))
eddy = os.path.join(os.environ.get("EDDY_BUILD") or os.path.join(top, "build"), "eddy")
passed = failed = 0


def check(what, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok:", what)
    else:
        failed += 1
        print("FAIL:", what)
        if detail:
            print("    " + str(detail).replace("\n", "\n    ")[:2000])


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("EDDY_SMTP_USER", None)
    e.pop("EDDY_SMTP_PASSWORD", None)
    e.update(env or {})
    return subprocess.run([eddy, *args], capture_output=True, env=e, timeout=60)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


web = http.server.ThreadingHTTPServer(
    ("127.0.0.1", 0), functools.partial(Quiet, directory=os.path.join(here, "data")))
threading.Thread(target=web.serve_forever, daemon=True).start()
base = "http://127.0.0.1:%d" % web.server_address[1]

CAFE = "Café Lumière — notes"
TITLES = {"Crème brûlée & the art of waiting", "Ĉu vi parolas Esperanton? 日本語のタイトル",
          "Undated item"}
SUBJECT = "Letters from a Feed: 3 new entries from %s and Plain News" % CAFE
FEED_OF = {"Crème brûlée & the art of waiting": (CAFE, base + "/digest-cafe.atom"),
           "Ĉu vi parolas Esperanton? 日本語のタイトル": (CAFE, base + "/digest-cafe.atom"),
           "Undated item": ("Plain News", base + "/digest-news.rss")}


class Links(html.parser.HTMLParser):
    """Every tag, and every URL-carrying attribute, of an HTML document."""

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


def check_html(what, doc):
    p = Links()
    p.feed(doc)
    bad = [u for u in p.urls if not re.match(r"(https?://[^/]|mailto:)", u or "")]
    check(what + ": every link absolute http(s) or mailto", p.urls and not bad, bad)
    check(what + ": no script, image, iframe, style element or event handler",
          not p.tags & {"script", "img", "iframe", "style", "object", "embed", "form"}
          and not p.events and "javascript:" not in doc, (p.tags, p.events))
    check(what + ": a relative link of the feed made absolute",
          base + "/recipes/creme" in p.urls, p.urls)
    check(what + ": the image became a link to it",
          '<a href="%s/img/creme.jpg">[image: a crème brûlée]</a>' % base in doc)
    check(what + ": every title, not the archive entry",
          all(t.replace("&", "&amp;") in doc for t in TITLES) and "From the archive" not in doc)


def check_message(what, raw):
    lines = raw.split(b"\r\n")
    check(what + ": CRLF line ends, lines within 76",
          raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
          and max(map(len, lines)) <= 76, max(lines, key=len))
    m = email.message_from_bytes(raw, policy=email.policy.default)
    check(what + ": subject decoded (RFC 2047)", m["Subject"] == SUBJECT, m["Subject"])
    check(what + ": Date, Message-ID, MIME-Version",
          m["Date"] and m["Date"].datetime and re.match(r"<eddy\.digest\.\d+\.[0-9a-f]{16}@", m["Message-ID"] or "")
          and m["MIME-Version"] == "1.0", (m["Date"], m["Message-ID"]))
    check(what + ": multipart/alternative of text/plain then text/html",
          m.get_content_type() == "multipart/alternative"
          and [p.get_content_type() for p in m.iter_parts()] == ["text/plain", "text/html"])
    parts = {p.get_content_type(): p for p in m.iter_parts()}
    for p in parts.values():
        check(what + ": %s quoted-printable, UTF-8" % p.get_content_type(),
              p["Content-Transfer-Encoding"] == "quoted-printable" and p.get_content_charset() == "utf-8")
    text = parts["text/plain"].get_content()
    check(what + ": the text part has the titles and absolute links",
          all(t in text for t in TITLES) and "<%s/recipes/creme>" % base in text
          and "From here on" in text, text[:600])
    check_html(what + " html part", parts["text/html"].get_content())
    return m


tmp = tempfile.mkdtemp()
data = os.path.join(tmp, "data")
try:
    r = run("add", "--no-fetch", "--data", data, base + "/digest-cafe.atom", base + "/digest-news.rss")
    check("setup: eddy add", r.returncode == 0, r.stderr)
    r = run("refresh", "--data", data)
    check("setup: eddy refresh stores 4 entries", r.returncode == 0 and b"4 new entries" in r.stdout,
          r.stdout + r.stderr)

    r = run("digest", "--data", data)
    text = r.stdout.decode()
    check("text: exit 0, every title, feeds as headings",
          r.returncode == 0 and all(t in text for t in TITLES) and "== %s ==" % CAFE in text
          and "== Plain News ==" in text, text)
    check("text: the archive entry (dated 2001) is left out", "From the archive" not in text)
    check("text: wrapped at 72 columns", max(len(l) for l in text.splitlines()) <= 72)

    r = run("digest", "--data", data, "--format", "html")
    check("html: exit 0", r.returncode == 0, r.stderr)
    check_html("html", r.stdout.decode())

    r = run("digest", "--data", data, "--format", "mail", "--to", "a@example.com, b@example.com")
    m = check_message("mail", r.stdout)
    check("mail: From is the first --to, To both",
          m["From"] == "eddy <a@example.com>" and m["To"] == "a@example.com, b@example.com",
          (m["From"], m["To"]))

    r = run("digest", "--data", data, "--format", "mbox", "--to", "me@example.com")
    path = os.path.join(tmp, "box")
    with open(path, "wb") as f:
        f.write(r.stdout + r.stdout)  # two records appended, as a mail spool grows
    box = mailbox.mbox(path)
    msgs = list(box)
    check("mbox: two records read back", len(msgs) == 2, len(msgs))
    if msgs:
        subj = str(email.header.make_header(email.header.decode_header(msgs[1]["Subject"])))
        check("mbox: sender line and subject", msgs[1].get_from().startswith("me@example.com ")
              and subj == SUBJECT, (msgs[1].get_from(), subj))
        check("mbox: both parts", [p.get_content_type() for p in msgs[1].get_payload()]
              == ["text/plain", "text/html"])
    box.close()

    r = run("digest", "--data", data, "--format", "atom")
    atom = r.stdout
    d = feedparser.parse(atom)
    check("atom: feedparser reads it without bozo", r.returncode == 0 and not d.bozo and d.version == "atom10",
          d.get("bozo_exception"))
    check("atom: feedparser gets the titles", {e.title for e in d.entries} == TITLES,
          [e.title for e in d.entries])
    check("atom: feedparser gets each entry's source feed",
          all((e.source.title, e.source.id) == FEED_OF[e.title] for e in d.entries),
          [(e.title, e.get("source")) for e in d.entries])
    check("atom: feedparser gets the links",
          {e.link for e in d.entries} == {"http://cafe.example/2026/creme", "http://cafe.example/2026/lang",
                                          "http://news.example/undated"})
    p = subprocess.run([eddy, "parse", "-"], input=atom, capture_output=True)
    mine = json.loads(p.stdout)
    check("atom: eddy's parser reads it without bozo, same titles, links and sources",
          not mine["bozo"] and [(e["title"], e["link"], e["source"]["title"]) for e in mine["entries"]]
          == [(e.title, e.link, e.source.title) for e in d.entries], p.stdout[:500])

    r = run("digest", "--data", data, "--format", "json")
    j = json.loads(r.stdout)
    check("json: JSON Feed 1.1 with the source feed in _eddy",
          j["version"] == "https://jsonfeed.org/version/1.1"
          and all((i["_eddy"]["feed"]["title"], i["_eddy"]["feed"]["feed_url"]) == FEED_OF[i["title"]]
                  for i in j["items"]), j)
    p = subprocess.run([eddy, "parse", "-"], input=r.stdout, capture_output=True)
    mine = json.loads(p.stdout)
    check("json: eddy's parser reads it without bozo, same titles and links",
          not mine["bozo"] and mine["version"] == "json11"
          and [(e["title"], e.get("link")) for e in mine["entries"]] == [(i["title"], i.get("url")) for i in j["items"]],
          p.stdout[:500])

    # ---- SMTP ----
    received = []
    smtpd, port = start_smtp(received, auth_require_tls=False)
    try:
        url = "smtp://127.0.0.1:%d" % port
        r = run("digest", "--data", data, "--smtp", url, "--to", "a@example.com,b@example.com",
                "--from", "eddy@example.com", env=login)
        check("smtp: sent, exit 0, one line", r.returncode == 0 and r.stdout ==
              b"sent 3 entries to a@example.com,b@example.com\n", r.stdout + r.stderr)
        check("smtp: the server got one message for both recipients",
              len(received) == 1 and received[0].mail_from == "eddy@example.com"
              and received[0].rcpt_tos == ["a@example.com", "b@example.com"],
              [(e.mail_from, e.rcpt_tos) for e in received])
        if received:
            check_message("smtp", received[0].original_content)

        received.clear()
        r = run("digest", "--data", data, "--smtp", url, "--to", "a@example.com",
                env=dict(login, EDDY_SMTP_PASSWORD="wrong"))
        print("    (said: %s)" % r.stderr.decode().strip())
        check("smtp: a refused login fails, one line, exit 1, nothing sent",
              r.returncode == 1 and len(r.stderr.splitlines()) == 1 and not received, r.stderr)
        r = run("digest", "--data", data, "--smtp", url, "--to", "a@example.com", "--starttls", env=login)
        print("    (said: %s)" % r.stderr.decode().strip())
        check("smtp: --starttls to a server without STARTTLS fails, nothing sent (not even in plain)",
              r.returncode == 1 and len(r.stderr.splitlines()) == 1 and not received, r.stderr)
        r = run("digest", "--data", os.path.join(tmp, "empty"), "--smtp", url, "--to", "a@example.com", env=login)
        check("smtp: nothing new, nothing sent, exit 0",
              r.returncode == 0 and b"nothing new" in r.stderr and not received, r.stderr)
    finally:
        smtpd.stop()
    r = run("digest", "--data", data, "--smtp", "smtp://127.0.0.1:%d" % port, "--to", "a@example.com")
    print("    (said: %s)" % r.stderr.decode().strip())
    check("smtp: a refused connection fails with one line naming the server, exit 1",
          r.returncode == 1 and r.stderr.startswith(b"eddy digest: smtp://127.0.0.1:%d: " % port)
          and len(r.stderr.splitlines()) == 1, r.stderr)

    # ---- TLS: STARTTLS and smtps://, with a certificate made here ----
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    for mode in ("starttls", "smtps"):
        # STARTTLS: AUTH only after the upgrade (aiosmtpd's default), so the
        # login proves the channel.  smtps: aiosmtpd does not count a TLS
        # socket as TLS for AUTH, hence auth_require_tls off there.
        tls = ({"tls_context": ctx, "require_starttls": True} if mode == "starttls"
               else {"ssl_context": ctx, "auth_require_tls": False})
        smtpd, port = start_smtp(received, **tls)
        try:
            received.clear()
            url = "%s://127.0.0.1:%d" % ("smtp" if mode == "starttls" else "smtps", port)
            flags = ["--starttls"] if mode == "starttls" else []
            r = run("digest", "--data", data, "--smtp", url, "--to", "a@example.com", *flags, env=login)
            print("    (said: %s)" % r.stderr.decode().strip())
            check("%s: a certificate no CA vouches for is refused, nothing sent" % mode,
                  r.returncode == 1 and len(r.stderr.splitlines()) == 1 and not received, r.stderr)
            r = run("digest", "--data", data, "--smtp", url, "--to", "a@example.com", "--ca-file", cert,
                    *flags, env=login)
            check("%s: with --ca-file, logged in over TLS and sent" % mode,
                  r.returncode == 0 and len(received) == 1, r.stdout + r.stderr)
            if received:
                check("%s: the message arrived whole" % mode,
                      email.message_from_bytes(received[0].original_content,
                                               policy=email.policy.default)["Subject"] == SUBJECT)
            if mode == "starttls":
                received.clear()
                r = run("digest", "--data", data, "--smtp", "smtp+starttls://127.0.0.1:%d" % port,
                        "--to", "a@example.com", "--ca-file", cert, env=login)
                check("starttls: smtp+starttls:// asks for it in the URL",
                      r.returncode == 0 and len(received) == 1, r.stdout + r.stderr)
                received.clear()
                r = run("digest", "--data", data, "--smtp", url, "--to", "a@example.com", env=login)
                print("    (said: %s)" % r.stderr.decode().strip())
                check("starttls: without --starttls a server that requires it refuses, exit 1",
                      r.returncode == 1 and not received, r.stderr)
        finally:
            smtpd.stop()

    # ---- usage ----
    for args, want in [(["--format", "pdf"], "--format"),
                       (["--smtp", "smtp://127.0.0.1:1"], "--smtp needs --to"),
                       (["--to", "not an address"], "--to"),
                       (["--smtp", "http://x", "--to", "a@b"], "--smtp"),
                       (["--smtp", "smtps://x", "--to", "a@b", "--starttls"], "--starttls")]:
        r = run("digest", "--data", data, *args)
        check("usage: %s -> exit 2 naming %s" % (" ".join(args), want),
              r.returncode == 2 and not r.stdout and want in r.stderr.decode().splitlines()[0], r.stderr)
finally:
    web.shutdown()
    subprocess.run(["rm", "-rf", tmp])

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
