#!/usr/bin/env bash
# `convo serve` end to end: real servers on free loopback ports, real clients (curl, convo's own
# --url client, tokens minted by `convo auth token` and by PyJWT). Every body a server sends is
# checked at the end against the response schema Rasa's OpenAPI document (rasa.yml) declares for its
# method, path and status (openapi_check.py, with Rasa's known deviations corrected there).
# Usage: serve_test.sh CONVO_BINARY SOURCE_DIR SHARED_DIR
set -u
convo=$(realpath "$1")
src=$(realpath "$2")
shared=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export NO_COLOR=1
unset CONVO_STORE CONVO_URL CONVO_TOKEN CONVO_JWT CONVO_JWT_SECRET
# PyJWT, jsonschema and PyYAML: the system Python has them (a `python3` on PATH may be a shim without).
py=/usr/bin/python3
spec=$shared/fixtures/rasa/rasa-2.8.12/rasa.yml
ex=$src/examples
cd "$tmp" || exit 1

cleanup() {
  for p in $server_pids; do kill -9 "$p" 2>/dev/null; done
  cd / && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! "$py" -c 'import jwt, jsonschema, yaml' 2>/dev/null; then
  echo "serve_test: $py lacks PyJWT, jsonschema or PyYAML" >&2
  exit 1
fi

. "$here/serve_lib.sh"

# req METHOD URL [curl args...]: one request. $code = HTTP status, $body = the body (file $bodyfile),
# headers in $headfile. Every non-empty body is queued for the OpenAPI check (openapi.list).
nreq=0
ntok=0  # requests sent to the token server (its access log must have exactly one line each)
req() {
  local method=$1 url=$2 path
  shift 2
  nreq=$((nreq + 1))
  case $url in "${tok_url:-none}"/*) ntok=$((ntok + 1)) ;; esac
  bodyfile=$tmp/body.$nreq
  headfile=$tmp/head.$nreq
  code=$(curl -sS -g -m 20 -o "$bodyfile" -D "$headfile" -w '%{http_code}' -X "$method" "$@" "$url" 2>"$tmp/curl.err")
  body=$(cat "$bodyfile")
  out=$body
  err=$(cat "$tmp/curl.err")
  path=/${url#http://*/}
  [ "$path" = "/$url" ] && path=/
  [ -s "$bodyfile" ] && printf '%s\t%s\t%s\t%s\n' "$method" "$path" "$code" "$bodyfile" >>"$tmp/openapi.list"
}
post_json() { req "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3" "${@:4}"; }

