#!/usr/bin/env python3
"""bench/template_jinja.py — the page of bench/template_bench.c rendered by
Jinja2, for comparison (needs jinja2; not run by bench/run).

    python3 bench/template_jinja.py [renders]

The templates are read from template_bench.c itself so the two cannot drift;
loop.first is dropped from entry.html because Jinja hides `loop` from
included templates.  Prints bytes and CPU microseconds per render."""
import datetime, os, re, sys, time
import jinja2

src = open(os.path.join(os.path.dirname(__file__), "template_bench.c")).read()

def c_string(name):
    s = src[src.index(f"static const char {name}[] ="):]
    s = s[:s.index(";\n")]
    return "".join(bytes(p, "utf-8").decode("unicode_escape") for p in re.findall(r'"((?:[^"\\]|\\.)*)"', s))

def date(v, fmt="%Y-%m-%d %H:%M"):
    d = datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ" if fmt == "iso" else fmt)

env = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({
    "layout.html": c_string("layout"), "page.html": c_string("page"),
    "entry.html": c_string("entry").replace("{% if loop.first %}first{% endif %}", "")}))
env.filters["date"] = date
summary = ("<p>The <b>summary</b> of this entry, with markup to strip &amp; entities, long "
           "enough to be truncated: lorem ipsum dolor sit amet, consectetur adipiscing elit, "
           "sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p>")
ctx = {"title": "All feeds", "site": {"name": "eddy"}, "entries": [
    {"title": f'Entry {i}: a <title> & some "quotes"', "link": f"https://example.org/posts/{i}?ref=feed&x=1",
     "date": 1700000000 + i * 3600, "summary": summary} for i in range(500)]}
page = env.get_template("page.html")
n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
out = page.render(**ctx)
t0 = time.process_time()
for _ in range(n):
    page.render(**ctx)
print(f"template_jinja: 500 entries, {len(out.encode())} bytes: "
      f"{(time.process_time() - t0) / n * 1e6:.0f} us CPU/render ({n} renders, jinja2 {jinja2.__version__})")
