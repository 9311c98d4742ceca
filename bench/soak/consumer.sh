#!/bin/sh
# Consumer memory (not a test): one `convo consume-kafka --store sqlite` follows a topic of MAX
# (1M) events from its beginning to its end, and its RSS is sampled as it goes: the RSS when the
# database first holds each of COUNTS (10k, 100k, 1M) events, and the peak. A consumer that
# follows a stream for days must hold its memory flat: the goal is the RSS at each later count
# within 10% of the first (the warm-up). kcat reading the same topic to its end is shown beside
# (its peak RSS, /usr/bin/time).
#   set-up: MAX Rasa-shaped events (convo_bench_gen, bench/consume/shape.py, CONV conversations)
#           in librdkafka's mock cluster (MAX/4000 partitions, at least 8).
# Prints a table and one JSON line last. Run from the repository root after `make build`; needs
# kcat, sqlite3 and /usr/bin/time. Environment: BUILD_DIR (build), COUNTS ("10000 100000 1000000";
# the largest is MAX), CONV (1000).
set -eu
BUILD_DIR=${BUILD_DIR:-build}
COUNTS=${COUNTS:-10000 100000 1000000}
CONV=${CONV:-1000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bench/lib.sh"
case $BUILD_DIR in /*) ;; *) BUILD_DIR="$root/$BUILD_DIR" ;; esac
convo=$BUILD_DIR/apps/convo/convo
gen=$BUILD_DIR/bench/tracker/convo_bench_gen
mock=$BUILD_DIR/tests/convo_kafka_mock
for exe in "$convo" "$gen" "$mock" /usr/bin/time; do
  [ -x "$exe" ] || { echo "consumer.sh: $exe not found (make build; apt-get install time)" >&2; exit 1; }
done
command -v kcat >/dev/null 2>&1 || { echo "consumer.sh: kcat not found (apt-get install kcat)" >&2; exit 1; }
max=0
for n in $COUNTS; do
  case $n in '' | *[!0-9]* | 0) echo "consumer.sh: COUNTS must be positive integers" >&2; exit 2 ;; esac
  [ "$n" -gt "$max" ] && max=$n
done
partitions=$(( max / 4000 < 8 ? 8 : max / 4000 ))
tmp=$(mktemp -d "${TMPDIR:-/tmp}/convo-soak-consumer.XXXXXX")
mock_pid=
cleanup() { stop "$mock_pid"; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

"$gen" "$max" "$tmp/events.json" >/dev/null
python3 "$root/bench/consume/shape.py" "$tmp/events.json" "$CONV" "$tmp/msgs.tsv" >/dev/null
rm -f "$tmp/events.json"
mkfifo "$tmp/mock.in"
"$mock" --topic events:"$partitions" <"$tmp/mock.in" >"$tmp/mock.out" 2>"$tmp/mock.err" &
mock_pid=$!
exec 9>"$tmp/mock.in"
i=0
while [ ! -s "$tmp/mock.out" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
brokers=$(head -n 1 "$tmp/mock.out")
[ -n "$brokers" ] || { echo "consumer.sh: the Kafka mock did not start: $(cat "$tmp/mock.err")" >&2; exit 1; }
kcat -P -b "$brokers" -t events -K '\t' -l "$tmp/msgs.tsv"

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null; }
"$convo" consume-kafka --brokers "$brokers" --topic events --offset beginning -e --store "sqlite:///$tmp/c.db" \
  -o json >"$tmp/c.json" 2>"$tmp/c.err" &
pid=$!
: >"$tmp/samples"
while kill -0 "$pid" 2>/dev/null; do
  r=$(rss_kb "$pid")
  n=0
  [ -s "$tmp/c.db" ] && n=$(sqlite3 "$tmp/c.db" "SELECT count(*) FROM events" 2>/dev/null || echo 0)
  [ -n "$r" ] && echo "${n:-0} $r" >>"$tmp/samples"
  sleep 0.5
done
wait "$pid" || { echo "consumer.sh: consume-kafka failed: $(cat "$tmp/c.err")" >&2; exit 1; }
stored=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['stored'])" "$tmp/c.json")
[ "$stored" = "$max" ] || { echo "consumer.sh: stored $stored of $max" >&2; exit 1; }
/usr/bin/time -f '%M' -o "$tmp/kcat.rss" kcat -C -b "$brokers" -t events -o beginning -e -q >/dev/null
python3 - "$tmp/samples" "$(cat "$tmp/kcat.rss")" $COUNTS <<'PY'
import json, sys
samples = [tuple(map(int, line.split())) for line in open(sys.argv[1]) if line.strip()]
kcat = int(sys.argv[2])
counts = sorted(int(c) for c in sys.argv[3:])
rows, first, worst = [], None, 0.0
print("%10s %14s" % ("events", "convo RSS MB"))
for c in counts:
    # The first sample at or past c events (the last sample for the final count).
    at = next((r for n, r in samples if n >= c), samples[-1][1] if samples else 0)
    first = first or at
    growth = 100.0 * (at - first) / first if first else 0.0
    worst = max(worst, growth)
    rows.append({"events": c, "convo_rss_kb": at})
    print("%10d %14.1f" % (c, at / 1024))
peak = max((r for _, r in samples), default=0)
print("peak %.1f MB; kcat reading the same topic: peak %.1f MB" % (peak / 1024, kcat / 1024))
print("worst growth over the first count: %.1f%% (goal: within 10%%)" % worst)
print(json.dumps({"consumer_rss": rows, "convo_peak_kb": peak, "kcat_peak_kb": kcat, "worst_growth_pct": round(worst, 1)}))
PY