expect_code() { if [ "$code" = "$1" ]; then ok; else fail "$2: HTTP $code, expected $1"; fi; }
# jtrue FILE EXPR LABEL: the Python expression is true, with j = the JSON document in FILE.
jtrue() {
  if "$py" -c 'import json, sys; j = json.load(open(sys.argv[1], encoding="utf-8")); sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$1" "$2" 2>"$tmp/jerr"; then ok; else fail "$3: not ($2) $(head -c 300 "$tmp/jerr")"; fi
}
# expect_rasa_error STATUS REASON LABEL: http-api.md §1.3's error body with that status and reason.
expect_rasa_error() {
  expect_code "$1" "$3"
  jtrue "$bodyfile" "sorted(j) == sorted(['version','status','message','reason','details','help','code']) and \
j['status'] == 'failure' and j['code'] == $1 and j['reason'] == '$2' and isinstance(j['details'], dict) and \
isinstance(j['message'], str) and j['version'] == '2.8.12'" "$3: Rasa error JSON"
}
expect_json_type() {
  if grep -qi '^content-type: application/json' "$headfile"; then ok; else fail "$1: Content-Type is not application/json"; fi
}
store_list() { "$convo" tracker list --store "sqlite:///$tmp/main.db" -o json; }
urlq() { "$py" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# --- servers ---------------------------------------------------------------------------------------
start_server main --store "sqlite:///$tmp/main.db" --max-body-mb 1
wait_auth=(--token s3cret)
start_server tok --store "sqlite:///$tmp/tok.db" --auth-token s3cret
ntok=1  # the GET /status of `convo status --wait`
jwt_admin=$("$convo" auth token --secret jwtsecret --username ops --role admin)
wait_auth=(--jwt "$jwt_admin")
start_server jwt --store "sqlite:///$tmp/jwt.db" --jwt-secret jwtsecret
wait_auth=()
m=$main_url

# --- GET /, /version, /status ----------------------------------------------------------------------
req GET "$m/"
expect_code 200 "GET /"
expect_true '[ "$body" = "Hello from Rasa: 2.8.12" ]' "GET / says hello with the Rasa version"
expect_true 'grep -qi "^content-type: text/plain" "$headfile"' "GET / is text/plain"
req GET "$m/version"
expect_code 200 "GET /version"
expect_json_type "GET /version"
jtrue "$bodyfile" "j['version'] == '2.8.12' and isinstance(j['minimum_compatible_version'], str)" "/version body"
req GET "$m/status"
expect_code 200 "GET /status"
jtrue "$bodyfile" "j['model_file'] is None and j['fingerprint'] == {} and j['num_active_training_jobs'] == 0 and \
j['convo']['ready'] is True and j['convo']['store']['ready'] is True" "/status reports the store ready"

# --- auth: token (--auth-token) --------------------------------------------------------------------
t=$tok_url
req GET "$t/status"
expect_rasa_error 401 NotAuthenticated "token server, no credentials"
jtrue "$bodyfile" "j['message'] == 'User is not authenticated.' and j['help'].startswith('https://')" "401 message and help"
req GET "$t/status?token=wrong"
expect_rasa_error 401 NotAuthenticated "token server, wrong token"
req GET "$t/status?token=s3cre"
expect_rasa_error 401 NotAuthenticated "token server, a prefix of the token"
req GET "$t/status?token=s3cret"
expect_code 200 "token server, right token: /status"
req GET "$t/conversations/alice/tracker?token=s3cret"
expect_code 200 "token server, right token: tracker"
req GET "$t/conversations/alice/tracker"
expect_rasa_error 401 NotAuthenticated "token server, tracker without token"
req GET "$t/conversations/alice/tracker" -H "Authorization: Bearer $jwt_admin"
expect_rasa_error 401 NotAuthenticated "token server ignores JWTs (no --jwt-secret)"
req GET "$t/"
expect_code 200 "token server: GET / open"
req GET "$t/version"
expect_code 200 "token server: GET /version open"
req POST "$t/conversations/alice/tracker/events" -H 'Content-Type: application/json' --data-binary '{"event":"pause"}'
expect_rasa_error 401 NotAuthenticated "token server: write without token"
req POST "$t/conversations/alice/tracker/events?token=s3cret&include_events=NONE" -H 'Content-Type: application/json' \
  --data-binary '{"event":"slot","name":"k","value":1}'
expect_code 200 "token server: write with token"

# --- auth: JWT (--jwt-secret) ----------------------------------------------------------------------
j=$jwt_url
pyjwt() { # pyjwt CLAIMS_PY SECRET ALG: a token minted by PyJWT
  "$py" -c 'import jwt, sys, time; now = int(time.time()); print(jwt.encode(eval(sys.argv[1]), None if sys.argv[3] == "none" else sys.argv[2], algorithm=sys.argv[3]))' "$1" "$2" "$3"
}
jwt_alice=$("$convo" auth token --secret jwtsecret --username alice --role user --expires 1h)
py_admin=$(pyjwt '{"user": {"username": "ops", "role": "admin"}}' jwtsecret HS256)
py_alice=$(pyjwt '{"user": {"username": "alice", "role": "user"}, "exp": now + 600}' jwtsecret HS256)
py_expired=$(pyjwt '{"user": {"username": "ops", "role": "admin"}, "exp": now - 600}' jwtsecret HS256)
py_leeway=$(pyjwt '{"user": {"username": "ops", "role": "admin"}, "exp": now - 60}' jwtsecret HS256)
py_wrongsig=$(pyjwt '{"user": {"username": "ops", "role": "admin"}}' not-the-secret HS256)
py_none=$(pyjwt '{"user": {"username": "ops", "role": "admin"}}' x none)
py_hs512=$(pyjwt '{"user": {"username": "ops", "role": "admin"}}' jwtsecret HS512)
py_norole=$(pyjwt '{"user": {"username": "ops"}}' jwtsecret HS256)
expect_true '"$py" -c "import jwt, sys; jwt.decode(sys.argv[1], \"jwtsecret\", algorithms=[\"HS256\"])" "$jwt_alice"' \
  "PyJWT verifies the token convo auth token minted"

req GET "$j/status"
expect_rasa_error 401 NotAuthenticated "jwt: no credentials"
for tok in jwt_admin py_admin; do
  req GET "$j/status" -H "Authorization: Bearer ${!tok}"
  expect_code 200 "jwt: admin ($tok) on /status"
  req GET "$j/conversations/anyone/tracker" -H "Authorization: Bearer ${!tok}"
  expect_code 200 "jwt: admin ($tok) on any conversation"
done
for tok in jwt_alice py_alice; do
  req GET "$j/conversations/alice/tracker" -H "Authorization: Bearer ${!tok}"
  expect_code 200 "jwt: user ($tok) on its own conversation"
  req GET "$j/conversations/bob/tracker" -H "Authorization: Bearer ${!tok}"
  expect_rasa_error 403 NotAuthorized "jwt: user ($tok) on another conversation"
  req GET "$j/conversations/alicex/tracker" -H "Authorization: Bearer ${!tok}"
  expect_rasa_error 403 NotAuthorized "jwt: user ($tok) on a conversation whose id extends its name"
  req GET "$j/status" -H "Authorization: Bearer ${!tok}"
  expect_rasa_error 403 NotAuthorized "jwt: user ($tok) on /status"
done
req GET "$j/status" -H "Authorization: Bearer $py_expired"
expect_rasa_error 401 NotAuthenticated "jwt: expired 10 minutes ago"
req GET "$j/status" -H "Authorization: Bearer $py_leeway"
expect_code 200 "jwt: expired 1 minute ago is inside PyJWT's 180 s leeway"
req GET "$j/status" -H "Authorization: Bearer $py_wrongsig"
expect_rasa_error 401 NotAuthenticated "jwt: wrong signature"
req GET "$j/status" -H "Authorization: Bearer $py_none"
expect_rasa_error 401 NotAuthenticated "jwt: alg none"
req GET "$j/status" -H "Authorization: Bearer $py_hs512"
expect_rasa_error 401 NotAuthenticated "jwt: signed with another alg (HS512 on an HS256 server)"
req GET "$j/status" -H "Authorization: Bearer not.a.jwt"
expect_rasa_error 401 NotAuthenticated "jwt: garbage token"
req GET "$j/status" -H "Authorization: Bearer $py_norole"
expect_rasa_error 403 NotAuthorized "jwt: valid token without a role"
for header in "Token x" "Bearer" "Bearer a b" "bearer $py_admin"; do
  req GET "$j/status" -H "Authorization: $header"
  expect_code 400 "jwt: malformed header '${header:0:12}'"
  jtrue "$bodyfile" "j == {'reasons': ['Authorization header is invalid.'], 'exception': 'InvalidAuthorizationHeader'}" \
    "jwt: malformed header '${header:0:12}' gets the JWT library's body"
done
req GET "$j/status?token=jwtsecret"
expect_rasa_error 401 NotAuthenticated "jwt server: ?token= is no credential without --auth-token"
req GET "$j/"
expect_code 200 "jwt server: GET / open"
req GET "$j/version"
expect_code 200 "jwt server: GET /version open"
run "$convo" tracker list --store "sqlite:///$tmp/jwt.db" -o json
expect_true '[ "$out" = "[]" ]' "jwt server: reads stored nothing"

# --- tracker: GET of an unknown conversation --------------------------------------------------------
req GET "$m/conversations/newbie/tracker"
expect_code 200 "GET unknown conversation"
expect_json_type "GET tracker"
jtrue "$bodyfile" "j['sender_id'] == 'newbie' and [e['event'] for e in j['events']] == ['action', 'session_started', 'action'] \
and j['events'][0]['name'] == 'action_session_start' and j['events'][2]['name'] == 'action_listen'" "a session-start tracker"
run store_list
expect_true '[ "$out" = "[]" ]' "a GET stores nothing"

# --- tracker: POST --------------------------------------------------------------------------------
post_json POST "$m/conversations/p1/tracker/events" '{"event":"slot","name":"city","value":"Lyon","timestamp":1700000001.5}'
expect_code 200 "POST one event object"
jtrue "$bodyfile" "j['sender_id'] == 'p1' and j['slots'] == {'city': 'Lyon'} and [e['event'] for e in j['events']] == \
['action', 'session_started', 'action', 'slot'] and j['events'][3] == {'event': 'slot', 'timestamp': 1700000001.5, 'name': 'city', 'value': 'Lyon'}" \
  "the session start is added before the first event"
post_json POST "$m/conversations/p1/tracker/events" '[{"event":"user","timestamp":1700000002.0,"text":"hi","parse_data":{"intent":{"name":"greet","confidence":0.9},"entities":[],"text":"hi"},"input_channel":"rest"},{"event":"followup","name":"action_x","timestamp":1700000003.0}]'
expect_code 200 "POST a list"
# Read back as Rasa's SQL store reads it: the last session, from its session_started on (5 events).
jtrue "$bodyfile" "[e['event'] for e in j['events']] == ['session_started', 'action', 'slot', 'user', 'followup'] and j['latest_message']['intent']['name'] == 'greet' and j['followup_action'] == 'action_x' \
and j['latest_input_channel'] == 'rest'" "the list is appended"
run store_list
jtrue "$tmp/out" "[(c['sender_id'], c['events']) for c in j] == [('p1', 6)]" "the store holds the six events"
for v in NONE none ALL all Applied AFTER_RESTART after_restart; do
  req GET "$m/conversations/p1/tracker?include_events=$v"
  expect_code 200 "include_events=$v"
  case $(printf %s "$v" | tr a-z A-Z) in
    NONE) jtrue "$bodyfile" "j['events'] is None and j['slots'] == {'city': 'Lyon'}" "include_events=$v: events null" ;;
    ALL | AFTER_RESTART) jtrue "$bodyfile" "len(j['events']) == 5" "include_events=$v: every event of the session" ;;
    APPLIED) jtrue "$bodyfile" "[e['event'] for e in j['events']] == ['action', 'slot', 'user', 'followup']" \
      "include_events=$v: events after session_started" ;;
  esac
