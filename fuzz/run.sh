#!/bin/sh
# fuzz/run.sh BUILD_DIR SECONDS [TARGET...]: runs each libFuzzer target (all by default) for SECONDS
# on a working corpus (BUILD_DIR/fuzz-work/<target>, seeded from fuzz/corpus/<target>), then prints
# a table: executions, corpus size, crashes. A crash input lands in BUILD_DIR/fuzz-crashes/<target>/;
# after the fix, copy it into fuzz/corpus/<target>/ so the fuzz_corpus test replays it for good.
set -u
build=$1; seconds=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=${*:-$(ls "$here"/corpus)}
status=0
printf '%-18s %8s %12s %8s %8s\n' target seconds executions corpus crashes >"$build/fuzz-table.txt"
for t in $targets; do
  bin=$build/fuzz/fuzz_$t
  [ -x "$bin" ] || { echo "fuzz: no binary $bin (make asan-build)"; status=1; continue; }
  work=$build/fuzz-work/$t; crashes=$build/fuzz-crashes/$t
  mkdir -p "$work" "$crashes"
  log=$build/fuzz-$t.log
  echo "fuzz: $t for ${seconds}s" >&2
  ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "$work" "$here/corpus/$t" >"$log" 2>&1
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(find "$crashes" -type f | wc -l)
  [ "$found" -gt 0 ] && status=1
  printf '%-18s %8s %12s %8s %8s\n' "$t" "$seconds" "${execs:-?}" "$(ls "$work" | wc -l)" "$found" >>"$build/fuzz-table.txt"
done
cat "$build/fuzz-table.txt"
exit $status
