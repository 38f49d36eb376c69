#!/usr/bin/env python3
"""tests/app/login.py — `eddy serve`'s password login over real HTTP, on
loopback: set on /settings (CSRF-checked), the gate (pages to /login, the
API 401, the merged feeds 401, /static/ and /metrics open), wrong and right
passwords, one attempt at a time per address, the cookie's flags, the
store keeping the SHA-256 of the session id and not the id, sessions that
survive a restart and one that expired, logout, the API taking a session
(but not from another origin), a password change ending the other
sessions, `eddy passwd` while serving (taken within 30 s), the refresh
interval set on /settings reaching the scheduler, removing the password,
and the API token as the login when no password is set.
Last line "N passed, M failed"."""
import hashlib
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
from serve import Feeds, Serve, check, db, eddy, run_eddy, summary  # noqa: E402



PW = "correct horse battery"
ALLOW = ("--allow", "127.0.0.1/32")  # the feed server, for a feed added through the API


class Client:
    """One browser: a cookie jar, requests without redirects followed."""

    def __init__(self, sv):
        self.sv = sv
        self.cookies = {}

    def req(self, method, path, fields=None, headers=None, body=None):
        u = urllib.parse.urlsplit(self.sv.url)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        set_cookies = r.headers.get_all("Set-Cookie") or []
        for sc in set_cookies:
            name, value = sc.split(";")[0].split("=", 1)
            if "Max-Age=0" in sc:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        c.close()
        return r.status, r.headers, text, set_cookies

    def get(self, path, **kw):
        return self.req("GET", path, **kw)

    def csrf(self, page="/settings"):
        self.get(page)
        return self.cookies.get("eddy_csrf")

    def post(self, path, fields, page="/settings", **kw):
        f = dict(fields)
        f.setdefault("csrf", self.csrf(page))
        return self.req("POST", path, fields=f, **kw)


def session_cookie(set_cookies):
    return [c for c in set_cookies if c.startswith("eddy_session=")]


def login(cl, password, next_=""):
    return cl.post("/login", {"password": password, "next": next_}, page="/login")


def main():
    data = tempfile.mkdtemp(prefix="login-")
    sv = Serve(data, *ALLOW)
    if not check("eddy serve started", sv.url, sv.stderr()):
        summary()
    try:
        run(sv, data)
    finally:
        st = sv.term()
    check("SIGTERM: exit 0 (no sanitizer report)", st == 0, "%s %s" % (st, sv.stderr()[-2000:]))
    token_only(data)
    exposed()
    summary()


