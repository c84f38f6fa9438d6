// Command realistic reads the output of `go test -bench Realistic
// ./verifier/` (make bench-realistic) on standard input and prints, per
// benchmark credential of testdata/bench, the median ns/op, B/op and
// allocs/op of sign, proof verification and full verification, their ratio
// to bare Ed25519 sign or verify measured in the same run, the targets of
// issue 14 beside them, and a least-squares split of each operation's time
// into a cost per N-Quad and a fixed part. Where the benchmarks report
// "cpu-ns/op" (process CPU time per operation, with -cpu 1), times and
// ratios are taken from it, so that other load on the machine does not
// skew them; the wall clock ns/op is used otherwise.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// sample is one line of benchmark output.
type sample struct {
	ns, cpu, bytes, allocs, quads float64
}

// stat is the medians over every -count run of one sub-benchmark.
type stat struct {
	ns, bytes, allocs, quads float64
	lo, hi                   float64
	runs                     int
	// cpu says ns is process CPU time, not the wall clock.
	cpu bool
}

// targets are issue 14's floors for sign and full verification, as
// fractions of the bare Ed25519 rate.
var targets = map[string][2]float64{"ob50": {0.33, 0.5}, "ob150": {0.15, 0.25}}

func main() {
	stats, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-realistic:", err)
		os.Exit(1)
	}
	if err := report(os.Stdout, stats); err != nil {
		fmt.Fprintln(os.Stderr, "bench-realistic:", err)
		os.Exit(1)
	}
}

// read collects the samples of BenchmarkRealistic's sub-benchmarks by name
// ("ob50/sign") and returns their medians.
func read(r io.Reader) (map[string]stat, error) {
	samples := map[string][]sample{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkRealistic/") {
			continue
		}
		name := strings.TrimPrefix(f[0], "BenchmarkRealistic/")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		var s sample
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", sc.Text(), err)
			}
			switch f[i+1] {
			case "ns/op":
				s.ns = v
			case "cpu-ns/op":
				s.cpu = v
			case "B/op":
				s.bytes = v
			case "allocs/op":
				s.allocs = v
			case "quads":
				s.quads = v
			}
		}
		if s.cpu > 0 {
			s.ns = s.cpu
		}
		samples[name] = append(samples[name], s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(samples) == 0 {
		return nil, fmt.Errorf("no BenchmarkRealistic results on standard input")
	}
	out := map[string]stat{}
	for name, ss := range samples {
		pick := func(f func(sample) float64) float64 {
			v := make([]float64, len(ss))
			for i, s := range ss {
				v[i] = f(s)
			}
			return median(v)
		}
		ns := make([]float64, len(ss))
		for i, s := range ss {
			ns[i] = s.ns
		}
		out[name] = stat{
			ns:     pick(func(s sample) float64 { return s.ns }),
			bytes:  pick(func(s sample) float64 { return s.bytes }),
			allocs: pick(func(s sample) float64 { return s.allocs }),
			quads:  pick(func(s sample) float64 { return s.quads }),
			lo:     slices.Min(ns), hi: slices.Max(ns), runs: len(ss),
			cpu: ss[0].cpu > 0,
		}
	}
	return out, nil
}

func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func report(w io.Writer, stats map[string]stat) error {
	edSign, ok1 := stats["ed25519/sign"]
	edVerify, ok2 := stats["ed25519/verify"]
	if !ok1 || !ok2 {
		return fmt.Errorf("the ed25519 floor is missing from the input")
	}
	if edSign.cpu {
		fmt.Fprintln(w, "times are process CPU time per operation (cpu-ns/op), not the wall clock")
	}
	fmt.Fprintf(w, "bare Ed25519 (same run, same key): sign %.0f ns/op (%.0f/s), verify %.0f ns/op (%.0f/s)\n",
		edSign.ns, 1e9/edSign.ns, edVerify.ns, 1e9/edVerify.ns)
	for _, f := range []struct{ name, what string }{
		{"fixed/key-resolution", "did:key key resolution"},
		{"fixed/proof-options", "proof options canonicalized"},
	} {
		if s, ok := stats[f.name]; ok {
			fmt.Fprintf(w, "fixed part, %s: %.0f ns/op, %.0f B/op, %.0f allocs/op\n", f.what, s.ns, s.bytes, s.allocs)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-12s %-13s %5s %10s %9s %9s %8s %8s  %-8s %s\n",
		"credential", "operation", "quads", "ns/op", "ops/s", "B/op", "allocs", "x Ed25519", "target", "runs, ns range")
	var creds []string
	for name := range stats {
		if c, _, ok := strings.Cut(name, "/"); ok && c != "ed25519" && c != "fixed" && !slices.Contains(creds, c) {
			creds = append(creds, c)
		}
	}
	order := []string{"ob50", "ob150", "endorsement", "clr10"}
	slices.SortFunc(creds, func(a, b string) int { return index(order, a) - index(order, b) })
	for _, c := range creds {
		for i, op := range []string{"sign", "proof-verify", "full-verify"} {
			s, ok := stats[c+"/"+op]
			if !ok {
				continue
			}
			floor := edVerify
			if op == "sign" {
				floor = edSign
			}
			ratio := floor.ns / s.ns
			target := ""
			if t, ok := targets[c]; ok && op != "proof-verify" {
				want := t[0]
				if op == "full-verify" {
					want = t[1]
				}
				verdict := "met"
				if ratio < want {
					verdict = "NOT met"
				}
				target = fmt.Sprintf(">= %.2f %s", want, verdict)
			}
			name := c
			if i > 0 {
				name = ""
			}
			fmt.Fprintf(w, "%-12s %-13s %5.0f %10.0f %9.0f %9.0f %8.0f %8.3fx  %-14s %d, %.0f-%.0f\n",
				name, op, s.quads, s.ns, 1e9/s.ns, s.bytes, s.allocs, ratio, target, s.runs, s.lo, s.hi)
		}
	}
	// The split fits the single documents only: the CLR's full
	// verification is eleven documents, not one of 476 quads.
	fmt.Fprintln(w, "\nleast-squares split over ob50, ob150 and endorsement (time = fixed + quads x per quad):")
	for _, op := range []string{"sign", "proof-verify", "full-verify"} {
		var xs, ys []float64
		for _, c := range []string{"endorsement", "ob50", "ob150"} {
			if s, ok := stats[c+"/"+op]; ok {
				xs, ys = append(xs, s.quads), append(ys, s.ns)
			}
		}
		if len(xs) < 2 {
			continue
		}
		per, fixed := fit(xs, ys)
		floor := edVerify.ns
		if op == "sign" {
			floor = edSign.ns
		}
		fmt.Fprintf(w, "  %-13s %6.0f ns per quad, fixed %7.0f ns (of which Ed25519 %6.0f, the rest %7.0f)\n",
			op, per, fixed, floor, fixed-floor)
	}
	return nil
}

func index(list []string, s string) int {
	if i := slices.Index(list, s); i >= 0 {
		return i
	}
	return len(list)
}

// fit returns the slope and intercept of the least-squares line through
// (xs, ys).
func fit(xs, ys []float64) (slope, intercept float64) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	slope = (n*sxy - sx*sy) / (n*sxx - sx*sx)
	return slope, (sy - slope*sx) / n
}
