#!/usr/bin/env bash
# EDDY_NODISCARD is a contract the compiler enforces: ignoring the result of
# a task-group wait, a spawn, a join or a lock must not compile with
# -Werror=unused-result, and checking it must.
set -u
cd "${EDDY_TOP:-.}"
cc=${CC:-cc}
try() { # $1: the statement under test
    printf '#include "eddy/loop.h"\nint f(struct eddy_group *g, struct eddy_task *t, struct eddy_lock *l);\nint f(struct eddy_group *g, struct eddy_task *t, struct eddy_lock *l)\n{\n    (void)g; (void)t; (void)l;\n    %s\n    return 0;\n}\n' "$1" |
        "$cc" -std=c11 -Iinclude -Werror=unused-result -c -o /dev/null -x c - 2>/dev/null
}
fail=0
for stmt in 'eddy_group_wait(g);' 'eddy_group_spawn(g, NULL, NULL, "x");' 'eddy_join(t, NULL);' \
            'eddy_lock_acquire(l, EDDY_FOREVER);' 'eddy_spawn(NULL, NULL, "x");' \
            'eddy_to_thread(NULL, NULL);'; do
    if try "$stmt"; then echo "FAIL: ignoring the result compiles: $stmt"; fail=1; fi
    if ! try "if (${stmt%;}) return 1;"; then
        echo "FAIL: checking the result does not compile: $stmt"; fail=1
    fi
done
[ $fail -eq 0 ] && echo "ok: unchecked group waits, spawns, joins, locks and to_thread do not compile"
exit $fail
