#!/usr/bin/env bash
# End-to-end tests of the convo binary: real files, real processes, outputs checked against Rasa's
# own results (the oracle) or against facts about the input, never against convo's past output.
# Usage: run_cli_tests.sh CONVO_BINARY SOURCE_DIR SHARED_DIR
set -u
convo=$1
src=$2
shared=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
oracle=$shared/fixtures/oracle
export NO_COLOR=1

# --- tracker show -o json equals Rasa's tracker JSON for every loadable oracle case ------------
# (cases whose expected output contains the oracle's current-time or uuid stand-ins are left to
# the C++ suite, which pins the clock; autofill cases belong to message processing.)
checked=0
for case in "$oracle"/[0-9]*[!d].json; do
  expected=${case%.json}.expected.json
  python3 - "$case" "$expected" "$tmp/events.json" <<'PY' || continue
import json, sys
case, exp, out = sys.argv[1:4]
c = json.load(open(case)); e = json.load(open(exp))
text = json.dumps(e.get("current_state"))
opts = c.get("options") or {}
if "current_state" not in e or not e["rasa_from_dict"]["ok"] or "4102444800" in text \
   or "00000000-0000-1000-8000" in text or opts.get("autofill") or opts.get("max_event_history") \
   or opts.get("digest_events") or isinstance(c.get("domain"), str):
    sys.exit(1)
json.dump({"sender_id": c["sender_id"], "events": c["events"]}, open(out, "w"))
# JSON is YAML: the domain dict goes in as a domain file.
json.dump(c.get("domain"), open(out + ".domain.yml", "w"))
PY
  name=$(basename "$case" .json)
  domain_opt=()
  [ "$(cat "$tmp/events.json.domain.yml")" != null ] && domain_opt=(--domain "$tmp/events.json.domain.yml")
  for v in ALL APPLIED AFTER_RESTART NONE; do
    run "$convo" tracker show --events "$tmp/events.json" "${domain_opt[@]}" --include-events "$v" -o json
    expect_status 0 "$name $v"
    printf '%s' "$out" >"$tmp/actual.json"
    if python3 "$here/json_equal.py" "$tmp/actual.json" "$expected" "current_state.$v" >"$tmp/diff"; then ok
    else fail "$name $v differs from Rasa: $(cat "$tmp/diff")"; fi
  done
  checked=$((checked + 1))
done
expect_true "[ $checked -ge 10 ]" "at least 10 oracle cases checked through the CLI (got $checked)"

# --- the same events in every input shape give the same tracker -------------------------------
ex=$src/examples
run "$convo" tracker show --events "$ex/restaurant_tracker.json" -o json
expect_status 0 "tracker object input"
from_tracker=$out
expect_out_has '"sender_id":"alice"' "sender id taken from the tracker object"
run "$convo" tracker show --events "$ex/restaurant_events.ndjson" --sender-id alice -o json
expect_status 0 "ndjson input"
expect_true '[ "$out" = "$from_tracker" ]' "NDJSON input gives the same tracker as the tracker object"
python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['events']))" "$ex/restaurant_tracker.json" >"$tmp/array.json"
run "$convo" tracker show --events - --sender-id alice -o json <"$tmp/array.json"
expect_status 0 "array on stdin"
expect_true '[ "$out" = "$from_tracker" ]' "an array on stdin gives the same tracker"
run "$convo" tracker show --events "$ex/restaurant_events.ndjson" -o json
expect_out_has '"sender_id":"default"' "sender id defaults to Rasa's 'default'"

# --- the domain shapes the slots -----------------------------------------------------------------
run "$convo" tracker show --events "$ex/restaurant_tracker.json" --domain "$ex/restaurant_domain.yml" -o json
expect_status 0 "with domain"
printf '%s' "$out" >"$tmp/with_domain.json"
python3 - "$tmp/with_domain.json" <<'PY' && ok || fail "slots follow the domain (order, requested_slot, session_started_metadata)"
import json, sys
s = json.load(open(sys.argv[1]))
assert list(s["slots"]) == ["cuisine", "people", "outdoor", "requested_slot", "session_started_metadata"], s["slots"]
assert s["slots"]["cuisine"] == "thai" and s["slots"]["people"] == 4 and s["slots"]["outdoor"] is True
assert s["active_loop"] == {} and s["latest_message"]["intent"]["name"] == "goodbye"
PY

# --- verbosity and cut-offs ------------------------------------------------------------------------
run "$convo" tracker show --events "$ex/restaurant_tracker.json" --include-events none -o json
expect_out_has '"events":null' "NONE gives events null (case-insensitive name)"
run "$convo" tracker show --events "$ex/restaurant_tracker.json" --include-events sometimes
expect_status 2 "unknown verbosity is a usage error"
expect_err_has "--include-events" "the error names the option"
run "$convo" tracker show --events "$ex/restaurant_tracker.json" --until 1700000003.5 -o json
printf '%s' "$out" >"$tmp/until.json"
python3 - "$tmp/until.json" <<'PY' && ok || fail "--until keeps the events up to the time"
import json, sys
s = json.load(open(sys.argv[1]))
assert all(e["timestamp"] <= 1700000003.5 for e in s["events"]) and len(s["events"]) == 8, len(s["events"])
assert s["latest_message"]["text"] == "hi there"
PY
run "$convo" tracker show --events "$ex/restaurant_tracker.json" --max-event-history 5 -o json
expect_true "[ \$(printf '%s' \"\$out\" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"events\"]))') -eq 5 ]" "--max-event-history keeps the last N"

