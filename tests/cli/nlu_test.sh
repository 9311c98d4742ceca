#!/usr/bin/env bash
# convo's built-in NLU end to end: `model build` of a project with nlu.yml trains it into the
# archive; `nlu parse` and `nlu test` (a model, --train, --cross-validation, --min-f1, Markdown
# data, a bad file); `convo serve` parses real sentences on /model/parse and in a REST-channel turn.
# Usage: nlu_test.sh CONVO_BINARY SOURCE_DIR
set -u
convo=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export NO_COLOR=1
unset CONVO_STORE CONVO_URL CONVO_TOKEN CONVO_JWT
py=/usr/bin/python3
fx=$src/tests/fixtures/nlu
cd "$tmp" || exit 1
cleanup() {
  for p in $server_pids; do kill -9 "$p" 2>/dev/null; done
  cd / && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$here/serve_lib.sh"
field() { "$py" -c "import json,sys; d=json.loads(sys.stdin.read().splitlines()[-1]); print(eval(sys.argv[1]))" "$1"; }

# --- model build trains; inspect shows it ----------------------------------------------------------
run "$convo" model build "$fx/bot" -o models --name pizza.tar.gz --format json
expect_status 0 "model build"
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'len(d[\"nlu\"][\"intents\"])')\" = 4 ]" "build reports 4 NLU intents"
run "$convo" model inspect models/pizza.tar.gz -o json
expect_status 0 "model inspect"
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'd[\"nlu\"][\"examples\"]')\" = 24 ]" "inspect counts 24 examples"
expect_out_has "nlu_model.bin" "the archive holds the NLU member"
run "$convo" model inspect models/pizza.tar.gz -o table
expect_out_has "nlu (4)" "inspect's table shows the NLU model"
# Same data, same model bytes.
"$convo" model build "$fx/bot" -o models2 --name pizza.tar.gz --format json >/dev/null
mkdir x1 x2 && tar -xzf models/pizza.tar.gz -C x1 nlu_model.bin && tar -xzf models2/pizza.tar.gz -C x2 nlu_model.bin
expect_true "cmp -s x1/nlu_model.bin x2/nlu_model.bin" "the same project gives the same NLU model bytes"

# --- nlu parse ---------------------------------------------------------------------------------------
run "$convo" nlu parse "hey, good morning to you" --model models -o json
expect_status 0 "nlu parse"
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'd[\"intent\"][\"name\"]')\" = greet ]" "a greeting is greet"
run "$convo" nlu parse "could I get a large pizza with margherita" --model models/pizza.tar.gz -o json
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'd[\"intent\"][\"name\"]')\" = order_pizza ]" "an order is order_pizza"
expect_true "[ \"\$(printf '%s' \"\$out\" | field '[e[\"value\"] for e in d[\"entities\"] if e[\"entity\"] == \"size\"]')\" = \"['large']\" ]" "the annotated size is found"
expect_true "[ \"\$(printf '%s' \"\$out\" | field '[(e[\"value\"], e[\"start\"], e[\"end\"]) for e in d[\"entities\"] if e[\"entity\"] == \"topping\"]')\" = \"[('margherita pizza', 31, 41)]\" ]" "an annotated text is found again, its value mapped by the synonym"
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'len(d[\"intent_ranking\"]) == 4 and d[\"intent_ranking\"][0] == d[\"intent\"]')\" = True ]" "intent_ranking"
run "$convo" nlu parse "with olives" --model models -o json
expect_true "[ \"\$(printf '%s' \"\$out\" | field '[e[\"extractor\"] for e in d[\"entities\"]]')\" = \"['RegexEntityExtractor']\" ]" "lookup entities come from RegexEntityExtractor"
run "$convo" nlu parse '/ask_hours{"size": "small"}' --model models -o json
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'd[\"intent\"][\"confidence\"]')\" = 1.0 ]" "'/' texts go to the regex interpreter"
run "$convo" nlu parse "xyzzy" --model models -o json
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'd[\"intent\"][\"name\"] + \" \" + str(d[\"intent\"][\"confidence\"])')\" = 'nlu_fallback 0.4' ]" "an unknown word falls back at the threshold"
run "$convo" nlu parse "when are you open" --model models -o table
expect_status 0 "table output"
expect_out_has "ask_hours" "the table names the intent"
run "$convo" nlu parse "hi" --model nowhere
expect_status 3 "a missing model is exit 3"

# A model built from a project without NLU data has no NLU model.
mkdir -p nonlu/data && cp "$fx/bot/domain.yml" "$fx/bot/config.yml" "$fx/bot/data/rules.yml" nonlu/ && mv nonlu/rules.yml nonlu/data/
run "$convo" model build nonlu -o models3 --name plain.tar.gz --format json
expect_status 0 "a project without NLU builds"
run "$convo" nlu parse "hi" --model models3
expect_status 3 "nlu parse on a model without NLU"
expect_err_has "no NLU model" "says why"

# A Rasa 1.x project: Markdown NLU data with a lookup table file named relative to the project,
# built from another directory (the file is found in the project).
mkdir -p mdbot/data && cp "$fx/bot/domain.yml" "$fx/bot/config.yml" mdbot/ && cp "$fx/bot/data/rules.yml" mdbot/data/
"$py" - "$fx/bot/data/nlu.yml" > mdbot/data/nlu.md <<'PY'
import sys, yaml
for item in yaml.safe_load(open(sys.argv[1]))["nlu"]:
    if "intent" in item:
        print(f"## intent:{item['intent']}")
        print(item["examples"])
