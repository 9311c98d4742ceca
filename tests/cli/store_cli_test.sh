#!/usr/bin/env bash
# The store commands against real SQLite files: databases written the way Rasa writes them (the
# sqlite3 shell, Python's json.dumps), read back by Python's sqlite3 module, concurrent writer
# processes, and a writer killed mid-transaction.
# Usage: store_cli_test.sh CONVO_BINARY SOURCE_DIR
set -u
convo=$(realpath "$1")
src=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export NO_COLOR=1
unset CONVO_STORE
ex=$src/examples
cd "$tmp"

# --- a database as Rasa 2.8 writes it is read as Rasa reads it ----------------------------------
python3 - "$ex/restaurant_tracker.json" rasa.db <<'PY'
import json, sqlite3, sys
events = json.load(open(sys.argv[1]))["events"]
db = sqlite3.connect(sys.argv[2])
db.executescript("""CREATE TABLE events (id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL,
  type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),
  action_name VARCHAR(255), data TEXT, PRIMARY KEY (id));
CREATE INDEX ix_events_sender_id ON events (sender_id);""")
for e in events:  # SQLTrackerStore.save: one row per event, data = json.dumps(event)
    intent = e.get("parse_data", {}).get("intent", {}).get("name") if e["event"] == "user" else None
    db.execute("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES (?,?,?,?,?,?)",
               ("alice", e["event"], e["timestamp"], intent, e.get("name"), json.dumps(e)))
db.commit()
PY
before=$(ls -A | grep rasa.db)
run "$convo" tracker get alice --store sqlite:///rasa.db --all-sessions -o json
expect_status 0 "get from a Rasa-written database"
printf '%s' "$out" >from_store.json
run "$convo" tracker show --events "$ex/restaurant_tracker.json" -o json
printf '%s' "$out" >from_file.json
expect_true 'cmp -s from_store.json from_file.json' "get prints the same bytes as show on the same events"
run "$convo" tracker get alice --store rasa.db -o json
printf '%s' "$out" >last_session.json
python3 - last_session.json <<'PY' && ok || fail "get reads the last session by default"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["events"][0]["event"] == "session_started", s["events"][0]
assert len(s["events"]) == 48, len(s["events"])  # the slot and action_session_start before it stay out
PY
run "$convo" tracker list --store rasa.db -o json
expect_out_has '"sender_id":"alice","events":50' "list counts the conversation's events"
expect_true '[ "$(ls -A | grep rasa.db)" = "$before" ]' "read commands create no files next to the database"

# --- missing things: exit 3, nothing created -------------------------------------------------------
run "$convo" tracker get alice --store sqlite:///nowhere.db
expect_status 3 "missing database"
expect_err_has "nowhere.db" "names the path"
expect_true '[ ! -e nowhere.db ]' "a read never creates the database"
run "$convo" tracker get bob --store rasa.db
expect_status 3 "missing conversation"
expect_err_has "'bob'" "names the conversation"

# --- what convo writes, Python's sqlite3 reads as Rasa would ---------------------------------------
run "$convo" tracker put carol "$ex/restaurant_tracker.json" --store sqlite:///convo.db
expect_status 0 "put"
run "$convo" events push carol --store convo.db <<<'{"event": "slot", "timestamp": 1700000100.5, "name": "city", "value": "Zürich"}'
expect_status 0 "push one event object"
python3 - convo.db "$ex/restaurant_tracker.json" <<'PY' && ok || fail "rows are what Rasa's SQLTrackerStore writes"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cols = [(r[1], r[2], r[3]) for r in db.execute("PRAGMA table_info(events)")]
assert cols == [("id","INTEGER",1),("sender_id","VARCHAR(255)",1),("type_name","VARCHAR(255)",1),("timestamp","FLOAT",0),
                ("intent_name","VARCHAR(255)",0),("action_name","VARCHAR(255)",0),("data","TEXT",0)], cols
rows = db.execute("SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id").fetchall()
events = json.load(open(sys.argv[2]))["events"] + [{"event": "slot", "timestamp": 1700000100.5, "name": "city", "value": "Zürich"}]
assert len(rows) == len(events), len(rows)
for row, e in zip(rows, events):
    sender, type_name, ts, intent, action, data = row
    assert sender == "carol" and type_name == e["event"] and ts == e["timestamp"]
    assert intent == (e["parse_data"]["intent"]["name"] if e["event"] == "user" else None)
    assert action == e.get("name")
    assert json.loads(data) == e, data
    assert data == json.dumps(json.loads(data)), data  # json.dumps' separators and ASCII escapes
