#!/bin/sh
# Tracker benchmark (see bench/README.md): generates EVENTS (1,000,000) Rasa 2.8-shaped events
# into a temporary file and times parse, apply and serialise on them. Run from the repository
# root after `make build`; `make bench` does both. Extra arguments go to convo_bench_tracker
# (--runs K, --apply-budget SECONDS).
set -eu

BUILD_DIR=${BUILD_DIR:-build}
EVENTS=${EVENTS:-1000000}
gen="$BUILD_DIR/bench/tracker/convo_bench_gen"
bench="$BUILD_DIR/bench/tracker/convo_bench_tracker"
for exe in "$gen" "$bench"; do
  if [ ! -x "$exe" ]; then
    echo "run.sh: $exe not found: run 'make build' first (or set BUILD_DIR)" >&2
    exit 1
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/convo-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "host: $(nproc 2>/dev/null || echo '?') cores, $(uname -srm)"
"$gen" "$EVENTS" "$tmp/events.json"
"$bench" "$tmp/events.json" "$@"