done
before=$(store_list)
for q in "include_events=bogus" "include_events=ALL%20" "include_events=%00"; do
  req GET "$m/conversations/p1/tracker?$q"
  expect_rasa_error 400 BadRequest "GET ?$q"
  jtrue "$bodyfile" "j['details'] == {'parameter': 'include_events', 'in': 'query'}" "GET ?$q details"
done
post_json POST "$m/conversations/p1/tracker/events?include_events=bogus" '{"event":"slot","name":"city","value":"Paris"}'
expect_rasa_error 400 BadRequest "POST ?include_events=bogus"
jtrue "$bodyfile" "j['details'] == {'parameter': 'include_events', 'in': 'query'}" "POST ?include_events=bogus details"
post_json POST "$m/conversations/fresh/tracker/events?include_events=bogus" '{"event":"slot","name":"city","value":"Paris"}'
expect_rasa_error 400 BadRequest "POST ?include_events=bogus to a new conversation"
expect_true '[ "$(store_list)" = "$before" ]' "a bad include_events stores nothing"

# schema-invalid events, invalid JSON
for bad in '{"event":"no_such_event"}' '[{"timestamp":1.0}]' '{"event":"slot"}' '[{"event":"slot","name":"a","value":1},{"event":"bogus"}]' \
  '{"event":"user","text":5}' '{"event":"action","name":"x","confidence":"high"}' '[1,2]' '"slot"' '[{"event":"slot","name":"a","value":1,"timestamp":"now"}]'; do
  post_json POST "$m/conversations/p1/tracker/events" "$bad"
  expect_rasa_error 400 BadRequest "schema-invalid ${bad:0:40}"
  jtrue "$bodyfile" "'Failed to validate' in j['message'] and j['details'] == {'parameter': '', 'in': 'body'}" \
    "schema-invalid ${bad:0:40}: message and details"
