#!/bin/sh
# Row of bench/table.sh: `convo events push` of one event, process start included, next to the
# sqlite3 shell inserting one row into the same table. The SQLite store holds conversation
# "bench" with the 50 events of bench/http/tracker50.json; each run appends one slot event to it
# (convo: load the conversation, apply, append in one transaction) or one row (sqlite3: an INSERT
# of the same columns). hyperfine, best of RUNS (50). Prints one JSON line. Run from the
# repository root after `make build`; needs hyperfine and sqlite3.
set -eu
BUILD_DIR=${BUILD_DIR:-build}
RUNS=${RUNS:-50}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need hyperfine sqlite3
convo=$(realpath "$BUILD_DIR/apps/convo/convo")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/convo-bench-push.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
: >"$tmp/results"

db=$tmp/push.db
"$convo" tracker put bench "$here/../http/tracker50.json" --store "sqlite:///$db" -o json >/dev/null
event='{"event":"slot","timestamp":1700000000.5,"name":"cuisine","value":"italian"}'
printf '%s\n' "$event" >"$tmp/one.json"
before=$(sqlite3 "$db" 'SELECT count(*) FROM events')
best convo "$RUNS" "'$convo' events push bench '$tmp/one.json' --store 'sqlite:///$db' -o json > /dev/null"
best sqlite3 "$RUNS" "sqlite3 '$db' \"INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES ('bench', 'slot', 1700000000.5, NULL, NULL, '$event')\""
after=$(sqlite3 "$db" 'SELECT count(*) FROM events')
# hyperfine ran each command RUNS times plus one warm-up: as many rows from each.
[ $((after - before)) -eq $((2 * (RUNS + 1))) ] || { echo "$0: $((after - before)) rows added, expected $((2 * (RUNS + 1)))" >&2; exit 1; }
awk -v c="$(result convo 2)" -v s="$(result sqlite3 2)" -v r="$RUNS" -v n="$after" 'BEGIN {
  printf "{\"runs\":%d,\"rows_after\":%d,\"convo_ms\":%.3f,\"sqlite3_ms\":%.3f,\"ratio\":%.3f}\n", r, n, c * 1000, s * 1000, c / s }'
