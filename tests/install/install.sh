#!/usr/bin/env bash
# tests/install/install.sh — eddy as a library user gets it: `make install`
# into a temporary prefix, then a C program and a C++ program (including
# every public header) built against it with pkg-config alone, linked to
# libeddy.so and then to libeddy.a, and run.  Uses the configuration of the
# build folder under test ($EDDY_BUILD/config), so the install rebuilds
# nothing and `make asan` tests its own libraries.
set -u
top=${EDDY_TOP:-}
[ -n "$top" ] || top=$(cd "$(dirname "$0")/../.." && pwd)
build=${EDDY_BUILD:-$top/build}
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() { echo "$pass passed, $fail failed"; exit $((fail > 0)); }

[ -f "$build/config" ] || { bad "no $build/config: build first (make)"; finish; }
declare -A cfg
while IFS= read -r line; do cfg[${line%%=*}]=${line#*=}; done <"$build/config"
cc=${cfg[CC]} cflags=${cfg[CFLAGS]} ldflags=${cfg[LDFLAGS]}
cxx=${CXX:-$(case $cc in *clang*) echo clang++;; *) echo g++;; esac)}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The test runs under `make test`: the outer make's flags are not ours.
unset MAKEFLAGS MFLAGS MAKELEVEL
install_into() {
    make -C "$top" --no-print-directory install BUILD="${build#"$top"/}" CC="$cc" CFLAGS="$cflags" \
        CPPFLAGS="${cfg[CPPFLAGS]}" LDFLAGS="$ldflags" CORO="${cfg[CORO]}" "$@" >"$tmp/install.log" 2>&1
}

# 1. DESTDIR staging installs every piece under DESTDIR/PREFIX.
if install_into DESTDIR="$tmp/stage" PREFIX=/usr/local; then
    missing=""
    for f in bin/eddy lib/libeddy.a lib/libeddy.so lib/libeddy.so.0 lib/pkgconfig/eddy.pc \
             $(cd "$top" && ls include/eddy/*.h); do
        [ -e "$tmp/stage/usr/local/$f" ] || missing="$missing $f"
    done
    [ -z "$missing" ] && ok "make install DESTDIR=... installs bin, headers, libeddy.a, libeddy.so*, eddy.pc" \
                      || bad "make install DESTDIR=... is missing:$missing"
    grep -E '^(cc|gcc|clang) .* -c ' "$tmp/install.log" >/dev/null \
        && bad "make install recompiled (the build folder's config differs from its flags)" \
        || ok "make install rebuilds nothing"
else
    bad "make install DESTDIR=..."; cat "$tmp/install.log"; finish
fi

# 2. A real prefix for the programs below.
prefix=$tmp/prefix
install_into PREFIX="$prefix" || { bad "make install PREFIX=..."; cat "$tmp/install.log"; finish; }
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
pc() { pkg-config "$@" eddy; }
pc --exists && ok "pkg-config finds eddy $(pc --modversion)" || { bad "pkg-config eddy"; finish; }

# A public header without the guard block would not link from C++, or its
# functions would stay hidden in libeddy.so (built -fvisibility=hidden).
unguarded=""
for h in "$prefix"/include/eddy/*.h; do
    grep -q '^extern "C" {' "$h" && grep -q '^#pragma GCC visibility push(default)' "$h" &&
        grep -q '^#pragma GCC visibility pop' "$h" || unguarded="$unguarded $(basename "$h")"
done
[ -z "$unguarded" ] && ok "every public header has extern \"C\" and visibility guards" \
                    || bad "headers without the extern \"C\" / visibility block (see buf.h):$unguarded"

so=$(readlink -f "$prefix/lib/libeddy.so")
readelf -d "$so" | grep -q 'SONAME.*\[libeddy\.so\.0\]' && ok "soname libeddy.so.0" || bad "soname of $so"
leaked=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^eddy_[a-z0-9]' | head)
[ -z "$leaked" ] && ok "libeddy.so exports only eddy_* names" || bad "libeddy.so exports: $leaked"

cat >"$tmp/app.c" <<'C'
#include <eddy/buf.h>
#include <eddy/feed.h>
#include <eddy/loop.h>

#include <stdio.h>
#include <string.h>

static int main_task(void *arg)
{
    int *slept = arg;
    *slept = eddy_sleep(EDDY_MSEC) == 0; /* a context switch inside libeddy */
    return 0;
}

