package jsonld

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/contexts"
)

// freshLoader is a Loader with empty caches, so a test can count what the
// own expander handled without other tests' documents.
func freshLoader(tb testing.TB) *Loader {
	tb.Helper()
	l, err := mustLoader(tb).With("urn:badgesmith:test:fresh", []byte(`{"@context":{}}`))
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// goldExpand is the expansion Canonicalize asks json-gold for in safe mode,
// with the node locations json-gold reports.
func goldExpand(l *Loader, in any) (_ []any, _ *safety, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("json-gold panicked: %v", r)
		}
	}()
	s := newSafety(in, newBudget(context.Background(), Limits{}))
	o := ld.NewJsonLdOptions("")
	o.DocumentLoader = l
	o.ProcessingMode = ld.JsonLd_1_1
	o.ExpandContext = map[string]any{"@vocab": undefinedVocab}
	o.SafeMode = true
	o.ExpandedElementHandler = s.record
	out, err := ld.NewJsonLdProcessor().Expand(in, o)
	return out, s, err
}

// sameExpansion compares the own expander's output and node locations
// with json-gold's for one document. handled is false when the own
// expander left the document to json-gold.
func sameExpansion(l *Loader, doc any) (handled bool, err error) {
	in, err := newBudget(context.Background(), Limits{}).copyJSON(doc, "", 0)
	if err != nil {
		return false, err
	}
	m, ok := in.(map[string]any)
	if !ok {
		return false, nil
	}
	own := newSafety(in, newBudget(context.Background(), Limits{}))
	got, oerr := l.expandDocument(m, own)
	if errors.Is(oerr, errUnsupported) {
		return false, nil
	}
	if oerr != nil {
		return true, fmt.Errorf("own expander: %w", oerr)
	}
	want, gold, gerr := goldExpand(l, in)
	if gerr != nil {
		return true, fmt.Errorf("own expander accepted what json-gold refuses: %w", gerr)
	}
	if !reflect.DeepEqual(got, want) {
		return true, fmt.Errorf("expanded forms differ:\nown:       %s\njson-gold: %s", jsonString(got), jsonString(want))
	}
	return true, sameLocations(got, want, own, gold)
}

// sameLocations walks two equal expanded forms in step and checks that
// every node object is located at the same path and input object.
func sameLocations(a, b any, sa, sb *safety) error {
	switch at := a.(type) {
	case []any:
		bt := b.([]any)
		for i := range at {
			if err := sameLocations(at[i], bt[i], sa, sb); err != nil {
				return err
			}
		}
	case map[string]any:
		bt := b.(map[string]any)
		if _, isValue := at["@value"]; !isValue {
			if _, isList := at["@list"]; !isList {
				pa, oa, oka := sa.where(at)
				pb, ob, okb := sb.where(bt)
				if oka != okb || pa != pb || reflect.ValueOf(oa).Pointer() != reflect.ValueOf(ob).Pointer() {
					return fmt.Errorf("node located differently: own %q (%v), json-gold %q (%v)", pa, oka, pb, okb)
				}
			}
		}
		for k, v := range at {
			if err := sameLocations(v, bt[k], sa, sb); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestOwnExpansionMatchesJSONGold compares expanded forms (not just quads)
// on the reference vectors, which the own expander must handle, and on
// generated credentials.
func TestOwnExpansionMatchesJSONGold(t *testing.T) {
	l := freshLoader(t)
	must := map[string]bool{}
	var files []string
	for _, pat := range []string{"ob-v3p0-eddsa-rdfc-2022/*.json", "clr-v2p0-eddsa-rdfc-2022/*.json", "w3c-vc-di-eddsa/*.json", "canon-divergences/*.json"} {
		m, _ := filepath.Glob(filepath.Join(canonShared(t, "test-vectors"), pat))
		for _, f := range m {
			if filepath.Base(filepath.Dir(f)) != "canon-divergences" {
				must[f] = true
			}
		}
		files = append(files, m...)
	}
	if len(must) < 3 {
		t.Fatalf("only %d credential vectors found", len(must))
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			doc := readJSONFile(t, f)
			for _, d := range []map[string]any{doc, withoutProof(doc)} {
				handled, err := sameExpansion(l, d)
				if err != nil {
					t.Fatal(err)
				}
				_, _, bundled := l.contextKey(d["@context"])
				if !handled && must[f] && bundled {
					t.Error("own expander left a reference credential to json-gold")
				}
			}
		})
	}

	g := gen{r: rand.New(rand.NewPCG(11, 2026))}
	n, handled := 300, 0
	if testing.Short() {
		n = 60
	}
	for i := range n {
		ok, err := sameExpansion(l, g.doc())
		if err != nil {
			t.Fatalf("generated doc %d: %v", i, err)
		}
		if ok {
			handled++
		}
	}
	if handled < n*3/4 {
		t.Errorf("own expander handled only %d of %d generated credentials", handled, n)
	}
	t.Logf("own expander handled %d of %d generated credentials", handled, n)
}

func withoutProof(doc map[string]any) map[string]any {
	c := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "proof" {
			c[k] = v
		}
	}
	return c
}

