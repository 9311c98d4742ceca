#!/usr/bin/env bash
# The layer check (cmake/check_layers.cmake) passes on the tree and fails, naming the file, on a
# planted include against ARCHITECTURE.md's table, a module the page does not name, and a folder
# that is not a layer. Usage: layers_test.sh SOURCE_DIR
set -u
src=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
cd "$tmp" || exit 1
trap 'cd / && rm -rf "$tmp"' EXIT

check() { run cmake -DROOT="$tmp/tree" -P "$src/cmake/check_layers.cmake"; }
fresh() {
  rm -rf tree && mkdir tree && cp -r "$src/lib" "$src/ARCHITECTURE.md" tree/
}

fresh
check
expect_status 0 "the tree keeps its layers"

fresh
printf '#include "convo/store/tracker_store.hpp"\n' >>tree/lib/src/core/text.cpp
check
expect_true '[ "$status" -ne 0 ]' "core including store fails the check"
expect_err_has "lib/src/core/text.cpp" "the offending file is named"
expect_err_has "the core layer may not include store" "with the rule it breaks"

fresh
printf '#include "convo/http/server.hpp"\n' >>tree/lib/include/convo/model/pull.hpp
check
expect_err_has "the model layer may not include http" "a header against the table fails too (no loop model -> http)"

fresh
printf 'int x;\n' >tree/lib/src/store/unlisted_module.cpp
check
expect_err_has "unlisted_module" "a module ARCHITECTURE.md does not name fails the check"

fresh
mkdir tree/lib/src/gadgets
check
expect_err_has "lib/src/gadgets: not a layer" "a folder that is not a layer fails the check"

fresh
sed -i '/^| `pipeline` |/s/`broker`, //' tree/ARCHITECTURE.md
check
expect_err_has "the pipeline layer may not include broker" "the table in ARCHITECTURE.md is the rule"

finish
