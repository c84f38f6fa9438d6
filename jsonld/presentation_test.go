package jsonld

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestPresentationCredentialsAreGraphs: a VC 2.0 presentation's
// credentials are named graphs, as jsonld.js (9.0.0, safe mode, RDFC-1.0)
// canonicalizes this very document; json-gold's expansion alone puts them
// in the default graph.
func TestPresentationCredentialsAreGraphs(t *testing.T) {
	const v2 = "https://www.w3.org/ns/credentials/v2"
	vp := map[string]any{
		"@context": []any{v2}, "id": "urn:vp", "type": "VerifiablePresentation", "holder": "did:example:h",
		"verifiableCredential": []any{
			map[string]any{"@context": []any{v2}, "id": "urn:x:1", "type": "VerifiableCredential", "issuer": "did:example:i", "credentialSubject": map[string]any{"id": "did:example:s"}},
			map[string]any{"@context": []any{v2}, "id": "data:application/vc+jwt,abc", "type": "EnvelopedVerifiableCredential"},
		},
	}
	// The output of jsonld.js for vp.
	const want = `<data:application/vc+jwt,abc> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#EnvelopedVerifiableCredential> _:c14n1 .
<urn:vp> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiablePresentation> .
<urn:vp> <https://www.w3.org/2018/credentials#holder> <did:example:h> .
<urn:vp> <https://www.w3.org/2018/credentials#verifiableCredential> _:c14n0 .
<urn:vp> <https://www.w3.org/2018/credentials#verifiableCredential> _:c14n1 .
<urn:x:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> _:c14n0 .
<urn:x:1> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:s> _:c14n0 .
<urn:x:1> <https://www.w3.org/2018/credentials#issuer> <did:example:i> _:c14n0 .
`
	l := freshLoader(t)
	for _, opts := range []CanonOptions{{Loader: l}, {Loader: l, slowOnly: true}, {Loader: l, Reference: true}} {
		got, err := Canonicalize(context.Background(), vp, opts)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("reference %v:\n%s\nwant\n%s", opts.Reference, got, want)
		}
	}
	// The fast path and the own expander each read it once (json-gold
	// only for Reference).
	if fast, own, fallback := l.processed.fast.Load(), l.processed.own.Load(), l.processed.fallback.Load(); fast != 1 || own != 1 || fallback != 0 {
		t.Errorf("fast paths %d, own expansions %d, json-gold fallbacks %d; want 1, 1 and 0", fast, own, fallback)
	}
	// A single credential object, not in an array, is one graph too.
	vp["verifiableCredential"] = vp["verifiableCredential"].([]any)[0]
	got, err := Canonicalize(context.Background(), vp, CanonOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(got), "<urn:x:1> "); n != 3 || !strings.Contains(string(got), "<did:example:i> _:c14n0 .") {
		t.Errorf("%d credential statements, want 3 in a named graph:\n%s", n, got)
	}
}

// TestLookAlikesInSeparateGraphs: nodes alike in different named graphs
// (the same achievement in two credentials of a presentation) are never
// permuted together, so they are accepted; the same nodes in one graph are
// still refused.
func TestLookAlikesInSeparateGraphs(t *testing.T) {
	vocab := map[string]any{"@vocab": "https://example.org/"}
	graph := func(tag string) map[string]any {
		return map[string]any{"@graph": []any{
			map[string]any{"@id": "urn:x", "r": map[string]any{"q": map[string]any{"p": "x"}}},
			map[string]any{"@id": "urn:tag", "p": tag},
		}}
	}
	doc := map[string]any{"@context": vocab, "@id": "urn:a", "g": []any{graph("1"), graph("2")}}
	if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: canonRefLoader{}}); err != nil {
		t.Errorf("look-alikes in two graphs refused: %v", err)
	}
	one := map[string]any{"@graph": []any{
		map[string]any{"@id": "urn:x", "r": []any{map[string]any{"q": map[string]any{"p": "x"}}, map[string]any{"q": map[string]any{"p": "x"}}}},
	}}
	doc = map[string]any{"@context": vocab, "@id": "urn:a", "g": []any{one, graph("2")}}
	if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: canonRefLoader{}}); !errors.Is(err, ErrDataLoss) {
		t.Errorf("look-alikes next to each other in one graph: err = %v, want a refusal", err)
	}
}
