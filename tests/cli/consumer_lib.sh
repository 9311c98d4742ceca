# kill -9 fault runs for the consumer tests (sourced after lib.sh; needs $py).
# crash_until_done DB N CMD...: runs CMD (a consumer with -e storing into DB) in the background and
# kills it with SIGKILL at a random point 0.1–0.9 s later, again and again until a run ends by
# itself (at most 80 runs). Then DB must hold the events whose "value" is 0..N-1, each exactly
# once, in order per conversation, with one convo_ingest record each.
crash_until_done() {
  local db=$1 n=$2 rounds=0 pid
  shift 2
  while :; do
    rounds=$((rounds + 1))
    "$@" >crash.out 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 9 + 1))"
    if kill -9 "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null; else wait "$pid"; break; fi
    [ "$rounds" -lt 80 ] || break
  done
  expect_true '[ "$rounds" -gt 1 ]' "the consumer was killed at least once ($rounds runs)"
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
