# lib.sh — sourced by the tests/cli/*.sh scripts (not a test itself).
# Each check prints "ok: ..." or "FAIL: ..."; `summary` prints the last line
# tests/run counts ("N passed, M failed") and sets the exit status.
set -u
eddy=${EDDY_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}/eddy
top=${EDDY_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND... : passes when the command succeeds
    local what=$1; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

# { COND && COND...; }; verdict DESCRIPTION : passes when the whole group did
# (check runs one command: `check D [ a ] && grep` would check only `[ a ]`).
verdict() {
    local st=$?
    if [ "$st" -eq 0 ]; then ok "$1"; else fail "$1"; fi
}

# run ARGS...: runs eddy; leaves $status, $tmp/out and $tmp/err.
run() {
    "$eddy" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}

# refused 'FIRST STDERR LINE' ARGS...: eddy ARGS exits 2, prints nothing on
# stdout and exactly that line first on stderr.
refused() {
    local want=$1; shift
    run "$@"
    local got
    got=$(head -n 1 "$tmp/err")
    if [ "$status" -eq 2 ] && [ "$got" = "$want" ] && [ ! -s "$tmp/out" ]; then
        ok "refused: eddy $*"
    else
        fail "eddy $*: exit $status, stderr '$got', want exit 2 and '$want'"
        sed 's/^/    stdout: /' "$tmp/out" | head -n 5
    fi
}

# start_server: runs tests/cli/support/feedd.py, sets $base (http://127.0.0.1:PORT).
start_server() {
    "$py" "$top/tests/cli/support/feedd.py" >"$tmp/port" &
    server_pid=$!
    for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
    local port
    port=$(head -n 1 "$tmp/port")
    [ -n "$port" ] || { echo "FAIL: feedd.py did not start"; echo "0 passed, 1 failed"; exit 1; }
    base=http://127.0.0.1:$port
}

summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
