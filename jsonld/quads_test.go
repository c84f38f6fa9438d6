package jsonld

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/badgesmith/badgesmith/rdfc"
)

// compareQuads holds CanonicalizeQuads to Canonicalize on doc with opts:
// the same text or the same refusal, and quads equal to what
// rdfc.ParseNQuads reads from the text. ok says the document was
// canonicalized.
func compareQuads(doc any, opts CanonOptions) (ok bool, err error) {
	ctx := context.Background()
	want, werr := Canonicalize(ctx, doc, opts)
	got, quads, gerr := CanonicalizeQuads(ctx, doc, opts)
	switch {
	case (werr == nil) != (gerr == nil):
		return false, fmt.Errorf("only one refused:\nCanonicalize: %w\nCanonicalizeQuads: %w", werr, gerr)
	case werr != nil:
		if werr.Error() != gerr.Error() {
			return false, fmt.Errorf("refused differently:\nCanonicalize: %w\nCanonicalizeQuads: %w", werr, gerr)
		}
		return false, nil
	case string(got) != string(want):
		return false, fmt.Errorf("texts differ:\n%s\n%s", want, got)
	}
	parsed, err := rdfc.ParseNQuads(want)
	if err != nil {
		return false, fmt.Errorf("parsing the canonical text: %w", err)
	}
	if len(parsed) != len(quads) {
		return false, fmt.Errorf("%d quads, the text has %d", len(quads), len(parsed))
	}
	for i := range parsed {
		if parsed[i] != quads[i] {
			return false, fmt.Errorf("quad %d is %+v, the text reads %+v", i, quads[i], parsed[i])
		}
	}
	return true, nil
}

// TestCanonicalizeQuadsMatchesText: over the repository's JSON-LD corpus
// (credentials, benchmark credentials, 1EdTech and W3C vectors, hostile
// documents) and generated credentials, on the fast, default and
// reference paths, CanonicalizeQuads returns Canonicalize's text and
// exactly the quads rdfc.ParseNQuads reads from it.
func TestCanonicalizeQuadsMatchesText(t *testing.T) {
	l := freshLoader(t)
	var docs []corpusDoc
	docs = append(docs, jsonLDCorpus(t)...)
	g := gen{r: rand.New(rand.NewPCG(5, 14))}
	for i := range 100 {
		docs = append(docs, corpusDoc{fmt.Sprintf("generated %d", i), g.doc()})
	}
	paths := []struct {
		name string
		opts CanonOptions
	}{
		{"fast", CanonOptions{Loader: l}},
		{"default", CanonOptions{Loader: l, slowOnly: true}},
		{"reference", CanonOptions{Loader: l, Reference: true}},
	}
	for _, p := range paths {
		done := 0
		for _, c := range docs {
			ok, err := compareQuads(c.doc, p.opts)
			if err != nil {
				b, _ := json.Marshal(c.doc)
				t.Errorf("%s, %s path: %v\n%.2000s", c.name, p.name, err, b)
				continue
			}
			if ok {
				done++
			}
		}
		// Most of the corpus canonicalizes; a handful would mean the
		// comparison above compared refusals only.
		if done < len(docs)/2 {
			t.Errorf("%s path: only %d of %d documents canonicalized", p.name, done, len(docs))
		}
		t.Logf("%s path: %d of %d documents canonicalized and compared", p.name, done, len(docs))
	}
}

// TestCanonicalizeQuadsTerms pins the spelling of the terms: canonical
// labels, and no datatype where the text writes none.
func TestCanonicalizeQuadsTerms(t *testing.T) {
	doc := map[string]any{
		"@context": map[string]any{"@vocab": "https://example.com/"},
		"name":     map[string]any{"@value": "Bob", "@language": "EN"},
		"note":     "plain",
		"count":    2.0,
		"knows":    map[string]any{"name": "x"},
	}
	_, quads, err := CanonicalizeQuads(context.Background(), doc, CanonOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The labels are RDFC-1.0's: the outer node's first-degree hash sorts
	// first.
	want := []rdfc.Quad{
		{Subject: rdfc.NewBlankNode("c14n0"), Predicate: rdfc.NewIRI("https://example.com/count"), Object: rdfc.NewLiteral("2", "http://www.w3.org/2001/XMLSchema#integer", "")},
		{Subject: rdfc.NewBlankNode("c14n0"), Predicate: rdfc.NewIRI("https://example.com/knows"), Object: rdfc.NewBlankNode("c14n1")},
		{Subject: rdfc.NewBlankNode("c14n0"), Predicate: rdfc.NewIRI("https://example.com/name"), Object: rdfc.NewLiteral("Bob", "", "en")},
		{Subject: rdfc.NewBlankNode("c14n0"), Predicate: rdfc.NewIRI("https://example.com/note"), Object: rdfc.NewLiteral("plain", "", "")},
		{Subject: rdfc.NewBlankNode("c14n1"), Predicate: rdfc.NewIRI("https://example.com/name"), Object: rdfc.NewLiteral("x", "", "")},
	}
	if !slices.Equal(quads, want) {
		t.Errorf("quads\n%+v\nwant\n%+v", quads, want)
	}
}
