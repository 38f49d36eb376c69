#!/usr/bin/env python3
"""tests/app/pages_login.py — the login and the settings page in headless
Chromium (Debian's chromium, driven by chromium-driver through
python3-selenium), against `eddy serve` on loopback with one local feed.

On /settings: the refresh interval saved; a password set (the browser is
logged in at once: a Log out button in the nav); the session cookie is
HttpOnly, SameSite=Lax, Path=/ and not readable by the page's script.  Log
out: the river then sends the browser to /login; a wrong password is
refused with "Wrong password." and no session; the right one logs in and
lands on the page asked for.  No error in the console, no CSP violation
reported (pages_browser.py's listener, installed before any page script).  Screenshots of
/login and /settings go to build/screenshots/.
Last line "N passed, M failed"."""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "support"))
sys.path.insert(0, HERE)
from serve import Feeds, Serve, build, check, db, run_eddy, summary  # noqa: E402

from pages_browser import browser, console_errors  # noqa: E402  (its start-up: the same chromium)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SHOTS = os.path.join(build, "screenshots")
PW = "a long enough password"


def submit(d, form_css, fields):
    form = d.find_element(By.CSS_SELECTOR, form_css)
    for name, value in fields.items():
        el = form.find_element(By.NAME, name)
        el.clear()
        el.send_keys(value)
    old = d.current_url
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(d, 60).until(lambda d: d.current_url != old or d.execute_script(
        "return document.readyState") == "complete")


def page_done(d, url_part):
    WebDriverWait(d, 60).until(lambda d: url_part in d.current_url)


def csp_and_console(d, where):
    csp = d.execute_script("return window.__csp")
    check("no CSP violation on " + where, csp == [], str(csp))
    errs = console_errors(d)
    check("no error in the console on " + where, errs == [], str(errs))


def run(d, sv, data):
    d.get(sv.url + "/settings")
    check("no password: /settings is open", d.find_element(By.TAG_NAME, "h1").text == "Settings")
    check("no password: no Log out button", not d.find_elements(By.CSS_SELECTOR, "form.logout"))
    submit(d, "form.interval", {"minutes": "15"})
    page_done(d, "msg=interval")
    check("the interval saved", "every 15 min" in d.find_element(By.CSS_SELECTOR, ".msg").text)
    c = db(data)
    check("... in the store's settings", c.execute(
        "SELECT value FROM settings WHERE name = 'interval'").fetchone() == ("900",))
    c.close()
    csp_and_console(d, "/settings")

    submit(d, "form.password", {"new": PW, "confirm": PW})
    page_done(d, "msg=set")
    check("password set", "Password set" in d.find_element(By.CSS_SELECTOR, ".msg").text)
    check("this browser is logged in: Log out in the nav",
          d.find_element(By.CSS_SELECTOR, "header form.logout button").text == "Log out")
    ck = d.get_cookie("eddy_session")
    check("the session cookie: HttpOnly, SameSite=Lax, Path=/, not Secure over http",
          ck and ck["httpOnly"] and ck.get("sameSite") == "Lax" and ck["path"] == "/" and not ck["secure"],
          str(ck))
    check("the page's script cannot read it", "eddy_session" not in d.execute_script("return document.cookie"))
    os.makedirs(SHOTS, exist_ok=True)
    d.save_screenshot(os.path.join(SHOTS, "settings-light.png"))
    d.get(sv.url + "/")
    check("logged in: the river shows", d.find_elements(By.CSS_SELECTOR, "article.entry"))
    csp_and_console(d, "the river, logged in")

    d.find_element(By.CSS_SELECTOR, "header form.logout button").click()
    page_done(d, "/login")
    check("log out: at /login", d.find_element(By.TAG_NAME, "h1").text == "Log in")
    check("log out: the session cookie is gone", d.get_cookie("eddy_session") is None)
    d.get(sv.url + "/feeds")
    page_done(d, "/login")
    check("logged out: /feeds sends to /login?next=", "/login?next=%2Ffeeds" in d.current_url, d.current_url)
    d.get(sv.url + "/")
    page_done(d, "/login")
    check("logged out: the river sends to /login", d.current_url.endswith("/login"), d.current_url)
    d.save_screenshot(os.path.join(SHOTS, "login-light.png"))

    submit(d, "form[action='/login']", {"password": "not the password"})
    WebDriverWait(d, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.bad"))
    check("a wrong password: 'Wrong password.'", d.find_element(By.CSS_SELECTOR, ".msg.bad").text == "Wrong password.")
    check("... and no session", d.get_cookie("eddy_session") is None)
    d.get_log("browser")  # the 403 of the refused form is expected there

    d.get(sv.url + "/feeds")
    page_done(d, "/login")
    submit(d, "form[action='/login']", {"password": PW})
    WebDriverWait(d, 60).until(lambda d: d.current_url.endswith("/feeds"))
    check("the right password: logged in, back at /feeds",
          d.current_url.endswith("/feeds") and d.find_element(By.TAG_NAME, "h1").text == "Feeds")
    check("... with a session", d.get_cookie("eddy_session") is not None)
    d.get(sv.url + "/")
    check("the river shows again", d.find_elements(By.CSS_SELECTOR, "article.entry"))
    csp_and_console(d, "the river after logging in")


def main():
    feeds = Feeds()
    data = tempfile.mkdtemp(prefix="pages-login-")
    st, _, err = run_eddy("add", "--data", data, feeds.base + "/r/1/a?n=2")
    check("eddy add", st == 0, err)
    sv = Serve(data)
    d = None
    try:
        if not check("eddy serve started", sv.url, sv.stderr()):
            return
        d = browser()
        d.get(sv.url + "/")
        WebDriverWait(d, 60).until(lambda d: (d.refresh() or True) and d.find_elements(
            By.CSS_SELECTOR, "article.entry"))
        run(d, sv, data)
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