int main(void)
{
    static const char rss[] = "<rss version=\"2.0\"><channel><title>It &amp; links</title>"
                              "<item><title>one</title></item></channel></rss>";
    struct eddy_feed *f;
    if (eddy_feed_parse(rss, strlen(rss), NULL, &f) != 0)
        return 1;
    const char *title = eddy_feed_get_str(eddy_feed_get(eddy_feed_root(f), "feed"), "title");
    int slept = 0;
    if (eddy_run(main_task, &slept, NULL) != 0)
        return 1;
    struct eddy_buf b = EDDY_BUF_INIT(0);
    eddy_buf_printf(&b, "title=%s slept=%d", title ? title : "(none)", slept);
    puts(b.data);
    eddy_buf_free(&b);
    eddy_feed_free(f);
    return 0;
}
C
{
    echo '/* Every public header, from C++. */'
    for h in "$top"/include/eddy/*.h; do echo "#include <eddy/$(basename "$h")>"; done
    cat <<'CXX'
#include <cstdio>
#include <string>

int main()
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    std::string s = "from C++";
    eddy_buf_printf(&b, "%s", s.c_str());
    json_t *o = json_pack("{s:s}", "k", b.data); /* jansson comes with eddy.pc's Requires */
    std::printf("%s %s\n", b.data, json_string_value(json_object_get(o, "k")));
    json_decref(o);
    eddy_buf_free(&b);
    return 0;
}
CXX
} >"$tmp/app.cc"

want_c="title=It & links slept=1" want_cxx="from C++ from C++"
# check NAME EXPECTED COMMAND... — the program's output must be EXPECTED.
check_run() {
    local name=$1 want=$2; shift 2
    local got; got=$("$@" 2>&1)
    [ "$got" = "$want" ] && ok "$name runs" || bad "$name: got '$got', want '$want'"
}
needs_libeddy_so() { readelf -d "$1" | grep -q 'NEEDED.*libeddy\.so\.0'; }

# 3. Shared, the default: cc app.c $(pkg-config --cflags --libs eddy).
if $cc $cflags -std=c11 -Wall -Wextra -Werror "$tmp/app.c" $(pc --cflags --libs) $ldflags -o "$tmp/app" 2>"$tmp/err"; then
    ok "C program builds with pkg-config --cflags --libs eddy"
    needs_libeddy_so "$tmp/app" && ok "C program links libeddy.so.0" || bad "C program does not use libeddy.so"
    check_run "C program (shared)" "$want_c" env LD_LIBRARY_PATH="$prefix/lib" "$tmp/app"
else
    bad "C program build:"; cat "$tmp/err"
fi
if $cxx $cflags -Wall -Wextra -Werror "$tmp/app.cc" $(pc --cflags --libs) $ldflags -o "$tmp/appxx" 2>"$tmp/err"; then
    ok "C++ program including every public header builds"
    check_run "C++ program (shared)" "$want_cxx" env LD_LIBRARY_PATH="$prefix/lib" "$tmp/appxx"
else
    bad "C++ program build:"; cat "$tmp/err"
fi

# 4. Static libeddy: pkg-config --static lists the closure for libeddy.a.
# Debian ships libcurl's own dependencies (nghttp2, ssh2, ldap...) without
# static archives, so a fully static program is not possible here: libeddy
# goes in statically (-l:libeddy.a) and each library that exists only
# shared is linked shared; a library that does not exist at all is only a
# static libcurl's need and is left out.
libs="" noarchive=""
for w in $(pc --static --libs); do
    case $w in
        -leddy) libs="$libs -l:libeddy.a";;
        -l*) n=${w#-l}
             if [ "$($cc -print-file-name="lib$n.a")" = "lib$n.a" ]; then
                 noarchive="$noarchive $n"
                 [ "$($cc -print-file-name="lib$n.so")" = "lib$n.so" ] && continue
             fi
             libs="$libs $w";;
        *) libs="$libs $w";;
    esac
done
if $cc $cflags -std=c11 "$tmp/app.c" $(pc --static --cflags) $libs $ldflags -o "$tmp/app-static" 2>"$tmp/err"; then
    ok "C program builds with libeddy.a and pkg-config --static"
    needs_libeddy_so "$tmp/app-static" && bad "static build still needs libeddy.so" || ok "static build does not need libeddy.so"
    check_run "C program (static libeddy)" "$want_c" "$tmp/app-static"
else
    bad "static build:"; cat "$tmp/err"
fi
if [ -n "$noarchive" ]; then
    echo "skip fully static link: no static archive for: $(echo $noarchive | tr " " "\n" | sort -u | tr "\n" " ")"
elif $cc -static $cflags -std=c11 "$tmp/app.c" $(pc --static --cflags --libs) $ldflags -o "$tmp/app-full" 2>"$tmp/err"; then
    check_run "C program (-static)" "$want_c" "$tmp/app-full"
else
    bad "fully static build:"; cat "$tmp/err"
fi
finish
