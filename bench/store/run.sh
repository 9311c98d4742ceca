#!/bin/sh
# Store benchmark (see bench/README.md): the SQLite tracker store through the convo CLI, next to
# the sqlite3 shell on the same database. Generates EVENTS (100,000) Rasa 2.8-shaped events of one
# long conversation (many sessions, so `tracker get --all-sessions` reads them all), then times
#   writes: `convo tracker load` of them as NDJSON (one process), `convo events push` of them as
#           NDJSON (one process, one transaction), `convo events push` in files of BATCH (100)
#           events (one process each), and for context sqlite3 replaying a .dump of the same rows;
#   reads:  `convo tracker get SENDER --all-sessions --include-events ALL -o json` next to
#           `sqlite3 DB "SELECT data FROM events WHERE sender_id=... ORDER BY id"` (the peer: just
#           the data column), plus `convo tracker dump` and the default last-session `tracker get`.
# Every figure is the best (minimum) wall time of its runs; hyperfine when installed (it also gives
# mean user+system CPU), else a `date +%s.%N` loop. Prints a table and one JSON line (the last).
# Run from the repository root after `make build`. Environment: BUILD_DIR (build), EVENTS
# (100000), RUNS (5, reads), WRITE_RUNS (3, single-process writes, each into a fresh database),
# BATCH (100), BATCH_RUNS (1), TIMER (hyperfine or loop; default hyperfine when installed).
set -eu

BUILD_DIR=${BUILD_DIR:-build}
EVENTS=${EVENTS:-100000}
RUNS=${RUNS:-5}
WRITE_RUNS=${WRITE_RUNS:-3}
BATCH=${BATCH:-100}
BATCH_RUNS=${BATCH_RUNS:-1}
SENDER=bench-store

convo="$BUILD_DIR/apps/convo/convo"
gen="$BUILD_DIR/bench/tracker/convo_bench_gen"
prep="$BUILD_DIR/bench/store/convo_bench_store_prep"
for exe in "$convo" "$gen" "$prep"; do
  if [ ! -x "$exe" ]; then
    echo "run.sh: $exe not found: run 'make build' first (or set BUILD_DIR)" >&2
    exit 1
  fi
done
if ! command -v sqlite3 >/dev/null 2>&1; then
  echo "run.sh: the sqlite3 shell is needed for the peer timings (apt-get install sqlite3)" >&2
  exit 1
fi
for n in "$EVENTS" "$RUNS" "$WRITE_RUNS" "$BATCH" "$BATCH_RUNS"; do
  case $n in '' | *[!0-9]* | 0) echo "run.sh: EVENTS, RUNS, WRITE_RUNS, BATCH and BATCH_RUNS must be positive integers" >&2; exit 2 ;; esac
done

if [ -z "${TIMER:-}" ]; then
  if command -v hyperfine >/dev/null 2>&1; then TIMER=hyperfine; else TIMER=loop; fi
fi
case $TIMER in
  hyperfine) command -v hyperfine >/dev/null 2>&1 || { echo "run.sh: hyperfine not found" >&2; exit 1; } ;;
  loop)
    case $(date +%N) in
      '' | *[!0-9]*) echo "run.sh: needs hyperfine or a date(1) with %N (GNU coreutils)" >&2; exit 1 ;;
    esac ;;
  *) echo "run.sh: TIMER must be hyperfine or loop" >&2; exit 2 ;;
esac