def run(sv, data):
    owner = Client(sv)
    st, h, _, _ = owner.get("/")
    check("no password, loopback: the river is open", st == 200, str(st))
    st, h, _, _ = owner.get("/login")
    check("no password: /login sends to /settings", st == 303 and "/settings" in h["Location"])

    # Setting a password takes the form's token.
    st, _, _, _ = owner.req("POST", "/settings/password",
                            fields={"action": "set", "new": PW, "confirm": PW})
    check("set without the CSRF token: 403", st == 403, str(st))
    st, h, _, sc = owner.post("/settings/password", {"action": "set", "new": "short", "confirm": "short"})
    check("a 5-byte password is refused", st == 303 and "msg=length" in h["Location"])
    st, h, _, sc = owner.post("/settings/password", {"action": "set", "new": PW, "confirm": PW + "x"})
    check("two different new passwords are refused", st == 303 and "msg=mismatch" in h["Location"])
    st, h, _, sc = owner.post("/settings/password", {"action": "set", "new": PW, "confirm": PW})
    check("password set: 303 back to /settings", st == 303 and "msg=set" in h["Location"], str(st))
    cookie = session_cookie(sc)
    check("... and this browser is logged in with a session cookie", len(cookie) == 1, str(sc))
    flags = [f.strip() for f in cookie[0].split(";")] if cookie else []
    check("the session cookie: HttpOnly, SameSite=Lax, Path=/, no Secure over plain HTTP",
          "HttpOnly" in flags and "SameSite=Lax" in flags and "Path=/" in flags and "Secure" not in flags,
          str(flags))
    sid = owner.cookies.get("eddy_session", "")
    check("the session id: 256 random bits as 64 hex digits", re.fullmatch("[0-9a-f]{64}", sid) is not None)
    c = db(data)
    keys = [bytes(r[0]) for r in c.execute("SELECT key FROM sessions")]
    check("the store keeps the id's SHA-256, not the id",
          keys == [hashlib.sha256(sid.encode()).digest()] and
          sid.encode() not in open(os.path.join(data, "eddy.db"), "rb").read() + (
              open(os.path.join(data, "eddy.db-wal"), "rb").read()
              if os.path.exists(os.path.join(data, "eddy.db-wal")) else b""))
    pw_hash = c.execute("SELECT value FROM settings WHERE name = 'password'").fetchone()[0]
    check("the password is stored as a yescrypt hash", pw_hash.startswith("$y$") and PW not in pw_hash)
    c.close()

    # The gate.
    stranger = Client(sv)
    st, h, _, _ = stranger.get("/")
    check("password set, no login: / goes to /login", st == 303 and h["Location"] == "/login", str(st))
    st, h, _, _ = stranger.get("/feeds?x=1")
    check("/feeds?x=1 goes to /login?next=...", st == 303 and
          h["Location"] == "/login?next=" + urllib.parse.quote("/feeds?x=1", safe=""), h.get("Location"))
    for path in ("/settings", "/nowhere", "//settings"):
        st, h, _, _ = stranger.get(path)
        check("%s without a login: to /login" % path, st == 303 and h["Location"].startswith("/login"))
    st, h, _, _ = stranger.get("/api/v1/entries")
    check("the API without a login: 401", st == 401, str(st))
    st, h, _, _ = stranger.get("/feeds/river.atom")
    check("the merged feed without a login: 401 with WWW-Authenticate",
          st == 401 and h.get("WWW-Authenticate", "").startswith("Bearer"), str(st))
    for path in ("/static/eddy.css", "/metrics", "/login"):
        st, _, _, _ = stranger.get(path)
        check("%s stays open" % path, st == 200, str(st))
    st, _, _, _ = stranger.post("/entries/mark", {"id": "1", "action": "read"}, page="/login")
    check("a page's form without a login: 403", st == 403, str(st))
    st, _, _, _ = stranger.post("/settings/password", {"action": "remove", "current": PW}, page="/login")
    check("removing the password without a login: 403", st == 403, str(st))
    for path in ("/", "/feeds", "/settings", "/api/v1/entries", "/feeds/river.atom"):
        st, _, text, _ = owner.get(path)
        check("logged in: %s is 200" % path, st == 200, str(st))
    st, _, text, _ = owner.get("/")
    check("logged in: the nav has a Log out button", 'action="/logout"' in text)

    # Logging in.
    st, _, _, _ = stranger.req("POST", "/login", fields={"password": PW})
    check("login without the CSRF token: 403, no session", st == 403 and "eddy_session" not in stranger.cookies)
    st, _, text, sc = login(stranger, "wrong password")
    check("a wrong password: 403, 'Wrong password.', no session",
          st == 403 and "Wrong password." in text and not session_cookie(sc), str(st))
    st, _, text, sc = login(stranger, PW[:-1])
    check("the password less its last letter: refused", st == 403 and not session_cookie(sc))
    st, _, text, sc = login(stranger, PW + "x" * 2000)
    check("a password over 1024 bytes: refused", st == 403 and not session_cookie(sc))
    results = []
    token = stranger.csrf("/login")

    def attempt():
        results.append(stranger.req("POST", "/login", fields={"password": "guess", "csrf": token})[0])

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("4 guesses at once from one address: one runs, the others 429",
          sorted(results).count(403) >= 1 and 429 in results and set(results) <= {403, 429}, str(results))
    st, h, _, sc = login(stranger, PW, "/feeds?x=1")
    check("the right password: 303 to next, a session", st == 303 and h["Location"] == "/feeds?x=1" and
          session_cookie(sc), str(st))
    st, h, _, _ = login(Client(sv), PW, "//evil.example/")
    check("a next of another site: back to /", st == 303 and h["Location"] == "/", h.get("Location"))
    st, _, _, sc = Client(sv).post("/login", {"password": PW}, page="/login",
                                   headers={"X-Forwarded-Proto": "https"})
    check("through an https proxy (X-Forwarded-Proto): the cookie is Secure",
          session_cookie(sc) and "Secure" in session_cookie(sc)[0], str(sc))
    st, _, _, _ = Client(sv).post("/login", {"password": PW}, page="/login",
                                  headers={"Origin": "http://evil.example"})
    check("a login form from another origin: 403", st == 403, str(st))

    # The API with a session: not from another origin.
    ids = '{"ids": [1], "read": true}'
    st, _, _, _ = owner.req("POST", "/api/v1/entries/mark", body=ids,
                            headers={"Content-Type": "application/json", "Origin": "http://127.0.0.1:1"})
    check("the API, session cookie, another origin's POST: 401", st == 401, str(st))
    st, _, _, _ = owner.req("POST", "/api/v1/entries/mark", body=ids,
                            headers={"Content-Type": "application/json", "Origin": sv.url})
    check("the API, session cookie, same origin's POST: accepted", st == 200, str(st))

    # Sessions survive a restart; an expired one does not.
    c = db(data)
    c.execute("UPDATE sessions SET expires = 1 WHERE key = ?",
              (hashlib.sha256(stranger.cookies["eddy_session"].encode()).digest(),))
    c.close()
    sv.term()
    sv.__init__(data, *ALLOW)
    check("eddy serve restarted", sv.url, sv.stderr())
    st, _, _, _ = owner.get("/")
    check("after a restart the session still holds", st == 200, str(st))
    st, h, _, _ = stranger.get("/")
    check("a session past its expiry: to /login", st == 303 and h["Location"] == "/login", str(st))

    # Logout.
    st, h, _, sc = stranger.post("/logout", {}, page="/login")
    st, h, _, sc = login(stranger, PW)
    sid = stranger.cookies["eddy_session"]
    st, h, _, sc = stranger.post("/logout", {}, page="/")
    check("logout: 303 to /login, the cookie cleared",
          st == 303 and h["Location"] == "/login" and any("Max-Age=0" in c for c in session_cookie(sc)), str(sc))
    stranger.cookies["eddy_session"] = sid
    st, _, _, _ = stranger.get("/")
    check("the logged-out session id no longer opens a page", st == 303)
    c = db(data)
    check("... and its row is gone",
          not c.execute("SELECT 1 FROM sessions WHERE key = ?", (hashlib.sha256(sid.encode()).digest(),)).fetchall())
    c.close()

    # Changing the password: the current one is required; other sessions end.
    other = Client(sv)
    login(other, PW)
    new = "another long password"
    st, h, _, _ = owner.post("/settings/password", {"action": "change", "current": "nope", "new": new, "confirm": new})
    check("change with a wrong current password: refused", st == 303 and "msg=wrong" in h["Location"])
    st, h, _, _ = owner.post("/settings/password", {"action": "change", "current": PW, "new": new, "confirm": new})
    check("change with the current password: done", st == 303 and "msg=changed" in h["Location"], str(h.get("Location")))
    check("... this browser stays logged in", owner.get("/")[0] == 200)
    check("... the other session ended", other.get("/")[0] == 303)
    check("... the old password no longer logs in", login(Client(sv), PW)[0] == 403)
    check("... the new one does", login(Client(sv), new)[0] == 303)

    # The refresh interval, set on /settings, reaches the scheduler.
    st, h, _, _ = owner.post("/settings/interval", {"minutes": "0"})
    check("an interval of 0 minutes is refused", st == 303 and "msg=badinterval" in h["Location"])
    st, h, _, _ = owner.post("/settings/interval", {"minutes": "7"})
    check("interval 7 min saved", st == 303 and "msg=interval" in h["Location"])
    feeds = Feeds()
    st, _, text, _ = owner.req("POST", "/api/v1/feeds", body='{"url": "%s/r/1/a"}' % feeds.base,
                               headers={"Content-Type": "application/json", "Origin": sv.url})
    check("a feed added through the API with the session", st in (200, 201), "%s %s" % (st, text[:200]))

    def fetched():
        c = db(data)
        row = c.execute("SELECT last_check, next_check FROM feeds").fetchone()
        c.close()
        return row if row and row[0] else None

    row = wait(fetched, 60)
    check("the scheduler checks it again 7 min later (the setting, not --interval's hour)",
          row and row[1] - row[0] == 420, str(row))
    st, _, text, _ = owner.get("/settings")
    check("/settings shows the interval", 'value="7"' in text)

    # `eddy passwd` while serving: the running server takes it.
    third = "set from the command line"
    p = subprocess.run([eddy, "passwd", "--data", data], input=third + "\n", capture_output=True, text=True)
    check("eddy passwd (a line on stdin): exit 0", p.returncode == 0, p.stderr)
    check("the running server ends the old sessions within 30 s", wait(lambda: owner.get("/")[0] == 303, 90))
    check("... and takes the new password", login(owner, third)[0] == 303)

    # Removing it: the pages are open again.
    st, h, _, sc = owner.post("/settings/password", {"action": "remove", "current": third})
    check("password removed", st == 303 and "msg=removed" in h["Location"], str(h.get("Location")))
    check("... the pages are open again", Client(sv).get("/")[0] == 200)


