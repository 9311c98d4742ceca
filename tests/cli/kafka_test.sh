#!/usr/bin/env bash
# Kafka end to end over the real wire protocol (librdkafka's mock cluster as a process):
# `convo serve` publishes what python3-kafka's KafkaConsumer reads, keyed and partitioned as
# Rasa's Java-compatible partitioner places them; `convo consume-kafka` stores what kcat produced
# in Rasa's shape; kill -9 of the consumer at random points over a 100,000-event stream never
# loses or doubles an event; `convo export` reaches Kafka.
# Usage: kafka_test.sh CONVO_BINARY KAFKA_MOCK_BINARY
set -u
convo=$(realpath "$1")
mock=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export NO_COLOR=1
unset CONVO_STORE CONVO_URL CONVO_TOKEN CONVO_JWT RASA_ENVIRONMENT
py=/usr/bin/python3
cd "$tmp" || exit 1
mock_pid=""
cleanup() {
  for p in $server_pids $mock_pid; do kill -9 "$p" 2>/dev/null; done
  cd / && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$here/serve_lib.sh"
. "$here/consumer_lib.sh"

mkfifo mock.in
"$mock" --topic rasa_events:6 --topic incoming:3 --topic stream:8 --topic exported:1 <mock.in >mock.out 2>mock.err &
mock_pid=$!
exec 9>mock.in  # the mock runs until this is closed
for i in $(seq 100); do [ -s mock.out ] && break; sleep 0.1; done
brokers=$(head -n 1 mock.out)
[ -n "$brokers" ] || { echo "kafka_test: the mock cluster did not start: $(cat mock.err)" >&2; exit 1; }


# --- serve publishes; KafkaConsumer reads Rasa's bodies, keyed and placed like Rasa's producer ---
cat >kafka.yml <<YML
tracker_store:
  type: sql
  db: live.db
event_broker:
  type: kafka
  url: [$brokers]
  topic: rasa_events
  partition_by_sender: true
  security_protocol: PLAINTEXT
  client_id: convo-test
YML
start_server k --endpoints kafka.yml
for i in $(seq 0 39); do
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' "$k_url/conversations/user-$((i % 13))/tracker/events" \
    -d "{\"event\":\"slot\",\"timestamp\":$((1628000000 + i)),\"name\":\"n\",\"value\":\"é$i\"}"
done
expect_true 'wait_outbox k 0' "the outbox drains into Kafka"
expect_true '[ "$(status_field k state)" = connected ]' "/status: connected"
"$py" - "$brokers" live.db <<'PY' && ok || fail "KafkaConsumer reads each stored event once, key = sender_id, murmur2 partition, no headers, order per conversation"
import json, sqlite3, sys
from kafka import KafkaConsumer
from kafka.partitioner.default import murmur2
consumer = KafkaConsumer("rasa_events", bootstrap_servers=sys.argv[1], auto_offset_reset="earliest",
                         consumer_timeout_ms=5000, group_id=None)
got = {}
n = 0
for m in consumer:
    body = m.value.decode()
    sid = json.loads(body)["sender_id"]
    assert m.key == sid.encode(), (m.key, sid)
    assert m.partition == (murmur2(m.key) & 0x7fffffff) % 6, (sid, m.partition)
    assert not m.headers, m.headers
    got.setdefault(sid, []).append(body)
    n += 1
rows = sqlite3.connect(sys.argv[2]).execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
want = {}
for s, d in rows:
    want.setdefault(s, []).append(json.dumps({"sender_id": s, **json.loads(d)}))
assert got == want and n == len(rows), (n, len(rows))
PY
stop_server k

# --- consume-kafka: what kcat produced in Rasa's shape, malformed messages, stored offsets ---
cat >incoming.txt <<'MSG'
{"sender_id": "zoe", "event": "action", "timestamp": 1628200000.1, "name": "action_listen", "policy": null, "confidence": null}
{"event": "user", "timestamp": 1628200001, "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}, "entities": []}, "sender_id": "zoe"}
not json at all
{"event": "bot", "timestamp": 1628200002}
{"sender_id": "yan", "event": "bot", "timestamp": 1628200003, "text": "yo"}
MSG
kcat -P -b "$brokers" -t incoming -p 0 -l incoming.txt
run "$convo" consume-kafka --brokers "$brokers" --topic incoming -e --store sqlite:///consumed.db -o json
expect_status 0 "consume-kafka -e ends at the end of the topic"
expect_out_has '"stored":3' "three events stored"
expect_out_has '"malformed":2' "two malformed messages rejected"
run "$convo" tracker get zoe --store sqlite:///consumed.db --all-sessions -o json
expect_true 'echo "$out" | "$py" -c "import json,sys; e=json.load(sys.stdin)[\"events\"]; assert [x[\"event\"] for x in e] == [\"action\", \"user\"]"' \
  "convo tracker get replays the consumed conversation"
expect_true '[ "$(sqlite3 consumed.db "select next_offset from convo_kafka_offsets where topic = '"'"'incoming'"'"' and partition = 0")" = 5 ]' \
  "the next offset is stored with the events"
run "$convo" consume-kafka --brokers "$brokers" --topic incoming -e --store sqlite:///consumed.db -o json
expect_out_has '"messages":0' "a second run resumes after the stored offset"
run "$convo" consume-kafka --brokers "$brokers" --topic incoming -e --store sqlite:///consumed.db --offset beginning -o json
expect_out_has '"duplicates":3' "--offset beginning re-reads, and stored events are skipped"
expect_true '[ "$(sqlite3 consumed.db "select count(*) from events")" -eq 3 ]' "no second row for any event"
run "$convo" consume-kafka --brokers "$brokers" --topic incoming -e -o ndjson --offset beginning -c 2
expect_true '[ "$(printf "%s\n" "$out" | grep -c sender_id)" -eq 2 ]' "-o ndjson -c 2 prints two events"
run "$convo" consume-kafka --brokers 127.0.0.1:1 --topic t -e --retry-for 1s --batch-wait 100ms --store sqlite:///never.db
expect_status 5 "an unreachable cluster with -e exits 5"
expect_true '[ ! -e never.db ] && [ ! -e never.db-wal ] && [ ! -e never.db-shm ]' "and leaves no database file behind"

# --- kill -9 at random points over 100,000 events: each stored once, in order per conversation ---
"$py" - <<'PY'
import json
with open("stream.txt", "w") as f:
    for i in range(100000):
        s = f"s{i % 97}"
        f.write(s + "\t" + json.dumps({"sender_id": s, "event": "slot", "timestamp": 1628300000 + i, "name": "n", "value": i}) + "\n")
PY
kcat -P -b "$brokers" -t stream -K $'\t' -X partitioner=murmur2_random -l stream.txt
crash_until_done crash.db 100000 "$convo" consume-kafka --brokers "$brokers" --topic stream -e --batch 2000 --store sqlite:///crash.db -o json

# --- export to Kafka ---
printf 'event_broker:\n  type: kafka\n  url: %s\n  topic: exported\n  security_protocol: PLAINTEXT\n' "$brokers" >export.yml
run "$convo" export --endpoints export.yml --store sqlite:///consumed.db -o json
expect_status 0 "export to Kafka"
"$py" - "$brokers" <<'PY' && ok || fail "exported to Kafka: sender_id last, one export id header per run"
import json, sys
from kafka import KafkaConsumer
c = KafkaConsumer("exported", bootstrap_servers=sys.argv[1], auto_offset_reset="earliest", consumer_timeout_ms=5000)
msgs = list(c)
assert len(msgs) == 3
assert all(list(json.loads(m.value))[-1] == "sender_id" for m in msgs)
ids = {dict(m.headers)["rasa-export-process-id"] for m in msgs}
assert len(ids) == 1
PY

exec 9>&-  # the mock exits on EOF
wait "$mock_pid" 2>/dev/null
mock_pid=""
finish
