#!/usr/bin/env bash
# The command line explains itself: every bad option or value is refused with
# what was wrong (exit 2), and --help describes every option with its default.
. "$(dirname "$0")/support/lib.sh"

int='expected an integer from 1 to 100000'
for v in 10x 0 -5 +5 ' 5' '5 ' 0x10 1e3 '' 100001 4294967297 99999999999999999999 18446744073709551617; do
    refused "eddy fetch: --concurrency: $int, got '$v'" fetch --concurrency "$v" http://127.0.0.1:9/
    refused "eddy fetch: --per-host: $int, got '$v'" fetch --per-host="$v" http://127.0.0.1:9/
done
refused "eddy fetch: --threads: expected an integer from 1 to 1024, got '1025'" fetch --threads 1025 x
refused "eddy fetch: --threads: expected an integer from 1 to 1024, got '0'" fetch --threads 0 x
dur='expected a duration from 1ms to 1h (like 5s, 250ms, 2m; a plain number is seconds)'
for v in 5x 0 0ms 0.0001 -1 2h 3601 1.5.5 .5 5. '5 s' 5S 1e3 inf nan '' 99999999999999999999999h; do
    refused "eddy fetch: --timeout: $dur, got '$v'" fetch --timeout "$v" http://127.0.0.1:9/
done
# Accepted values go on to the next check: here, that there is no URL.
for v in 1 0.5 1.5s 250ms 2m 1h 3600 0.001 007; do
    refused "eddy fetch: no URLs: give them as arguments or with --file FILE" fetch --timeout "$v"
done
refused "eddy fetch: no URLs: give them as arguments or with --file FILE" fetch --concurrency 100000 --threads 1024 --json
refused "eddy fetch: --concurrency needs a value (N)" fetch http://127.0.0.1:9/ --concurrency
refused "eddy fetch: unknown option '--concurency'" fetch --concurency=5 http://127.0.0.1:9/
refused "eddy fetch: unknown option '-c'" fetch -c 5 http://127.0.0.1:9/
refused "eddy fetch: --json takes no value, got 'yes'" fetch --json=yes http://127.0.0.1:9/
refused "eddy fetch: empty URL" fetch ''
mkdir "$tmp/dir"; : >"$tmp/empty"; printf '# only a comment\n\n   \n' >"$tmp/comments"
refused "eddy fetch: --file $tmp/dir: is a directory, not a list of URLs" fetch --file "$tmp/dir"
refused "eddy fetch: --file $tmp/missing: No such file or directory" fetch --file "$tmp/missing"
refused "eddy fetch: --file $tmp/empty: no URLs in it (one a line; blank lines and # comments are skipped)" fetch --file "$tmp/empty"
refused "eddy fetch: --file $tmp/comments: no URLs in it (one a line; blank lines and # comments are skipped)" fetch --file "$tmp/comments"
refused "eddy fetch: --file <stdin>: no URLs in it (one a line; blank lines and # comments are skipped)" fetch --file - </dev/null
refused "eddy parse: missing argument: expected one FILE, or - for standard input" parse
refused "eddy parse: unexpected argument 'b': expected one FILE, or - for standard input" parse a b
refused "eddy parse: --header: expected 'Name: value' (a ':' after the name), got 'Content-Type'" parse --header Content-Type x
refused "eddy parse: --header: expected 'Name: value' (a name before the ':'), got ': v'" parse --header ': v' x
refused "eddy parse: --header: expected 'Name: value' (a name of letters, digits and !#\$%&'*+-.^_\`|~ only), got 'X Y: v'" parse --header 'X Y: v' x
ctl=$(printf 'A: b\001c')
refused "eddy parse: --header: expected 'Name: value' (a value without CR, LF, NUL or another control character), got '$ctl'" parse --header "$ctl" x
refused "eddy: unknown command 'fetchh' (\`eddy --help\` lists the commands)" fetchh
refused "eddy: unknown option '--verbose' (\`eddy --help\` lists the commands)" --verbose
refused "eddy help: unknown command 'nope' (\`eddy --help\` lists the commands)" help nope
refused "usage: eddy COMMAND [OPTIONS] [ARGS...]"

# --version: the Makefile's VERSION (the one eddy.pc and the soname get).
run --version
want="eddy $(sed -n 's/^VERSION *:= *//p' "$top/Makefile")"
{ [ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = "$want" ]; }; verdict "--version says '$want'"

# Help: the same text three ways, on stdout, exit 0, every option with its
# default (flags have none), each option accepted by the parser, 80 columns.
run --help
{ [ "$status" -eq 0 ] && grep -q '^  fetch ' "$tmp/out" && grep -q '^  parse ' "$tmp/out"; }; verdict "eddy --help: exit 0, lists fetch and parse"
check "eddy help = eddy --help" cmp -s "$tmp/out" <("$eddy" help)
# The options each command must have; every command `eddy --help` lists gets
# the other checks.
declare -A options=(
    [fetch]="concurrency per-host timeout threads file json"
    [parse]="url header diagnostics"
    [help]=""
    [version]=""
)
commands=$("$eddy" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
check "eddy --help lists the commands: $(echo $commands)" [ "$(wc -w <<<"$commands")" -ge 4 ]
for c in $commands; do
    run help "$c"
    cp "$tmp/out" "$tmp/help"
    { [ "$status" -eq 0 ] && [ -s "$tmp/help" ] && [ ! -s "$tmp/err" ]; }; verdict "eddy help $c: exit 0, nothing on stderr"
    check "eddy $c --help = eddy help $c" cmp -s "$tmp/help" <("$eddy" "$c" --help)
    check "eddy $c -h = eddy help $c" cmp -s "$tmp/help" <("$eddy" "$c" -h 2>&1)
    check "eddy help $c: lines fit 80 columns" [ "$(awk 'length > 80' "$tmp/help" | wc -l)" -eq 0 ]
    listed=$(grep -oE '^  --[a-z-]+' "$tmp/help" | sed 's/^  --//' | sort | tr '\n' ' ')
    if [ -n "${options[$c]+set}" ]; then
        want=$(tr ' ' '\n' <<<"${options[$c]}" | sed '/^$/d' | sort | tr '\n' ' ')
        check "eddy help $c lists exactly: '$want'" [ "$listed" = "$want" ]
    fi
    for o in $listed; do
        # An option's entry runs to the next one; value options state their default.
        entry=$(awk -v o="  --$o" 'index($0, o) == 1 { p = 1; print; next } /^  -/ { p = 0 } p' "$tmp/help")
        if grep -qE "^  --$o [A-Z']" <<<"$entry"; then
            check "eddy help $c: --$o has a default" grep -q '(default: ' <<<"$entry"
        fi
        run "$c" "--$o"
        check "eddy $c --$o is an option" [ "$(grep -c 'unknown option' "$tmp/err")" -eq 0 ]
    done
done
refused "eddy version: unexpected argument 'x': expected no argument" version x
refused "eddy version: unknown option '--json'" version --json
refused "eddy help: unexpected argument 'parse': expected one COMMAND" help fetch parse
summary