print("## lookup:topping\ndata/toppings.txt")
PY
printf 'anchovies\n\n  capers  \n' > mdbot/data/toppings.txt
(cd / && "$convo" model build "$tmp/mdbot" -o "$tmp/models4" --name md.tar.gz --format json) > build.out 2> build.err
expect_true "[ \$? -eq 0 ] || [ -s models4/md.tar.gz ]" "a Markdown project builds from another directory"
expect_true "[ \"\$(field 'd[\"nlu_examples\"]' < build.out)\" = 24 ]" "its Markdown examples are counted"
run "$convo" nlu parse "a pizza with capers" --model models4/md.tar.gz -o json
expect_status 0 "nlu parse on the Markdown model"
expect_true "[ \"\$(printf '%s' \"\$out\" | field '[e[\"value\"] for e in d[\"entities\"] if e[\"entity\"] == \"topping\"]')\" = \"['capers']\" ]" "an element of the lookup file is an entity"
rm mdbot/data/toppings.txt
run "$convo" model build mdbot -o models5 --name md.tar.gz
expect_status 1 "a missing lookup table file fails the build"
expect_err_has "mdbot/data/nlu.md:" "the error names the Markdown file and line"
expect_err_has "data/toppings.txt" "and the lookup file"
expect_true "[ ! -e models5/md.tar.gz ]" "nothing was built"
run "$convo" nlu test mdbot/data/nlu.md --model models4/md.tar.gz -o json
expect_status 0 "evaluating Markdown data needs no lookup file (only training reads them)"
run "$convo" nlu test mdbot/data/nlu.md --cross-validation 2 -o json
expect_status 1 "cross-validation trains: a missing lookup file is an error"
expect_err_has "data/toppings.txt" "naming the file"

# --- nlu test ----------------------------------------------------------------------------------------
run "$convo" nlu test "$fx/test.md" --model models -o json
expect_status 0 "nlu test with a model on Markdown data"
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'sorted(k for k in d[\"intent_report\"])')\" = \"['accuracy', 'ask_hours', 'goodbye', 'greet', 'macro avg', 'order_pizza', 'weighted avg']\" ]" "Rasa's report keys"
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'd[\"intent_report\"][\"weighted avg\"][\"support\"]')\" = 8 ]" "support counts the test examples"
run "$convo" nlu test "$fx/test.md" --train "$fx/bot/data/nlu.yml" --min-f1 0.5 -o table
expect_status 0 "--train, F1 above --min-f1"
expect_out_has "weighted avg" "the table has the averages"
run "$convo" nlu test "$fx/test.md" --train "$fx/bot/data/nlu.yml" --min-f1 1.0 -o json
if [ "$(printf '%s' "$out" | field 'd["intent_report"]["weighted avg"]["f1-score"]')" = 1.0 ]; then expect_status 0 "perfect F1"
else expect_status 1 "--min-f1 above the F1 is exit 1"; expect_err_has "below --min-f1" "says so"; fi
run "$convo" nlu test "$fx/bot/data" --cross-validation 3 -o json
expect_status 0 "cross-validation"
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'd[\"intent_report\"][\"weighted avg\"][\"support\"]')\" = 24 ]" "every example predicted once"
first=$out
run "$convo" nlu test "$fx/bot/data" --cross-validation 3 -o json
expect_true "[ \"\$out\" = \"\$first\" ]" "cross-validation is deterministic"
run "$convo" nlu test "$fx/bad.yml" --cross-validation 2
expect_status 1 "a bad nlu.yml"
expect_err_has "bad.yml:6" "the error names the file and line"
run "$convo" nlu test "$fx/test.md" --model models --cross-validation 2
expect_status 2 "--model with --cross-validation is a usage error"

# --- serve: /model/parse and a REST-channel turn with real sentences --------------------------------
start_server s1 --model models/pizza.tar.gz --store sqlite:///$tmp/s1.db
out=$(curl -s "$s1_url/model/parse" -d '{"text": "what are your opening hours on sunday"}')
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'd[\"intent\"][\"name\"]')\" = ask_hours ]" "/model/parse uses the model"
out=$(curl -s "$s1_url/model/parse" -d '{"text": "/greet"}')
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'd[\"intent\"][\"name\"] + \" \" + str(d[\"intent\"][\"confidence\"])')\" = 'greet 1.0' ]" "/model/parse: '/' texts by regex"
out=$(curl -s "$s1_url/webhooks/rest/webhook" -d '{"sender": "u1", "message": "good morning!"}')
expect_out_has "Hello! Want a pizza?" "a REST-channel turn understands a real sentence"
out=$(curl -s "$s1_url/webhooks/rest/webhook" -d '{"sender": "u1", "message": "I want a small pizza with mushrooms"}')
expect_out_has "One pizza coming up." "an order is understood"
out=$(curl -s "$s1_url/conversations/u1/tracker")
expect_true "[ \"\$(printf '%s' \"\$out\" | field '[e[\"value\"] for e in d[\"latest_message\"][\"entities\"] if e[\"entity\"] == \"topping\"]')\" = \"['mushrooms']\" ]" "the user event holds the entities"
out=$(curl -s "$s1_url/conversations/u2/messages" -d '{"sender": "user", "text": "see you later"}')
expect_true "[ \"\$(printf '%s' \"\$out\" | field 'd[\"latest_message\"][\"intent\"][\"name\"]')\" = goodbye ]" "/conversations/{id}/messages parses with the model"
stop_server s1

finish
