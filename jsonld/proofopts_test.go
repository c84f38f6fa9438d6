package jsonld

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/badgesmith/badgesmith/contexts"
)

// optionsGen generates proof options: mostly in the shape
// canonicalizeProofOptions writes directly, often just outside it.
type optionsGen struct{ r *rand.Rand }

func (g optionsGen) pick(xs ...any) any { return xs[g.r.IntN(len(xs))] }

// text is a string value: plain ones, and ones with every character class
// the canonical form escapes or safe mode refuses.
func (g optionsGen) text() any {
	if g.r.IntN(4) != 0 {
		return g.pick("abc", "1f7a6c3e-challenge", "example.com", "Ünïcödé ✓", "with space", "x\"y", "tab\there", "new\nline")
	}
	return g.pick("abc", "", " ", "x\"y", `back\slash`, "tab\there", "new\nline", "cr\rlf", "bell\a", "del\x7f",
		"é ünï 漢字 😀", "\u2028", "\ufeff", "1", "https://example.com/x", "did:key:z6Mk#z6Mk", "urn:uuid:1",
		"2024-01-01T00:00:00Z", "2024-01-01T00:00:00.123+02:00", "not a date", "\xff", "a\x00b",
		42.0, true, nil, []any{"a"}, map[string]any{"@value": "x"})
}

// iri is an IRI value: absolute ones, and relative, compact, blank node,
// odd and unsafe ones.
func (g optionsGen) iri() any {
	if g.r.IntN(4) != 0 {
		return g.pick("did:key:z6Mk#z6Mk", "https://example.edu/issuers/565049#key-1", "urn:uuid:1", "did:web:example.com#key-1")
	}
	return g.pick("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
		"https://example.edu/issuers/565049#key-1", "http://example.com/k", "urn:uuid:9e1b1a3a-0c6c-4f7e-a9c1-3f0a9c1e2b3d",
		"did:web:example.com%3A8443#k", "https://exa mple.com/", "https://example.com/a\"b", "https://[::1]/x",
		"http://", "did:", "urn:x:y", "relative/path", "#frag", "_:b0", "OpenBadgeCredential:x", "type:x",
		"https://ex.com/é", "https://example.com/%zz", "mailto:a@b.c", "", 1.0, []any{"did:ex:a"}, nil)
}

func (g optionsGen) context() any {
	switch g.r.IntN(10) {
	case 0:
		return contexts.CredentialsV2
	case 1:
		return g.pick(contexts.CredentialsV1, []any{contexts.CredentialsV1, contexts.DataIntegrityV2},
			[]any{contexts.CredentialsV2, contexts.DataIntegrityV2}, []any{contexts.CredentialsV2, map[string]any{"x": "urn:x"}},
			[]any{contexts.OBv3p0, contexts.CredentialsV2}, []any{}, nil, []any{contexts.CredentialsV2, 1.0})
	}
	if g.r.IntN(2) == 0 {
		return g.pick([]any{contexts.CredentialsV2, contexts.OBv3p0, contexts.OBExtensions}, []any{contexts.CredentialsV2, contexts.OBv3p0},
			[]any{contexts.CredentialsV2, contexts.CLRv2p0, contexts.OBv3p0, contexts.OBExtensions})
	}
	list := []any{contexts.CredentialsV2}
	for range g.r.IntN(4) {
		list = append(list, proofOptionsContexts[g.r.IntN(len(proofOptionsContexts))])
	}
	return list
}

