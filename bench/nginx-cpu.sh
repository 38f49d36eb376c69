#!/bin/sh
# For ../shared/bench/fetch-many's --cmd: runs the client, then prints the
# CPU seconds (user + sys) of the feed server's nginx workers to stderr,
# which fetch-many shows.  It finds them through fetch-many's layout: the
# URL list {urls} lies beside ng/pid, nginx's master.
# Usage: --cmd 'bench/nginx-cpu.sh {urls} build/eddy fetch --concurrency 256 --file {urls}'
urls=$1
shift
"$@"
rc=$?
master=$(cat "$(dirname "$urls")/ng/pid") || exit "$rc"
for p in $(pgrep -P "$master"); do
    awk '{printf "nginx worker cpu %.2f s\n", ($14 + $15) / 100}' "/proc/$p/stat"
done >&2
exit "$rc"
