#!/usr/bin/env bash
# Where `eddy serve` finds the reader's pages: beside the build folder (the
# source tree's templates/ and static/), else PREFIX/share/eddy/ (a copy of
# the binary in PREFIX/bin finds them there, as `make install` lays them
# out); with neither, a start-up line says where it looked and / answers 503
# rather than a half page.
. "$(dirname "$0")/support/lib.sh"
. "$(dirname "$0")/support/serve.sh"
unset EDDY_TOKEN EDDY_LISTEN
real=$eddy

mkdir -p "$tmp/prefix/bin" "$tmp/prefix/share/eddy"
cp "$real" "$tmp/prefix/bin/eddy"
eddy=$tmp/prefix/bin/eddy
start_serve --data "$data" --demo '' || { summary; exit 1; }
expect "no templates anywhere: a line says where it looked" \
    'grep -q "no pages (templates/river.html): no folder at $tmp/prefix/, $tmp/prefix/share/eddy/" "$tmp/serve.err"'
expect "no templates: / answers 503, saying why" '[ "$(http /)" = 503 ] && grep -q "templates were not found" "$tmp/body"'
expect "no templates: the API still serves" '[ "$(http /api/v1/feeds)" = 200 ]'
stop_serve

cp -r "$top/templates" "$top/static" "$tmp/prefix/share/eddy/"
start_serve --data "$data" --demo '' || { summary; exit 1; }
expect "PREFIX/share/eddy/templates: the river" '[ "$(http /)" = 200 ] && grep -q "All entries" "$tmp/body"'
expect "PREFIX/share/eddy/static: the style sheet" '[ "$(http /static/eddy.css)" = 200 ]'
stop_serve
summary
