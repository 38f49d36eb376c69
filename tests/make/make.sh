#!/usr/bin/env bash
# tests/make/make.sh — the build and the runner refuse to do nothing quietly:
# a build folder rebuilds when its configuration changes (CORO, CFLAGS), and
# tests/run fails on a missing build folder or a filter that matches nothing.
set -u
# The tests/run calls below must not run this script again (a tests/run
# that ignores its build folder or filter would recurse without end).
[ -n "${EDDY_MAKE_TEST:-}" ] && { echo "tests/make/make.sh: called from itself"; exit 1; }
export EDDY_MAKE_TEST=1
top=${EDDY_TOP:-}
[ -n "$top" ] || top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
unset MAKEFLAGS MFLAGS MAKELEVEL

# 1. The loop archive built with one context switch, then CORO=ucontext in
# the same folder: every object is recompiled and the archive holds the
# ucontext switch only (an archive updated in place kept the assembly one,
# whose eddy__ctx_switch the linker then picked).
b=$tmp/b arch=$(uname -m)
loop=$b/lib/libeddy_loop.a
if [ -f "src/loop/ctx_$arch.S" ]; then
    if make --no-print-directory BUILD="$b" CFLAGS=-O0 "$loop" >"$tmp/log1" 2>&1 &&
       make --no-print-directory BUILD="$b" CFLAGS=-O0 CORO=ucontext "$loop" >"$tmp/log2" 2>&1; then
        members=$(ar t "$loop" | tr '\n' ' ')
        [[ $members == *ctx_ucontext.o* && $members != *ctx_$arch.o* ]] \
            && ok "CORO=ucontext in the same folder: $members" \
            || bad "CORO=ucontext archive holds: $members"
        grep -q -- '-c src/loop/task.c' "$tmp/log2" \
            && ok "a new CORO recompiles the folder" || bad "CORO change did not recompile task.c"
    else
        bad "make $loop"; cat "$tmp/log1" "$tmp/log2" 2>/dev/null
    fi
else
    echo "skip CORO switch: no assembly context switch for $arch"
fi
make --no-print-directory BUILD="$b" CFLAGS=-O0 CORO=ucontext "$loop" >"$tmp/log3" 2>&1
grep -q -- ' -c ' "$tmp/log3" && bad "an unchanged configuration recompiled" || ok "an unchanged configuration rebuilds nothing"
make --no-print-directory BUILD="$b" CFLAGS="-O0 -g" CORO=ucontext "$loop" >"$tmp/log4" 2>&1
grep -q -- '-O0 -g .*-c src/loop/task.c' "$tmp/log4" && ok "new CFLAGS recompile" || bad "CFLAGS change did not recompile"

# 2. tests/run's own failures (a fake build folder: one "binary" with one test).
tests/run --build "$tmp/none" >"$tmp/out" 2>&1
[ $? -ne 0 ] && grep -q 'no test binaries' "$tmp/out" && ok "tests/run: missing build folder fails" \
    || { bad "tests/run: missing build folder"; cat "$tmp/out"; }
mkdir -p "$tmp/fake/tests"
printf '#!/bin/sh\n[ "$1" = --list ] && echo alpha_test && exit 0\necho "1 passed, 0 failed"\n' >"$tmp/fake/tests/fake"
chmod +x "$tmp/fake/tests/fake"
tests/run --build "$tmp/fake" zz_no_such_test_zz >"$tmp/out" 2>&1
[ $? -ne 0 ] && grep -q 'no test matches' "$tmp/out" && ok "tests/run: a filter matching nothing fails" \
    || { bad "tests/run: filter matching nothing"; cat "$tmp/out"; }
tests/run --build "$tmp/fake" alpha_test >"$tmp/out" 2>&1
[ $? -eq 0 ] && [ "$(tail -n 1 "$tmp/out")" = "1 passed, 0 failed" ] && ok "tests/run: a matching filter runs" \
    || { bad "tests/run: matching filter"; cat "$tmp/out"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
