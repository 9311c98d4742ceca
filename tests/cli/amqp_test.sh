#!/usr/bin/env bash
# RabbitMQ end to end, against a real rabbitmq-server started here: `convo serve` publishes what
# the python3-pika consumer of Rasa's event-broker docs receives; `convo consume-amqp` stores
# what amqp-publish sends in Rasa's shape; `convo export` adds Rasa's export header; a broker
# outage while serve takes 1,000 events loses and doubles nothing; kill -9 of the consumer at
# random points never loses or doubles a stored event.
# Usage: amqp_test.sh CONVO_BINARY SOURCE_DIR
set -u
convo=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export NO_COLOR=1
unset CONVO_STORE CONVO_URL CONVO_TOKEN CONVO_JWT RASA_ENVIRONMENT
py=/usr/bin/python3
rmq=$src/tests/support/rabbitmq.sh
chmod 0755 "$tmp"
cd "$tmp" || exit 1
mkdir rabbit
cleanup() {
  for p in $server_pids $consumer_pids; do kill -9 "$p" 2>/dev/null; done
  sh "$rmq" stop "$tmp/rabbit" >/dev/null 2>&1
  cd / && rm -rf "$tmp"
}
consumer_pids=""
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$here/serve_lib.sh"
. "$here/consumer_lib.sh"

port=$(sh "$rmq" start "$tmp/rabbit") || { echo "amqp_test: RabbitMQ did not start" >&2; exit 1; }
amqp=amqp://guest:guest@127.0.0.1:$port/
# amqp-tools read an empty vhost from a trailing "/": give them the URL without it.
tools_url=amqp://guest:guest@127.0.0.1:$port

# pika_drain QUEUE N [SECONDS]: Rasa's documented consumer (pika, basic_consume with a callback) until N
# messages arrived or SECONDS (20) passed; one JSON line per message: body, headers, properties.
pika_drain() {
  "$py" - "$port" "$@" <<'PY'
import json, sys, pika
port, queue, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
limit = float(sys.argv[4]) if len(sys.argv) > 4 else 20
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port, credentials=pika.PlainCredentials("guest", "guest")))
ch = conn.channel()
got = []
def _callback(ch, method, properties, body):
    got.append({"body": body.decode(), "headers": properties.headers, "delivery_mode": properties.delivery_mode,
                "content_type": properties.content_type, "app_id": properties.app_id})
    ch.basic_ack(method.delivery_tag)
    if len(got) >= n:
        ch.stop_consuming()
ch.basic_consume(queue=queue, on_message_callback=_callback)
conn.call_later(limit, ch.stop_consuming)
ch.start_consuming()
for g in got:
    print(json.dumps(g))
PY
}


# --- serve publishes Rasa's messages; Rasa's documented pika consumer reads them ---
cat >pika.yml <<YML
tracker_store:
  type: sql
  db: live.db
event_broker:
  type: pika
  url: 127.0.0.1
  port: $port
  username: guest
  password: guest
  queues:
    - rasa_events
    - analytics
YML
RASA_ENVIRONMENT=staging start_server p --endpoints pika.yml
expect_true '[ "$(status_field p state)" = connected ]' "serve connects to RabbitMQ"
expect_true '[ "$(post "$p_url" alice '"'"'[{"event":"slot","timestamp":1628000000.5,"name":"city","value":"Zürich"},{"event":"bot","timestamp":1628000001,"text":"hi"}]'"'"')" = 200 ]' "events posted"
expect_true 'wait_outbox p 0' "the outbox drains into RabbitMQ"
pika_drain rasa_events 5 >live.jsonl
"$py" - live.jsonl live.db <<'PY' && ok || fail "pika receives Rasa's bodies, persistent, empty headers, no content type, app_id from RASA_ENVIRONMENT"
import json, sqlite3, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
rows = sqlite3.connect(sys.argv[2]).execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
assert [m["body"] for m in msgs] == [json.dumps({"sender_id": s, **json.loads(d)}) for s, d in rows], msgs
for m in msgs:
    assert m["delivery_mode"] == 2 and m["headers"] == {} and m["content_type"] is None and m["app_id"] == "staging", m
PY
expect_true '[ "$(pika_drain analytics 5 | wc -l)" -eq 5 ]' "every queue in queues gets a copy"
run sh "$rmq" ctl "$tmp/rabbit" list_exchanges name type durable
expect_out_has "rasa-exchange	fanout	false" "the exchange is Rasa's: fanout, not durable"
run sh "$rmq" ctl "$tmp/rabbit" list_queues name durable
expect_out_has "rasa_events	true" "queues are durable"

