#!/bin/sh
# Consumer and publisher benchmark (see bench/README.md): convo's event-stream consumers next to
# peers that only read, and the publishing throughput of `convo serve` with each event broker.
#   set-up:  N (1,000,000; first argument or EVENTS) events of convo_bench_gen, cut into CONV (1000)
#            conversations and interleaved, as Rasa's brokers send them (bench/consume/shape.py:
#            json.dumps with sender_id first, ~320 bytes per body); a librdkafka mock cluster
#            (tests/convo_kafka_mock, PARTITIONS partitions, N/4000 by default: it keeps ~5 MB per
#            partition) filled with `kcat -P -K` (key = sender_id); a throwaway RabbitMQ node
#            (tests/support/rabbitmq.sh) with two durable queues, both filled with the first
#            AMQP_EVENTS (200,000) bodies through one fanout exchange (persistent messages).
#   timed:   kafka: `kcat -C -e -o beginning > /dev/null`, `convo consume-kafka -e --offset
#            beginning -o ndjson > /dev/null` (transport and decoding, no store) and `convo
#            consume-kafka -e --offset beginning --store sqlite:///...` (a fresh database);
#            amqp: `convo consume-amqp -e --store sqlite:///...` of one queue, and the peer of
#            the other: python3-pika basic_consume, prefetch 1000, ack multiple every 500 (tools.py);
#            serve: REQUESTS (100) POSTs of PER_REQUEST (100) events, THREADS (4) at a time, to
#            `convo serve --endpoints` (tracker_store sql), until GET /status shows the outbox
#            empty and every event published; with no broker (the baseline: until the last
#            answer), the kafka broker (mock cluster) and the pika broker (RabbitMQ).
# Every figure is one run's wall time (these runs are long; repeat the script to see the spread).
# Checks, untimed: kcat and both convo consumers see N messages, both stores hold N (AMQP_EVENTS)
# rows of CONV conversations; each serve store holds the posted events plus the session starts of
# the new conversations, and /status, the topic or the queue counts as many published.
# Prints a table and one machine-readable JSON line (the last). Run from the repository root after
# `make build`; needs kcat, sqlite3, rabbitmq-server and /usr/bin/python3 with pika. Environment:
# BUILD_DIR (build), EVENTS, CONV, PARTITIONS, AMQP_EVENTS, REQUESTS, PER_REQUEST, THREADS.
set -eu

BUILD_DIR=${BUILD_DIR:-build}
EVENTS=${1:-${EVENTS:-1000000}}
CONV=${CONV:-1000}
AMQP_EVENTS=${AMQP_EVENTS:-200000}
REQUESTS=${REQUESTS:-100}
PER_REQUEST=${PER_REQUEST:-100}
THREADS=${THREADS:-4}
for n in "$EVENTS" "$CONV" "$AMQP_EVENTS" "$REQUESTS" "$PER_REQUEST" "$THREADS"; do
  case $n in '' | *[!0-9]* | 0) echo "run.sh: N, CONV, AMQP_EVENTS, REQUESTS, PER_REQUEST and THREADS must be positive integers" >&2; exit 2 ;; esac