# --- errors: one line on stderr, documented exit codes, nothing on stdout -------------------------
run "$convo" tracker show --events "$tmp/does-not-exist.json"
expect_status 3 "missing file"
expect_err_has "does-not-exist.json" "missing file error names the path"
expect_err_lines 1 "missing file"
printf '[{"event": "action", "name": "x"},\n {"event": oops}]\n' >"$tmp/bad.json"
run "$convo" tracker show --events "$tmp/bad.json"
expect_status 1 "invalid JSON"
expect_err_has "bad.json:2:" "invalid JSON error has the line"
expect_err_lines 1 "invalid JSON"
printf '[{"event": "action", "name": "x"}, {"event": "user", "text": "hi"}]' >"$tmp/rejected.json"
run "$convo" tracker show --events "$tmp/rejected.json" -o json
expect_status 1 "a list Rasa refuses"
expect_err_has 'events[1] (user)' "the error names the index and type"
expect_err_has 'parse_data' "the error names the field"
expect_true '[ -z "$out" ]' "nothing partial printed for a refused list"
printf 'slots:\n  f:\n    type: float\n    min_value: 3\n    max_value: 1\n' >"$tmp/domain.yml"
run "$convo" tracker show --events "$ex/restaurant_tracker.json" --domain "$tmp/domain.yml"
expect_status 1 "broken domain"
expect_err_has "domain.yml:" "the domain error names the file"
run "$convo" tracker show --events "$ex/restaurant_tracker.json" --no-such-option
expect_status 2 "unknown option"
run "$convo" trakcer show
expect_status 2 "typo in a command"
expect_err_has "did you mean 'tracker'" "suggests the command"

# --- events validate -------------------------------------------------------------------------------
run "$convo" events validate "$ex/restaurant_tracker.json"
expect_status 0 "valid events"
expect_out_has "valid" "says valid"
printf '[{"event": "user"}, 5, {"event": "USER"}, {"no": "event"}, {"event": "topic"}, {"event": "slot", "name": "a", "value": 1}]' >"$tmp/many.json"
run "$convo" events validate "$tmp/many.json" -o json
expect_status 1 "invalid events"
printf '%s' "$out" >"$tmp/validate.json"
python3 - "$tmp/validate.json" <<'PY' && ok || fail "validate reports every problem with its index"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["valid"] is False and r["events"] == 6
errs = " ".join(r["errors"]); warns = " ".join(r["warnings"])
assert "events[0]" in errs and "events[1]" in errs and "events[2]" in errs, errs
assert "events[3]" in warns and "events[4]" in warns, warns
assert "events[5]" not in errs + warns
PY
run "$convo" events validate "$tmp/many.json" -o table
expect_out_has "invalid" "table says invalid"

# --- help, version, output on a pipe -----------------------------------------------------------------
run "$convo" --help
expect_status 0 "help"
expect_out_has "Exit codes:" "help documents exit codes"
run "$convo" tracker show --help
expect_out_has "Examples:" "subcommand help has examples"
run "$convo" --version
expect_out_has "convo " "version"
expect_out_has "features:" "version lists features"
expect_out_lacks "not yet compiled in" "the version names no missing feature: all are built in"
expect_out_has "postgresql" "the version lists the stores"

# --- numbers beyond double range: a clear error, never an abort ----------------------------------------
printf '[{"event": "slot", "name": "x", "value": 1e400}]' >"$tmp/huge.json"
run "$convo" events validate "$tmp/huge.json" -o json
expect_status 1 "events validate of 1e400: exit 1, not an abort"
expect_out_has "number overflow parsing '1e400'" "the number is named"
expect_out_has "huge.json:1:42" "with line and column"
printf '[{"event": "slot", "name": "x", "value": 1, "timestamp": 1e400}]' >"$tmp/huge_ts.json"
run "$convo" tracker show --events "$tmp/huge_ts.json"
expect_status 1 "tracker show of a 1e400 timestamp: exit 1"
expect_err_lines 1 "one line on stderr"
run "$convo" events push x "$tmp/huge.json" --store "sqlite:///$tmp/huge.db"
expect_status 1 "events push of 1e400: exit 1"
run "$convo" tracker show --events "$ex/restaurant_tracker.json"
expect_true 'printf "%s" "$out" | python3 -c "import json,sys; json.load(sys.stdin)"' "default output on a pipe is JSON"
run "$convo" tracker show --events "$ex/restaurant_tracker.json" -o table
expect_out_lacks $'\033[' "no colour when not a terminal"
expect_out_has "Slots" "table has the slots section"

finish
