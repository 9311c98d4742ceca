#!/usr/bin/env bash
# `convo model build|inspect|pull` end to end: projects from tests/fixtures/model (valid and
# broken), and pulls from tests/support/model_server.py on a free loopback port, one case per
# behaviour a model server can show (ETag/304/204, no ETag, 404, 500, truncated, slow, stalled).
# Usage: model_test.sh CONVO_BINARY SOURCE_DIR
set -u
convo=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export NO_COLOR=1
py=/usr/bin/python3
fx=$src/tests/fixtures/model
cd "$tmp" || exit 1

server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null
  cd / && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

jq_py() { "$py" -c "import json,sys; d=json.loads(sys.stdin.read().splitlines()[-1]); print($1)"; }
line_of() { grep -n -- "$2" "$1" | head -1 | cut -d: -f1; }  # line_of FILE TEXT
# jget PATH...: fields of the last JSON line on stdin ("headers/x-team", "query/token/0"), space-separated.
jget() {
  "$py" -c 'import json, sys
d = json.loads(sys.stdin.read().splitlines()[-1])
out = []
for path in sys.argv[1:]:
    v = d
    for k in path.split("/"):
        v = v[int(k)] if isinstance(v, list) else v[k]
    out.append(str(v))
print(" ".join(out))' "$@"
}
entries() { ls -A "$1" 2>/dev/null | tr '\n' ' '; }

# --- help ------------------------------------------------------------------------------------------
for sub in "" pull build inspect; do
  run "$convo" model $sub --help
  expect_status 0 "model $sub --help"
  expect_out_has "Examples:" "model $sub --help shows examples"
done

# --- build and inspect a valid project -------------------------------------------------------------
run "$convo" model build "$fx/bot" -o models --name a.tar.gz --format json
expect_status 0 "build bot"
expect_true "[ -f models/a.tar.gz ]" "build writes models/a.tar.gz"
fp=$(printf '%s' "$out" | jq_py 'd["fingerprint"]')
expect_true "[ \${#fp} -eq 64 ]" "build prints a sha256 fingerprint ($fp)"
stories=$(grep -c -- '- story:' "$fx/bot/data/stories.yml")
rules=$(grep -c -- '- rule:' "$fx/bot/data/rules.yml")
expect_true "[ \"$(printf '%s' "$out" | jq_py 'd["stories"], d["rules"]')\" = '$stories $rules' ]" "build counts stories and rules"
run "$convo" model build "$fx/bot" -o models --name b.tar.gz --format json
expect_true "[ \"$(printf '%s' "$out" | jq_py 'd["fingerprint"]')\" = '$fp' ]" "same inputs, same fingerprint"
cp -r "$fx/bot" bot2 && printf '      - action: utter_happy\n' >>bot2/data/stories.yml
run "$convo" model build bot2 -o models2 --format json
expect_status 0 "build a changed copy"
expect_true "[ \"$(printf '%s' "$out" | jq_py 'd["fingerprint"]')\" != '$fp' ]" "changed inputs, new fingerprint"
run "$convo" model build "$fx/bot" -o dry --dry-run --format table
expect_status 0 "build --dry-run"
expect_out_has "valid:" "dry run says valid"
expect_true "[ ! -e dry ]" "dry run writes nothing"
run "$convo" model build "$fx/bot" -o models3 --format table
expect_out_has "built models3/" "table output names the archive"
tar tzf models/a.tar.gz >members.txt
for m in fingerprint.json metadata.json domain.yml config.yml data/nlu.yml data/rules.yml data/stories.yml; do
  expect_true "grep -qx '$m' members.txt" "archive holds $m (tar tzf)"
done

run "$convo" model inspect models/a.tar.gz -o table
expect_status 0 "inspect"
expect_out_has "$fp" "inspect shows the fingerprint"
for name in greet mood_unhappy utter_cheer_up name_form action_remember_mood; do
  expect_out_has "$name" "inspect lists $name"