done
post_json PUT "$m/conversations/p1/tracker/events" '[{"event":"slot","name":"a","value":1},{"event":"nope"}]'
expect_rasa_error 400 BadRequest "PUT schema-invalid"
post_json PUT "$m/conversations/p1/tracker/events" '{"event":"slot","name":"a","value":1}'
expect_rasa_error 400 BadRequest "PUT of one object (the body must be a list)"
for bad in '{"event": "slot",' 'not json' '' '[{"event":"slot","name":"a","value":1}] trailing'; do
  post_json POST "$m/conversations/p1/tracker/events" "$bad"
  expect_rasa_error 400 BadRequest "invalid JSON '${bad:0:20}'"
done
post_json PUT "$m/conversations/p1/tracker/events" '[{"event":'
expect_rasa_error 400 BadRequest "PUT invalid JSON"
expect_true '[ "$(store_list)" = "$before" ]' "rejected bodies change nothing in the store"

# A POST with neither Content-Length nor Transfer-Encoding has an empty body (RFC 9112 §6.3), which
# must be refused at once like any empty body (spec §3.5).
"$py" - "$main_port" >nolength.out 2>&1 <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(2)
s.sendall(b"POST /conversations/p1/tracker/events HTTP/1.1\r\nHost: x\r\n\r\n")
try:
    print(s.recv(200).split(b"\r\n")[0].decode())
except socket.timeout:
    print("no answer within 2 s")
PY
out=$(cat nolength.out) err=""
expect_true 'grep -q "^HTTP/1.1 400" nolength.out' \
  "a POST without Content-Length gets 400 at once ($(cat nolength.out))"

# --- tracker: PUT replaces -------------------------------------------------------------------------
cat >put.json <<'EOF'
[{"event":"action","timestamp":1700000100.0,"name":"action_session_start","policy":null,"confidence":1.0,"action_text":null,"hide_rule_turn":false},
 {"event":"session_started","timestamp":1700000100.1},
 {"event":"action","timestamp":1700000100.2,"name":"action_listen","policy":null,"confidence":null,"action_text":null,"hide_rule_turn":false},
 {"event":"slot","timestamp":1700000100.3,"name":"city","value":"Oslo"},
 {"event":"pause","timestamp":1700000100.4}]
EOF
req PUT "$m/conversations/p1/tracker/events" -H 'Content-Type: application/json' --data-binary @put.json
expect_code 200 "PUT"
jtrue "$bodyfile" "j['paused'] is True and j['slots'] == {'city': 'Oslo'} and len(j['events']) == 5" "PUT returns the built tracker"
run "$convo" tracker get p1 --store "sqlite:///$tmp/main.db" --all-sessions -o json
printf '%s' "$out" >put_stored.json
jtrue put_stored.json "j['events'] == json.load(open('put.json'))" "the store holds exactly the PUT events"
post_json PUT "$m/conversations/p1/tracker/events?include_events=NONE" '[]'
expect_code 200 "PUT []"
run store_list
jtrue "$tmp/out" "'p1' not in [c['sender_id'] for c in j]" "PUT [] leaves no events"

