#!/usr/bin/env bash
# `eddy fetch` against a real loopback server (tests/cli/support/feedd.py):
# results and exit status, no more tasks than URLs, durations with units,
# the progress line cleared before each result on a terminal, and seconds
# printed for people in both outputs.
. "$(dirname "$0")/support/lib.sh"
start_server

run fetch "$base/feed/3"
check "a feed: exit 0, one line with its entries and title" \
    [ "$status" -eq 0 ] && grep -qE "^200 +3 entries +[0-9]+\.[0-9]{2}s  $base/feed/3  Feed 3\$" "$tmp/out"
run fetch "$base/page" "$base/missing" "$base/feed/1"
{ [ "$status" -eq 1 ] &&
    grep -qE "^ERR 200 .*$base/page  not a feed: " "$tmp/out" &&
    grep -qE "^ERR 404 .*$base/missing  HTTP status 404\$" "$tmp/out" && grep -q "Feed 1\$" "$tmp/out"; }; verdict "an HTML page is no feed, a 404 an error: exit 1"
printf '# feeds\n\n  %s/feed/1  \n%s/feed/2\n' "$base" "$base" >"$tmp/urls"
run fetch --file "$tmp/urls"
{ [ "$status" -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 2 ]; }; verdict "--file: comments and blanks skipped, spaces trimmed"
"$eddy" fetch --file - <"$tmp/urls" >"$tmp/out" 2>&1
{ [ "$?" -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 2 ]; }; verdict "--file - reads stdin"

# A duration's unit counts: 200ms gives up long before the 20 s answer (a
# plain 200 would be seconds).
run fetch --timeout 200ms "$base/slow/20000/1"
{ [ "$status" -eq 1 ] && grep -q '^ERR ' "$tmp/out"; }; verdict "--timeout 200ms gives up on a slow feed"

# --concurrency beyond the URL count spawns one task per URL, not 100000
# 64 KiB stacks (6 GB of address space): it runs under a 400 MB limit.
# ASan reserves terabytes of address space, so the limit cannot apply there.
if ldd "$eddy" | grep -q libasan; then
    echo "skip: ulimit -v under ASan"
else
    (ulimit -v 400000; "$eddy" fetch --concurrency 100000 "$base/feed/1") >"$tmp/out" 2>"$tmp/err"
    check "--concurrency 100000 with one URL fits in 400 MB (exit $?: $(head -c 200 "$tmp/err"))" \
        [ ! -s "$tmp/err" ] && grep -q 'Feed 1$' "$tmp/out"
fi

# Seconds for people: 2 decimals in lines, at most 3 (no float noise) in JSON.
run fetch --json "$base/feed/2" "$base/page"
secs=$(grep -oE '"elapsed":[^,}]*' "$tmp/out" | cut -d: -f2)
check "--json: three elapsed values" [ "$(wc -w <<<"$secs")" -eq 3 ]
for s in $secs; do
    check "--json: elapsed $s has at most 3 decimals" grep -qE '^[0-9]+(\.[0-9]{1,3})?$' <<<"$s"
done
check "--json: the summary" grep -qE '^\{"summary":\{"feeds":2,"ok":1,"failed":1,"elapsed":' "$tmp/out"
# A URL that is not UTF-8 still gets its line (jansson refused the string,
# and the line was dropped): the bad byte reads as U+FFFD.
run fetch --json "$base/missing/$(printf 'caf\xe9')"
{ [ "$status" -eq 1 ] && [ "$(wc -l <"$tmp/out")" -eq 2 ] &&
    grep -qF "{\"url\":\"$base/missing/caf$(printf '\xef\xbf\xbd')\"" "$tmp/out"; }; verdict "--json: a URL with invalid UTF-8 keeps its line"

# On a terminal: the progress line is cleared before each result.  Each
# feed takes 500 ms, five ticks of the 100 ms progress line.
urls="$base/slow/500/1 $base/slow/500/2 $base/slow/500/3"
script -qec "$eddy fetch --concurrency 1 $urls" /dev/null >"$tmp/tty" 2>&1
"$py" - "$tmp/tty" <<'PY'
import sys
data = open(sys.argv[1], "rb").read().decode()
lines = data.replace("\r\n", "\n").split("\n")
results = [l for l in lines if "/slow/500/" in l]
# What a terminal shows of a line: the text after its last carriage return,
# over what was there (a shorter text leaves the tail of a longer one).
def shown(line):
    screen = ""
    for part in line.split("\r"):
        screen = part + screen[len(part):]
    return screen
bad = [shown(l) for l in results if not shown(l).startswith("200 ")]
ok = len(results) == 3 and not bad and "3/3 done" in data and "0/3 done" in data
print("ok:" if ok else "FAIL:", "progress line cleared before each result on a terminal", bad[:1], len(results))
sys.exit(0 if ok else 1)
PY
if [ $? -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
summary
