#!/usr/bin/env bash
# Behaviour on a real terminal (under script(1)): table by default, colour unless NO_COLOR.
# Usage: tty_test.sh CONVO_BINARY SOURCE_DIR
set -u
convo=$1
src=$2
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

finish
