# lib.sh — sourced by the tests/app/*.sh scripts (not a test itself): the
# CLI tests' helpers (ok, fail, check, run, refused, summary), a loopback
# feed server and a reader of `eddy list --json`.
. "$(dirname "$0")/../cli/support/lib.sh"
data=$tmp/data

# start_feeds: runs tests/app/support/feeds.py, sets $base.
start_feeds() {
    "$py" "$top/tests/app/support/feeds.py" >"$tmp/port" &
    server_pid=$!
    for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
    [ -s "$tmp/port" ] || { echo "FAIL: feeds.py did not start"; echo "0 passed, 1 failed"; exit 1; }
    base=http://127.0.0.1:$(head -n 1 "$tmp/port")
}

# field URL_SUBSTRING EXPR: evaluates the Python expression EXPR on the feed
# f of `eddy list --json` whose URL contains URL_SUBSTRING (ending with $: whose
# URL ends so) (field_in DATA ...: in the data folder DATA).
field() { field_in "$data" "$@"; }
field_in() {
    local d=$1; shift
    "$eddy" list --data "$d" --json |
        "$py" -c 'import json,sys; k=sys.argv[1]; f=[f for f in json.load(sys.stdin) if (f["url"].endswith(k[:-1]) if k.endswith("$") else k in f["url"])][0]; print(eval(sys.argv[2]))' "$1" "$2"
}

# stat KEY: one number of `eddy stats --json`.
stat() {
    "$eddy" stats --data "$data" --json | "$py" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# expect DESCRIPTION 'CONDITION': passes when the shell condition (a whole
# && chain, evaluated here) holds.
expect() {
    local what=$1; shift
    if eval "$*"; then ok "$what"; else fail "$what"; fi
}
