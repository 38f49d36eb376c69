#!/usr/bin/env bash
# conformance.sh — runs feedparser's conformance cases (shared/conformance)
# against `eddy parse` and fails when fewer than FLOOR cases pass.  The suite's
# own summary line is not the last line on purpose: tests/run would count its
# expected failures; this script's verdict is the floor.
set -u
FLOOR=1678
top=${EDDY_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${EDDY_BUILD:-$top/build}
suite="$top/../shared/conformance/run-feedparser-suite"
if [ ! -x "$suite" ]; then
    echo "conformance: $suite not found"
    exit 1
fi
out=$(mktemp); trap 'rm -f "$out"' EXIT
"$suite" --parser "$build/eddy parse" >"$out" 2>&1
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
if [[ ! $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    tail -n 20 "$out"
    echo "conformance: no summary from the suite"
    exit 1
fi
pass=${BASH_REMATCH[1]} fail=${BASH_REMATCH[2]}
grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 45
echo "conformance: $pass cases passed, $fail cases failed (floor $FLOOR)"
[ "$pass" -ge "$FLOOR" ]
