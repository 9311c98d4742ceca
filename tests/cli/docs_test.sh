#!/usr/bin/env bash
# Docs in step with the code: completions equal what the binary generates and work; every option
# of every command is in its man page; man pages render without warnings.
# Usage: docs_test.sh CONVO_BINARY SOURCE_DIR
set -u
convo=$1
src=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# --- completions/ holds exactly what `convo completion` generates ---------------------------------
for pair in bash:convo.bash zsh:_convo fish:convo.fish; do
  shell=${pair%%:*}
  file=$src/completions/${pair#*:}
  run "$convo" completion "$shell"
  expect_status 0 "completion $shell"
  if diff -q <(printf '%s\n' "$out") "$file" >/dev/null; then ok
  else fail "completions/${pair#*:} is stale: regenerate with 'convo completion $shell > completions/${pair#*:}'"; fi
done

# --- the bash completion completes (sourced into a real bash) -------------------------------------
complete_words() {  # complete_words WORD... : prints the candidates for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _convo; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$src/completions/convo.bash" "$@"
}
out=$(complete_words convo tr)
expect_out_has "tracker" "bash completes the command"
out=$(complete_words convo tracker show --inc)
expect_out_has "--include-events" "bash completes an option"
out=$(complete_words convo tracker show --include-events "")
expect_out_has "AFTER_RESTART" "bash completes an option's values"
out=$(complete_words convo events validate -o "")
expect_out_has "table" "bash completes -o values"
out=$(complete_words convo completion "")
expect_out_has "zsh" "bash completes the shell names"
if command -v zsh >/dev/null; then
  if zsh -n "$src/completions/_convo"; then ok; else fail "zsh completion has a syntax error"; fi
fi
if command -v fish >/dev/null; then
  if fish -n "$src/completions/convo.fish"; then ok; else fail "fish completion has a syntax error"; fi
  out=$(fish -c "source $src/completions/convo.fish; complete -C 'convo tracker show --inc'")
  expect_out_has "--include-events" "fish completes an option"
fi

# --- every option of every command is documented in its man page ---------------------------------
# The fish script lists each command's options with the command path in its condition.
checked=0
while IFS= read -r line; do
  case $line in *" -l "*) ;; *) continue ;; esac
  family=$(printf '%s' "$line" | sed -n "s/^[^']*'__fish_seen_subcommand_from \([a-z-]*\).*/\1/p")
  page=$src/man/convo.1
  [ -n "$family" ] && page=$src/man/convo-$family.1
  opt=$(printf '%s' "$line" | sed -n 's/.* -l \([a-z-]*\).*/\1/p')
  esc="\\\\-\\\\-$(printf '%s' "$opt" | sed 's/-/\\\\-/g')"
  if [ -f "$page" ] && grep -q -- "$esc" "$page"; then ok; else fail "--$opt is not documented in $(basename "$page")"; fi
  checked=$((checked + 1))
done <"$src/completions/convo.fish"
expect_true "[ $checked -ge 10 ]" "options checked against man pages ($checked)"

# --- every command has a man page and a line in convo(1) ------------------------------------------
for family in $(sed -n "s/^complete -c convo -n '__fish_use_subcommand' -a \([a-z-]*\)$/\1/p" "$src/completions/convo.fish"); do
  expect_true "[ -f '$src/man/convo-$family.1' ]" "man page for '$family'"
  expect_true "grep -q '^\.B $family' '$src/man/convo.1'" "convo(1) lists '$family'"
  expect_true "grep -q 'convo $family' '$src/README.md'" "README mentions 'convo $family'"
done

# --- man pages render cleanly -------------------------------------------------------------------------
for page in "$src"/man/*.1; do
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  expect_true '[ -z "$warnings" ]' "$(basename "$page") renders without warnings: $warnings"
done

finish
