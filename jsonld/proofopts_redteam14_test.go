package jsonld

import (
	"encoding/json"
	"testing"

	"github.com/badgesmith/badgesmith/contexts"
)

// TestProofOptionsShortcutRedteam14: odd values in the proof options'
// IRI and literal keys; whenever the shortcut writes them, the default
// path gives the same bytes, refusal and work.
func TestProofOptionsShortcutRedteam14(t *testing.T) {
	l := freshLoader(t)
	iris := []string{
		"https://example.com/a/../b", "https://example.com/a/./b", "https://example.com/./", "https://example.com/..",
		"http://example.com", "https://example.com?q#f", "https://example.com#", "http://a/b/c/../../g",
		"did:ex:a/../b", "did:ex:./a", "urn:a/../b", "https://EXAMPLE.com:443/", "https://example.com:/x",
		"https://user@example.com/", "https://example.com/%41", "https://example.com/a%2F..%2Fb", "did:key:z6Mk#z6Mk#x",
		"https:example.com", "https:/example.com", "https:///x", "http:", "urn:", "did:", "did:a:b c",
		"https://example.com/\u00e9", "https://example.com/\u2028", "urn:x:\ufeff", "https://example.com/a\\b",
		"https://example.com/{x}", "https://example.com/<x>", "https://example.com/^", "https://example.com/`",
		"https://example.com/|", "https://[::1]/", "https://[v1.x]/", "did:key:z6Mk\u0000",
	}
	lits := []string{"2010-01-01T19:23:24Z", "2010-01-01t19:23:24z", "2010-01-01T19:23:60Z", "0000-02-29T00:00:00Z",
		"\u2028\u2029", "a\\b", "\"", "\x7f", "\U0001F600", "\ufffd", "a\u0085b", "", " x ", "\ud7ff", "\x01", "@id", "@vocab"}
	ctxs := []any{contexts.CredentialsV2, []any{contexts.CredentialsV2}, []any{contexts.CredentialsV2, contexts.OBv3p0, contexts.OBExtensions},
		[]any{contexts.CredentialsV2, contexts.OBv3p0_3_0_1, contexts.OBv3p0_3_0_2}, []any{contexts.CredentialsV2, contexts.CLRv2p0, contexts.OBv3p0},
		[]any{contexts.CredentialsV2, contexts.OBv3p0, contexts.OBv3p0}, []any{contexts.CredentialsV2, contexts.OBv3p0Unversioned, contexts.OBv3p0UnversionedAlias}}
	base := func(c any) map[string]any {
		return map[string]any{"@context": c, "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
			"created": "2010-01-01T19:23:24Z", "verificationMethod": "did:key:z6Mk#z6Mk", "proofPurpose": "assertionMethod"}
	}
	check := func(doc map[string]any) {
		t.Helper()
		if _, err := compareFast(l, doc, Limits{}); err != nil {
			b, _ := json.Marshal(doc)
			t.Errorf("%s: %v", b, err)
		}
		if _, err := compareQuads(doc, CanonOptions{Loader: l}); err != nil {
			b, _ := json.Marshal(doc)
			t.Errorf("quads %s: %v", b, err)
		}
	}
	for _, c := range ctxs {
		for _, iri := range iris {
			for _, k := range []string{"verificationMethod", "previousProof"} {
				doc := base(c)
				doc[k] = iri
				check(doc)
			}
		}
		for _, s := range lits {
			for _, k := range []string{"created", "expires", "challenge", "domain", "nonce", "cryptosuite"} {
				doc := base(c)
				doc[k] = s
				check(doc)
			}
		}
	}
}
