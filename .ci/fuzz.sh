#!/usr/bin/env bash
# make fuzz-ci: a short fuzzing pass over every fuzz target, inside one
# wall-clock budget for the whole pass.
#
# `go test` (make test) already runs each target's seed corpus: its f.Add
# seeds and the files under the package's testdata/fuzz/<Target>/. This step
# goes further and mutates for FUZZTIME per target (default 3s), never past
# FUZZ_BUDGET seconds in all (default 300): when time runs short the
# remaining targets share what is left, and a target still running when the
# budget ends is stopped and fails the step (a hang, or the budget too small
# for the number of targets: lower FUZZTIME or raise FUZZ_BUDGET).
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

per_target=${FUZZTIME%s}
case $per_target in
'' | *[!0-9]*)
  echo "fuzz-ci: FUZZTIME must be whole seconds like 3s, not '$FUZZTIME'" >&2
  exit 2
  ;;
esac

start=$(date +%s)
deadline=$((start + FUZZ_BUDGET))

# Every `func FuzzXxx(` in a test file (read from the source rather than
# with go test -list, which would build each package once more).
targets=()
while IFS=: read -r file f; do
  targets+=("$(dirname "$file") $f")
done < <(grep -ro --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's/:func /:/' | sort -u)
n=${#targets[@]}
[ "$n" -gt 0 ] || { echo "fuzz-ci: no fuzz targets found" >&2; exit 1; }
echo "== fuzz-ci: $n targets, ${per_target}s each, ${FUZZ_BUDGET}s budget"

report_crashers() {
  local new
  new=$(git status --porcelain --untracked-files=all -- '*/testdata/fuzz/*' | awk '{print $2}')
  [ -n "$new" ] || return 0
  echo "fuzz-ci: new failing inputs (commit each as a seed with its fix):"
  for f in $new; do
    echo "--- $f"
    head -c 4096 "$f"
    echo
  done
}

i=0
for t in "${targets[@]}"; do
  read -r dir f <<<"$t"
  now=$(date +%s)
  left=$((deadline - now))
  todo=$((n - i))
  slice=$per_target
  if [ $((left / todo)) -lt "$slice" ]; then slice=$((left / todo)); fi
  if [ "$slice" -lt 1 ]; then
    echo "fuzz-ci: budget of ${FUZZ_BUDGET}s spent with $todo targets left (from $dir $f)" >&2
    exit 1
  fi
  echo "== fuzz-ci: $dir $f (${slice}s, ${left}s left)"
  rc=0
  timeout --signal=INT --kill-after=10 "$left" \
    "$GO" test -run '^$' -fuzz "^$f\$" -fuzztime "${slice}s" "$dir" || rc=$?
  if [ "$rc" -ne 0 ]; then
    report_crashers
    if [ "$rc" -eq 124 ]; then
      echo "fuzz-ci: $dir $f still running when the ${FUZZ_BUDGET}s budget ended" >&2
    else
      echo "fuzz-ci: $dir $f failed (exit $rc)" >&2
    fi
    exit 1
  fi
  i=$((i + 1))
done
echo "== fuzz-ci: $n targets fuzzed in $(($(date +%s) - start))s"
