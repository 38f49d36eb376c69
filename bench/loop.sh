#!/usr/bin/env bash
# bench/loop.sh — figures of the runtime (layer loop/), from bench/loop_bench.c:
# task switch, spawn+join, timer heap with 1M pending, RSS per parked task at
# 100k and 1M tasks.  Prints figures; never passes or fails on them.
#   EDDY_BUILD=build bash bench/loop.sh
set -u
bin="${EDDY_BUILD:-build}/bench/loop_bench"
[ -x "$bin" ] || { echo "loop.sh: $bin not built (make)"; exit 1; }
echo "machine: $(nproc) cpus, kernel $(uname -r), vm.max_map_count $(cat /proc/sys/vm/max_map_count 2>/dev/null)"
"$bin" switch
"$bin" spawn
"$bin" timers
"$bin" rss
echo "(guards made with mprotect, as on kernels before 6.13:)"
EDDY_STACK_GUARD=mprotect "$bin" rss 100000
"$bin" kernel