PY

# --- bad input stores nothing -----------------------------------------------------------------------
count() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from events').fetchone()[0])" "$1"; }
n_before=$(count convo.db)
run "$convo" events push carol --store convo.db <<<'[{"event": "slot", "name": "a", "value": 1}, {"event": "user", "text": "no parse_data"}]'
expect_status 1 "a batch with one bad event"
expect_err_has "events[1] (user)" "names the bad event"
expect_true '[ "$(count convo.db)" = "$n_before" ]' "nothing of the rejected batch is stored"
run "$convo" tracker put carol --store convo.db <<<'not json'
expect_status 1 "put of invalid JSON"
expect_true '[ "$(count convo.db)" = "$n_before" ]' "a failed put keeps the conversation"

# --- dump and load move conversations between stores -----------------------------------------------
run "$convo" tracker dump --store convo.db
expect_status 0 "dump"
printf '%s\n' "$out" >dump.ndjson
expect_true '[ "$(wc -l <dump.ndjson)" = "$n_before" ]' "one line per event"
expect_out_has '{"sender_id":"carol","event":"slot"' "lines are broker-shaped: sender_id first"
run "$convo" tracker load dump.ndjson --store sqlite:///copy.db
expect_status 0 "load"
run "$convo" tracker get carol --store convo.db --all-sessions -o json
a=$out
run "$convo" tracker get carol --store copy.db --all-sessions -o json
expect_true '[ "$a" = "$out" ]' "the copy holds the same conversation"

# --- endpoints.yml with ${VAR}, as Rasa reads it ------------------------------------------------------
printf 'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: ${CONVO_TEST_DB}\n' >endpoints.yml
CONVO_TEST_DB=copy.db run "$convo" tracker list --endpoints endpoints.yml -o json
expect_status 0 "store from endpoints.yml"
expect_out_has '"sender_id":"carol"' "the endpoints store is the one named by the variable"
# --store given too: the flag wins over endpoints.yml's tracker_store, with a note.
"$convo" tracker put dave --store flag.db <<<'[{"event":"slot","timestamp":1,"name":"n","value":1}]' >/dev/null
CONVO_TEST_DB=copy.db run "$convo" tracker list --endpoints endpoints.yml --store sqlite:///flag.db -o json
expect_status 0 "--store and --endpoints together"
expect_out_has '"sender_id":"dave"' "--store wins over the endpoints' tracker_store"
expect_out_lacks '"sender_id":"carol"' "(not the endpoints' store)"
expect_err_has "overrides the tracker_store" "a note says so"
# An endpoints.yml without a tracker_store: nothing is overridden, so nothing is noted.
printf 'action_endpoint:\n  url: http://127.0.0.1:9/webhook\n' >endpoints-actions.yml
run "$convo" tracker list --endpoints endpoints-actions.yml --store sqlite:///flag.db -o json
expect_status 0 "--store with an endpoints.yml naming no store"
expect_out_has '"sender_id":"dave"' "the --store database is read"
expect_err_lacks "overrides" "no note when endpoints.yml has no tracker_store"
run env -u CONVO_TEST_DB "$convo" tracker list --endpoints endpoints.yml
expect_status 1 "unset variable"
expect_err_has "CONVO_TEST_DB" "names the unset variable"
expect_err_has "endpoints.yml:4" "with file and line"

# --- two writer processes on one conversation: nothing lost, batches whole ----------------------------
writer() {
  for i in $(seq 1 40); do
    printf '[{"event":"slot","name":"w","value":"%s-%s-a"},{"event":"slot","name":"w","value":"%s-%s-b"},{"event":"slot","name":"w","value":"%s-%s-c"}]' \
      "$1" "$i" "$1" "$i" "$1" "$i" | "$convo" events push shared --store conc.db -o json >/dev/null || echo "push failed" >&2
  done
}
# The conversation is started first: two processes that both find it empty would each start a
# session (a direct store has no lock across processes, as Rasa without a shared lock store).
"$convo" tracker put shared --store conc.db <<<'[{"event":"action","name":"action_session_start"},{"event":"session_started"},{"event":"action","name":"action_listen"}]' >/dev/null
writer A 2>w1.err & p1=$!
writer B 2>w2.err & p2=$!
wait $p1 $p2
expect_true '[ ! -s w1.err ] && [ ! -s w2.err ]' "no push failed under contention"
python3 - conc.db <<'PY' && ok || fail "240 events, every batch whole and in order"
import json, sqlite3, sys
rows = [json.loads(d) for (d,) in sqlite3.connect(sys.argv[1]).execute("SELECT data FROM events WHERE sender_id='shared' ORDER BY id")]
# The conversation's session start, once; the rest are the slots.
assert [r.get("name") for r in rows[:3]] == ["action_session_start", None, "action_listen"], rows[:3]
vals = [r["value"] for r in rows[3:]]
assert len(vals) == 240, len(vals)
for k in range(0, 240, 3):
    w, i, _ = vals[k].split("-")
    assert vals[k:k+3] == [f"{w}-{i}-a", f"{w}-{i}-b", f"{w}-{i}-c"], vals[k:k+3]