done
run "$convo" model inspect models/a.tar.gz -o json
expect_true "[ \"$(printf '%s' "$out" | jq_py 'd["stories"], d["rules"], len(d["domain"]["intents"])')\" = '$stories $rules 5' ]" "inspect json counts"
expect_true "printf '%s' \"\$out\" | jq_py 'd[\"built_at\"]' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'" "inspect json has the build time"
touch -d '2001-01-01' models/a.tar.gz
run "$convo" model inspect models -o json
expect_true "[ \"$(printf '%s' "$out" | jq_py 'd["file"]')\" = models/b.tar.gz ]" "inspect DIR takes the newest archive"
run "$convo" model inspect nowhere.tar.gz
expect_status 3 "inspect a missing archive"
printf 'not an archive' >junk.tar.gz
run "$convo" model inspect junk.tar.gz
expect_status 1 "inspect junk"
expect_err_has "junk.tar.gz" "inspect junk names the file"

# --- hostile archives: refused with a clear error, nothing written anywhere ----------------------
mkdir hostile
"$py" - hostile <<'PY'
import io, sys, tarfile
def archive(path, members=(), links=()):
    with tarfile.open(path, "w:gz") as t:
        for name, data in members:
            info = tarfile.TarInfo(name); info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        for name, target, kind in links:
            info = tarfile.TarInfo(name); info.type = kind; info.linkname = target
            t.addfile(info)
d = sys.argv[1]
domain = b'version: "2.0"\nintents: [greet]\n'
archive(d + "/up.tar.gz", [("domain.yml", domain), ("../../escaped.yml", b"pwned")])
archive(d + "/abs.tar.gz", [("domain.yml", domain), ("/tmp/convo-model-test-escaped.yml", b"pwned")])
archive(d + "/sym.tar.gz", [("domain.yml", domain)], [("data/rules.yml", "/etc/passwd", tarfile.SYMTYPE)])
archive(d + "/hard.tar.gz", [("domain.yml", domain)], [("config.yml", "domain.yml", tarfile.LNKTYPE)])
PY
for c in "up|unsafe member path '../../escaped.yml'" "abs|unsafe member path '/tmp/convo-model-test-escaped.yml'" \
  "sym|member 'data/rules.yml' is a link" "hard|member 'config.yml' is a link"; do
  IFS='|' read -r name msg <<<"$c"
  run "$convo" model inspect "hostile/$name.tar.gz" -o json
  expect_status 1 "inspect $name.tar.gz is refused"
  expect_err_has "hostile/$name.tar.gz: $msg" "inspect $name.tar.gz says why"
  expect_true "[ -z \"\$out\" ]" "inspect $name.tar.gz prints no model"
done
expect_true "[ ! -e escaped.yml ] && [ ! -e ../escaped.yml ] && [ ! -e /tmp/convo-model-test-escaped.yml ]" "nothing escaped the archives"
run "$convo" serve --model hostile/up.tar.gz --port 65000 -i 127.0.0.1
expect_status 1 "serve --model refuses a hostile archive"
expect_err_has "unsafe member path" "serve says why"

# --- invalid projects: every error with file and line, exit 1, nothing written ---------------------
run "$convo" model build "$fx/bad_refs" -o bad
expect_status 1 "build bad_refs"
d=$fx/bad_refs
for pair in "data/stories.yml|intent: grete|intent 'grete'" "data/stories.yml|utter_missing|'utter_missing' has no response" \
  "data/stories.yml|action_not_listed|'action_not_listed' is not in the domain" "data/stories.yml|colour: red|slot 'colour'" \
  "data/stories.yml|no_such_form|form 'no_such_form'" "data/stories.yml|city: Paris|entity 'city'" \
  "domain.yml|utter_no_response|'utter_no_response' has no response" "data/nlu.yml|order_pizza|intent 'order_pizza'"; do
  IFS='|' read -r file text msg <<<"$pair"
  expect_err_has "$d/$file:$(line_of "$d/$file" "$text"): " "bad_refs: $msg has file:line"
  expect_err_has "$msg" "bad_refs: $msg"
