#!/usr/bin/env bash
# Publishing without a broker process: `convo serve` and `convo export` with Rasa's file and SQL
# event brokers. Every message is checked against what Python's json.dumps (Rasa's serialiser)
# makes of the stored row, so the bytes are Rasa's. A file broker whose path is a symlink to
# /dev/full is a broker that refuses every message: the outbox must keep the events and drain
# them in order once the link points at a real file again.
# Usage: broker_test.sh CONVO_BINARY SOURCE_DIR
set -u
convo=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export NO_COLOR=1
unset CONVO_STORE CONVO_URL CONVO_TOKEN CONVO_JWT
py=/usr/bin/python3
cd "$tmp" || exit 1
cleanup() {
  for p in $server_pids; do kill -9 "$p" 2>/dev/null; done
  cd / && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$here/serve_lib.sh"

# same_as_rows FILE DB ORDER [WHERE]: FILE's lines are exactly the DB's event rows (in id order), each
# as Rasa's broker body: sender_id first (live) or last (export), dumped by json.dumps.
same_as_rows() {
  "$py" - "$@" <<'PY'
import json, sqlite3, sys
path, db, order = sys.argv[1:4]
where = sys.argv[4] if len(sys.argv) > 4 else "1"
rows = sqlite3.connect(db).execute(f"SELECT sender_id, data FROM events WHERE {where} ORDER BY id").fetchall()
want = []
for sid, data in rows:
    ev = json.loads(data)
    want.append(json.dumps({"sender_id": sid, **ev} if order == "live" else {**ev, "sender_id": sid}))
got = open(path).read().split("\n")
assert got[-1] == "", "no newline at the end"
got = got[:-1]
if got != want:
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            sys.exit(f"line {i + 1}:\n got  {g}\n want {w}")
    sys.exit(f"{len(got)} lines, {len(want)} rows")
PY
}



# --- file broker: live bodies, in order, Rasa's bytes ---
cat >file.yml <<'YML'
tracker_store:
  type: sql
  db: file.db
event_broker:
  type: file
  path: events.log
YML
start_server f --endpoints file.yml
expect_true '[ "$(post "$f_url" alice '"'"'[{"event":"slot","timestamp":1628000000.5,"name":"city","value":"Zürich 😀"},{"event":"user","timestamp":1628000001,"text":"hi","parse_data":{"intent":{"name":"greet","confidence":0.9}}}]'"'"')" = 200 ]' "events posted"
expect_true '[ "$(post "$f_url" bob '"'"'{"event":"bot","timestamp":1628000002.25,"text":"hello"}'"'"')" = 200 ]' "second conversation posted"
curl -s -o /dev/null -X PUT -H 'Content-Type: application/json' "$f_url/conversations/carol/tracker/events" \
  -d '[{"event":"action","timestamp":1628000003,"name":"action_listen"}]'
expect_true 'wait_outbox f 0' "the outbox drains"
expect_true '[ "$(status_field f state)" = connected ]' "/status: the broker is connected"
expect_true '[ "$(status_field f published)" = "$(sqlite3 file.db "select count(*) from events")" ]' \
  "/status counts every stored event as published"
run same_as_rows events.log file.db live
expect_status 0 "file broker lines are Rasa's live bodies of the stored rows, in order"
expect_true '! grep -qP "[^\x00-\x7f]" events.log' "bodies are ASCII (json.dumps escapes)"
stop_server f
expect_true '[ "$stop_status" -eq 0 ]' "serve stops cleanly with a broker"

# --- a refusing broker: the outbox keeps events, /status shows it, the drain keeps order ---
ln -s /dev/full sink.log
cat >full.yml <<'YML'
tracker_store:
  type: sql
  db: full.db
event_broker:
  type: file
  path: sink.log
YML
start_server g --endpoints full.yml
for i in $(seq 1 20); do
  post "$g_url" "c$((i % 3))" "{\"event\":\"slot\",\"timestamp\":$((1628000100 + i)),\"name\":\"n\",\"value\":$i}" >/dev/null
done
stored=$(sqlite3 full.db "select count(*) from events")
expect_true '[ "$stored" -ge 20 ]' "events are stored while the broker refuses them"
expect_true 'wait_outbox g "$stored"' "the outbox holds every stored event while the broker is down"
expect_true '[ "$(status_field g state)" = disconnected ]' "/status: the broker is disconnected"
expect_true 'status_field g error | grep -q "No space left"' "/status: the broker's error"
expect_true '[ "$(curl -s -o /dev/null -w "%{http_code}" "$g_url/status")" = 200 ]' "the server stays ready"
ln -sfn drained.log sink.log
expect_true 'wait_outbox g 0' "the outbox drains once the broker accepts again"
run same_as_rows drained.log full.db live
expect_status 0 "after the outage every event arrived once, in store order"
stop_server g

# --- shutdown with a refusing broker: bounded wait, events kept for the next start ---
ln -sfn /dev/full sink.log
start_server h --endpoints full.yml --broker-flush-timeout 300ms
post "$h_url" late '{"event":"slot","timestamp":1628000200,"name":"n","value":"late"}' >/dev/null
stop_server h
expect_true '[ "$stop_status" -eq 0 ] && [ "$stop_ms" -lt 20000 ]' "shutdown with a refusing broker ends after the flush timeout"
expect_true 'grep -q "still in the outbox" h.log' "shutdown says events are left in the outbox"
expect_true '[ "$(sqlite3 full.db "select count(*) from convo_outbox")" -ge 1 ]' "the outbox survives the restart (it is in the store)"
ln -sfn after.log sink.log
start_server i --endpoints full.yml
expect_true 'wait_outbox i 0' "a new start drains what the last one left"
expect_true 'grep -q "\"late\"" after.log' "the left-over event is published after the restart"
stop_server i

# --- SQL broker: Rasa's events(id, sender_id, data) table ---
cat >sql.yml <<'YML'
tracker_store:
  type: sql
  db: store.db
event_broker:
  type: SQL
  db: broker.db
YML
start_server s --endpoints sql.yml
expect_true '[ "$(post "$s_url" dora "{\"event\":\"bot\",\"timestamp\":1628000300,\"text\":\"yo\"}")" = 200 ]' "posted to the SQL-broker server"
expect_true 'wait_outbox s 0' "SQL broker: outbox drains"
sqlite3 broker.db "select data from events order by id" >sqlbroker.log
run same_as_rows sqlbroker.log store.db live
expect_status 0 "SQL broker rows hold Rasa's bodies in order"
expect_true '[ "$(sqlite3 broker.db "select count(*) from events where sender_id = '"'"'dora'"'"'")" -eq 4 ]' "SQL broker: sender_id column"
stop_server s
cat >clash.yml <<'YML'
event_broker:
  type: sql
  db: store.db
YML
run "$convo" export --endpoints clash.yml --store sqlite:///store.db
expect_status 2 "an SQL broker on a tracker store's table is refused"
expect_err_has "tracker store" "the clash is explained"

# --- CLI writes with an event broker: the same outbox and publisher as serve ---
cat >cli.yml <<'YML'
tracker_store:
  type: sql
  db: cli.db
event_broker:
  type: file
  path: cli.log
YML
printf '[{"event":"slot","timestamp":1628500000,"name":"a","value":1},{"event":"slot","timestamp":1628500001,"name":"a","value":2}]' >two.json
run "$convo" events push cli1 two.json --endpoints cli.yml -o json
expect_status 0 "events push with an event broker"
run same_as_rows cli.log cli.db live
expect_status 0 "events push publishes the appended events, Rasa's bodies"
# events push starts the new conversation with Rasa's session start (the rule serve's POST follows).
expect_true '[ "$(wc -l <cli.log)" -eq 5 ] && head -n 1 cli.log | grep -q "action_session_start"' \
  "events push to a new conversation publishes its session start first"
"$convo" tracker get cli1 --store sqlite:///cli.db -o json | python3 -c '
import json, sys
events = json.load(sys.stdin)["events"]
events.append({"event": "bot", "timestamp": 1628500002, "text": "new"})
print(json.dumps(events))' >six.json
run "$convo" tracker put cli1 six.json --endpoints cli.yml -o json
expect_status 0 "tracker put with an event broker"
expect_true '[ "$(wc -l <cli.log)" -eq 6 ] && tail -n 1 cli.log | grep -q "\"text\": \"new\""' \
  "tracker put announces only the events beyond those stored before (as serve's PUT, as Rasa)"
expect_true '[ "$(sqlite3 cli.db "select count(*) from convo_outbox")" -eq 0 ]' "nothing is left in the outbox"
ln -sfn /dev/full cli.log
run "$convo" events push cli2 two.json --endpoints cli.yml
expect_status 0 "a refusing broker does not fail the stored write"
expect_err_has "wait in the outbox" "the events waiting in the outbox are reported"
expect_true '[ "$(sqlite3 cli.db "select count(*) from convo_outbox")" -eq 5 ] && [ "$(sqlite3 cli.db "select count(*) from events where sender_id = '"'"'cli2'"'"'")" -eq 5 ]' \
  "the events are stored and wait in the outbox"

# --- convo export ---
cat >export.yml <<'YML'
event_broker:
  type: file
  path: exported.log
YML
run "$convo" export --endpoints export.yml --store sqlite:///file.db -o json
expect_status 0 "export publishes"
expect_true 'echo "$out" | "$py" -c "import json,sys; d=json.load(sys.stdin); assert d[\"published\"] == d[\"events\"] == $(sqlite3 file.db "select count(*) from events")"' \
  "export counts every event as published"
"$py" - file.db exported.log <<'PY' && ok || fail "export: per conversation, stored order, sender_id last"
import json, sqlite3, sys
db, path = sys.argv[1:]
rows = sqlite3.connect(db).execute("SELECT sender_id, data FROM events ORDER BY sender_id, id").fetchall()
want = [json.dumps({**json.loads(d), "sender_id": s}) for s, d in rows]
assert open(path).read().splitlines() == want
PY
rm exported.log
run "$convo" export --endpoints export.yml --store sqlite:///file.db --since 1628000000.5 --until 1628000002.25 --conversation-ids alice,bob,zed -o json
expect_status 0 "export with a window and ids"
expect_err_has "'zed' is not in the store" "a requested id that is not stored is named"
run same_as_rows exported.log file.db export "timestamp >= 1628000000.5 AND timestamp < 1628000002.25 AND sender_id IN ('alice','bob')"
expect_status 0 "the window is [since, until) and only the named conversations"
run "$convo" export --endpoints export.yml --store sqlite:///file.db --dry-run -o json
expect_status 0 "dry run"
expect_out_has '"dry_run":true' "dry run says so"
run "$convo" export --endpoints export.yml --store sqlite:///file.db --since 5 --until 4
expect_status 2 "until before since is a usage error"
run "$convo" export --endpoints export.yml --store sqlite:///file.db --since 2000000000
expect_status 1 "no events in the window is an error, as in Rasa"
run "$convo" export --endpoints file.yml --store sqlite:///nothing.db
expect_status 3 "a missing store is not found"
printf 'tracker_store:\n  type: sql\n  db: file.db\n' >nobroker.yml
run "$convo" export --endpoints nobroker.yml
expect_status 2 "no event_broker section is a usage error"

# A broker that fails part-way: the resume command continues exactly where it stopped.
"$py" - <<'PY'
import json
evs = [{"event": "slot", "timestamp": 1628001000 + i, "name": "n", "value": i} for i in range(1200)]
json.dump(evs, open("many.json", "w"))
PY
"$convo" tracker put many many.json --store sqlite:///many.db >/dev/null
ln -sfn /dev/full part.log
printf 'event_broker:\n  type: file\n  path: part.log\n' >part.yml
run "$convo" export --endpoints part.yml --store sqlite:///many.db --batch 500
expect_status 5 "a failing broker ends export with exit 5"
resume=$(printf '%s\n' "$err" | grep '^  convo export')
expect_true '[ -n "$resume" ]' "the resume command is printed"
expect_true 'printf "%s" "$resume" | grep -q -- "--resume-after many:0"' "nothing was confirmed: resume from the start"
ln -sfn part-real.log part.log
eval "${resume/convo/$convo}" >/dev/null
run same_as_rows part-real.log many.db export
expect_status 0 "the resumed export publishes everything once"

finish
