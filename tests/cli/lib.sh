# Shared helpers for the shell-level tests: run a command, then assert on its status and output.
# Each assertion failure is reported and counted; the script's last line is "N passed, M failed".
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run CMD...: runs it, keeping stdout in $out, stderr in $err, status in $status.
run() {
  "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

ok() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $1" >&2
  [ -n "${out-}" ] && echo "  stdout: $(printf '%s' "$out" | head -c 400)" >&2
  [ -n "${err-}" ] && echo "  stderr: $(printf '%s' "$err" | head -c 400)" >&2
}

expect_status() { if [ "$status" -eq "$1" ]; then ok; else fail "$2: exit $status, expected $1"; fi; }
expect_out_has() { if printf '%s' "$out" | grep -qF -- "$1"; then ok; else fail "$2: stdout lacks '$1'"; fi; }
expect_out_lacks() { if printf '%s' "$out" | grep -qF -- "$1"; then fail "$2: stdout has '$1'"; else ok; fi; }
expect_err_has() { if printf '%s' "$err" | grep -qF -- "$1"; then ok; else fail "$2: stderr lacks '$1'"; fi; }
expect_err_lacks() { if printf '%s' "$err" | grep -qF -- "$1"; then fail "$2: stderr has '$1'"; else ok; fi; }
expect_err_lines() {
  n=$(printf '%s\n' "$err" | grep -c .)
  if [ "$n" -eq "$1" ]; then ok; else fail "$2: $n stderr lines, expected $1"; fi
}
expect_true() { if eval "$1"; then ok; else fail "$2"; fi; }

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
