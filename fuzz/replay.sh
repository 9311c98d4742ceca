#!/usr/bin/env bash
# fuzz/replay.sh CORPUS_DIR TARGET_BINARY...: runs each target over CORPUS_DIR/<name>/ (its seeds
# and the crash inputs kept as regressions). With libFuzzer binaries the same files are given as
# inputs (libFuzzer runs them once each). Fails when a target crashes, breaks a property or has
# no corpus.
set -uo pipefail
corpus=$1; shift
status=0
for bin in "$@"; do
  name=$(basename "$bin"); name=${name#fuzz_}
  dir=$corpus/$name
  if [ ! -d "$dir" ] || [ -z "$(ls -A "$dir")" ]; then
    echo "FAIL $name: no corpus in $dir"; status=1; continue
  fi
  count=$(find "$dir" -type f | wc -l)
  if "$bin" $(find "$dir" -type f | sort) >"${TMPDIR:-/tmp}/fuzz-replay-$name.log" 2>&1; then
    echo "ok   $name ($count inputs)"
  else
    echo "FAIL $name: see below"; tail -30 "${TMPDIR:-/tmp}/fuzz-replay-$name.log"; status=1
  fi
done
exit $status
