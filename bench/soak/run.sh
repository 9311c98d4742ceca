#!/bin/sh
# Server soak (not a test): `convo serve` (SQLite store, the example bot) under a bounded mixed load
# (bench/soak/mix.lua: GET tracker, POST events, REST webhook turns) at about RATE requests/s for
# DURATION seconds, measured in WINDOW-second slices (one wrk run each): requests/s, errors
# (non-2xx answers and socket errors), p50/p99 latency and the server's RSS after each slice. RSS
# growth is the last slice against the end of warm-up (WARMUP seconds). Then the kill -9 phase:
# WRITERS threads write user events (bench/soak/writer.py) to a fresh server, which is killed
# with SIGKILL after KILL_AFTER seconds; the database must pass integrity_check and hold every
# acknowledged write (bench/soak/check_acks.py).
# Prints a table and one JSON line last. Run from the repository root after `make build`; needs
# wrk, curl, python3. Environment: BUILD_DIR (build), DURATION (600), WINDOW (30), WARMUP (60),
# RATE (1000), CONNECTIONS (16), NSENDERS (200), WRITERS (8), KILL_AFTER (5).
set -eu
BUILD_DIR=${BUILD_DIR:-build}
DURATION=${DURATION:-600}
WINDOW=${WINDOW:-30}
WARMUP=${WARMUP:-60}
RATE=${RATE:-1000}
CONNECTIONS=${CONNECTIONS:-16}
NSENDERS=${NSENDERS:-200}
WRITERS=${WRITERS:-8}
KILL_AFTER=${KILL_AFTER:-5}
for n in "$DURATION" "$WINDOW" "$RATE" "$CONNECTIONS" "$NSENDERS" "$WRITERS" "$KILL_AFTER"; do
  case $n in '' | *[!0-9]* | 0) echo "run.sh: DURATION, WINDOW, RATE, CONNECTIONS, NSENDERS, WRITERS, KILL_AFTER: positive integers" >&2; exit 2 ;; esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bench/lib.sh"
case $BUILD_DIR in /*) ;; *) BUILD_DIR="$root/$BUILD_DIR" ;; esac
convo=$BUILD_DIR/apps/convo/convo
[ -x "$convo" ] || { echo "run.sh: $convo not found: run 'make build' first" >&2; exit 1; }
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool not found (apt-get install wrk curl)" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/convo-soak.XXXXXX")
pid=""
cleanup() { stop "$pid"; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null || echo 0; }
start_serve() {  # DB PORT
  "$convo" serve --enable-api -i 127.0.0.1 -p "$2" --model "$tmp/models" --store "sqlite:///$1" --log-level warn \
    >>"$tmp/serve.log" 2>&1 &
  pid=$!
  "$convo" status --url "http://127.0.0.1:$2" --wait 10s >/dev/null 2>&1 || { cat "$tmp/serve.log" >&2; exit 1; }
}

"$convo" model build "$root/examples/bot" -o "$tmp/models" --name bot.tar.gz --format json >/dev/null
port=$(free_port)
start_serve "$tmp/soak.db" "$port"
delay=$(( CONNECTIONS * 1000 / RATE ))
[ "$delay" -ge 1 ] || delay=1

# One slice: wrk's summary reduced to "rps errors p50_ms p99_ms".
slice() {
  RUN_ID=$elapsed NSENDERS=$NSENDERS DELAY_MS=$delay wrk -t2 -c"$CONNECTIONS" -d"${WINDOW}s" --latency -s "$here/mix.lua" \
    "http://127.0.0.1:$port" >"$tmp/slice.txt" 2>&1 || true
  python3 - "$tmp/slice.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
def pct(p):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % p, text, re.M)
    return ms(*m.groups()) if m else float("nan")
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors += int(non2xx.group(1)) if non2xx else 0
print("%.0f %d %.2f %.2f" % (float(rps.group(1)) if rps else 0.0, errors, pct(50), pct(99)))
PY
}

printf '%8s %9s %8s %9s %9s %8s\n' elapsed "req/s" errors "p50 ms" "p99 ms" "RSS MB" | tee "$tmp/table.txt"
elapsed=0
errors_total=0
p99_max=0
rss_warm=""
rss_first=$(rss_kb "$pid")
while [ "$elapsed" -lt "$DURATION" ]; do
  set -- $(slice)
  elapsed=$((elapsed + WINDOW))
  rss=$(rss_kb "$pid")
  kill -0 "$pid" 2>/dev/null || { echo "run.sh: the server died; its log:" >&2; tail -20 "$tmp/serve.log" >&2; exit 1; }
  errors_total=$((errors_total + $2))
  p99_max=$(python3 -c "print(max($p99_max, $4))")
  [ -z "$rss_warm" ] && [ "$elapsed" -ge "$WARMUP" ] && rss_warm=$rss
  printf '%8s %9s %8s %9s %9s %8s\n' "${elapsed}s" "$1" "$2" "$3" "$4" "$(python3 -c "print(round($rss/1024, 1))")" | tee -a "$tmp/table.txt"
done
rss_end=$rss
[ -n "$rss_warm" ] || rss_warm=$rss_end
growth=$(python3 -c "print(round(100.0 * ($rss_end - $rss_warm) / $rss_warm, 1))")
stop "$pid"; pid=""
integrity=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])" "$tmp/soak.db")

# kill -9 under writes.
kport=$(free_port)
start_serve "$tmp/kill.db" "$kport"
: >"$tmp/acks.tsv"
python3 "$here/writer.py" "http://127.0.0.1:$kport" "$WRITERS" "$tmp/acks.tsv" &
writers=$!
sleep "$KILL_AFTER"
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true; pid=""
wait "$writers" || true
kill_result=$(python3 "$here/check_acks.py" "$tmp/kill.db" "$tmp/acks.tsv") && kill_ok=true || kill_ok=false
echo "$kill_result"
set -- $kill_result
echo "soak: ${DURATION}s at ~${RATE} req/s: errors $errors_total, worst p99 ${p99_max} ms, RSS ${rss_first} kB at start, $rss_warm kB after warm-up, $rss_end kB at the end (${growth}%), store integrity $integrity"
printf '{"duration_s": %s, "rate": %s, "errors": %s, "p99_max_ms": %s, "rss_start_kb": %s, "rss_warm_kb": %s, "rss_end_kb": %s, "rss_growth_pct": %s, "integrity": "%s", "kill9": {"acknowledged": %s, "missing": %s, "integrity": "%s", "ok": %s}}\n' \
  "$DURATION" "$RATE" "$errors_total" "$p99_max" "$rss_first" "$rss_warm" "$rss_end" "$growth" "$integrity" "$2" "$4" "$6" "$kill_ok"