# Absolute paths: the timed commands run in a shell of their own.
case $convo in /*) ;; *) convo="$PWD/$convo" ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/convo-bench-store.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# measure NAME RUNS PREPARE COMMAND: runs the shell command line COMMAND RUNS times, PREPARE
# (untimed) before each, and appends "NAME best_wall_s mean_cpu_s" to $tmp/results (cpu is "-"
# with the loop timer).
measure() {
  m_name=$1 m_runs=$2 m_prep=$3 m_cmd=$4
  if [ "$TIMER" = hyperfine ]; then
    if ! hyperfine --style none --runs "$m_runs" --prepare "$m_prep" -n "$m_name" \
        --export-csv "$tmp/h.csv" "$m_cmd" >"$tmp/h.log" 2>&1; then
      cat "$tmp/h.log" >&2
      echo "run.sh: '$m_name' failed: $m_cmd" >&2
      exit 1
    fi
    # command,mean,stddev,median,user,system,min,max
    awk -F, -v n="$m_name" 'NR == 2 { printf "%s %.6f %.6f\n", n, $7, $5 + $6 }' "$tmp/h.csv" >>"$tmp/results"
  else
    m_best=
    m_i=0
    while [ "$m_i" -lt "$m_runs" ]; do
      sh -c "$m_prep"
      m_t0=$(date +%s.%N)
      if ! sh -c "$m_cmd"; then echo "run.sh: '$m_name' failed: $m_cmd" >&2; exit 1; fi
      m_t1=$(date +%s.%N)
      m_best=$(awk -v a="$m_t0" -v b="$m_t1" -v best="$m_best" \
        'BEGIN { d = b - a; if (best == "" || d < best + 0) best = d; printf "%.6f", best }')
      m_i=$((m_i + 1))
    done
    echo "$m_name $m_best -" >>"$tmp/results"
  fi
}
result() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$tmp/results"; }
rows() { sqlite3 "$1" "SELECT count(*) FROM events WHERE sender_id = '$SENDER'"; }

echo "host: $(nproc 2>/dev/null || echo '?') cores, $(uname -srm), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
rev=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
if [ "$rev" != '?' ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then rev="$rev+dirty"; fi
echo "convo $rev ($convo), sqlite3 $(sqlite3 --version | cut -d' ' -f1), timer: $TIMER"

# --- set-up (untimed) ---------------------------------------------------------------------------
"$gen" "$EVENTS" "$tmp/events.json"
"$prep" "$tmp/events.json" "$SENDER" "$BATCH" "$tmp/in"
rm -f "$tmp/events.json"
: >"$tmp/results"
ndjson_bytes=$(wc -c <"$tmp/in/push.ndjson" | tr -d ' ')
sessions=$(grep -c '"event":"session_started"' "$tmp/in/push.ndjson" || true)
store="sqlite:///$tmp/load.db"

# --- writes -------------------------------------------------------------------------------------
echo "timing writes ..."
measure load "$WRITE_RUNS" "rm -f '$tmp/load.db' '$tmp/load.db-wal' '$tmp/load.db-shm'" \
  "'$convo' tracker load '$tmp/in/load.ndjson' --store '$store' -o json > /dev/null"
measure push "$WRITE_RUNS" "rm -f '$tmp/push.db' '$tmp/push.db-wal' '$tmp/push.db-shm'" \
  "'$convo' events push '$SENDER' '$tmp/in/push.ndjson' --store 'sqlite:///$tmp/push.db' -o json > /dev/null"
measure push_batches "$BATCH_RUNS" "rm -f '$tmp/batch.db' '$tmp/batch.db-wal' '$tmp/batch.db-shm'" \
  "for f in '$tmp'/in/batches/*.ndjson; do '$convo' events push '$SENDER' \"\$f\" --store 'sqlite:///$tmp/batch.db' -o json > /dev/null || exit 1; done"
sqlite3 "$tmp/load.db" .dump >"$tmp/dump.sql"
measure sqlite3_write "$WRITE_RUNS" "rm -f '$tmp/peer.db' '$tmp/peer.db-journal'" \
  "sqlite3 '$tmp/peer.db' < '$tmp/dump.sql'"

# The three convo writes must have stored the same rows.
for db in load push batch peer; do
  n=$(rows "$tmp/$db.db")
  if [ "$n" != "$EVENTS" ]; then
    echo "run.sh: $db.db holds $n events of '$SENDER', expected $EVENTS" >&2
    exit 1
  fi
done
for db in push batch; do
  diff=$(sqlite3 "$tmp/load.db" "ATTACH '$tmp/$db.db' AS o; SELECT count(*) FROM events a JOIN o.events b ON a.id = b.id WHERE a.sender_id IS NOT b.sender_id OR a.type_name IS NOT b.type_name OR a.timestamp IS NOT b.timestamp OR a.intent_name IS NOT b.intent_name OR a.action_name IS NOT b.action_name OR a.data IS NOT b.data")
  if [ "$diff" != 0 ]; then
    echo "run.sh: $db.db differs from load.db in $diff rows" >&2
    exit 1
  fi
done
db_bytes=$(wc -c <"$tmp/load.db" | tr -d ' ')

# --- reads --------------------------------------------------------------------------------------
get_cmd="'$convo' tracker get '$SENDER' --all-sessions --include-events ALL -o json --store '$store'"
last_cmd="'$convo' tracker get '$SENDER' --include-events ALL -o json --store '$store'"
dump_cmd="'$convo' tracker dump '$SENDER' -o ndjson --store '$store'"
sql_cmd="sqlite3 '$tmp/load.db' \"SELECT data FROM events WHERE sender_id='$SENDER' ORDER BY id\""
# Once untimed: the output sizes, and a check that every event comes back.
get_bytes=$(sh -c "$get_cmd" | wc -c | tr -d ' ')
sql_bytes=$(sh -c "$sql_cmd" | wc -c | tr -d ' ')
dump_lines=$(sh -c "$dump_cmd" | wc -l | tr -d ' ')
if [ "$dump_lines" != "$EVENTS" ]; then
  echo "run.sh: tracker dump wrote $dump_lines lines, expected $EVENTS" >&2
  exit 1
fi
echo "timing reads ..."
measure get "$RUNS" true "$get_cmd > /dev/null"
measure sqlite3_read "$RUNS" true "$sql_cmd > /dev/null"
measure dump "$RUNS" true "$dump_cmd > /dev/null"
measure get_last_session "$RUNS" true "$last_cmd > /dev/null"

# --- report -------------------------------------------------------------------------------------
awk -v events="$EVENTS" -v batch="$BATCH" -v nbytes="$ndjson_bytes" -v gbytes="$get_bytes" \
    -v sbytes="$sql_bytes" -v runs="$RUNS" -v wruns="$WRITE_RUNS" -v bruns="$BATCH_RUNS" \
    -v sessions="$sessions" -v dbbytes="$db_bytes" -v timer="$TIMER" '
  { wall[$1] = $2; cpu[$1] = $3 }
  function eps(n) { return events / wall[n] }
  function num(x) { return x == "-" ? "null" : x }
  # mb = 0: a row whose events/s and MB/s would mean nothing (it does not handle every event).
  function row(label, n, what, mb) {
    printf "%-36s %9.3f %9s %12s %8s  %s\n", label, wall[n],
           cpu[n] == "-" ? "-" : sprintf("%.3f", cpu[n]), mb ? sprintf("%.0f", eps(n)) : "-",
           mb ? sprintf("%.1f", mb / 1e6 / wall[n]) : "-", what
  }
  END {
    printf "\n%d events in one conversation (%d sessions), %.1f MB of NDJSON, database %.1f MB\n",
           events, sessions, nbytes / 1e6, dbbytes / 1e6
    printf "%-36s %9s %9s %12s %8s  %s\n", "operation", "best s", "cpu s", "events/s", "MB/s", "runs / notes"
    row("convo tracker load (NDJSON)", "load", wruns " runs, 1 process, fresh db", nbytes)
    row("convo events push (NDJSON)", "push", wruns " runs, 1 process, 1 transaction", nbytes)
    row("convo events push x " events / batch, "push_batches",
        bruns " runs, " batch " events per process", nbytes)
    row("sqlite3 < .dump (peer)", "sqlite3_write", wruns " runs, same rows, no JSON work", nbytes)
    row("convo tracker get --all-sessions", "get", runs " runs, " gbytes " bytes of JSON out", gbytes)
    row("sqlite3 SELECT data (peer)", "sqlite3_read", runs " runs, " sbytes " bytes out", sbytes)
    row("convo tracker dump -o ndjson", "dump", runs " runs, raw events, no tracker", nbytes)
    row("convo tracker get (last session)", "get_last_session", runs " runs, its last session only", 0)
    ratio = wall["get"] / wall["sqlite3_read"]
    cratio = (cpu["get"] == "-" || cpu["sqlite3_read"] == "-" || cpu["sqlite3_read"] == 0) ? "null" : sprintf("%.2f", cpu["get"] / cpu["sqlite3_read"])
    printf "\ntracker get / sqlite3 SELECT: %.2fx wall%s; load / sqlite3 replay: %.2fx wall\n",
           ratio, cratio == "null" ? "" : ", " cratio "x cpu", wall["load"] / wall["sqlite3_write"]
    printf "(best s = minimum wall time; cpu s = mean user+system, hyperfine only; MB/s of the NDJSON written,\n"
    printf " or of the output read; the last-session row reads 1 of %d sessions)\n\n", sessions
    printf "{\"events\":%d,\"sessions\":%d,\"ndjson_bytes\":%d,\"db_bytes\":%d,\"batch\":%d,\"timer\":\"%s\",", events, sessions, nbytes, dbbytes, batch, timer
    printf "\"runs\":%d,\"write_runs\":%d,\"batch_runs\":%d,", runs, wruns, bruns
    printf "\"load_s\":%.6f,\"load_eps\":%.0f,\"push_s\":%.6f,\"push_eps\":%.0f,", wall["load"], eps("load"), wall["push"], eps("push")
    printf "\"push_batches_s\":%.6f,\"push_batches_eps\":%.0f,\"sqlite3_write_s\":%.6f,", wall["push_batches"], eps("push_batches"), wall["sqlite3_write"]
    printf "\"get_s\":%.6f,\"get_eps\":%.0f,\"get_cpu_s\":%s,\"get_bytes\":%d,", wall["get"], eps("get"), num(cpu["get"]), gbytes
    printf "\"sqlite3_read_s\":%.6f,\"sqlite3_read_cpu_s\":%s,\"dump_s\":%.6f,\"get_last_session_s\":%.6f,", wall["sqlite3_read"], num(cpu["sqlite3_read"]), wall["dump"], wall["get_last_session"]
    printf "\"get_over_sqlite3\":%.3f,\"get_over_sqlite3_cpu\":%s}\n", ratio, cratio
  }' "$tmp/results"
