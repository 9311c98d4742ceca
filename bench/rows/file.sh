#!/bin/sh
# Rows of bench/table.sh that read one file of EVENTS (20,000) convo_bench_gen events, process start
# included for convo and python (hyperfine, best of RUNS (10)):
#   show:     `convo tracker show --events FILE --include-events ALL -o json > /dev/null`, next to
#             Rasa 2.8.12's own tracker code on the same file (bench/rows/rasa_tracker.py, in-process,
#             imports excluded, best of RASA_RUNS (3)) when the turn oracle is built (ORACLE,
#             default ../shared/oracle; RASA_CORE_SRC, default /tmp/rasa-oracle-core/full: see
#             the oracle's README); otherwise rasa_s is null and rasa_note says why;
#   validate: `convo events validate FILE -o json > /dev/null` next to
#             `python3 -c 'import json, sys; json.load(open(sys.argv[1]))' FILE`.
# Prints one JSON line. Run from the repository root after `make build`; needs hyperfine.
set -eu
BUILD_DIR=${BUILD_DIR:-build}
EVENTS=${EVENTS:-20000}
RUNS=${RUNS:-10}
RASA_RUNS=${RASA_RUNS:-3}
ORACLE=${ORACLE:-../shared/oracle}
RASA_CORE_SRC=${RASA_CORE_SRC:-/tmp/rasa-oracle-core/full}
export RASA_CORE_SRC
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need hyperfine
convo=$(realpath "$BUILD_DIR/apps/convo/convo")
gen=$BUILD_DIR/bench/tracker/convo_bench_gen
tmp=$(mktemp -d "${TMPDIR:-/tmp}/convo-bench-file.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
: >"$tmp/results"

"$gen" "$EVENTS" "$tmp/events.json" >/dev/null
bytes=$(wc -c <"$tmp/events.json" | tr -d ' ')
"$convo" tracker show --events "$tmp/events.json" --include-events ALL -o json >"$tmp/convo.json"
out_bytes=$(wc -c <"$tmp/convo.json" | tr -d ' ')
best show "$RUNS" "'$convo' tracker show --events '$tmp/events.json' --include-events ALL -o json > /dev/null"
best validate "$RUNS" "'$convo' events validate '$tmp/events.json' -o json > /dev/null"
best python "$RUNS" "/usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' '$tmp/events.json'"

rasa='{"rasa_s": null, "same_as_convo": null}'
if [ ! -f "$RASA_CORE_SRC/rasa/shared/core/trackers.py" ] || [ ! -f "$ORACLE/turn_oracle.py" ]; then
  note="Rasa 2.8.12 not built: sh $ORACLE/build.sh MIRROR (see $ORACLE/README.md)"
elif /usr/bin/python3 "$here/rasa_tracker.py" "$ORACLE" "$tmp/events.json" "$RASA_RUNS" "$tmp/convo.json" >"$tmp/rasa.out" 2>"$tmp/rasa.err"; then
  rasa=$(tail -n 1 "$tmp/rasa.out")
  note=
else
  note="Rasa's tracker code failed: $(tail -n 1 "$tmp/rasa.err")"
  rasa='{"rasa_s": null, "same_as_convo": null}'
fi
/usr/bin/python3 -c '
import json, sys
events, nbytes, out_bytes, show, validate, python, note = sys.argv[1:8]
r = json.loads(sys.argv[8])
print(json.dumps({"events": int(events), "bytes": int(nbytes), "out_bytes": int(out_bytes),
                  "show_s": float(show), "validate_s": float(validate), "python_load_s": float(python),
                  "rasa_s": r.get("rasa_s"), "rasa_mean_s": r.get("rasa_mean_s"), "rasa_runs": r.get("runs"),
                  "rasa_same_as_convo": r.get("same_as_convo"), "rasa_note": note or None}))' \
  "$EVENTS" "$bytes" "$out_bytes" "$(result show 2)" "$(result validate 2)" "$(result python 2)" "$note" "$rasa"
