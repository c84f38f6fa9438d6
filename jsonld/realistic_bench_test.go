package jsonld

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/internal/cputime"
)

// BenchmarkRealisticCanon splits the canonicalization of each benchmark
// credential (testdata/bench) into the fast path's walk (JSON to
// statements, with the safe-mode checks), the blank node check, and the
// whole (RDFC-1.0 included), streamed as a signer hashes it.
func BenchmarkRealisticCanon(b *testing.B) {
	l, err := NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	files, _ := filepath.Glob("../testdata/bench/*.json")
	ctx := context.Background()
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			b.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		b.Run(name+"/walk", func(b *testing.B) {
			b.ReportAllocs()
			defer cpuMetric(b)()
			for b.Loop() {
				_, release, err := l.fastQuads(doc, newBudget(ctx, Limits{}))
				if err != nil {
					b.Fatal(err)
				}
				release()
			}
		})
		b.Run(name+"/blank-nodes", func(b *testing.B) {
			quads, release, err := l.fastQuads(doc, newBudget(ctx, Limits{}))
			if err != nil {
				b.Fatal(err)
			}
			defer release()
			b.ReportAllocs()
			defer cpuMetric(b)()
			for b.Loop() {
				if err := checkBlankNodes(quads, newBudget(ctx, Limits{})); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/canonicalize", func(b *testing.B) {
			b.ReportAllocs()
			defer cpuMetric(b)()
			for b.Loop() {
				if err := CanonicalizeTo(ctx, io.Discard, doc, CanonOptions{Loader: l}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// cpuMetric reports, beside ns/op, the process CPU time per operation
// ("cpu-ns/op"), which other processes on a busy machine do not inflate.
// Call its result when the loop is done.
func cpuMetric(b *testing.B) func() {
	start, ok := cputime.Process()
	return func() {
		if end, ok2 := cputime.Process(); ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
