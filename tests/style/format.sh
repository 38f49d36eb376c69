#!/usr/bin/env bash
# tests/style/format.sh — every C file of the tree as clang-format
# (.clang-format) writes it; fails listing the others (`make format` fixes).
set -eu
cd "${EDDY_TOP:-$(dirname "$0")/../..}"
make --no-print-directory -s format-check
