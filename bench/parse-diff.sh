#!/usr/bin/env bash
# Differential check of two eddy binaries' `eddy parse` output (JSON and
# --diagnostics), byte for byte, on every file given (or the default: the
# feed corpus of ../shared/bench/feed-corpus and the conformance cases).
# Each file is parsed twice: as is, and with --url (a base, so that
# relative URIs are resolved).  Prints the files that differ; exit 1 if any.
# Usage: bench/parse-diff.sh OLD_EDDY NEW_EDDY [FILE...]
set -u
old=$1 new=$2
shift 2
if [ $# -eq 0 ]; then
    set -- build/corpus/*.xml
    mapfile -t cases < <(find tests/feed/feedparser/cases -type f | sort)
    set -- "$@" "${cases[@]}"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0 n=0
for f in "$@"; do
    for url in "" "--url=http://example.org/a/b/feed.xml"; do
        args=(parse --diagnostics ${url:+--url http://example.org/a/b/feed.xml} "$f")
        "$old" "${args[@]}" >"$tmp/o" 2>"$tmp/oe"
        echo "rc $?" >>"$tmp/o"
        "$new" "${args[@]}" >"$tmp/n" 2>"$tmp/ne"
        echo "rc $?" >>"$tmp/n"
        n=$((n + 1))
        if ! cmp -s "$tmp/o" "$tmp/n" || ! cmp -s "$tmp/oe" "$tmp/ne"; then
            echo "differs: $f ${url:+(with --url)}"
            bad=1
        fi
    done
done
echo "$n parses compared"
exit $bad
