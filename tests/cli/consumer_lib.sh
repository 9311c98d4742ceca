# kill -9 fault runs for the consumer tests (sourced after lib.sh; needs $py).
# crash_until_done DB N CMD...: runs CMD (a consumer with -e storing into DB) five times with
# CONVO_FAULT_KILL_AFTER_BATCHES=3, so each run is killed with SIGKILL right after its third committed
# batch and before acknowledging it (CMD's input must hold more than 15 batches), then once without
# the fault, to the end. Then DB must hold the events whose "value" is 0..N-1, each exactly once, in
# order per conversation, with one convo_ingest record each.
crash_until_done() {
  local db=$1 n=$2 rounds=0 killed=0 status
  shift 2
  while [ "$rounds" -lt 5 ]; do
    rounds=$((rounds + 1))
    CONVO_FAULT_KILL_AFTER_BATCHES=3 "$@" >crash.out 2>&1
    status=$?
    [ "$status" -eq 137 ] && killed=$((killed + 1))
  done
  "$@" >crash.out 2>&1
  status=$?
  expect_true '[ "$killed" -eq 5 ]' "each faulted run was killed after its third batch ($killed of 5)"
  expect_true '[ "$status" -eq 0 ]' "the run after the crashes finishes the stream (exit $status)"
  "$py" - "$db" "$n" <<'PY' && ok || fail "after kill -9 restarts every event is stored exactly once, in order per conversation"
import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
values = [json.loads(d)["value"] for _, d in rows]
assert sorted(values) == list(range(int(sys.argv[2]))), (len(values), len(set(values)))
per = {}
for s, d in rows:
    per.setdefault(s, []).append(json.loads(d)["value"])
assert all(v == sorted(v) for v in per.values())
PY
  expect_true '[ "$(sqlite3 "$db" "select count(*) from convo_ingest")" -eq "$n" ]' "one ingest record per event"
}