for w in "AB":
    seq = [int(v.split("-")[1]) for v in vals[::3] if v.startswith(w)]
    assert seq == list(range(1, 41)), seq
PY

# --- a writer killed mid-transaction leaves a consistent database -------------------------------------
python3 - big.ndjson <<'PY'
import json
with open("big.ndjson", "w") as f:
    for i in range(150000):
        f.write(json.dumps({"sender_id": "big", "event": "slot", "timestamp": 1700000000 + i, "name": "n", "value": i}) + "\n")
PY
"$convo" tracker put big --store crash.db <<<'[{"event":"slot","timestamp":1,"name":"n","value":-1}]' >/dev/null
caught=no
for delay in 0.4 0.25 0.15 0.6 0.9; do
  "$convo" tracker load big.ndjson --store crash.db >/dev/null 2>&1 & pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null && caught=yes
  wait "$pid" 2>/dev/null
  n=$(count crash.db)
  expect_true '[ "$n" = 1 ] || [ "$n" = 150001 ]' "after kill -9 the batch is all or nothing (rows: $n)"
  expect_true '[ "$(sqlite3 crash.db "PRAGMA integrity_check")" = ok ]' "integrity_check after kill -9"
  [ "$caught" = yes ] && [ "$n" = 1 ] && break
  "$convo" tracker put big --store crash.db <<<'[{"event":"slot","timestamp":1,"name":"n","value":-1}]' >/dev/null
done
expect_true '[ "$caught" = yes ]' "a writer was killed while running"
run "$convo" tracker get big --store crash.db -o json
expect_status 0 "the database is usable after the crash"


# --- a store command maps only what it uses ------------------------------------------------------------
# libpq, libcurl, libjwt, librdkafka, rabbitmq-c, libarchive and OpenSSL are opened by the first call
# into them; the server's libraries live in convo-serve, which `convo serve` becomes.
heavy='libpq|libcurl|libjwt|librdkafka|librabbitmq|libarchive|libcrypto|libssl|libcpp-httplib|libspdlog'
# Linked with the static C++ runtime (CMake says so; sanitizer builds keep the shared one), convo
# maps no C++ shared library either.
[ "${CONVO_STATIC_RUNTIME:-0}" = 1 ] && heavy="$heavy|libstdc\+\+|libyaml-cpp|libfmt"
needed=$(readelf -d "$convo" | grep NEEDED)
expect_true '! printf "%s" "$needed" | grep -qE "$heavy"' "convo links none of the broker, PostgreSQL, HTTP client, archive or server libraries (nor C++ ones: $CONVO_STATIC_RUNTIME)"
LD_DEBUG=files "$convo" events push carol --store convo.db <<<'{"event": "slot", "timestamp": 1700000200.5, "name": "city", "value": "Bern"}' 2>loaded.txt >/dev/null
expect_true '! grep -E "file=($heavy)" loaded.txt' "a SQLite push loads none of them"
expect_true 'grep -q "file=libsqlite3" loaded.txt' "it loads SQLite (the check sees what is loaded)"
"$convo" model build "$src/examples/bot" -o models --name bot.tar.gz >/dev/null 2>&1
LD_DEBUG=files "$convo" model inspect models/bot.tar.gz -o json 2>loaded.txt >/dev/null
expect_true 'grep -qE "file=libarchive.* dynamically loaded" loaded.txt' "a command that reads an archive loads libarchive on first use"
expect_true '[ -x "$(dirname "$convo")/convo-serve" ]' "convo-serve sits beside convo"
mkdir alone && cp "$convo" alone/convo
run alone/convo serve --store sqlite:///alone.db
expect_status 1 "convo serve without convo-serve beside it"
expect_err_has "alone/convo-serve" "names the program it looked for"
run alone/convo serve --port 0
expect_status 2 "its options are still checked first (usage error)"

finish
