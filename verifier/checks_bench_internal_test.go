package verifier

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/ob3"
)

// BenchmarkChecks measures, on each unsigned benchmark credential of
// testdata/bench, the parts of full verification that are the verifier's
// own rather than the proof's or the JSON decoder's: reading the claims
// from the canonical statements (index, claims, the status view), the
// context check and the schema check. BenchmarkRealistic gives the whole.
func BenchmarkChecks(b *testing.B) {
	v, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"ob-50", "endorsement", "ob-150"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "bench", name+".json"))
		if err != nil {
			b.Fatal(err)
		}
		doc, err := ob3.ParseDocument(data, ob3.ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		_, quads, err := jsonld.CanonicalizeQuads(context.Background(), doc.Plain, jsonld.CanonOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/claims", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p := &proven{}
				p.readGraph(newGraphQuads(quads), true)
				if p.claims == nil {
					b.Fatal(p.claimsErr)
				}
			}
		})
		b.Run(name+"/context", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := &report{res: &Result{}}
				v.checkContext(r, doc.Plain)
				if r.res.Checks[0].Status != StatusPass {
					b.Fatal(r.res.Checks[0])
				}
			}
		})
		b.Run(name+"/schema", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if c := v.schemaCheck(data, doc, nil); c.Status != StatusPass {
					b.Fatal(c)
				}
			}
		})
	}
}
