#!/usr/bin/env bash
# bench/http.sh — the sans-IO HTTP/1.1 parser alone: ns per request and MB/s
# (bench/http_parse.c).  Run by bench/run; EDDY_BUILD is the build dir.
set -eu
build=${EDDY_BUILD:-build}
"$build/bench/http_parse" "${HTTP_BENCH_SECONDS:-1}"
