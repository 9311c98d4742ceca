# shellcheck shell=sh disable=SC2154  # $tmp is the sourcing script's
# Shared by bench/rows/file.sh and push_one.sh (sourced; needs $tmp and hyperfine).
# best NAME RUNS COMMAND: hyperfine runs the shell command line COMMAND RUNS times (after one
# warm-up run) and appends "NAME best_wall_s mean_wall_s" to $tmp/results.
best() {
  if ! hyperfine --style none --warmup 1 --runs "$2" -n "$1" --export-json "$tmp/h.json" "$3" >"$tmp/h.log" 2>&1; then
    cat "$tmp/h.log" >&2
    echo "$0: '$1' failed: $3" >&2
    exit 1
  fi
  /usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"][0]; print(sys.argv[2], "%.6f" % r["min"], "%.6f" % r["mean"])' \
    "$tmp/h.json" "$1" >>"$tmp/results"
}
# result NAME FIELD: a figure appended by best (FIELD 2 best, 3 mean).
result() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$tmp/results"; }
# need TOOL...: exits with a one-line message when a tool is missing.
need() {
  for n_t in "$@"; do
    command -v "$n_t" >/dev/null 2>&1 || { echo "$0: $n_t not found (Debian: apt-get install $n_t)" >&2; exit 1; }
  done
}