# --- odd conversation ids ---------------------------------------------------------------------------
uid='Zoë 日本/ü?#&'
post_json POST "$m/conversations/$(urlq "$uid")/tracker/events?include_events=NONE" '{"event":"slot","name":"n","value":1}'
expect_code 200 "POST to a unicode id"
jtrue "$bodyfile" "j['sender_id'] == 'Zoë 日本/ü?#&'" "the unicode id is decoded"
post_json POST "$m/conversations/a%2Fb/tracker/events?include_events=NONE" '{"event":"slot","name":"n","value":2}'
expect_code 200 "POST to a%2Fb"
jtrue "$bodyfile" "j['sender_id'] == 'a/b'" "a%2Fb is conversation a/b"
req GET "$m/conversations/a/b/tracker"
jtrue "$bodyfile" "j['sender_id'] == 'a/b' and len(j['events']) == 3 and j['slots'] == {'n': 2}" "/conversations/a/b/tracker is the same conversation"
long=$(printf 'x%.0s' $(seq 300))
post_json POST "$m/conversations/$long/tracker/events?include_events=NONE" '{"event":"slot","name":"n","value":3}'
expect_code 200 "POST to a 300-character id"
jtrue "$bodyfile" "j['sender_id'] == 'x' * 300" "the 300-character id is kept whole"
run store_list
jtrue "$tmp/out" "sorted(c['sender_id'] for c in j) == sorted(['Zoë 日本/ü?#&', 'a/b', 'x' * 300])" \
  "the store lists the odd ids as sent"

# --- unknown path, wrong method ---------------------------------------------------------------------
for p in /nope /conversations/x /conversations/x/trackers /webhooks/nope/webhook; do
  req GET "$m$p"
  expect_rasa_error 404 NotFound "GET $p"
done
req DELETE "$m/conversations/x/tracker"
expect_rasa_error 405 MethodNotAllowed "DELETE on the tracker"
req GET "$m/conversations/x/tracker/events"
expect_rasa_error 405 MethodNotAllowed "GET on tracker/events"
expect_true 'grep -qi "^allow: POST, PUT" "$headfile"' "405 names the allowed methods"
req PATCH "$m/version" --data-binary ''  # with Content-Length: 0 (see the no-length check above)
expect_rasa_error 405 MethodNotAllowed "PATCH /version"

# --- body limit --------------------------------------------------------------------------------------
"$py" -c 'import json; print(json.dumps([{"event": "slot", "name": "big", "value": "x" * 1000} for i in range(1500)]))' >big.json
before=$(store_list)
req POST "$m/conversations/big/tracker/events" -H 'Content-Type: application/json' --data-binary @big.json
expect_rasa_error 413 PayloadTooLarge "a 1.5 MB body on a --max-body-mb 1 server"
req POST "$m/conversations/big/tracker/events" -H 'Content-Type: application/json' -H 'Expect:' --data-binary @big.json
expect_rasa_error 413 PayloadTooLarge "a 1.5 MB body without Expect: 100-continue"
req POST "$m/conversations/big/tracker/events?include_events=NONE" -H 'Content-Type: application/json' \
  -H 'Transfer-Encoding: chunked' --data-binary @big.json
expect_code 413 "a 1.5 MB chunked body on a --max-body-mb 1 server"
out=$(store_list) err=""
expect_true '[ "$out" = "$before" ]' "oversized chunked bodies store nothing"
post_json PUT "$m/conversations/big/tracker/events?include_events=NONE" '[]'  # undo the chunked append, if any

# --- 200 concurrent appends from 8 clients -----------------------------------------------------------
post_json POST "$m/conversations/conc/tracker/events?include_events=NONE" '{"event":"slot","name":"m","value":"start"}'
expect_code 200 "create the concurrent conversation"
conc_pids=()
for p in 1 2 3 4 5 6 7 8; do
  (
    for i in $(seq 25); do
      curl -sS -m 20 -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
        --data-binary "[{\"event\":\"slot\",\"name\":\"m\",\"value\":\"p$p-$i-a\"},{\"event\":\"slot\",\"name\":\"m\",\"value\":\"p$p-$i-b\"}]" \
        "$m/conversations/conc/tracker/events?include_events=NONE"
    done >"conc.$p" 2>&1
  ) &
  conc_pids+=($!)
