#!/usr/bin/env bash
# compare.sh: eddsa-rdfc-2022 sign and verify throughput of badgesmith and of
# the reference JavaScript stack (interop/bench.mjs), in the same run, on the
# same credential (the 1EdTech OB 3.0 vector without its proof, same key and
# created time), one core each. Prints each figure and the ratio. Then the
# same for each realistic credential of testdata/bench (BenchmarkRealistic
# in ./verifier, signed with the vector's key as a did:key): sign, the proof
# alone and the verifier's full verification (every check, status list
# cached) against the reference stack's verify, with the targets of issue
# 14 (sign >= 50x, full verification >= 40x). REALISTIC=0 skips them.
#
#   bench/compare.sh            # or: make bench-compare
#   COUNT=10 BENCHTIME=2s N=500 bench/compare.sh
#
# Go runs `go test -bench` COUNT times with -cpu 1 and reports the median
# and the range; Node runs N timed operations after a warm-up.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-1s}
N=${N:-300}
vector=../shared/spec/test-vectors/ob-v3p0-eddsa-rdfc-2022/signed-credential.json

if [ ! -f "$vector" ]; then
  echo "bench-compare: $vector missing (needs ../shared next to the repo)" >&2
  exit 2
fi
if [ ! -d interop/node_modules ]; then
  (cd interop && npm ci --no-audit --no-fund >/dev/null)
fi

go_out=$("$GO" test -run '^$' -bench 'EddsaRdfc2022$' -benchmem -cpu 1 \
  -count "$COUNT" -benchtime "$BENCHTIME" ./proof/)
js_out=$(node interop/bench.mjs --json --suite eddsa-rdfc-2022 --n "$N" --file "$vector")

# go_stats OP prints "median_ns min_ns max_ns allocs" for BenchmarkOPEddsaRdfc2022;
# go_stats_named OUTPUT NAME does the same for benchmark NAME of OUTPUT.
go_stats() { go_stats_named "$go_out" "Benchmark$1EddsaRdfc2022"; }
go_stats_named() {
  printf '%s\n' "$1" | awk -v name="$2" '
    $1 == name || $1 ~ "^"name"-" {
      for (i = 2; i < NF; i++) {
        if ($(i+1) == "ns/op") ns[n++] = $i
        if ($(i+1) == "allocs/op") allocs = $i
      }
    }
    END {
      if (n == 0) exit 1
      # insertion sort, n is small
      for (i = 1; i < n; i++) { v = ns[i]; for (j = i - 1; j >= 0 && ns[j] > v; j--) ns[j+1] = ns[j]; ns[j+1] = v }
      med = (n % 2) ? ns[int(n/2)] : (ns[n/2-1] + ns[n/2]) / 2
      printf "%.0f %.0f %.0f %s\n", med, ns[0], ns[n-1], allocs
    }'
}

# js_ms OP prints the mean ms/op of the JS stack; js_ms_named OUTPUT OP
# reads OUTPUT instead.
js_ms() { js_ms_named "$js_out" "$1"; }
js_ms_named() {
  printf '%s\n' "$1" | node -e '
    const op = process.argv[1]; let ms = null;
    for (const l of require("fs").readFileSync(0, "utf8").split("\n")) {
      if (!l.trim()) continue;
      const r = JSON.parse(l);
      if (r.suite === "eddsa-rdfc-2022" && r.op === op) ms = r.msPerOp;
    }
    if (ms === null) process.exit(1);
    console.log(ms);' "$2"
}

printf '%-7s %30s %26s %14s\n' op "badgesmith (Go, 1 core)" "jsonld.js stack (Node)" "Go/JS speed"
for op in Sign Verify; do
  read -r med lo hi allocs < <(go_stats "$op")
  js=$(js_ms "$(echo "$op" | tr 'A-Z' 'a-z')")
  awk -v op="$op" -v med="$med" -v lo="$lo" -v hi="$hi" -v allocs="$allocs" -v js="$js" 'BEGIN {
    go_ops = 1e9 / med; js_ops = 1000 / js
    printf "%-7s %9.0f ops/s %6.3f ms/op %7.0f ops/s %6.3f ms/op %13.2fx\n", op, go_ops, med / 1e6, js_ops, js, go_ops / js_ops
    printf "%-7s   Go range %.3f-%.3f ms/op over runs, %s allocs/op\n", "", lo / 1e6, hi / 1e6, allocs
  }'
done
echo "node: $(node --version); go: $("$GO" env GOVERSION); Go runs: $COUNT x $BENCHTIME; JS ops: $N"

if [ "${REALISTIC:-1}" = 0 ]; then
  exit 0
fi
# The realistic credentials: one Go run for all of them, then the JS stack
# on each (fewer operations on the CLR, which is ten times the work).
vm=did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi
real_out=$("$GO" test -run '^$' -bench 'Realistic/(ob|clr|endorsement)' -benchmem -cpu 1 \
  -count "$COUNT" -benchtime "$BENCHTIME" ./verifier/)
echo
printf '%-12s %-13s %22s %22s %11s  %s\n' credential op "badgesmith (Go, 1 core)" "jsonld.js stack (Node)" "Go/JS" target
for c in ob50:ob-50 ob150:ob-150 endorsement:endorsement clr10:clr-10; do
  name=${c%%:*}; file=testdata/bench/${c#*:}.json
  n=$N warmup=20
  [ "$name" = clr10 ] && n=$(( (N + 9) / 10 )) warmup=5
  js=$(node interop/bench.mjs --json --suite eddsa-rdfc-2022 --n "$n" --warmup "$warmup" --file "$file" --vm "$vm")
  for op in sign proof-verify full-verify; do
    read -r med lo hi allocs < <(go_stats_named "$real_out" "BenchmarkRealistic/$name/$op")
    jsop=verify; target=40; [ "$op" = sign ] && jsop=sign && target=50
    [ "$op" = proof-verify ] && target=""
    ms=$(js_ms_named "$js" "$jsop")
    awk -v c="$name" -v op="$op" -v med="$med" -v js="$ms" -v target="$target" 'BEGIN {
      go_ops = 1e9 / med; js_ops = 1000 / js; r = go_ops / js_ops
      t = ""
      if (target != "") t = sprintf(">= %dx %s", target, r >= target ? "met" : "NOT met")
      printf "%-12s %-13s %9.0f ops/s %6.3f ms %7.1f ops/s %7.2f ms %10.1fx  %s\n", c, op, go_ops, med / 1e6, js_ops, js, r, t
    }'
  done
done
echo "JS verify is the proof alone (it checks no schema and no status); ops: $N ($(( (N + 9) / 10 )) on clr10)"