done
expect_err_has "8 errors; nothing was built" "bad_refs counts its errors"
expect_true "[ ! -e bad ]" "nothing built for bad_refs"
run "$convo" model build "$fx/bad_yaml" -o bad
expect_status 1 "build bad_yaml"
expect_err_has "$fx/bad_yaml/data/stories.yml:" "bad YAML names the file"
expect_err_has "invalid YAML" "bad YAML says so"
run "$convo" model build "$fx/bad_version" -o bad
expect_status 1 "build bad_version"
expect_err_has "$fx/bad_version/data/nlu.yml:1: 'version' must be a string" "unquoted version"
expect_err_has "$fx/bad_version/data/rules.yml:1: version \"3.1\" is not supported" "3.x version"
run "$convo" model build "$fx/no_config" -o bad
expect_status 1 "build without config.yml"
expect_err_has "config.yml: missing" "missing config.yml"
run "$convo" model build "$fx/nowhere" -o bad
expect_status 3 "build a missing directory"

# --- pull ------------------------------------------------------------------------------------------
mkdir srv
cp models/a.tar.gz srv/bot.tar.gz
head -c 3000000 /dev/urandom >big.bin && tar czf srv/big.tar.gz big.bin
printf 'not an archive' >srv/junk.tar.gz
"$py" "$src/tests/support/model_server.py" srv --log requests.log >server.port 2>server.err &
server_pid=$!
disown "$server_pid"
for _ in $(seq 100); do [ -s server.port ] && break; sleep 0.1; done
port=$(head -1 server.port)
[ -n "$port" ] || { echo "model_test: the model server did not start: $(cat server.err)" >&2; exit 1; }
base=http://127.0.0.1:$port/models
etag=$(md5sum srv/bot.tar.gz | cut -d' ' -f1)
last_request() { tail -1 requests.log | jget "$@"; }

run "$convo" model pull "$base/bot.tar.gz" --out m -o json
expect_status 0 "pull: 200 with ETag"
expect_true "[ \"$(printf '%s' "$out" | jq_py 'd["result"], d["fingerprint"], d["file"]')\" = 'updated $etag m/bot.tar.gz' ]" "pull json: updated"
expect_true "cmp -s m/bot.tar.gz srv/bot.tar.gz" "the pulled archive equals the served one"
expect_true "[ \"$(cat m/.fingerprint)\" = '$etag' ]" "the ETag is recorded in DIR/.fingerprint"
expect_true "[ \"$(entries m)\" = '.fingerprint bot.tar.gz ' ]" "DIR holds the archive and the fingerprint only"
first_inm=$(last_request headers/if-none-match)
expect_true "[ \${#first_inm} -eq 32 ] && [ '$first_inm' != '$etag' ]" "first pull sends a random 32-character If-None-Match"

run "$convo" model pull "$base/bot.tar.gz" --out m -o table
expect_status 0 "pull: 304"
expect_out_has "unchanged" "304 is unchanged"
expect_true "[ \"$(last_request headers/if-none-match)\" = '$etag' ]" "second pull sends the recorded ETag"
run "$convo" model pull "$base/bot.tar.gz?unchanged=204" --out m -o json --exit-unchanged 3
expect_status 3 "pull: 204 with --exit-unchanged 3"
expect_true "[ \"$(printf '%s' "$out" | jq_py 'd["result"], d["http_status"]')\" = 'unchanged 204' ]" "204 is unchanged"
run "$convo" model pull "$base/bot.tar.gz?force=304&etag=bogus" --out m -o json
expect_true "[ \"$(cat m/.fingerprint)\" = '$etag' ]" "an ETag on a 304 is not adopted (Rasa #3086)"

for c in "noetag=1|discarded|200 without an ETag" "status=500|error|HTTP 500" "truncate=1000|error|" "x=1|error|404"; do
  IFS='|' read -r query result msg <<<"$c"
  name=bot.tar.gz
  [ "$msg" = 404 ] && name=absent.tar.gz
  run "$convo" model pull "$base/$name?$query" --out f --fingerprint-file f.fp -o json
  expect_status 5 "pull $name?$query exits 5"
  expect_true "[ \"$(printf '%s' "$out" | jq_py 'd["result"]')\" = '$result' ]" "pull $query: result $result"
  expect_err_has "$msg" "pull $query: message"
  expect_err_has "current model kept" "pull $query keeps the current model"
  expect_true "[ -z \"$(entries f)\" ] && [ ! -e f.fp ]" "pull $query leaves DIR empty and no fingerprint"
