#!/bin/sh
# Exercism-style test-runner entry: run.sh <slug> <input_dir> <output_dir> [--classroom FILE] [--timeout S]
# Writes <output_dir>/results.json (Exercism test-runner interface, version 3) and exits 0 whenever
# it did, whatever the tests said. If the grader itself dies, this script still writes an error
# results.json saying so, so a caller never gets a non-zero exit without a results.json.
set -u
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)

if [ "$#" -lt 3 ]; then
  echo "usage: labs/runner/run.sh <slug> <input_dir> <output_dir> [--classroom FILE] [--timeout S]" >&2
  exit 2
fi
OUT=$3
mkdir -p "$OUT" 2>/dev/null || { echo "run.sh: cannot create the output folder $OUT" >&2; exit 3; }
RESULTS="$OUT/results.json"
rm -f "$RESULTS"

ERR=$(mktemp "${TMPDIR:-/tmp}/run-sh-stderr.XXXXXX")
"$ROOT/node_modules/.bin/tsx" "$ROOT/labs/runner/run.ts" "$@" 2>"$ERR"
CODE=$?
cat "$ERR" >&2

if [ "$CODE" -ne 0 ] && [ ! -s "$RESULTS" ]; then
  # The last lines of what the grader printed, as a JSON string: backslashes and quotes escaped,
  # control characters dropped, newlines as \n.
  DETAIL=$(tail -n 5 "$ERR" | tr -d '\000-\010\013\014\016-\037' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | awk '{ printf "%s\\n", $0 }')
  printf '{\n  "version": 3,\n  "status": "error",\n  "message": "the grader stopped unexpectedly (exit %s): %s"\n}\n' "$CODE" "$DETAIL" >"$RESULTS" \
    || { rm -f "$ERR"; exit 3; }
  CODE=0
fi
rm -f "$ERR"
if [ "$CODE" -eq 0 ] && [ ! -s "$RESULTS" ]; then exit 3; fi
exit "$CODE"