done
wait "${conc_pids[@]}"
expect_true '[ "$(cat conc.* | sort | uniq -c | tr -s " ")" = " 200 200" ]' "200 concurrent appends all answered 200"
run "$convo" tracker get conc --store "sqlite:///$tmp/main.db" --all-sessions -o json
printf '%s' "$out" >conc.json
"$py" - conc.json <<'PY' && ok || fail "exactly 400 new events, every batch whole, nothing lost"
import json, sys
events = json.load(open(sys.argv[1]))["events"]
assert [e["event"] for e in events[:4]] == ["action", "session_started", "action", "slot"], events[:4]
new = [e["value"] for e in events[4:]]
assert len(new) == 400, len(new)
expected = {f"p{p}-{i}-{s}" for p in range(1, 9) for i in range(1, 26) for s in "ab"}
assert set(new) == expected and len(set(new)) == 400, "lost or duplicated events"
for k in range(0, 400, 2):
    a, b = new[k], new[k + 1]
    assert a.endswith("-a") and b == a[:-1] + "b", (k, a, b)
last = {}
for v in new[::2]:  # each client's batches in its own order
    p, i, _ = v.split("-")
    assert int(i) > last.get(p, 0), v
    last[p] = int(i)
PY

# --- round trip with convo's own client ---------------------------------------------------------------
rid='rt ü/1'
run "$convo" tracker put "$rid" "$ex/restaurant_tracker.json" --url "$m"
expect_status 0 "tracker put --url"
run "$convo" tracker get "$rid" --url "$m" -o json --include-events ALL
expect_status 0 "tracker get --url"
printf '%s' "$out" >rt_url.json
run "$convo" tracker get "$rid" --store "sqlite:///$tmp/main.db" -o json --include-events ALL
expect_status 0 "tracker get --store on the server's database"
printf '%s' "$out" >rt_store.json
expect_true 'cmp -s rt_url.json rt_store.json' "get --url and get --store print the same bytes"
jtrue rt_url.json "j['sender_id'] == 'rt ü/1' and len(j['events']) == 48" "the round trip keeps the id and the last session"
run "$convo" tracker show "$rid" --url "$m" -o json --include-events ALL --type slot,user --tail 3
printf '%s' "$out" >rt_sel.json
"$py" - rt_url.json rt_sel.json <<'PY2' && ok || fail "--type/--tail with --url: the last 3 slot/user events the server sent"
import json, sys
full, sel = (json.load(open(p)) for p in sys.argv[1:])
want = [e for e in full["events"] if e["event"] in ("slot", "user")][-3:]
assert sel["events"] == want and len(want) == 3, sel["events"]
PY2
# --- one session-start rule: events push --url and --store store the same events -----------------------
push='[{"event": "user", "timestamp": 1700000000, "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}}, {"event": "slot", "timestamp": 1700000001, "name": "city", "value": "Rome"}]'
run "$convo" events push same-rule --url "$m" <<<"$push"
expect_status 0 "events push --url"
run "$convo" events push same-rule --store "sqlite:///$tmp/direct.db" <<<"$push"
expect_status 0 "events push --store"
"$convo" tracker get same-rule --store "sqlite:///$tmp/main.db" -o json --include-events ALL --all-sessions >same_url.json
"$convo" tracker get same-rule --store "sqlite:///$tmp/direct.db" -o json --include-events ALL --all-sessions >same_store.json
"$py" - same_url.json same_store.json <<'PY3' && ok || fail "events push: --url and --store store the same events (session start first)"
import json, sys
def shape(p):
    return [(e["event"], e.get("name"), e.get("text"), e.get("value")) for e in json.load(open(p))["events"]]
a, b = shape(sys.argv[1]), shape(sys.argv[2])
assert a == b, (a, b)
assert [x[:2] for x in a[:3]] == [("action", "action_session_start"), ("session_started", None), ("action", "action_listen")], a
assert len(a) == 5, a
PY3
for v in ALL APPLIED AFTER_RESTART NONE; do  # the rich tracker through the OpenAPI check too
  req GET "$m/conversations/$(urlq "$rid")/tracker?include_events=$v"
  expect_code 200 "GET the restaurant tracker ($v)"
done

# --- client exit codes --------------------------------------------------------------------------------
dead=$(free_port)
run "$convo" tracker get alice --url "http://127.0.0.1:$dead" --timeout 5
expect_status 5 "unreachable server"
expect_err_has "http://127.0.0.1:$dead" "the message names the URL"
run "$convo" status --url "http://127.0.0.1:$dead"
expect_status 5 "status of an unreachable server"
run "$convo" tracker get alice --url "$tok_url" --token wrong
ntok=$((ntok + 1))
expect_status 4 "wrong token"
expect_err_has "401" "the message gives the status"
run "$convo" tracker get alice --url "$tok_url" --token s3cret -o json
ntok=$((ntok + 1))
expect_status 0 "right token"
run "$convo" tracker get alice --url "$jwt_url" --jwt "$jwt_alice" -o json
expect_status 0 "user JWT on its own conversation"
run "$convo" tracker get bob --url "$jwt_url" --jwt "$jwt_alice"
expect_status 4 "user JWT on another conversation (403)"
run "$convo" tracker get alice --url "$m/nope"
expect_status 3 "a server path that 404s"
run "$convo" status --url "$tok_url"
ntok=$((ntok + 1))
expect_status 4 "status without a token"

