#!/usr/bin/env bash
# Conversations through the REST channel, checked event by event against Rasa 2.8.12's own turn
# loop: every fixture in tests/fixtures/dialogue_oracle that convo runs (rules with conditions,
# conversation_start and wait_for_user_input, stories through memoization, fallback with its
# rewind, restart, session expiry, a response whose braces make the action fail, forms with
# interruptions and validation, custom actions). Plus streaming, the dialogue routes, bad input. Usage: dialogue_test.sh CONVO_BINARY SOURCE_DIR
set -u
convo=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export NO_COLOR=1
unset CONVO_STORE CONVO_URL CONVO_TOKEN CONVO_JWT
py=/usr/bin/python3
fx=$src/tests/fixtures/dialogue_oracle
cd "$tmp" || exit 1
cleanup() {
  for p in $server_pids; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  cd / && rm -rf "$tmp"
}
trap cleanup EXIT
. "$here/serve_lib.sh"

# say URL SENDER TEXT [QUERY]: one message through the REST channel; the answer in $out.
say() {
  out=$(curl -sS -m 30 -H 'Content-Type: application/json' "$1/webhooks/rest/webhook${4-}" \
    -d "$("$py" -c 'import json,sys; print(json.dumps({"sender": sys.argv[1], "message": sys.argv[2]}))' "$2" "$3")")
}

# start_peer MODE LOG: tests/support/http_peers.py in MODE on a free port, ready; the port in $peer_port.
start_peer() {
  peer_port=$(free_port)
  "$py" "$src/tests/support/http_peers.py" "$1" "$peer_port" "$2" >/dev/null 2>&1 &
  server_pids="$server_pids $!"
  for i in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$peer_port/" && break; sleep 0.1; done
}

# oracle_case BOT FIXTURE: the fixture's user messages to a server running BOT's model; the
# answers and the stored events must be Rasa's.
oracle_case() {
  local bot=$1 case=$2 name=srv_$2
  "$convo" model build "$fx/$bot" -o "m_$bot" --name model.tar.gz --format json >/dev/null 2>build.err ||
    { fail "model build $bot: $(cat build.err)"; return; }
  printf 'tracker_store:\n  type: sql\n  dialect: sqlite\n  db: %s\naction_endpoint:\n  url: %s\n' \
    "$tmp/$case.db" "${action_url:-http://127.0.0.1:9/webhook}" >"ep_$case.yml"
  start_server "$name" --model "m_$bot" --endpoints "ep_$case.yml"
  local url_var=${name}_url
  "$py" - "$fx/$case.json" >"msgs_$case" <<'PY'
import json, sys
for t in json.load(open(sys.argv[1]))["turns"]: print(t["user"])
PY
  printf '[' >"turns_$case.json"
  local first=1
  while IFS= read -r message; do
    say "${!url_var}" u1 "$message"
    [ $first = 1 ] || printf ',' >>"turns_$case.json"
    first=0
    printf '%s' "$out" >>"turns_$case.json"
  done <"msgs_$case"
  printf ']' >>"turns_$case.json"
  stop_server "$name"
  "$convo" tracker get u1 --store "sqlite:///$tmp/$case.db" --all-sessions -o json >"tracker_$case.json"
  run "$py" "$src/tests/support/oracle_compare.py" "$fx/$case.json" "tracker_$case.json" "turns_$case.json"
  expect_status 0 "$bot/$case: the same bot messages and events as Rasa 2.8.12"
}

oracle_case bot5 rules     # conversation_start, a slot condition, wait_for_user_input: false, fallback
oracle_case bot5 rules2    # a slot condition met by an entity's auto-fill
oracle_case bot1 greet     # a rule, no stories: hide_rule_turn
oracle_case bot1 mood      # a story through memoization, conditional response variations
oracle_case bot1 fb        # fallback with rewind, /restart and the follow-up session start
oracle_case bot6 brace     # response texts whose braces make the utter action fail
oracle_case bot4 session   # session expiry with slot carry-over
oracle_case bot1 form      # a form: activation, an interruption by a rule, a rejection, the fallback inside it, completion
oracle_case bot3 interrupt # an interruption handled by a story: loop_interrupted, continuing and stopping the form
oracle_case bot3 back      # /back inside a form, action_deactivate_loop
oracle_case bot7 twostage  # the two-stage fallback: affirmation, rephrase, clarification, giving up