func (g optionsGen) options() map[string]any {
	m := map[string]any{
		"@context":           g.context(),
		"type":               "DataIntegrityProof",
		"cryptosuite":        g.pick("eddsa-rdfc-2022", "ecdsa-rdfc-2019", "eddsa-jcs-2022"),
		"created":            g.pick("2010-01-01T19:23:24Z", "2026-12-03T17:00:00Z", "2026-12-03T17:00:00.5Z"),
		"verificationMethod": g.iri(),
		"proofPurpose":       g.pick("assertionMethod", "authentication", "capabilityDelegation", "capabilityInvocation", "keyAgreement"),
	}
	for _, k := range []string{"challenge", "domain", "nonce"} {
		if g.r.IntN(3) == 0 {
			m[k] = g.text()
		}
	}
	if g.r.IntN(4) == 0 {
		m["expires"] = g.pick("2030-01-01T00:00:00Z", g.text())
	}
	if g.r.IntN(4) == 0 {
		m["previousProof"] = g.iri()
	}
	switch g.r.IntN(12) {
	case 0:
		m["type"] = g.pick("Ed25519Signature2020", "DataIntegrityProof ", []any{"DataIntegrityProof"}, "sec:DataIntegrityProof")
	case 1:
		m["proofPurpose"] = g.pick("assertion", "https://w3id.org/security#assertionMethod", "", 1.0, "@type")
	case 2:
		m[g.pick("id", "proofValue", "@id", "@type", "name", "unknownKey", "").(string)] = g.text()
	case 3:
		m["cryptosuite"] = g.text()
	case 4:
		m["created"] = g.text()
	case 5:
		delete(m, g.pick("type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "@context").(string))
	}
	return m
}

// TestProofOptionsShortcut: on generated proof options, in and around the
// shape canonicalizeProofOptions writes directly, Canonicalize gives what
// the default path gives (output, refusal, work), under the default and
// under tight limits, and the shortcut is taken for most of them. A loader
// that serves another document at a bundled URL never gets it.
func TestProofOptionsShortcut(t *testing.T) {
	l := freshLoader(t)
	g := optionsGen{r: rand.New(rand.NewPCG(14, 2027))}
	n := 3000
	if testing.Short() {
		n = 500
	}
	taken := 0
	limits := []Limits{{}, {MaxQuads: 3}, {MaxQuads: 6}, {MaxHashCalls: 1}, {MaxDepth: 2}, {MaxDepth: 3}, {MaxValuesPerProperty: 2}}
	for i := range n {
		doc := g.options()
		if _, done, _ := l.canonicalizeProofOptions(doc, newBudget(context.Background(), Limits{}), nil, nil); done {
			taken++
		}
		lim := limits[0]
		if i%4 == 0 {
			lim = limits[g.r.IntN(len(limits))]
		}
		if _, err := compareFast(l, doc, lim); err != nil {
			b, _ := json.Marshal(doc)
			t.Fatalf("options %d %s with %+v: %v", i, b, lim, err)
		}
		if _, err := compareQuads(doc, CanonOptions{Loader: l, Limits: lim}); err != nil {
			b, _ := json.Marshal(doc)
			t.Fatalf("options %d %s: %v", i, b, err)
		}
	}
	if taken < n/4 {
		t.Errorf("the shortcut took only %d of %d generated options", taken, n)
	}
	t.Logf("the shortcut took %d of %d generated options", taken, n)

	// Every context list the shortcut may allow, up to two contexts after
	// VC 2.0, with the options of a signature: the shortcut takes exactly
	// the ones the default path accepts.
	lists := [][]any{{contexts.CredentialsV2}}
	for _, a := range proofOptionsContexts {
		lists = append(lists, []any{contexts.CredentialsV2, a})
		for _, b := range proofOptionsContexts {
			lists = append(lists, []any{contexts.CredentialsV2, a, b})
		}
	}
	for _, list := range lists {
		doc := map[string]any{"@context": list, "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
			"created": "2010-01-01T19:23:24Z", "verificationMethod": "did:key:z6Mk#z6Mk", "proofPurpose": "assertionMethod",
			"challenge": "c", "domain": "d", "nonce": "n", "expires": "2030-01-01T00:00:00Z", "previousProof": "urn:uuid:1"}
		_, done, _ := l.canonicalizeProofOptions(doc, newBudget(context.Background(), Limits{}), nil, nil)
		_, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: l, slowOnly: true})
		if done != (err == nil) {
			t.Errorf("%v: shortcut taken %v, default path's error %v", list, done, err)
		}
		if _, err := compareFast(l, doc, Limits{}); err != nil {
			t.Errorf("%v: %v", list, err)
		}
	}

	// A loader serving its own document at the VC 2.0 URL.
	other, err := l.With(contexts.CredentialsV2, []byte(`{"@context":{"@vocab":"urn:other#"}}`))
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{"@context": contexts.CredentialsV2, "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
		"created": "2010-01-01T19:23:24Z", "verificationMethod": "did:key:z6Mk#z6Mk", "proofPurpose": "assertionMethod"}
	if _, done, _ := other.canonicalizeProofOptions(doc, newBudget(context.Background(), Limits{}), nil, nil); done {
		t.Error("the shortcut was taken with another document at the VC 2.0 URL")
	}
	if _, done, _ := l.canonicalizeProofOptions(doc, newBudget(context.Background(), Limits{}), nil, nil); !done {
		t.Error("the shortcut was not taken with the bundled document")
	}
}

// FuzzProofOptions: on any JSON object, Canonicalize with the shortcut
// allowed gives what the default path gives.
func FuzzProofOptions(f *testing.F) {
	g := optionsGen{r: rand.New(rand.NewPCG(1, 14))}
	for range 30 {
		b, err := json.Marshal(g.options())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	l := freshLoader(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var doc map[string]any
		if json.Unmarshal(b, &doc) != nil {
			return
		}
		if _, err := compareFast(l, doc, Limits{}); err != nil {
			t.Fatal(err)
		}
		if _, err := compareQuads(doc, CanonOptions{Loader: l}); err != nil {
			t.Fatal(err)
		}
	})
}
