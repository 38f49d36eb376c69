#!/usr/bin/env python3
"""tests/web/form_diff.py — differential test of web/form.c against Python.

20000 random query strings are parsed by eddy_form_parse_urlencoded and by
urllib.parse.parse_qsl(keep_blank_values=True) (bytes percent-decoded, then
UTF-8 with errors='replace'), and, when Werkzeug is importable, the same
inputs as Cookie headers by eddy_form_parse_cookies and Werkzeug's
parse_cookie (what Flask and Quart use), except for two deliberate
differences: eddy trims ASCII spaces only (Python's strip also drops U+2000
and friends), and a ';' ends a cookie even inside quotes, as browsers split
the header (Werkzeug's regex keeps "a;b" whole).  The driver is compiled here from
the sources, so the test works with any build flavor.  Last line: "N passed,
M failed" (one check per parser)."""
import os, random, subprocess, sys, tempfile
from urllib.parse import parse_qsl

top = os.environ.get("EDDY_TOP", os.path.join(os.path.dirname(__file__), "..", ".."))
DRIVER = r'''
#include "eddy/webutil.h"
#include <stdio.h>
#include <string.h>
static void hex(const char *s, size_t n) { for (size_t i = 0; i < n; i++) printf("%02x", (unsigned char)s[i]); }
int main(void) {
    static char line[40000], buf[20000];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = 0, hl = strcspn(line + 2, "\n");
        for (size_t i = 0; i + 1 < hl; i += 2) { unsigned v; sscanf(line + 2 + i, "%2x", &v); buf[n++] = (char)v; }
        struct eddy_form *f = eddy_form_new();
        if (line[0] == 'q') eddy_form_parse_urlencoded(f, buf, n); else eddy_form_parse_cookies(f, buf, n);
        for (size_t i = 0; i < eddy_form_count(f); i++) {
            const struct eddy_form_field *fd = eddy_form_field(f, i);
            hex(fd->name, fd->name_len); putchar(':'); hex(fd->value, fd->value_len); putchar(' ');
        }
        putchar('\n');
        eddy_form_free(f);
    }
    return 0;
}
'''

def main():
    tmp = tempfile.mkdtemp(prefix="eddy-form-diff-")
    src, exe = os.path.join(tmp, "driver.c"), os.path.join(tmp, "driver")
    open(src, "w").write(DRIVER)
    srcs = [os.path.join(top, p) for p in ("src/web/form.c", "src/base/arena.c", "src/base/buf.c", "src/base/text.c")]
    cc = subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-D_GNU_SOURCE", "-O1", "-I", os.path.join(top, "include"),
                         src, *srcs, "-o", exe], capture_output=True, text=True)
    if cc.returncode:
        print(cc.stderr)
        print("0 passed, 1 failed")
        return 1
    rnd = random.Random(1)
    alphabet = b'ab=&%+;" \\\t2F3Dzx\xc3\xa9\xff\x00\x80\xe2\x82'
    cases = [bytes(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14))) for _ in range(20000)]
    out = subprocess.run([exe], input="".join(f"q {c.hex()}\nc {c.hex()}\n" for c in cases),
                         capture_output=True, text=True).stdout.split("\n")
    try:
        # The sans-IO function: werkzeug.http's wrapper raises on invalid UTF-8.
        import werkzeug
        from werkzeug.sansio.http import parse_cookie
        # The parser eddy follows is the one Werkzeug rewrote in 2.3.0;
        # Debian 12's 2.2 still has the old one.
        if tuple(int(x) for x in werkzeug.__version__.split(".")[:2]) < (2, 3):
            print(f"cookies: skipped (werkzeug {werkzeug.__version__} predates 2.3's cookie parser)")
            parse_cookie = None
    except (ImportError, AttributeError, ValueError):
        parse_cookie = None
        print("cookies: skipped (no werkzeug for this python)")

    def fmt(pairs):
        return "".join(k.encode("utf-8").hex() + ":" + v.encode("utf-8").hex() + " " for k, v in pairs)

    def utf8(s):  # latin-1 text = the raw bytes; decode them as a browser/Flask would
        return s.encode("latin-1").decode("utf-8", "replace")

    failed = {"query": 0, "cookie": 0}
    compared = {"query": 0, "cookie": 0}
    for i, c in enumerate(cases):
        want_q = [(utf8(k), utf8(v)) for k, v in parse_qsl(c.decode("latin-1"), keep_blank_values=True, encoding="latin-1")]
        checks = [("query", want_q, out[2 * i])]
        text = c.decode("utf-8", "replace")
        if parse_cookie and not ('"' in text and ";" in text) and \
                not any(ch.isspace() and ord(ch) > 127 for ch in text):
            want_c = parse_cookie(cookie=text, cls=list)  # pairs in header order
            checks.append(("cookie", list(want_c), out[2 * i + 1]))
        for what, want, got in checks:
            compared[what] += 1
            if got != fmt(want):
                failed[what] += 1
                if failed[what] <= 5:
                    print(f"{what} {c!r}: python {want!r}, eddy {got!r}")
    for what in failed:
        if compared[what]:
            print(f"{what}: {failed[what]} of {compared[what]} differ")
    n = 2 if parse_cookie else 1
    bad = sum(1 for w in failed if failed[w])
    print(f"{n - bad} passed, {bad} failed")
    return 1 if bad else 0

sys.exit(main())