# Custom actions on the action server the fixtures were made with: responses (texts, templates
# with extra keys, unknown templates, buttons), events, a 400 rejection, a 404, a 500, an invalid
# event, bot events with a follow-up; and a follow-up loop that trips the 10-action breaker.
action_port=$(free_port)
"$py" "$src/tests/support/oracle_stub_actions.py" "$action_port" "$tmp/action_requests.jsonl" >actions.log 2>&1 &
server_pids="$server_pids $!"
action_url=http://127.0.0.1:$action_port/webhook
for i in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$action_port/" && break; sleep 0.1; done
oracle_case bot2 custom
oracle_case bot2 loop
oracle_case bot2 formv     # validate_<form> on the action server: pre-filled slots validated twice, a rejected value
"$py" - "$tmp/action_requests.jsonl" <<'PY' && ok || fail "the action server gets Rasa's request: next_action, sender_id, tracker, domain, version"
import json, sys
reqs = [json.loads(l)["body"] for l in open(sys.argv[1])]
assert reqs, "no request reached the action server"
for r in reqs:
    assert set(r) == {"next_action", "sender_id", "tracker", "domain", "version"}, sorted(r)
    assert r["sender_id"] == "u1" and r["tracker"]["sender_id"] == "u1"
    assert "responses" in r["domain"] and "slots" in r["domain"]
PY