echo "amqp_test: ${SECONDS}s" >&2
# --- outage: RabbitMQ stops while serve takes 1,000 events; all arrive once after the restart ---
"$py" - <<'PY'
import json
for i in range(100):
    json.dump([{"event": "slot", "timestamp": 1628100000 + i * 10 + j, "name": "n", "value": i * 10 + j} for j in range(10)],
              open(f"batch{i}.json", "w"))
PY
before=$(sqlite3 live.db "select count(*) from events")
codes=""
for i in $(seq 0 99); do
  [ "$i" -eq 30 ] && sh "$rmq" stop "$tmp/rabbit"
  codes="$codes$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    "$p_url/conversations/out$((i % 7))/tracker/events" --data-binary @"batch$i.json") "
done
expect_true '[ "$(echo $codes | tr " " "\n" | sort -u)" = 200 ]' "serve answers every request while RabbitMQ is down"
added=$(( $(sqlite3 live.db "select count(*) from events") - before ))
expect_true '[ "$(status_field p state)" = disconnected ]' "/status shows the broker down"
expect_true '[ "$(status_field p outbox)" -gt 0 ]' "/status shows the outbox growing"
sh "$rmq" restart "$tmp/rabbit" >/dev/null
expect_true 'wait_outbox p 0' "the outbox drains after the restart"
expect_true '[ "$(status_field p state)" = connected ]' "serve reconnects by itself"
pika_drain rasa_events $((added + 10)) 4 >outage.jsonl
"$py" - outage.jsonl live.db "$before" <<'PY' && ok || fail "after the outage each of the 1,000 events arrived exactly once, in store order"
import json, sqlite3, sys
bodies = [json.loads(l)["body"] for l in open(sys.argv[1])]
rows = sqlite3.connect(sys.argv[2]).execute("SELECT sender_id, data FROM events ORDER BY id LIMIT -1 OFFSET ?", (int(sys.argv[3]),)).fetchall()
want = [json.dumps({"sender_id": s, **json.loads(d)}) for s, d in rows]
assert sum(1 for w in want if '"name": "n"' in w) == 1000
assert bodies == want, (len(bodies), len(want))
PY
stop_server p

echo "amqp_test: ${SECONDS}s" >&2
# --- consume-amqp: messages in Rasa's shape from amqp-publish, malformed ones, redelivery ---
amqp-declare-queue -u "$tools_url" -d -q incoming >/dev/null
pub() { amqp-publish -u "$tools_url" -r incoming -p -b "$1"; }
pub '{"sender_id": "zoe", "event": "action", "timestamp": 1628200000.1, "name": "action_listen", "policy": null, "confidence": null}'
pub '{"event": "user", "timestamp": 1628200001, "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}, "entities": []}, "sender_id": "zoe"}'
pub 'this is not json'
pub '{"event": "bot", "timestamp": 1628200002}'
pub '{"sender_id": "zoe", "event": "user", "timestamp": 1628200001.5, "text": "x", "parse_data": "not an object"}'
pub '{"sender_id": "yan", "event": "bot", "timestamp": 1628200003, "text": "yo"}'
run "$convo" consume-amqp --url "$amqp" --queue incoming -e --store sqlite:///consumed.db -o json
expect_status 0 "consume-amqp -e ends at the end of the queue"
expect_out_has '"stored":3' "three events stored"
expect_out_has '"malformed":3' "three malformed messages rejected"
run "$convo" tracker get zoe --store sqlite:///consumed.db --all-sessions -o json
expect_true 'echo "$out" | "$py" -c "import json,sys; e=json.load(sys.stdin)[\"events\"]; assert [x[\"event\"] for x in e] == [\"action\", \"user\"]"' \
  "convo tracker get replays the consumed conversation"
expect_true '[ "$(sqlite3 consumed.db "select count(*) from convo_dead_letters")" -eq 3 ]' "malformed messages are in the dead-letter table"
expect_true 'sqlite3 consumed.db "select reason from convo_dead_letters" | grep -q "no sender_id"' "dead letters carry the reason"
expect_true '[ "$(sqlite3 consumed.db "select count(*) from events where data like '"'"'%sender_id%'"'"'")" -eq 0 ]' \
  "rows hold the event without sender_id, as Rasa's store does"