# --- access log ---------------------------------------------------------------------------------------
# Every request to the token server ($ntok, counted as sent): one access line each, no token anywhere.
for i in 1 2 3; do req GET "$tok_url/conversations/log$i/tracker?token=s3cret&include_events=NONE"; done
for _ in $(seq 20); do
  [ "$(grep -cE '\] 127\.0\.0\.1 [A-Z]+ /' tok.log)" -ge "$ntok" ] && break
  sleep 0.1
done
access=$(grep -E '\] 127\.0\.0\.1 [A-Z]+ /' tok.log)
expect_true '[ "$(printf "%s\n" "$access" | wc -l)" -eq "$ntok" ]' "one access line per request ($(printf "%s\n" "$access" | wc -l) lines, $ntok requests)"
expect_true '! grep -q s3cret tok.log' "the token never appears in the log"
expect_true '! printf "%s\n" "$access" | grep -q "?"' "access lines carry the path without the query"
expect_true 'printf "%s\n" "$access" | grep -qE "\] 127\.0\.0\.1 GET /conversations/log2/tracker 200 [0-9]+(\.[0-9]+)?ms$"' \
  "an access line has method, path, status and ms"
expect_true 'printf "%s\n" "$access" | grep -qE "\] 127\.0\.0\.1 GET /status 401 [0-9.]+ms$"' "refused requests are logged with their status"
expect_true '[ -z "$(printf "%s\n" "$access" | grep -vE "\] 127\.0\.0\.1 (GET|POST|PUT) /[^ ?]* [0-9]{3} [0-9]+(\.[0-9]+)?ms$")" ]' \
  "every access line has the same shape"
expect_true '! grep -q "$jwt_admin" jwt.log && ! grep -q "$py_admin" jwt.log' "JWTs never appear in the log"
# A decoded path may hold a newline (%0A): it must not split the access line or forge another one.
lines_before=$(wc -l <main.log)
access_before=$(grep -c 'ms$' main.log)
req GET "$m/conversations/a%0A%5B2020-01-01%2000:00:00.000%5D%20%5Bconvo%5D%20%5Binfo%5D%20127.0.0.1%20GET%20/forged%20200%200.1ms%0Ab/tracker"
for _ in $(seq 20); do
  [ "$(grep -c 'ms$' main.log)" -gt "$access_before" ] && break
  sleep 0.1
done
out=$(tail -n +$((lines_before + 1)) main.log) err=""
expect_true '[ $(($(wc -l <main.log) - lines_before)) -eq 1 ] && ! grep -qE "^\[2020-01-01|\] 127\.0\.0\.1 GET /forged " main.log' \
  "an encoded newline in the path still gives one access line, nothing forged"

# --- SIGTERM with a slow request in flight ------------------------------------------------------------
# The client sends its headers with Expect: 100-continue, so the server's "100 Continue" proves it is
# reading this request; it then signals, and trickles the body in over about 1.5 s.
"$py" - "$main_port" slow.ready >slow.out 2>&1 <<'PY' &
import json, socket, sys, time
body = json.dumps([{"event": "slot", "name": "slow", "value": "y" * 100, "timestamp": 1700000000.0 + i}
                   for i in range(400)]).encode()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(15)
s.sendall(b"POST /conversations/slow/tracker/events?include_events=NONE HTTP/1.1\r\nHost: x\r\n"
          b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body))
interim = b""
while b"\r\n\r\n" not in interim:
    interim += s.recv(100)
assert interim.startswith(b"HTTP/1.1 100"), interim
open(sys.argv[2], "w").close()
step = len(body) // 15 + 1
for k in range(0, len(body), step):
    time.sleep(0.1)
    s.sendall(body[k:k + step])
answer = b""
try:
    while b"\r\n\r\n" not in answer:
        chunk = s.recv(4096)
        if not chunk:
            break
        answer += chunk
except socket.timeout:
    pass