# --- convo model build trains the dialogue as serve will ----------------------------------------------
cp -r "$src/examples/bot" badbot
printf 'language: en\npipeline: []\npolicies:\n  - name: RulePolicy\n    core_fallback_action_name: action_nowhere\n' >badbot/config.yml
run "$convo" model build badbot --dry-run
expect_status 1 "a fallback action the domain lacks fails the build"
expect_err_has "core_fallback_action_name 'action_nowhere'" "naming the setting"
printf 'language: en\npipeline: []\npolicies:\n  - name: RulePolicy\n  - name: TEDPolicy\n' >badbot/config.yml
run "$convo" model build badbot -o badbot_models --format json
expect_status 0 "a policy convo does not emulate only warns"
expect_err_has "TEDPolicy is not emulated" "and says so"
run "$convo" model inspect badbot_models/*.tar.gz -o json
expect_out_has '"not_emulated":["TEDPolicy"]' "model inspect lists it"

# --- the REST channel's shapes, streaming, health --------------------------------------------------
"$convo" model build "$fx/bot1" -o m_live --name model.tar.gz --format json >/dev/null
start_server live --model m_live --store "sqlite:///$tmp/live.db"
run curl -sS "$live_url/webhooks/rest/"
expect_out_has '"status":"ok"' "GET /webhooks/rest/ is the channel's health route"
say "$live_url" s1 '/request_restaurant'
say "$live_url" s1 '/chitchat'
jtrue() { "$py" -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$out" "$1"; }
say "$live_url" s2 '/mood{"mood": "happy"}'
expect_true 'jtrue "j == [{\"recipient_id\": \"s2\", \"text\": \"Great you are happy\"}]"' "a conditional variation for the slot the entity filled"
out=$(curl -sS -N -m 30 -H 'Content-Type: application/json' "$live_url/webhooks/rest/webhook?stream=true" -d '{"sender": "s3", "message": "/greet"}' -D stream.head)
expect_true 'grep -qi "content-type: text/event-stream" stream.head' "?stream=true answers text/event-stream"
expect_true '[ "$out" = "{\"recipient_id\":\"s3\",\"text\":\"Hey! How are you?\"}" ]' "each message as one JSON line"
say "$live_url" 42 '/greet'
expect_true 'jtrue "j[0][\"recipient_id\"] == \"42\""' "a sender that is a number is its text"
run curl -sS -m 30 "$live_url/conversations/42/tracker"
expect_out_has '"input_channel":"rest"' "the user event records the rest channel"

# --- /predict, /execute, /trigger_intent with a model ---------------------------------------------
run curl -sS -m 30 -X POST "$live_url/conversations/s4/predict"
expect_true 'printf "%s" "$out" | "$py" -c "import json,sys; j=json.load(sys.stdin); s=j[\"scores\"]; assert s == sorted(s, key=lambda x: (-x[\"score\"], x[\"action\"])); assert \"tracker\" in j and j[\"confidence\"] == s[0][\"score\"]"' \
  "/predict: every action's score, sorted, with the tracker"
run curl -sS -m 30 -H 'Content-Type: application/json' -X POST "$live_url/conversations/s5/trigger_intent" -d '{"name": "greet"}'
expect_out_has '"messages":[{"recipient_id":"s5","text":"Hey! How are you?"}]' "/trigger_intent runs the rules and returns the messages"
expect_out_has '"text":"EXTERNAL: greet"' "the external intent is logged as Rasa logs it"
run curl -sS -m 30 -H 'Content-Type: application/json' -X POST "$live_url/conversations/s5/trigger_intent" -d '{"name": "nonsense"}'
expect_out_has '"code":404' "/trigger_intent of an intent the domain lacks: 404"
run curl -sS -m 30 -H 'Content-Type: application/json' -X POST "$live_url/conversations/s6/execute" -d '{"name": "utter_greet", "policy": "mine", "confidence": 0.5}'
expect_out_has '"messages":[{"recipient_id":"s6","text":"Hey! How are you?"}' "/execute runs the action (then the policies, here the fallback)"
expect_out_has '"policy":"mine","confidence":0.5' "and logs it with the policy and confidence given"
run curl -sS -m 30 -H 'Content-Type: application/json' -X POST "$live_url/conversations/s6/execute" -d '{"policy": "x"}'
expect_out_has '"code":400' "/execute without a name: 400"

# --- action_revert_fallback_events (the legacy TwoStageFallbackPolicy's reversal) ------------------
curl -sS -m 30 -X PUT -H 'Content-Type: application/json' "$live_url/conversations/rv/tracker/events" -d '[
  {"event": "action", "name": "action_listen"},
  {"event": "user", "text": "/greet", "parse_data": {"intent": {"name": "greet", "confidence": 0.4}, "entities": []}},
  {"event": "action", "name": "action_default_ask_affirmation"},
  {"event": "bot", "text": "Did you mean greet?"},
  {"event": "action", "name": "action_listen"},
  {"event": "user", "text": "/greet", "parse_data": {"intent": {"name": "greet", "confidence": 0.4}, "entities": []}}]' >/dev/null
run curl -sS -m 30 -H 'Content-Type: application/json' -X POST "$live_url/conversations/rv/execute?include_events=ALL" -d '{"name": "action_revert_fallback_events"}'
printf '%s' "$out" >revert.json
"$py" - revert.json <<'PY' && ok || fail "after an affirmation: rewind, rewind, action_listen and the affirmed message at confidence 1.0 (Rasa's ActionRevertFallbackEvents)"
import json, sys
events = json.load(open(sys.argv[1]))["tracker"]["events"]
at = next(i for i, e in enumerate(events) if e["event"] == "action" and e.get("name") == "action_revert_fallback_events")
after = events[at + 1: at + 5]
assert [e["event"] for e in after] == ["rewind", "rewind", "action", "user"], after
assert after[2]["name"] == "action_listen" and after[3]["parse_data"]["intent"] == {"name": "greet", "confidence": 1.0}, after
PY

# --- bad input: a clear error, nothing stored ------------------------------------------------------
before=$(sqlite3 "$tmp/live.db" "select count(*) from events")
for body in 'not json' '[1, 2]' '' '"text"'; do
  run curl -sS -m 30 -H 'Content-Type: application/json' "$live_url/webhooks/rest/webhook" -d "$body"
  expect_out_has '"code":400' "a webhook body that is not a JSON object ($body): 400 with Rasa's error JSON"
done
expect_true '[ "$(sqlite3 "$tmp/live.db" "select count(*) from events")" = "$before" ]' "bad bodies store nothing"
stop_server live

# --- credentials.yml: the callback channel and custom connectors ------------------------------------
start_peer receiver "$tmp/received.log"
recv_port=$peer_port
dead_port=$(free_port)
cat >credentials.yml <<YML
rest:
callback:
  url: "http://127.0.0.1:$recv_port/bot"
myio:
  type: custom
  sender: "\$.user.id"
  text: "\$.message.text"
  metadata: "\$.meta"
  input_channel: "myio"
  reply: collect
pushio:
  type: custom
  sender: "from"
  text: "body"
  reply: post
  reply_url: "http://127.0.0.1:$dead_port/nowhere"
YML
start_server chan --model m_live --store "sqlite:///$tmp/chan.db" --credentials credentials.yml
run curl -sS -m 30 -H 'Content-Type: application/json' "$chan_url/webhooks/callback/webhook" -d '{"sender": "c1", "message": "/greet"}'
expect_true '[ "$out" = success ]' "the callback channel answers success after the turn"
expect_true 'grep -qF "\"recipient_id\": \"c1\"" "$tmp/received.log" || grep -qF "\"recipient_id\":\"c1\"" "$tmp/received.log"' "each bot message was POSTed to the callback url"
run curl -sS -m 30 "$chan_url/webhooks/myio/"
expect_out_has '"status":"ok"' "a custom connector has its health route"
run curl -sS -m 30 -H 'Content-Type: application/json' "$chan_url/webhooks/myio/webhook" -d '{"user": {"id": "m1"}, "message": {"text": "/greet"}, "meta": {"device": "kiosk"}}'
expect_out_has '"recipient_id":"m1","text":"Hey! How are you?"' "a custom connector finds sender and text where credentials.yml says, and collects the replies"
run curl -sS -m 30 "$chan_url/conversations/m1/tracker"
expect_out_has '"input_channel":"myio"' "the user event records the connector's input channel"
expect_out_has '"device":"kiosk"' "and the metadata, which the action server sees in the tracker"
run curl -sS -m 30 -H 'Content-Type: application/json' "$chan_url/webhooks/pushio/webhook" -d '{"from": "p1", "body": "/greet"}'
expect_out_has '"code":500' "a reply URL that cannot be reached fails the turn"
run curl -sS -m 30 "$chan_url/conversations/p1/tracker?include_events=ALL"
expect_out_lacks '"event":"user"' "and the failed turn is not stored"
# output_channel on the HTTP API: a channel that pushes gets the messages, the answer has none
run curl -sS -m 30 -H 'Content-Type: application/json' -X POST "$chan_url/conversations/c1/trigger_intent?output_channel=latest" -d '{"name": "greet"}'
expect_out_lacks '"messages"' "output_channel=latest with a callback conversation: no messages in the answer"
expect_true '[ "$(grep -c "\"c1\"" "$tmp/received.log")" -ge 2 ]' "they went to the callback url instead"
run curl -sS -m 30 -X POST "$chan_url/conversations/r1/respond?q=/greet"
expect_out_has '"recipient_id":"r1","text":"Hey! How are you?"' "POST …/respond?q= (rasa_core 0.14) answers the bot's messages"
run curl -sS -m 30 -X POST "$chan_url/conversations/r1/respond"
expect_out_has '"reason":"InvalidParameter"' "respond without a message: 400 InvalidParameter"
stop_server chan
printf 'slack:\n  token: x\n' >bad_credentials.yml
run "$convo" serve --credentials bad_credentials.yml --store memory: -p "$(free_port)"
expect_status 2 "a channel convo does not implement is a usage error at start"
expect_err_has "slack" "naming the channel"

# --- the nlu: endpoint: texts not starting with / are parsed remotely -------------------------------
start_peer nlu "$tmp/nlu_requests.log"
nlu_port=$peer_port
printf 'tracker_store:\n  type: sql\n  dialect: sqlite\n  db: %s\nnlu:\n  url: http://127.0.0.1:%s\n  token: secret\n' "$tmp/nlu.db" "$nlu_port" >ep_nlu.yml
start_server nlu --model m_live --endpoints ep_nlu.yml
say "$nlu_url" n1 'hello there'
expect_true 'jtrue "j == [{\"recipient_id\": \"n1\", \"text\": \"Hey! How are you?\"}]"' "a text is understood by the nlu endpoint and answered"
expect_true '"$py" -c "import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; assert r[0][\"path\"] == \"/model/parse\"; b=r[0][\"body\"]; assert b[\"text\"] == \"hello there\" and b[\"token\"] == \"secret\" and len(b[\"message_id\"]) == 32" "$tmp/nlu_requests.log"' \
  "Rasa's request: POST <url>/model/parse with text, message_id and the token in the body"
say "$nlu_url" n1 '/goodbye'
expect_true '[ "$(wc -l <"$tmp/nlu_requests.log")" -eq 1 ]' "/intent messages never reach the nlu endpoint"
stop_server nlu
printf 'tracker_store:\n  type: sql\n  dialect: sqlite\n  db: %s\nnlu:\n  url: http://127.0.0.1:%s\n' "$tmp/nlu2.db" "$(free_port)" >ep_nlu2.yml
start_server nlu2 --model m_live --endpoints ep_nlu2.yml
say "$nlu2_url" n2 'hello there'
run curl -sS -m 30 "$nlu2_url/conversations/n2/tracker"
expect_out_has '"intent":{"name":"","confidence":0.0}' "an unreachable nlu endpoint gives Rasa's empty parse result"
expect_out_has '"text":"hello there"' "and the user event keeps the text"
stop_server nlu2

# --- a custom action returning every event type the Rasa SDK can send --------------------------------
"$convo" model build "$src/tests/fixtures/dialogue/sdk_bot" -o m_sdk --name model.tar.gz --format json >/dev/null
"$py" "$src/tests/support/action_server.py" --actions "$src/tests/support/action_server_test_actions.json" \
  --port-file "$tmp/sdk_port" >/dev/null 2>"$tmp/sdk_actions.log" &
server_pids="$server_pids $!"
for i in $(seq 50); do [ -s "$tmp/sdk_port" ] && break; sleep 0.1; done
printf 'tracker_store:\n  type: sql\n  dialect: sqlite\n  db: %s\naction_endpoint:\n  url: http://127.0.0.1:%s/webhook\n' "$tmp/sdk.db" "$(cat "$tmp/sdk_port")" >ep_sdk.yml
start_server sdk --model m_sdk --endpoints ep_sdk.yml
say "$sdk_url" e1 '/all_events'
"$convo" tracker get e1 --store "sqlite:///$tmp/sdk.db" --all-sessions -o json >sdk_tracker.json
"$py" - sdk_tracker.json "$src/tests/support/action_server_test_actions.json" <<'PY' && ok || fail "every SDK event type the action returned is stored, in order, after the user's message"
import json, sys
events = json.load(open(sys.argv[1]))["events"]
sent = json.load(open(sys.argv[2]))["action_all_events"]["events"]
# The answer holds an action_execution_rejected: as Rasa, the action's own event (and the
# prediction's user_featurization) are then not logged; the returned events are.
at = next(i for i, e in enumerate(events) if e["event"] == "user" and e.get("text") == "/all_events")
assert not any(e["event"] == "action" and e.get("name") == "action_all_events" for e in events)
got = [e["event"] for e in events[at + 1: at + 1 + len(sent)]]
want = [{"form": "active_loop", "form_validation": "loop_interrupted"}.get(e["event"], e["event"]) for e in sent]
assert got == want, (got, want)
PY
say "$sdk_url" e2 '/unknown_followup'
run curl -sS -m 30 "$sdk_url/conversations/e2/tracker?include_events=ALL"
expect_out_has '"event":"followup","timestamp":' "a follow-up naming an unknown action is stored as the action server sent it"
expect_out_has '"name":"action_listen","policy":"policy_0_RulePolicy"' "and the policies predict as usual (the rule's action_listen)"
expect_true 'grep -q "unknown follow-up action" "$tmp/sdk.log"' "with Rasa's error line"
stop_server sdk
# An action server that answers too late (endpoints.yml timeout) or not at all: the action is
# logged, its events are lost, the turn goes on, with Rasa's log line.
printf 'tracker_store:\n  type: sql\n  dialect: sqlite\n  db: %s\naction_endpoint:\n  url: http://127.0.0.1:%s/webhook\n  timeout: 1\n' "$tmp/slow.db" "$(cat "$tmp/sdk_port")" >ep_slow.yml
start_server slow --model m_sdk --endpoints ep_slow.yml
say "$slow_url" s1 '/slow'
expect_true 'grep -q "Encountered an exception while running action '"'"'action_slow'"'"'" "$tmp/slow.log"' "a timed-out action is logged as Rasa logs it"
run curl -sS -m 30 "$slow_url/conversations/s1/tracker?include_events=ALL"
expect_out_has '"name":"action_slow"' "the action is still logged"
stop_server slow
printf 'tracker_store:\n  type: sql\n  dialect: sqlite\n  db: %s\naction_endpoint:\n  url: http://127.0.0.1:%s/webhook\n' "$tmp/down.db" "$(free_port)" >ep_down.yml
start_server down --model m_sdk --endpoints ep_down.yml
say "$down_url" d1 '/all_events'
expect_true 'grep -q "Encountered an exception while running action '"'"'action_all_events'"'"'" "$tmp/down.log"' "an action server that is down: the same"
run curl -sS -m 30 "$down_url/conversations/d1/tracker?include_events=ALL"
expect_out_has '"name":"action_all_events"' "the action logged, its events lost"
expect_out_lacks '"event":"reset_slots"' "(none of them stored)"
stop_server down

# --- the nlg: endpoint writes the responses --------------------------------------------------------
start_peer nlg "$tmp/nlg_requests.log"
nlg_port=$peer_port
printf 'tracker_store:\n  type: sql\n  dialect: sqlite\n  db: %s\nnlg:\n  url: http://127.0.0.1:%s/nlg\n' "$tmp/nlg.db" "$nlg_port" >ep_nlg.yml
start_server nlgsrv --model m_live --endpoints ep_nlg.yml
say "$nlgsrv_url" g1 '/greet'
expect_true 'jtrue "j == [{\"recipient_id\": \"g1\", \"text\": \"NLG: utter_greet\"}]"' "an utter_ action's text comes from the nlg endpoint"
expect_true '"$py" -c "import json,sys; b=json.loads(open(sys.argv[1]).readline()); assert b[\"response\"] == b[\"template\"] == \"utter_greet\" and b[\"arguments\"] == {} and b[\"channel\"] == {\"name\": \"collector\"} and b[\"tracker\"][\"sender_id\"] == \"g1\"" "$tmp/nlg_requests.log"' \
  "Rasa's request: response, template, arguments, tracker and channel"
say "$nlgsrv_url" g1 '/deny'
run curl -sS -m 30 "$nlgsrv_url/conversations/g1/tracker?include_events=ALL"
expect_out_has '"name":"action_default_fallback"' "an nlg failure still logs the action"
expect_out_lacks '"text":"NLG: utter_default"' "but none of its events"
expect_out_lacks '"event":"rewind"' "(no rewind either)"
stop_server nlgsrv

# --- reminders: set by a custom action, fired as an external intent, killed by a user message -------
# The action server answers with a reminder due 2 s later (the behaviours file is written just
# before each request; the server re-reads it).
"$convo" model build "$src/tests/fixtures/dialogue/reminder_bot" -o m_rem --name model.tar.gz --format json >/dev/null
write_reminders() {
  "$py" - "$tmp/rem_actions.json" <<'PY'
import datetime, json, sys
due = (datetime.datetime.now() + datetime.timedelta(seconds=2)).isoformat()
ping = lambda name, kill: {"event": "reminder", "intent": "EXTERNAL_ping", "entities": {"what": "tea"},
                           "date_time": due, "name": name, "kill_on_user_msg": kill, "timestamp": None}
json.dump({"action_set_reminder": {"events": [ping("tea", False)], "responses": [{"response": "utter_set"}]},
           "action_set_killable_reminder": {"events": [ping("killable", True)], "responses": [{"response": "utter_set"}]}},
          open(sys.argv[1], "w"))
PY
}
write_reminders
"$py" "$src/tests/support/action_server.py" --actions "$tmp/rem_actions.json" --port-file "$tmp/rem_port" >/dev/null 2>"$tmp/rem_actions.log" &
server_pids="$server_pids $!"
for i in $(seq 50); do [ -s "$tmp/rem_port" ] && break; sleep 0.1; done
printf 'tracker_store:\n  type: sql\n  dialect: sqlite\n  db: %s\naction_endpoint:\n  url: http://127.0.0.1:%s/webhook\n' "$tmp/rem.db" "$(cat "$tmp/rem_port")" >ep_rem.yml
start_peer receiver "$tmp/rem_received.log"
printf 'rest:\ncallback:\n  url: "http://127.0.0.1:%s/bot"\n' "$peer_port" >cred_rem.yml
start_server rem --model m_rem --endpoints ep_rem.yml --credentials cred_rem.yml
say "$rem_url" t1 '/remind'
expect_true 'jtrue "j == [{\"recipient_id\": \"t1\", \"text\": \"Reminder set.\"}]"' "a custom action sets a reminder"
fired=""
for i in $(seq 300); do
  fired=$(sqlite3 "$tmp/rem.db" "select count(*) from events where sender_id = 't1' and type_name = 'user' and data like '%EXTERNAL: EXTERNAL_ping%'")
  [ "$fired" = 1 ] && break
  sleep 0.1
done
expect_true '[ "$fired" = 1 ]' "the reminder fires its intent as an external message"
expect_true '[ "$(sqlite3 "$tmp/rem.db" "select count(*) from events where sender_id = '"'"'t1'"'"' and data like '"'"'%Ping: tea%'"'"'")" = 1 ]' \
  "and the bot's turn runs, with the reminder's entities filling the slot"
# Set on the callback channel, the reminder's messages are POSTed to its url when it fires
# (Rasa keeps the output channel of the message that set it); on the REST channel they are dropped.
write_reminders
run curl -sS -m 30 -H 'Content-Type: application/json' "$rem_url/webhooks/callback/webhook" -d '{"sender": "t3", "message": "/remind"}'
for i in $(seq 300); do grep -q "Ping: tea" "$tmp/rem_received.log" 2>/dev/null && break; sleep 0.1; done
expect_true '"$py" -c "import json,sys; assert {\"recipient_id\": \"t3\", \"text\": \"Ping: tea\"} in [json.loads(l) for l in open(sys.argv[1])]" "$tmp/rem_received.log"' \
  "a reminder set on the callback channel POSTs its turn's messages to the callback url"
write_reminders
say "$rem_url" t2 '/remind_killable'
say "$rem_url" t2 '/greet'
for i in $(seq 300); do grep -q "Canceled reminder because it is outdated" "$tmp/rem.log" && break; sleep 0.1; done
expect_true 'grep -q "Canceled reminder because it is outdated" "$tmp/rem.log"' "a kill_on_user_msg reminder after a user message is dropped"
expect_true '[ "$(sqlite3 "$tmp/rem.db" "select count(*) from events where sender_id = '"'"'t2'"'"' and data like '"'"'%EXTERNAL: %'"'"'")" = 0 ]' \
  "and nothing of it is stored"
stop_server rem

# --- without a model: messages are logged, nothing is predicted ------------------------------------
start_server bare --store "sqlite:///$tmp/bare.db"
say "$bare_url" b1 '/greet'
expect_true '[ "$out" = "[]" ]' "without a model the channel answers []"
run curl -sS -m 30 -X POST "$bare_url/conversations/b1/predict"
expect_out_has '"code":409' "/predict without a model: 409"
expect_true '[ "$(sqlite3 "$tmp/bare.db" "select count(*) from events where type_name = '"'"'user'"'"'")" = 1 ]' "the message is stored"
stop_server bare

finish
