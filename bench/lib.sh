# bench/lib.sh — sourced by bench/reader.sh and bench/reader_cpu.sh.

# wait_url LOG: prints the http://HOST:PORT `eddy serve` wrote to LOG once
# it serves (60 s at most; else prints LOG to stderr and fails).
wait_url() {
    local u
    for _ in $(seq 600); do
        u=$(sed -n 's|.*serving \(http://[^/]*\)/.*|\1|p' "$1")
        [ -n "$u" ] && { echo "$u"; return 0; }
        sleep 0.1
    done
    cat "$1" >&2
    return 1
}
