#!/bin/sh
# The goals table of issue 13 (see bench/README.md, "table"): runs every row next to its peer in
# the same run, through the existing benchmark scripts (bench/{store,http,consume,pull,dialogue})
# and the small ones in bench/rows/, keeps the last JSON line of each, and prints the table (convo
# figure, peer figure, ratio, goal, met yes/no) and one JSON line last (bench/rows/report.py).
# A step that fails leaves its rows "-" with the reason; the others still run.
# Run from anywhere after `make build` (`make bench` does both). Environment:
#   QUICK=1    small sizes and short runs (a few minutes; figures only indicative)
#   STEPS      the steps to run (default: all): file store push rss http32 http256 http1000
#              consume pull dialogue
#   BUILD_DIR  (build)
# Needs hyperfine, sqlite3, wrk, nginx, curl, kcat, rabbitmq-server, /usr/bin/python3 with pika;
# for the Rasa peer of tracker show, the turn oracle built (../shared/oracle/README.md).
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR
QUICK=${QUICK:-0}
STEPS=${STEPS:-file store push rss http32 http256 http1000 consume pull dialogue}
if [ "$QUICK" = 1 ]; then mode=quick; else mode=full; fi

out=$(mktemp -d "${TMPDIR:-/tmp}/convo-bench-table.XXXXXX")
failed=
trap 'exit 130' INT
trap 'exit 143' TERM

# step NAME COMMAND...: runs COMMAND (its output to NAME.log) when NAME is in STEPS, keeps its
# last line as NAME.json, or {"error": ...} when that is not a JSON object.
step() {
  s_name=$1
  shift
  case " $STEPS " in *" $s_name "*) ;; *) return 0 ;; esac
  echo "[table] $s_name: $*" >&2
  s_t0=$(date +%s)
  "$@" >"$out/$s_name.log" 2>&1
  s_rc=$?
  echo "[table] $s_name: exit $s_rc after $(( $(date +%s) - s_t0 )) s" >&2
  # The scripts print their JSON line last, after every check: a JSON last line is a result even
  # when the script's own clean-up then exits non-zero.
  if tail -n 1 "$out/$s_name.log" | /usr/bin/python3 -c 'import json, sys; assert isinstance(json.load(sys.stdin), dict)' 2>/dev/null; then
    tail -n 1 "$out/$s_name.log" >"$out/$s_name.json"
  else
    failed="$failed $s_name"
    grep -v '^\[' "$out/$s_name.log" | tail -n 1 |
      /usr/bin/python3 -c 'import json, sys; print(json.dumps({"error": "failed (exit %s): %s" % (sys.argv[1], sys.stdin.read().strip()[-200:])}))' "$s_rc" \
      >"$out/$s_name.json"
  fi
}

echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $mode mode, convo $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo +dirty)" >&2
if [ "$mode" = quick ]; then
  step file env RUNS=3 RASA_RUNS=1 sh bench/rows/file.sh
  step store env EVENTS=20000 RUNS=3 WRITE_RUNS=1 BATCH=5000 sh bench/store/run.sh
  step push env RUNS=10 sh bench/rows/push_one.sh
  step rss env IDLE=2 sh bench/rows/idle_rss.sh
  for c in 32 256 1000; do
    step "http$c" env CONNECTIONS=$c DURATION=3s WARMUP=1s NCONV=8 sh bench/http/run.sh
  done
  step consume env EVENTS=40000 AMQP_EVENTS=20000 REQUESTS=40 PER_REQUEST=100 sh bench/consume/run.sh
  step pull env SIZE_MB=20 RUNS=1 ROUNDS=20 sh bench/pull/run.sh
  step dialogue env DURATION=3s sh bench/dialogue/run.sh
else
  step file sh bench/rows/file.sh
  step store env WRITE_RUNS=1 BATCH=10000 sh bench/store/run.sh
  step push sh bench/rows/push_one.sh
  step rss sh bench/rows/idle_rss.sh
  for c in 32 256 1000; do
    step "http$c" env CONNECTIONS=$c sh bench/http/run.sh
  done
  step consume sh bench/consume/run.sh
  step pull sh bench/pull/run.sh
  step dialogue sh bench/dialogue/run.sh
fi

/usr/bin/python3 bench/rows/report.py "$out" "$mode"
if [ -n "$failed" ]; then
  echo "[table] failed:$failed; their logs are kept in $out" >&2
else
  rm -rf "$out"
fi