done
cp hostile/up.tar.gz srv/up.tar.gz
run "$convo" model pull "$base/up.tar.gz" --out f -o json
expect_status 5 "pull a hostile archive"
expect_err_has "unsafe member path" "pull says why"
expect_true "[ -z \"$(entries f)\" ]" "hostile archive: DIR stays empty"
run "$convo" model pull "$base/junk.tar.gz" --out f -o json
expect_status 5 "pull an unreadable archive"
expect_err_has "not a readable .tar.gz archive" "unreadable archive message"
expect_true "[ -z \"$(entries f)\" ]" "unreadable archive: DIR stays empty"
run "$convo" model pull "http://127.0.0.1:1/models/x" --out f
expect_status 5 "pull from a closed port"

run "$convo" model pull "$base/big.tar.gz?slow=2&disposition=prod.tar.gz" --out s -o json
expect_status 0 "pull a slow body"
expect_true "cmp -s s/prod.tar.gz srv/big.tar.gz" "slow body complete, named by Content-Disposition"

"$convo" model pull "$base/big.tar.gz?stall=200000" --out st -o json >stall.out 2>stall.err &
pull_pid=$!
for _ in $(seq 200); do ls st/.convo-pull-* >/dev/null 2>&1 && break; sleep 0.05; done
kill -INT $pull_pid
wait $pull_pid
status=$?
expect_status 130 "SIGINT during a stalled download"
expect_true "[ -z \"$(entries st)\" ]" "SIGINT leaves no partial file"

run "$convo" model pull "$base/bot.tar.gz?a=b" --out t --token 's3 cret' --header 'X-Team: bots' -o json
expect_status 0 "pull with token and header"
expect_true "[ \"$(last_request query/token/0 headers/x-team)\" = 's3 cret bots' ]" "token as ?token=, header sent"
expect_true "printf '%s' \"\$out\" | grep -q 'token=\*\*\*'" "the token is not printed"

cat >endpoints.yml <<YAML
models:
  url: $base/bot.tar.gz
  token: \${MODEL_TOKEN}
  token_name: api_key
  headers:
    X-From: endpoints
  wait_time_between_pulls: 0
YAML
MODEL_TOKEN=abc run "$convo" model pull --endpoints endpoints.yml --out e -o json
expect_status 0 "pull from endpoints.yml models:"
expect_true "[ \"$(last_request query/api_key/0 headers/x-from)\" = 'abc endpoints' ]" "token_name, \${VAR} and headers from endpoints.yml"
printf 'tracker_store:\n  type: sql\n' >nomodels.yml
run "$convo" model pull --endpoints nomodels.yml --out e
expect_status 2 "endpoints.yml without models:"

before=$(wc -l <requests.log)
"$convo" model pull "$base/bot.tar.gz" --out iv --interval 0.1 -o json >interval.out 2>interval.err &
pull_pid=$!
for _ in $(seq 200); do [ "$(wc -l <interval.out)" -ge 3 ] && break; sleep 0.05; done
kill -INT $pull_pid
wait $pull_pid
status=$?
expect_status 130 "--interval runs until interrupted"
out=$(cat interval.out)
expect_true "[ \"$(sed -n 1p interval.out | jget result)\" = updated ] && [ \"$(sed -n 2p interval.out | jget result)\" = unchanged ]" "--interval: updated, then unchanged"
expect_true "[ \$((\$(wc -l <requests.log) - before)) -ge 3 ]" "--interval pulls again"

# --- progress bar on a terminal -------------------------------------------------------------------
if command -v script >/dev/null; then
  script -qec "$convo model pull '$base/big.tar.gz?slow=2' --out tty -o table" typescript >/dev/null 2>&1
  expect_true "grep -q '%' typescript && grep -q 'updated' typescript" "progress bar and result on a TTY"
fi

finish
