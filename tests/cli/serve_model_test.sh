#!/usr/bin/env bash
# Models in `convo serve`: --model, PUT /model and DELETE /model as Rasa 2.8 (§3.17–3.18), the
# models: endpoint pulled on an interval from tests/support/model_server.py, /status reporting
# the model, and hot swaps under a load of requests with no failed request and no lost conversation.
# Usage: serve_model_test.sh CONVO_BINARY SOURCE_DIR
set -u
convo=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export NO_COLOR=1
unset CONVO_STORE CONVO_URL CONVO_TOKEN CONVO_JWT
py=/usr/bin/python3
fx=$src/tests/fixtures/model
cd "$tmp" || exit 1
ms_pid=""
cleanup() {
  for p in $server_pids $ms_pid; do kill -9 "$p" 2>/dev/null; done
  cd / && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$here/serve_lib.sh"

# Two models: the fixture bot, and a copy whose domain has one more intent.
cp -r "$fx/bot" bot2
"$py" - bot2/domain.yml <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("intents:\n", "intents:\n  - swapped_in\n", 1)
open(p, "w").write(s)
PY
"$convo" model build "$fx/bot" -o built --name a.tar.gz >/dev/null || { echo "build a failed" >&2; exit 1; }
"$convo" model build bot2 -o built --name b.tar.gz >/dev/null || { echo "build b failed" >&2; exit 1; }
printf 'not an archive' >built/broken.tar.gz

status() { curl -s "$1/status"; }
field() { "$py" -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
intents() { curl -s -H 'Accept: application/json' "$1/domain" | field '" ".join(d["intents"] if isinstance(d["intents"][0], str) else [list(i)[0] for i in d["intents"]])'; }
put_model() { curl -s -o put.body -w '%{http_code}' -X PUT -H 'Content-Type: application/json' "$1/model" -d "$2"; }

# --- --model and /status ---
start_server a --store sqlite:///conv.db --model built/a.tar.gz
expect_true '[ "$(status "$a_url" | field "d[\"model_file\"]")" = built/a.tar.gz ]' "/status model_file is the archive"
fp=$("$convo" model inspect built/a.tar.gz -o json | field 'd["fingerprint"]')
expect_true '[ "$(status "$a_url" | field "d[\"fingerprint\"][\"project\"]")" = "$fp" ]' "/status fingerprint is the archive's fingerprint.json"
expect_true 'intents "$a_url" | grep -qw greet && ! intents "$a_url" | grep -qw swapped_in' "the model's domain is served"
# libarchive (with the XML and ICU libraries it needs) is mapped only while a model is read.
expect_true 'grep -q convo-serve "/proc/$a_pid/cmdline" && ! grep -qE "libarchive|libicu" "/proc/$a_pid/maps"' \
  "after loading its model the server (convo-serve) no longer maps libarchive"
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' "$a_url/conversations/keep/tracker/events" \
  -d '{"event":"slot","timestamp":1628000000,"name":"n","value":1}'

# --- PUT /model ---
expect_true '[ "$(put_model "$a_url" "{\"model_file\": \"built/b.tar.gz\"}")" = 204 ] && [ ! -s put.body ]' "PUT /model with model_file: 204, empty body"
expect_true 'intents "$a_url" | grep -qw swapped_in' "the new model's domain is live"
expect_true '[ "$(status "$a_url" | field "d[\"model_file\"]")" = built/b.tar.gz ]' "/status shows the new model"
mkdir two && cp built/a.tar.gz two/ && cp built/b.tar.gz two/ && touch -d '1 hour ago' two/a.tar.gz
expect_true '[ "$(put_model "$a_url" "{\"model_file\": \"two\"}")" = 204 ] && [ "$(status "$a_url" | field "d[\"model_file\"]")" = two/b.tar.gz ]' \
  "PUT /model with a directory takes its newest archive"
expect_true '[ "$(put_model "$a_url" "{\"model_file\": \"nope.tar.gz\"}")" = 400 ]' "PUT /model with a missing file: 400"
expect_true 'field "d[\"reason\"] == \"BadRequest\" and d[\"message\"] == \"Agent with name '"'"'nope.tar.gz'"'"' could not be loaded.\" and d[\"details\"] == {\"parameter\": \"model\", \"in\": \"query\"}" <put.body | grep -q True' \
  "Rasa's BadRequest body for a missing model"
expect_true '[ "$(put_model "$a_url" "{\"model_file\": \"built/broken.tar.gz\"}")" = 500 ] && grep -q LoadingError put.body' "a broken archive: 500 LoadingError"
expect_true '[ "$(status "$a_url" | field "d[\"model_file\"]")" != built/broken.tar.gz ]' "a failed load keeps the current model"
expect_true '[ "$(curl -s -o put.body -w "%{http_code}" -X PUT -d "" "$a_url/model")" = 400 ] && grep -q "No path to model file" put.body' "PUT /model without a body: 400"
expect_true '[ "$(put_model "$a_url" "{\"model_server\": {\"url\": 5}}")" = 400 ] && grep -q "\"parameter\":\"model_server\"" put.body' "an invalid model_server: 400"

# --- DELETE /model keeps conversations ---
expect_true '[ "$(curl -s -o /dev/null -w "%{http_code}" -X DELETE "$a_url/model")" = 204 ]' "DELETE /model: 204"
expect_true '[ "$(status "$a_url" | field "d[\"model_file\"]")" = None ]' "/status: no model after DELETE"
expect_true '[ "$(curl -s "$a_url/conversations/keep/tracker" | field "len(d[\"events\"])")" -ge 1 ]' "conversations survive model changes"
stop_server a

# --- the models: endpoint, pulled on an interval ---
mkdir served
cp built/a.tar.gz served/model.tar.gz
"$py" "$src/tests/support/model_server.py" served --log ms.log >ms.port &
ms_pid=$!
for i in $(seq 50); do [ -s ms.port ] && break; sleep 0.1; done
mport=$(head -n 1 ms.port)
cat >endpoints.yml <<YML
tracker_store:
  type: sql
  db: conv.db
models:
  url: http://127.0.0.1:$mport/models/model.tar.gz
  wait_time_between_pulls: 1
YML
start_server p --endpoints endpoints.yml --model-dir pulled
expect_true '[ "$(status "$p_url" | field "d[\"convo\"][\"model\"][\"loaded\"]")" = True ]' "the model is pulled before the server answers"
expect_true 'intents "$p_url" | grep -qw greet && ! intents "$p_url" | grep -qw swapped_in' "the pulled model's domain is served"
cp built/b.tar.gz served/model.tar.gz
swapped=no
for i in $(seq 100); do intents "$p_url" | grep -qw swapped_in && { swapped=yes; break; }; sleep 0.1; done
expect_true '[ $swapped = yes ]' "a new model on the server is pulled and swapped in"
expect_true 'grep -q "if-none-match" ms.log' "pulls send If-None-Match"
stop_server p

# --- a failing model server: the server answers, reports the failure, keeps its model ---
cat >failing.yml <<YML
tracker_store:
  type: sql
  db: conv.db
models:
  url: http://127.0.0.1:$mport/models/model.tar.gz?status=500
  wait_time_between_pulls: 1
YML
start_server q --endpoints failing.yml --model-dir pulled-q --model built/a.tar.gz
expect_true '[ "$(curl -s -o /dev/null -w "%{http_code}" "$q_url/status")" = 200 ]' "a failing model server does not stop serve"
expect_true '[ "$(status "$q_url" | field "d[\"convo\"][\"model\"][\"pulling\"][\"last\"][\"result\"]")" = error ]' \
  "/status reports the failed pull"
expect_true '[ "$(status "$q_url" | field "d[\"model_file\"]")" = built/a.tar.gz ]' "the current model is kept when a pull fails"
expect_true '[ "$(put_model "$q_url" "{\"model_server\": {\"url\": \"http://127.0.0.1:$mport/models/none.tar.gz\"}}")" = 500 ] && grep -q LoadingError put.body' \
  "PUT /model with a model server that has no model: 500 LoadingError"
expect_true '[ "$(status "$q_url" | field "d[\"model_file\"]")" = built/a.tar.gz ]' "and the current model stays"
stop_server q
kill "$ms_pid" 2>/dev/null; ms_pid=""

# --- hot swaps under load: no failed request ---
start_server h --store sqlite:///load.db --model built/a.tar.gz
"$py" - "$h_url" >load.out <<'PY' &
import json, sys, threading, urllib.request, time
url = sys.argv[1]
failed, done = [], [0]
stop = time.time() + 6
def worker(n):
    i = 0
    while time.time() < stop:
        i += 1
        try:
            if i % 2:
                body = json.dumps({"event": "slot", "timestamp": 1628000000 + i, "name": "n", "value": i}).encode()
                req = urllib.request.Request(f"{url}/conversations/w{n}/tracker/events", body, {"Content-Type": "application/json"})
            else:
                req = urllib.request.Request(f"{url}/conversations/w{n}/tracker")
            with urllib.request.urlopen(req, timeout=30) as r:
                if r.status != 200:
                    failed.append(r.status)
            done[0] += 1
        except Exception as e:
            failed.append(str(e))
ts = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
[t.start() for t in ts]
[t.join() for t in ts]
print(json.dumps({"done": done[0], "failed": failed[:5], "nfailed": len(failed)}))
PY
load_pid=$!
swaps=0
for i in $(seq 20); do
  m=a; [ $((i % 2)) -eq 1 ] && m=b
  [ "$(put_model "$h_url" "{\"model_file\": \"built/$m.tar.gz\"}")" = 204 ] && swaps=$((swaps + 1))
  sleep 0.2
done
wait "$load_pid"
expect_true '[ "$swaps" -eq 20 ]' "20 hot swaps succeeded"
expect_true '[ "$(field "d[\"nfailed\"]" <load.out)" = 0 ] && [ "$(field "d[\"done\"]" <load.out)" -gt 100 ]' \
  "no request failed during the swaps ($(cat load.out))"
stop_server h

finish