done
[ "$AMQP_EVENTS" -le "$EVENTS" ] || AMQP_EVENTS=$EVENTS
[ $((REQUESTS * PER_REQUEST)) -le "$EVENTS" ] || { echo "run.sh: REQUESTS * PER_REQUEST must be at most N" >&2; exit 2; }
PARTITIONS=${PARTITIONS:-$(( EVENTS / 4000 < 8 ? 8 : EVENTS / 4000 ))}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
rmq=$root/tests/support/rabbitmq.sh
case $BUILD_DIR in /*) ;; *) BUILD_DIR="$PWD/$BUILD_DIR" ;; esac
convo=$BUILD_DIR/apps/convo/convo
gen=$BUILD_DIR/bench/tracker/convo_bench_gen
mock=$BUILD_DIR/tests/convo_kafka_mock
for exe in "$convo" "$gen" "$mock"; do
  [ -x "$exe" ] || { echo "run.sh: $exe not found: run 'make build' first (or set BUILD_DIR)" >&2; exit 1; }
done
for tool in kcat sqlite3 curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool not found (apt-get install kcat sqlite3 curl)" >&2; exit 1; }
done
"$py" -c 'import pika' 2>/dev/null || { echo "run.sh: $py lacks pika (apt-get install python3-pika)" >&2; exit 1; }
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || { echo "run.sh: rabbitmq-server is not installed" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/convo-bench-consume.XXXXXX")
chmod 0755 "$tmp"  # RabbitMQ's user must reach $tmp/rabbit
mock_pid=
serve_pid=
rabbit=
. "$here/../lib.sh"  # stop PID
cleanup() {
  stop "$serve_pid"
  stop "$mock_pid"
  [ -z "$rabbit" ] || sh "$rmq" stop "$rabbit" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s.%N; }
# timed NAME COMMAND: runs the shell command line COMMAND once, appends "NAME wall_s" to results.
timed() {
  t_0=$(now)
  if ! sh -c "$2"; then echo "run.sh: '$1' failed: $2" >&2; exit 1; fi
  t_1=$(now)
  awk -v n="$1" -v a="$t_0" -v b="$t_1" 'BEGIN { printf "%s %.6f\n", n, b - a }' >>"$tmp/results"
}
record() { echo "$1 $2" >>"$tmp/results"; }
last_seconds() { awk '$1 == "seconds" { s = $2 } END { print s }' "$1"; }
field() { "$py" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
check() {  # check WHAT GOT WANT
  [ "$2" = "$3" ] || { echo "run.sh: $1: got $2, expected $3" >&2; exit 1; }
}
rows() { sqlite3 "$1" "SELECT count(*) || ' ' || count(DISTINCT sender_id) FROM events"; }

echo "host: $(nproc 2>/dev/null || echo '?') cores, $(uname -srm), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')
if [ "$rev" != '?' ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then rev="$rev+dirty"; fi
echo "convo $rev ($convo), $(kcat -V 2>&1 | head -n 1)"
: >"$tmp/results"

# --- set-up (untimed) ---------------------------------------------------------------------------
echo "generating $EVENTS events in $CONV conversations ..."
"$gen" "$EVENTS" "$tmp/events.json" >/dev/null
set -- $("$py" "$here/shape.py" "$tmp/events.json" "$CONV" "$tmp/msgs.tsv")
body_bytes=$2
rm -f "$tmp/events.json"

mkfifo "$tmp/mock.in"
"$mock" --topic events:"$PARTITIONS" --topic published:8 <"$tmp/mock.in" >"$tmp/mock.out" 2>"$tmp/mock.err" &
mock_pid=$!
exec 9>"$tmp/mock.in"  # the mock runs until this is closed (or SIGTERM)
i=0
while [ ! -s "$tmp/mock.out" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
brokers=$(head -n 1 "$tmp/mock.out")
[ -n "$brokers" ] || { echo "run.sh: the Kafka mock did not start: $(cat "$tmp/mock.err")" >&2; exit 1; }
kcat -P -b "$brokers" -t events -K '\t' -l "$tmp/msgs.tsv"
check "messages in the topic" "$(kcat -C -b "$brokers" -t events -e -o beginning -q | wc -l | tr -d ' ')" "$EVENTS"

# --- kafka ----------------------------------------------------------------------------------------
echo "timing Kafka consumers ($EVENTS messages, $PARTITIONS partitions) ..."
timed kcat "kcat -C -b '$brokers' -t events -e -o beginning -q > /dev/null"
timed kafka_ndjson "'$convo' consume-kafka --brokers '$brokers' --topic events -e --offset beginning -o ndjson 2>/dev/null | wc -l > '$tmp/ndjson.count'"
check "consume-kafka -o ndjson lines" "$(tr -d ' ' <"$tmp/ndjson.count")" "$EVENTS"
timed kafka_store "'$convo' consume-kafka --brokers '$brokers' --topic events -e --offset beginning --store 'sqlite:///$tmp/kafka.db' -o json > '$tmp/kafka.json'"
check "consume-kafka stored" "$(field "$tmp/kafka.json" stored)" "$EVENTS"
check "kafka.db rows and conversations" "$(rows "$tmp/kafka.db")" "$EVENTS $CONV"

# --- amqp -----------------------------------------------------------------------------------------
echo "filling RabbitMQ with $AMQP_EVENTS messages (two queues) ..."
mkdir "$tmp/rabbit"
rabbit=$tmp/rabbit
port=$(sh "$rmq" start "$rabbit")
"$py" "$here/tools.py" amqp-fill "$port" bench-fill "$tmp/msgs.tsv" "$AMQP_EVENTS" q_convo q_pika >"$tmp/fill.out"
echo "timing AMQP consumers ..."
timed amqp_store "'$convo' consume-amqp --url 'amqp://guest:guest@127.0.0.1:$port/' --queue q_convo -e --store 'sqlite:///$tmp/amqp.db' -o json > '$tmp/amqp.json'"
check "consume-amqp stored" "$(field "$tmp/amqp.json" stored)" "$AMQP_EVENTS"
amqp_conv=$((AMQP_EVENTS < CONV ? AMQP_EVENTS : CONV))
check "amqp.db rows and conversations" "$(rows "$tmp/amqp.db")" "$AMQP_EVENTS $amqp_conv"
timed pika_ack "'$py' '$here/tools.py' amqp-ack '$port' q_pika '$AMQP_EVENTS' > '$tmp/pika.out'"
check "pika consumer messages" "$(awk '$1 == "messages" { print $2 }' "$tmp/pika.out")" "$AMQP_EVENTS"

# --- serve publishing -------------------------------------------------------------------------------
K=$((REQUESTS * PER_REQUEST))
# serve_run NAME [BROKER_YAML]: a fresh store, serve on a free port, the POST load; records NAME.
serve_run() {
  {
    printf 'tracker_store:\n  type: sql\n  db: %s\n' "$tmp/serve_$1.db"
    [ -z "${2:-}" ] || printf '%s\n' "$2"
  } >"$tmp/$1.yml"
  s_port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$convo" serve --enable-api -i 127.0.0.1 -p "$s_port" --endpoints "$tmp/$1.yml" --log-level warn \
    --log-file "$tmp/serve_$1.log" >"$tmp/serve_$1.out" 2>&1 &
  serve_pid=$!
  if ! "$convo" status --url "http://127.0.0.1:$s_port" --wait 10s -o json >"$tmp/serve_$1.status" 2>&1; then
    echo "run.sh: convo serve ($1) did not start: $(cat "$tmp/serve_$1.out" "$tmp/serve_$1.log")" >&2
    exit 1
  fi
  "$py" "$here/tools.py" post "http://127.0.0.1:$s_port" "$tmp/msgs.tsv" "$REQUESTS" "$PER_REQUEST" "$THREADS" >"$tmp/post_$1.out" 2>"$tmp/post_$1.err" || {
    s_rc=0; wait "$serve_pid" 2>/dev/null || s_rc=$?
    echo "run.sh: serve ($1) FAILED (convo serve exit status $s_rc): $(tail -n 1 "$tmp/post_$1.err")" >&2
    serve_pid=; record "serve_$1" -; record "posted_$1" -; stored=-; return 0; }
  [ ! -s "$tmp/post_$1.err" ] || { echo "run.sh: serve ($1): GET /status failed now and then:" >&2; sort "$tmp/post_$1.err" | uniq -c >&2; }
  kill -0 "$serve_pid" 2>/dev/null || { echo "run.sh: convo serve ($1) exited: $(tail -n 5 "$tmp/serve_$1.log")" >&2; exit 1; }
  record "serve_$1" "$(last_seconds "$tmp/post_$1.out")"
  record "posted_$1" "$(awk '$1 == "posted" { print $2 }' "$tmp/post_$1.out")"
  stop "$serve_pid"
  serve_pid=
  stored=$(sqlite3 "$tmp/serve_$1.db" 'SELECT count(*) FROM events')
  # A new conversation also gets Rasa's session start (action_session_start, session_started,
  # action_listen): more rows than posted events, and every one of them is published.
  [ "$stored" -ge "$K" ] || { echo "run.sh: serve ($1) stored $stored events, posted $K" >&2; exit 1; }
  [ -z "${2:-}" ] || check "serve ($1) published" "$(awk '$1 == "published" { print $2 }' "$tmp/post_$1.out")" "$stored"
}
echo "timing convo serve publishing ($REQUESTS x $PER_REQUEST events, $THREADS clients) ..."
serve_run none
serve_run kafka "event_broker:
  type: kafka
  url: [$brokers]
  topic: published
  partition_by_sender: true
  security_protocol: PLAINTEXT"
[ "$stored" = - ] || check "messages in the published topic" "$(kcat -C -b "$brokers" -t published -e -o beginning -q | wc -l | tr -d ' ')" "$stored"
serve_run pika "event_broker:
  type: pika
  url: 127.0.0.1
  port: $port
  username: guest
  password: guest
  queues:
    - published"
[ "$stored" = - ] || check "messages in the published queue" "$(sh "$rmq" ctl "$rabbit" list_queues name messages | awk '$1 == "published" { print $2 }')" "$stored"

# --- report -------------------------------------------------------------------------------------
awk -v n="$EVENTS" -v an="$AMQP_EVENTS" -v k="$K" -v conv="$CONV" -v parts="$PARTITIONS" \
    -v bbytes="$body_bytes" -v req="$REQUESTS" -v per="$PER_REQUEST" -v thr="$THREADS" '
  { t[$1] = $2 }
  function num(x) { return x == "-" ? "null" : x }
  function over(n) { return t[n] == "-" ? "null" : sprintf("%.3f", t[n] / t["serve_none"]) }
  function row(label, name, events, what) {
    if (t[name] == "-") { printf "%-40s %9s %12s  %s\n", label, "FAILED", "-", "see the messages above"; return }
    printf "%-40s %9.3f %12.0f  %s\n", label, t[name], events / t[name], what
  }
  END {
    printf "\n%d events in %d conversations, %.0f bytes per body; Kafka: %d partitions; AMQP: %d events\n",
           n, conv, bbytes / n, parts, an
    printf "%-40s %9s %12s  %s\n", "operation", "wall s", "events/s", "notes"
    row("kcat -C -e > /dev/null (peer)", "kcat", n, "reads only")
    row("convo consume-kafka -o ndjson", "kafka_ndjson", n, sprintf("no store; %.2fx kcat", t["kafka_ndjson"] / t["kcat"]))
    row("convo consume-kafka --store sqlite", "kafka_store", n, sprintf("fresh db; %.2fx kcat", t["kafka_store"] / t["kcat"]))
    row("python3-pika ack-only consumer (peer)", "pika_ack", an, "prefetch 1000, ack multiple")
    row("convo consume-amqp --store sqlite", "amqp_store", an, sprintf("fresh db; %.2fx pika", t["amqp_store"] / t["pika_ack"]))
    row("convo serve, no broker (baseline)", "serve_none", k, sprintf("%d x %d events, %d clients", req, per, thr))
    row("convo serve, kafka broker", "serve_kafka", k, t["serve_kafka"] == "-" ? "" : sprintf("until published; %.2fx baseline (POSTs done %.3f s)", t["serve_kafka"] / t["serve_none"], t["posted_kafka"]))
    row("convo serve, pika broker", "serve_pika", k, t["serve_pika"] == "-" ? "" : sprintf("until published; %.2fx baseline (POSTs done %.3f s)", t["serve_pika"] / t["serve_none"], t["posted_pika"]))
    printf "(one run each; events/s = events / wall s; ratios are wall-time ratios, >1 = slower than the peer)\n\n"
    printf "{\"events\":%d,\"conversations\":%d,\"body_bytes\":%d,\"partitions\":%d,\"amqp_events\":%d,\"serve_events\":%d,", n, conv, bbytes, parts, an, k
    printf "\"kcat_s\":%.6f,\"kafka_ndjson_s\":%.6f,\"kafka_store_s\":%.6f,\"pika_ack_s\":%.6f,\"amqp_store_s\":%.6f,", t["kcat"], t["kafka_ndjson"], t["kafka_store"], t["pika_ack"], t["amqp_store"]
    printf "\"serve_none_s\":%s,\"serve_kafka_s\":%s,\"serve_pika_s\":%s,", num(t["serve_none"]), num(t["serve_kafka"]), num(t["serve_pika"])
    printf "\"kafka_store_over_kcat\":%.3f,\"kafka_ndjson_over_kcat\":%.3f,\"amqp_store_over_pika\":%.3f,", t["kafka_store"] / t["kcat"], t["kafka_ndjson"] / t["kcat"], t["amqp_store"] / t["pika_ack"]
    printf "\"serve_kafka_over_none\":%s,\"serve_pika_over_none\":%s}\n", over("serve_kafka"), over("serve_pika")
  }' "$tmp/results"