// TestOwnExpanderFallsBack: documents outside the subset are expanded by
// json-gold, with its answer.
func TestOwnExpanderFallsBack(t *testing.T) {
	base := []any{contexts.CredentialsV2, contexts.OBv3p0}
	cases := []struct {
		name string
		doc  map[string]any
	}{
		{"embedded context object", map[string]any{"@context": []any{contexts.CredentialsV2, map[string]any{"x": "https://example.org/x"}}, "type": "VerifiableCredential", "x": "y"}},
		{"unbundled context", map[string]any{"@context": []any{contexts.CredentialsV2, "https://example.org/ctx"}, "type": "VerifiableCredential"}},
		{"top-level graph", map[string]any{"@context": base, "@graph": []any{map[string]any{"id": "urn:x:1", "name": "a"}}}},
		{"reverse", map[string]any{"@context": base, "id": "urn:x:1", "@reverse": map[string]any{"name": "urn:x:2"}}},
		{"explicit list", map[string]any{"@context": base, "id": "urn:x:1", "name": map[string]any{"@list": []any{"a"}}}},
		{"null value", map[string]any{"@context": base, "id": "urn:x:1", "name": map[string]any{"@value": nil}}},
		{"direction", map[string]any{"@context": base, "id": "urn:x:1", "name": map[string]any{"@value": "a", "@direction": "rtl"}}},
		{"two type keys", map[string]any{"@context": base, "id": "urn:x:1", "type": "VerifiableCredential", "@type": "Profile"}},
		{"presentation resets the context", map[string]any{"@context": base, "type": "VerifiablePresentation", "verifiableCredential": map[string]any{"id": "urn:x:2", "name": "x"}}},
		{"number as id", map[string]any{"@context": base, "id": 1.0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := freshLoader(t)
			in, err := newBudget(context.Background(), Limits{}).copyJSON(tc.doc, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := l.expandDocument(in.(map[string]any), newSafety(in, newBudget(context.Background(), Limits{}))); !errors.Is(err, errUnsupported) {
				t.Fatalf("own expander: got %v, want errUnsupported", err)
			}
			if _, err := compareEngines(l, tc.doc); err != nil {
				t.Fatal(err)
			}
			if got := l.processed.fallback.Load(); got != 1 {
				t.Errorf("fallbacks = %d, want 1", got)
			}
		})
	}
}

// TestDerivedContextsCached: the second canonicalization of a credential
// processes no context at all.
func TestDerivedContextsCached(t *testing.T) {
	l := freshLoader(t)
	doc := obVectorDocument(t)
	if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: l}); err != nil {
		t.Fatal(err)
	}
	n := l.processed.expand.n.Load()
	if n == 0 {
		t.Fatal("no derived context cached")
	}
	if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: l}); err != nil {
		t.Fatal(err)
	}
	if got := l.processed.expand.n.Load(); got != n {
		t.Errorf("derived contexts grew from %d to %d on the same document", n, got)
	}
	if got := l.processed.own.Load() + l.processed.fast.Load(); got != 2 {
		t.Errorf("own expansions and fast paths = %d, want 2", got)
	}
}

// FuzzOwnExpansion: whatever the own expander accepts, json-gold expands
// to the same maps with the same node locations.
func FuzzOwnExpansion(f *testing.F) {
	g := gen{r: rand.New(rand.NewPCG(5, 5))}
	for range 20 {
		b, err := json.Marshal(g.doc())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","x":[[1],{"@value":true}]}`))
	l := freshLoader(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var doc any
		if json.Unmarshal(b, &doc) != nil {
			return
		}
		if _, err := sameExpansion(l, doc); err != nil {
			t.Fatal(err)
		}
	})
}
