package rdfc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// suiteDir is the W3C RDFC-1.0 test suite, read in place.
const suiteDir = "../../shared/spec/test-vectors/w3c-rdf-canon"

type suiteEntry struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	Name          string `json:"name"`
	Complexity    string `json:"computationalComplexity"`
	Approval      string `json:"approval"`
	HashAlgorithm string `json:"hashAlgorithm"`
	Action        string `json:"action"`
	Result        string `json:"result"`
}

func suiteEntries(tb testing.TB) []suiteEntry {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(suiteDir, "manifest.jsonld"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("W3C RDFC-1.0 suite %s missing: %v", suiteDir, err)
		}
		tb.Skipf("W3C RDFC-1.0 suite %s missing (needs ../shared next to the repo): %v", suiteDir, err)
	}
	var m struct {
		Entries []suiteEntry `json:"entries"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	if len(m.Entries) < 80 {
		tb.Fatalf("only %d entries in the manifest", len(m.Entries))
	}
	return m.Entries
}

func suiteInput(tb testing.TB, e suiteEntry) []Quad {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(suiteDir, e.Action))
	if err != nil {
		tb.Fatal(err)
	}
	q, err := ParseNQuads(b)
	if err != nil {
		tb.Fatalf("%s: %v", e.Action, err)
	}
	return q
}

func suiteOptions(e suiteEntry) Options {
	var o Options
	if e.HashAlgorithm == "SHA384" {
		o.Hash = SHA384
	}
	// The manifest grades each test's computational complexity; the work
	// bound is raised with it, as a caller canonicalizing such graphs on
	// purpose would. The poison graph that must fail is graded "high" too:
	// the bound that lets the "computable" poison graphs through must
	// still stop it.
	switch e.Complexity {
	case "medium":
		o.MaxWorkFactor = 2
	case "high":
		o.MaxWorkFactor = 3
	}
	return o
}

// TestW3CSuite runs every approved test of the W3C RDFC-1.0 suite: the
// canonical N-Quads, the issued identifiers maps, and the poison graph that
// must be refused within the work bound.
func TestW3CSuite(t *testing.T) {
	ran := map[string]int{}
	for _, e := range suiteEntries(t) {
		if e.Approval != "rdft:Approved" {
			continue
		}
		t.Run(strings.TrimPrefix(e.ID, "#")+" "+e.Name, func(t *testing.T) {
			in := suiteInput(t, e)
			opts := suiteOptions(e)
			switch e.Type {
			case "rdfc:RDFC10EvalTest":
				want, err := os.ReadFile(filepath.Join(suiteDir, e.Result))
				if err != nil {
					t.Fatal(err)
				}
				got, err := Canonicalize(context.Background(), in, opts)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("canonical form differs:\n got: %s\nwant: %s", got, want)
				}
				var streamed bytes.Buffer
				if err := CanonicalizeTo(context.Background(), &streamed, in, opts); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(streamed.Bytes(), want) {
					t.Errorf("CanonicalizeTo wrote a different form:\n got: %s\nwant: %s", streamed.Bytes(), want)
				}
			case "rdfc:RDFC10MapTest":
				b, err := os.ReadFile(filepath.Join(suiteDir, e.Result))
				if err != nil {
					t.Fatal(err)
				}
				var want map[string]string
				if err := json.Unmarshal(b, &want); err != nil {
					t.Fatal(err)
				}
				got, err := IssuedIdentifiers(context.Background(), in, opts)
				if err != nil {
					t.Fatal(err)
				}
				if !maps.Equal(got, want) {
					t.Errorf("issued identifiers %v, want %v", got, want)
				}
			case "rdfc:RDFC10NegativeEvalTest":
				_, err := Canonicalize(context.Background(), in, opts)
				if !errors.Is(err, ErrWorkLimit) {
					t.Fatalf("err = %v, want ErrWorkLimit", err)
				}
			default:
				t.Fatalf("unknown test type %s", e.Type)
			}
			ran[e.Type]++
		})
	}
	if ran["rdfc:RDFC10EvalTest"] < 60 || ran["rdfc:RDFC10MapTest"] < 20 || ran["rdfc:RDFC10NegativeEvalTest"] < 1 {
		t.Errorf("ran too few tests: %v", ran)
	}
}
