#!/bin/sh
# Consumer memory (not a test): the peak RSS of `convo consume-kafka --store sqlite` after 10k,
# 100k and 1M events (COUNTS), each run from the beginning of the same topic into a fresh database,
# next to kcat reading the same messages. A consumer that follows a stream for days must hold its
# memory flat: the goal is every peak within 10% of the first (the warm-up) one.
#   set-up: MAX (the largest count) Rasa-shaped events (convo_bench_gen, bench/consume/shape.py,
#           CONV conversations) in librdkafka's mock cluster (MAX/4000 partitions, at least 8).
# Prints a table and one JSON line last. Run from the repository root after `make build`; needs
# kcat and /usr/bin/time. Environment: BUILD_DIR (build), COUNTS ("10000 100000 1000000"), CONV (1000).
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

peak() { /usr/bin/time -f '%M' -o "$tmp/rss" sh -c "$1" && cat "$tmp/rss"; }
printf '%10s %14s %12s\n' events "convo RSS MB" "kcat RSS MB"
json=""
first=""
worst=0
for n in $COUNTS; do
  rm -f "$tmp/c.db" "$tmp/c.db-wal" "$tmp/c.db-shm"
  c=$(peak "'$convo' consume-kafka --brokers '$brokers' --topic events --offset beginning --count $n --store 'sqlite:///$tmp/c.db' -o json >'$tmp/c.json' 2>'$tmp/c.err'") ||
    { echo "consumer.sh: consume-kafka failed: $(cat "$tmp/c.err")" >&2; exit 1; }
  stored=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['stored'])" "$tmp/c.json")
  [ "$stored" = "$n" ] || { echo "consumer.sh: stored $stored of $n" >&2; exit 1; }
  k=$(peak "kcat -C -b '$brokers' -t events -o beginning -c $n -q >/dev/null")
  [ -n "$first" ] || first=$c
  growth=$(python3 -c "print(round(100.0 * ($c - $first) / $first, 1))")
  worst=$(python3 -c "print(max($worst, $growth))")
  printf '%10s %14s %12s\n' "$n" "$(python3 -c "print(round($c/1024, 1))")" "$(python3 -c "print(round($k/1024, 1))")"
  json="$json${json:+, }{\"events\": $n, \"convo_rss_kb\": $c, \"kcat_rss_kb\": $k}"
done
echo "worst growth over the first count: ${worst}% (goal: within 10%)"
echo "{\"consumer_rss\": [$json], \"worst_growth_pct\": $worst}"
