#!/usr/bin/env bash
# make fuzz-ci: a short fuzzing pass over every fuzz target, inside one
# wall-clock budget for the whole pass.
#
# `go test` (make test) already runs each target's seed corpus: its f.Add
# seeds and the files under the package's testdata/fuzz/<Target>/. This step
# goes further and mutates for FUZZTIME per target (default 3s), never past
# FUZZ_BUDGET seconds in all (default 300; make fuzz-ci gives 600): when time runs short the
# remaining targets share what is left, and a target still running when the
# budget ends is stopped and fails the step (a hang, or the budget too small
# for the number of targets: lower FUZZTIME or raise FUZZ_BUDGET).
#
# The budget is for fuzzing. Building the coverage-instrumented test binaries
# comes first, one package at a time (each package's first target run for a
# single input, after its seeds), under its own guard of FUZZ_BUILD_TIMEOUT
# seconds (default 1200): on a cold build cache it takes minutes, and counting
# it would leave the first packages' targets no time to fuzz.
#
# A crash: go test writes the failing input to
# <package>/testdata/fuzz/<Target>/<hash> and this script prints it. Fix the
# bug and commit that file with the fix: from then on it is a seed that every
# `go test` runs. Reproduce with
#   go test -run '<Target>/<hash>' ./<package>
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-3s}
FUZZ_BUDGET=${FUZZ_BUDGET:-300}
FUZZ_BUILD_TIMEOUT=${FUZZ_BUILD_TIMEOUT:-1200}

per_target=${FUZZTIME%s}
case $per_target in
'' | *[!0-9]*)
  echo "fuzz-ci: FUZZTIME must be whole seconds like 3s, not '$FUZZTIME'" >&2
  exit 2
  ;;
esac

# Every `func FuzzXxx(` in a test file (read from the source rather than
# with go test -list, which would build each package once more).
targets=()
while IFS=: read -r file f; do
  targets+=("$(dirname "$file") $f")
done < <(grep -ro --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's/:func /:/' | sort -u |
  grep -E -- "${FUZZ_ONLY:-.}")
n=${#targets[@]}
[ "$n" -gt 0 ] || { echo "fuzz-ci: no fuzz targets found" >&2; exit 1; }

report_crashers() {
  local new file
  new=$(git status --porcelain --untracked-files=all -- '*/testdata/fuzz/*' 2>/dev/null | awk '{print $2}' || true)
  [ -n "$new" ] || return 0
  echo "fuzz-ci: new failing inputs (commit each as a seed with its fix):"
  for file in $new; do
    echo "--- $file"
    head -c 4096 "$file"
    echo
  done
}

# fuzz_one SECONDS_LEFT DIR TARGET FUZZTIME: one go test -fuzz run, stopped
# when SECONDS_LEFT run out; on failure prints new inputs and exits.
fuzz_one() {
  local left=$1 dir=$2 f=$3 fuzztime=$4 rc=0
  if [ "$left" -lt 1 ]; then
    echo "fuzz-ci: no time left for $dir $f" >&2
    exit 1
  fi
  local out
  out=$(mktemp)
  timeout --signal=INT --kill-after=10 "$left" \
    "$GO" test -run '^$' -fuzz "^$f\$" -fuzztime "$fuzztime" "$dir" 2>&1 | tee "$out" || rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q 'context deadline exceeded' "$out" &&
    ! grep -q 'Failing input written to' "$out"; then
    # The go command's own artifact: -fuzztime ran out while the fuzzer was
    # minimizing a new interesting input. No input failed, none was written.
    echo "fuzz-ci: $dir $f: fuzztime ended during minimization (no failing input), counted as a pass" >&2
    rc=0
  fi
  rm -f "$out"
  [ "$rc" -ne 0 ] || return 0
  report_crashers
  if [ "$rc" -eq 124 ]; then
    echo "fuzz-ci: $dir $f still running after ${left}s" >&2
  else
    echo "fuzz-ci: $dir $f failed (exit $rc)" >&2
  fi
  exit 1
}

build_start=$(date +%s)
build_deadline=$((build_start + FUZZ_BUILD_TIMEOUT))
echo "== fuzz-ci: building instrumented test binaries ($n targets)"
built=" "
for t in "${targets[@]}"; do
  read -r dir f <<<"$t"
  case $built in *" $dir "*) continue ;; esac
  built="$built$dir "
  echo "== fuzz-ci: build $dir (with $f's seeds and one input)"
  fuzz_one $((build_deadline - $(date +%s))) "$dir" "$f" 1x
done
echo "== fuzz-ci: built in $(($(date +%s) - build_start))s"

start=$(date +%s)
deadline=$((start + FUZZ_BUDGET))
echo "== fuzz-ci: fuzzing $n targets, ${per_target}s each, ${FUZZ_BUDGET}s budget"
i=0
for t in "${targets[@]}"; do
  read -r dir f <<<"$t"
  now=$(date +%s)
  left=$((deadline - now))
  todo=$((n - i))
  slice=$per_target
  if [ $((left / todo)) -lt "$slice" ]; then slice=$((left / todo)); fi
  if [ "$slice" -lt 1 ]; then
    echo "fuzz-ci: ${left}s of the ${FUZZ_BUDGET}s budget left for $todo targets (from $dir $f): under 1s each" >&2
    exit 1
  fi
  echo "== fuzz-ci: $dir $f (${slice}s, ${left}s left)"
  fuzz_one "$left" "$dir" "$f" "${slice}s"
  i=$((i + 1))
done
echo "== fuzz-ci: $n targets fuzzed in $(($(date +%s) - start))s"