def wait(cond, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.2)
    return None


def token_only(data):
    """A token and no password: the pages' forms need a login, and the
    token is what the login takes."""
    run_eddy("passwd", "--data", data, "--remove")
    sv = Serve(data, env={"EDDY_TOKEN": "tok-12345"})
    try:
        if not check("eddy serve started with a token", sv.url, sv.stderr()):
            return
        cl = Client(sv)
        st, _, _, _ = cl.post("/entries/mark", {"id": "1", "action": "read", "back": "/"}, page="/")
        check("token, no password: a form without a login is refused", st == 403, str(st))
        st, _, text, _ = cl.get("/login")
        check("the login page asks for the API token", st == 200 and "API token" in text)
        check("a wrong token: refused", login(cl, "tok-1234")[0] == 403)
        check("the token logs in", login(cl, "tok-12345")[0] == 303)
        st, _, _, _ = cl.post("/entries/mark", {"id": "1", "action": "read", "back": "/"}, page="/")
        check("... and the forms work", st == 303, str(st))
    finally:
        sv.term()


def exposed():
    """Beyond loopback: refused without a credential, saying how to set a
    password; served once `eddy passwd` set one, which then stays (the
    pages cannot remove it; `eddy passwd --remove` leaves them closed)."""
    data = tempfile.mkdtemp(prefix="login-exposed-")
    st, _, err = run_eddy("serve", "--data", data, "--listen", "0.0.0.0:0", "--demo", "")
    check("--listen 0.0.0.0:0, no token, no password: refused, naming eddy passwd",
          st == 1 and "eddy passwd --data" in err and len(err.splitlines()) == 1, err)
    check("... and the data folder was not created", not os.path.exists(os.path.join(data, "eddy.db")))
    p = subprocess.run([eddy, "passwd", "--data", data], input="short\n", capture_output=True, text=True)
    check("eddy passwd with 5 bytes: exit 1, nothing set", p.returncode == 1 and "8 to 1024" in p.stderr, p.stderr)
    p = subprocess.run([eddy, "passwd", "--data", data], input=PW + "\n", capture_output=True, text=True)
    check("eddy passwd: exit 0", p.returncode == 0, p.stderr)
    sv = Serve(data, "--listen", "0.0.0.0:0")
    try:
        if not check("with a password, --listen 0.0.0.0:0 serves", sv.url, sv.stderr()):
            return
        cl = Client(sv)
        check("... behind the login", cl.get("/")[0] == 303)
        check("... which the password opens", login(cl, PW)[0] == 303)
        st, h, _, _ = cl.post("/settings/password", {"action": "remove", "current": PW})
        check("... and it cannot be removed there (no token)", st == 303 and "msg=exposed" in h["Location"])
        check("... the pages still closed", Client(sv).get("/")[0] == 303)
        st, _, err = run_eddy("passwd", "--data", data, "--remove")
        check("eddy passwd --remove while it serves: exit 0", st == 0, err)
        check("the server sees it within 30 s", wait(lambda: "password was removed" in sv.stderr(), 90), sv.stderr())
        check("... and its pages stay closed: no login, and the old password opens none",
              Client(sv).get("/")[0] == 303 and cl.get("/")[0] == 303 and login(Client(sv), PW)[0] == 403)
    finally:
        sv.term()


main()
