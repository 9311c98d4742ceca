#!/bin/sh
# Model-pull benchmark (measures; never passes or fails; not run by any test).
#   set-up:  a SIZE_MB (200) MB model archive (tar.gz of random bytes, so gzip cannot shrink it)
#            served over 127.0.0.1 by tests/support/model_server.py with an ETag, in a `mktemp -d`
#            directory that is deleted on exit, with the server stopped (also on Ctrl-C).
#   timed:   (1) a full download, RUNS (3) times each: `convo model pull URL --once` (stream to a
#            temp file, check the whole archive, fsync, rename, record the ETag) next to
#            `curl -s -o FILE URL` (stream only); best wall time of each, MB/s, and the
#            convo/curl ratio.
#            (2) the unchanged round trip, ROUNDS (100) times each: `convo model pull` with the
#            current ETag recorded (the server answers 304) next to
#            `curl -s -o /dev/null -H 'If-None-Match: ETAG' URL`; mean milliseconds per round trip
#            (process start included for both) and the ratio.
# Prints a table and one machine-readable JSON line (the last line).
# Run from the repository root after `make build`. Needs curl and /usr/bin/python3. Environment:
# BUILD_DIR (build), SIZE_MB (200), RUNS (3), ROUNDS (100).
set -eu

BUILD_DIR=${BUILD_DIR:-build}
SIZE_MB=${SIZE_MB:-200}
RUNS=${RUNS:-3}
ROUNDS=${ROUNDS:-100}
convo=$(realpath "$BUILD_DIR/apps/convo/convo")
server=$(realpath tests/support/model_server.py)
[ -x "$convo" ] || { echo "bench/pull: build first ($convo missing)" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench/pull: needs curl" >&2; exit 1; }

dir=$(mktemp -d)
server_pid=""
cleanup() {
  # (set -e: the server dies of the TERM sent here; its status must not become the script's)
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && { wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$dir"

echo "bench/pull: making a $SIZE_MB MB archive..." >&2
mkdir srv
head -c $((SIZE_MB * 1000 * 1000)) /dev/urandom >payload.bin
tar -cf - payload.bin | gzip -1 >srv/model.tar.gz
rm payload.bin
bytes=$(wc -c <srv/model.tar.gz)
/usr/bin/python3 "$server" srv >port.txt 2>server.err &
server_pid=$!
i=0
while [ ! -s port.txt ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
url=http://127.0.0.1:$(head -1 port.txt)/models/model.tar.gz
etag=$(md5sum srv/model.tar.gz | cut -d' ' -f1)

now_ns() { date +%s%N; }
best_convo=0
best_curl=0
r=0
while [ $r -lt "$RUNS" ]; do
  rm -rf out curl.out
  t0=$(now_ns)
  "$convo" model pull "$url" --out out --fingerprint-file fp.txt --once -o json >/dev/null
  t1=$(now_ns)
  curl -s -o curl.out "$url"
  t2=$(now_ns)
  rm -f fp.txt
  cmp -s out/model.tar.gz curl.out || { echo "bench/pull: downloads differ" >&2; exit 1; }
  c=$((t1 - t0))
  k=$((t2 - t1))
  if [ $best_convo -eq 0 ] || [ $c -lt $best_convo ]; then best_convo=$c; fi
  if [ $best_curl -eq 0 ] || [ $k -lt $best_curl ]; then best_curl=$k; fi
  r=$((r + 1))
done

printf '%s\n' "$etag" >fp.txt
"$convo" model pull "$url" --out out --fingerprint-file fp.txt --once -o json | grep -q '"unchanged"' ||
  { echo "bench/pull: expected a 304" >&2; exit 1; }
t0=$(now_ns)
n=0
while [ $n -lt "$ROUNDS" ]; do "$convo" model pull "$url" --out out --fingerprint-file fp.txt --once -o json >/dev/null; n=$((n + 1)); done
t1=$(now_ns)
n=0
while [ $n -lt "$ROUNDS" ]; do curl -s -o /dev/null -H "If-None-Match: $etag" "$url"; n=$((n + 1)); done
t2=$(now_ns)
rt_convo=$((t1 - t0))
rt_curl=$((t2 - t1))

awk -v b="$bytes" -v c="$best_convo" -v k="$best_curl" -v rc="$rt_convo" -v rk="$rt_curl" -v n="$ROUNDS" 'BEGIN {
  mb = b / 1e6
  printf "%-34s %12s %12s %8s\n", "", "convo", "curl", "ratio"
  printf "%-34s %9.2f s %10.2f s %8.2f\n", sprintf("download %.0f MB (best of runs)", mb), c / 1e9, k / 1e9, c / k
  printf "%-34s %7.0f MB/s %7.0f MB/s\n", "  throughput", mb / (c / 1e9), mb / (k / 1e9)
  printf "%-34s %8.2f ms %9.2f ms %8.2f\n", "304 round trip (mean, with exec)", rc / n / 1e6, rk / n / 1e6, rc / rk
  printf "{\"bench\":\"pull\",\"bytes\":%d,\"download_s\":{\"convo\":%.4f,\"curl\":%.4f,\"ratio\":%.3f},\"unchanged_ms\":{\"convo\":%.3f,\"curl\":%.3f,\"ratio\":%.3f}}\n",
    b, c / 1e9, k / 1e9, c / k, rc / n / 1e6, rk / n / 1e6, rc / rk
}'
