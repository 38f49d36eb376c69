#!/usr/bin/env bash
# conformance.sh — feedparser's conformance cases (tests/feed/feedparser/, our
# copy of them) against `eddy parse`, judged by our runner
# (tests/feed/run-conformance); fails when fewer than FLOOR cases pass.
# Where ../shared/conformance/run-feedparser-suite sits beside the repository,
# it runs too, on its own copy of the cases, and the two must agree on the
# pass count and on which cases fail (else our copy or our runner drifted).
# The runners' summary lines are not the last line on purpose: tests/run would
# count their cases; this script's verdict is one test.
set -u
FLOOR=1683
top=${EDDY_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${EDDY_BUILD:-$top/build}
py=${PYTHON:-python3}
suite="$top/../shared/conformance/run-feedparser-suite"
ours=$(mktemp) theirs=$(mktemp); trap 'rm -f "$ours" "$theirs"' EXIT

# summary OUTPUT_FILE: "PASS FAIL" from its last "N passed, M failed" line.
summary() {
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]] || return 1
    echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

"$py" "$top/tests/feed/run-conformance" --parser "$build/eddy parse" >"$ours" 2>&1
if ! read -r pass fail < <(summary "$ours"); then
    tail -n 20 "$ours"
    echo "conformance: no summary from tests/feed/run-conformance"
    exit 1
fi
grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$ours" | tail -n 45
echo "conformance: $pass cases passed, $fail cases failed (floor $FLOOR)"
[ "$pass" -ge "$FLOOR" ] || exit 1

if [ ! -x "$suite" ]; then
    echo "conformance: no ../shared/conformance/run-feedparser-suite beside the repository; our runner only"
    exit 0
fi
"$suite" --parser "$build/eddy parse" --verbose >"$theirs" 2>&1
if ! read -r spass sfail < <(summary "$theirs"); then
    tail -n 20 "$theirs"
    echo "conformance: no summary from $suite"
    exit 1
fi
echo "conformance: ../shared/conformance/run-feedparser-suite: $spass passed, $sfail failed"
failing() { grep -oE '^FAIL [^:]+' "$1" | sort; }
if [ "$spass" != "$pass" ] || [ "$sfail" != "$fail" ] || ! diff <(failing "$ours") <(failing "$theirs"); then
    echo "conformance: the runners disagree (ours < > shared): compare tests/feed/feedparser/cases"
    echo "with ../shared/conformance/feedparser/cases, and tests/feed/run-conformance's rules with the suite's"
    exit 1
fi
