#!/usr/bin/env bash
# Behaviour on a real terminal (under script(1)): table by default, colour unless NO_COLOR.
# Usage: tty_test.sh CONVO_BINARY SOURCE_DIR
set -u
convo=$(realpath "$1")
src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
events=$src/examples/restaurant_tracker.json

on_tty() {  # runs the command line in a pseudo-terminal; output in $out
  out=$(env -u NO_COLOR -u CLICOLOR_FORCE script -qec "$1" /dev/null 2>&1)
  status=$?
}

on_tty "'$convo' tracker show --events '$events'"
expect_status 0 "tracker show on a terminal"
expect_out_has "Slots" "a terminal gets the table by default"
expect_out_has $'\033[' "a terminal gets colour"

out=$(NO_COLOR=1 script -qec "'$convo' tracker show --events '$events'" /dev/null 2>&1)
expect_out_has "Slots" "NO_COLOR still gets the table"
expect_out_lacks $'\033[' "NO_COLOR=1 turns colour off"

on_tty "'$convo' tracker show --events '$events' -o json"
expect_out_has '"sender_id":"alice"' "-o json on a terminal is JSON"
expect_out_lacks $'\033[' "JSON is never coloured"

on_tty "'$convo' events validate '$events'"
expect_out_has $'\033[' "validate colours its verdict on a terminal"

# Consumers: a progress line on a terminal's stderr (here while the broker cannot be reached),
# rewritten in place, and the summary in a readable line.
cd "$tmp" || exit 1
on_tty "'$convo' consume-amqp --url amqp://guest:guest@127.0.0.1:1/ --queue q -e --retry-for 1s --batch-wait 50ms --store sqlite:///tty.db"
expect_status 5 "consume-amqp on a terminal: unreachable broker"
expect_out_has $'\r\033[K' "the progress line is rewritten in place"
expect_out_has "reconnecting" "the progress line says the consumer is reconnecting"
expect_out_has $'\033[3' "the progress line is coloured on a terminal"
expect_out_has "0 events stored" "a readable summary on a terminal"
out=$(NO_COLOR=1 script -qec "'$convo' consume-amqp --url amqp://guest:guest@127.0.0.1:1/ --queue q -e --retry-for 1s --batch-wait 50ms --store sqlite:///tty.db" /dev/null 2>&1)
expect_out_has "reconnecting" "NO_COLOR keeps the progress line"
expect_out_lacks $'\033[3' "NO_COLOR=1: no colour in the progress line"
run "$convo" consume-amqp --url amqp://guest:guest@127.0.0.1:1/ --queue q -e --retry-for 1s --batch-wait 50ms --store sqlite:///tty.db
expect_true '! printf "%s" "$err" | grep -q reconnecting' "no progress line when stderr is not a terminal"

finish
