package issuer_test

import (
	"crypto"
	"path/filepath"
	"slices"
	"testing"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
)

// TestWebDocument: the document lists every key of the group, active and
// retired, under the fragments RingSigner signs with; RSA keys as JWKs.
func TestWebDocument(t *testing.T) {
	tests := []struct {
		name    string
		first   keys.Type
		rotate  keys.Type
		wantJWK bool
	}{
		{"Ed25519 rotated", keys.Ed25519, keys.Ed25519, false},
		{"P-256 rotated to RSA", keys.P256, keys.RSA2048, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, err := keys.OpenRing(filepath.Join(t.TempDir(), "keys"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ring.Generate("reg", tt.first); err != nil {
				t.Fatal(err)
			}
			if _, err := ring.Rotate("reg", tt.rotate); err != nil {
				t.Fatal(err)
			}
			doc, entries, err := issuer.WebDocument(ring, "reg", "example.edu:8443/cs")
			if err != nil {
				t.Fatal(err)
			}
			if doc.ID != "did:web:example.edu%3A8443:cs" || len(entries) != 2 || len(doc.VerificationMethod) != 2 {
				t.Fatalf("document %s with %d methods for %d keys", doc.ID, len(doc.VerificationMethod), len(entries))
			}
			if got := slices.Contains(doc.Context, any(contexts.JWKV1)); got != tt.wantJWK {
				t.Errorf("JWK context %v, want %v", got, tt.wantJWK)
			}
			for _, e := range entries {
				s, err := issuer.RingSigner(ring, e.Name, issuer.RingOptions{Web: "example.edu:8443/cs", Format: issuer.VCJWT})
				if err != nil {
					t.Fatal(err)
				}
				_, pub, err := doc.AssertionKey(s.Identity().VerificationMethod)
				if err != nil {
					t.Fatalf("key %s (%s): %v", e.Name, e.Status, err)
				}
				if !keysEqual(pub, s.Public()) {
					t.Errorf("key %s: the document lists another key", e.Name)
				}
				if _, _, err := doc.Key(s.Identity().VerificationMethod, did.Authentication); err != nil {
					t.Errorf("key %s: authentication: %v", e.Name, err)
				}
			}
		})
	}
}

func keysEqual(a, b crypto.PublicKey) bool {
	x, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return false
	}
	return x.Equal(b)
}