pub '{"sender_id": "yan", "event": "bot", "timestamp": 1628200003, "text": "yo"}'
run "$convo" consume-amqp --url "$amqp" --queue incoming -e --store sqlite:///consumed.db -o json
expect_out_has '"duplicates":1' "a message delivered again is skipped"
expect_true '[ "$(sqlite3 consumed.db "select count(*) from events")" -eq 3 ]' "and makes no second row"
run "$convo" consume-amqp --url amqp://guest:guest@127.0.0.1:1/ --queue q -e --batch-wait 50ms --retry-for 1s --store sqlite:///never.db
expect_status 5 "an unreachable broker with -e exits 5"
expect_true '[ ! -e never.db ] && [ ! -e never.db-wal ] && [ ! -e never.db-shm ]' "and leaves no database file behind"
run "$convo" consume-amqp --url amqp://guest:guest@127.0.0.1:1/ --queue q -e --batch-wait 50ms --retry-for 1s --store sqlite:///consumed.db
expect_true '[ "$(sqlite3 consumed.db "select count(*) from events")" -eq 3 ]' "an existing database is kept as it was"

echo "amqp_test: ${SECONDS}s" >&2
# --- export: Rasa's export header, sender_id last ---
printf 'event_broker:\n  type: pika\n  url: %s\n  username: x\n  password: y\n  queues: [exported]\n' "$amqp" >export.yml
run "$convo" export --endpoints export.yml --store sqlite:///consumed.db -o json
expect_status 0 "export to RabbitMQ"
pika_drain exported 3 >exported.jsonl
"$py" - exported.jsonl <<'PY' && ok || fail "exported messages: one 32-hex rasa-export-process-id for the run, sender_id last"
import json, re, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
assert len(msgs) == 3
ids = {m["headers"]["rasa-export-process-id"] for m in msgs}
assert len(ids) == 1 and re.fullmatch("[0-9a-f]{32}", ids.pop())
for m in msgs:
    assert list(json.loads(m["body"]))[-1] == "sender_id"
PY

echo "amqp_test: ${SECONDS}s" >&2
# --- kill -9 the consumer at random points: each event stored once, in order per conversation ---
"$py" - "$port" <<'PY'
import json, pika
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", int(__import__("sys").argv[1])))
ch = conn.channel()
ch.queue_declare("stream", durable=True)
for i in range(20000):
    body = {"sender_id": f"s{i % 50}", "event": "slot", "timestamp": 1628300000 + i, "name": "n", "value": i}
    ch.basic_publish("", "stream", json.dumps(body), pika.BasicProperties(delivery_mode=2))
conn.close()
PY
crash_until_done crash.db 20000 "$convo" consume-amqp --url "$amqp" --queue stream -e --batch 700 --store sqlite:///crash.db -o json

# --- follow mode through a broker restart, then SIGTERM: everything stored once, exit 0 ---
publish_range() {
  "$py" - "$port" "$1" "$2" <<'PY2'
import json, sys, pika
port, lo, hi = map(int, sys.argv[1:])
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port))
ch = conn.channel()
ch.queue_declare("follow", durable=True)
for i in range(lo, hi):
    body = {"sender_id": f"f{i % 5}", "event": "slot", "timestamp": 1628400000 + i, "name": "n", "value": i}
    ch.basic_publish("", "follow", json.dumps(body), pika.BasicProperties(delivery_mode=2))
conn.close()
PY2
}
publish_range 0 500
"$convo" consume-amqp --url "$amqp" --queue follow --batch 50 --store sqlite:///follow.db -o json >follow.out 2>follow.err &
follow_pid=$!
consumer_pids="$consumer_pids $follow_pid"
for i in $(seq 100); do [ "$(sqlite3 follow.db "select count(*) from events" 2>/dev/null)" = 500 ] && break; sleep 0.1; done
sh "$rmq" restart "$tmp/rabbit" >/dev/null
publish_range 500 1000
for i in $(seq 200); do [ "$(sqlite3 follow.db "select count(*) from events" 2>/dev/null)" = 1000 ] && break; sleep 0.1; done
kill -TERM "$follow_pid"
wait "$follow_pid"
follow_status=$?
expect_true '[ "$follow_status" -eq 0 ]' "SIGTERM ends a following consumer with exit 0"
expect_true 'grep -q "\"stored\":" follow.out' "a summary is printed at the end"
"$py" - follow.db <<'PY2' && ok || fail "the consumer followed the stream through a RabbitMQ restart: 1,000 events, each once"
import json, sqlite3, sys
values = [json.loads(d)["value"] for (d,) in sqlite3.connect(sys.argv[1]).execute("SELECT data FROM events ORDER BY id")]
assert sorted(values) == list(range(1000)), (len(values), len(set(values)))
PY2

finish