print(answer.split(b"\r\n")[0].decode() or "no answer")
PY
slow_pid=$!
for _ in $(seq 50); do [ -e slow.ready ] && break; sleep 0.1; done
expect_true '[ -e slow.ready ] && kill -0 $slow_pid 2>/dev/null' "the slow request is in flight when SIGTERM arrives"
stop_server main
wait $slow_pid
out=$(tail -n 3 main.log) err=""
expect_true '[ "$stop_status" -eq 0 ]' "SIGTERM: exit status 0 (got $stop_status)"
expect_true '[ "$stop_ms" -lt 8000 ]' "SIGTERM: gone within a few seconds (${stop_ms} ms)"
expect_true 'grep -q "^HTTP/1.1 200" slow.out' "the in-flight request is finished, not cut ($(cat slow.out))"
expect_true 'grep -q "received SIGTERM" main.log && tail -n 1 main.log | grep -q "stopped"' "the log says stopped"
expect_true '[ "$(sqlite3 main.db "PRAGMA integrity_check")" = ok ]' "integrity_check after SIGTERM"
run store_list
jtrue "$tmp/out" "[c['events'] for c in j if c['sender_id'] == 'slow'] == [403]" "the in-flight append was stored"
code=$(curl -s -o /dev/null -w '%{http_code}' "$m/" 2>/dev/null)
expect_true '[ "$code" = 000 ]' "nothing listens after the stop"
for s in tok jwt; do
  stop_server $s
  expect_true '[ "$stop_status" -eq 0 ] && [ "$stop_ms" -lt 8000 ]' "SIGTERM $s server: exit 0 (${stop_status}, ${stop_ms} ms)"
  expect_true '[ "$(sqlite3 $s.db "PRAGMA integrity_check")" = ok ]' "$s.db integrity_check"
done

# --- every body against Rasa's OpenAPI document ---------------------------------------------------------
"$py" "$here/openapi_check.py" --spec "$spec" --fallback-schema Error --batch openapi.list >openapi.out 2>&1
while IFS= read -r line; do
  case $line in
    ok\ *) ok ;;
    *) out=""; err=""; fail "$line" ;;
  esac
done <openapi.out
# The check is not vacuous: what the document forbids still fails after the corrections.
printf '%s' '{"sender_id":"x","slots":[],"latest_message":{"intent":{},"entities":[],"text":null,"message_id":null,"metadata":{}},"events":[]}' >bad1.json
printf '%s' '{"sender_id":"x","slots":{},"paused":"no","events":[{"event":"slot","timestamp":"now"}]}' >bad2.json
printf '%s' '{"sender_id":"x","slots":{},"latest_message":{"intent":{},"entities":[],"text":"hi","message_id":null,"metadata":{}}}' >bad3.json
printf '%s' '{"version":"2.8.12","status":"error","code":"400","help":null}' >bad4.json
for b in bad1 bad2 bad3; do
  run "$py" "$here/openapi_check.py" --spec "$spec" GET /conversations/x/tracker 200 $b.json
  expect_status 1 "openapi_check refuses $b.json"
done
run "$py" "$here/openapi_check.py" --spec "$spec" POST /conversations/x/tracker/events 400 bad4.json
expect_status 1 "openapi_check refuses a bad error body"
run "$py" "$here/openapi_check.py" --spec "$spec" GET /nope 404 bad4.json
expect_status 2 "openapi_check: an undeclared response without --fallback-schema"

# --- HTTPS with --ssl-certificate/--ssl-keyfile ---------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
  -subj "/CN=localhost" >/dev/null 2>&1
tls_port=$(free_port)
"$convo" serve --enable-api -i 127.0.0.1 -p "$tls_port" --store memory: \
  --ssl-certificate "$tmp/cert.pem" --ssl-keyfile "$tmp/key.pem" --log-file "$tmp/tls.log" >tls.out 2>&1 &
tls_pid=$!
server_pids="$server_pids $tls_pid"
for _ in $(seq 50); do curl -s -m 2 --cacert "$tmp/cert.pem" "https://localhost:$tls_port/" >/dev/null && break; sleep 0.1; done
out=$(curl -s -m 5 --cacert "$tmp/cert.pem" "https://localhost:$tls_port/version")
expect_true '[ "$(printf "%s" "$out" | "$py" -c "import json,sys; print(json.load(sys.stdin)[\"version\"])")" = 2.8.12 ]' \
  "HTTPS serves the API with the given certificate"
expect_true '! curl -s -m 5 "http://127.0.0.1:$tls_port/version" | grep -q 2.8.12' "plain HTTP is not served on the TLS port"
kill "$tls_pid" 2>/dev/null
run "$convo" serve -p "$(free_port)" --store memory: --ssl-certificate "$tmp/missing.pem" --ssl-keyfile "$tmp/key.pem"
expect_status 1 "a missing certificate is an error"
expect_err_has "missing.pem" "the error names the certificate"

# --- numeric options out of range are usage errors (exit 2), nothing is started ---------------------
for bad in "-p 99999" "-p 0" "-p -1" "--response-timeout 0" "--max-body-mb 0"; do
  # shellcheck disable=SC2086
  run "$convo" serve --store memory: $bad
  expect_status 2 "serve $bad is a usage error"
done
expect_err_has "--max-body-mb" "the error names the option"

finish
