package verifier

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"

	"github.com/badgesmith/badgesmith/did"
)

// TestBoundKeys: the fetcher proof verification runs with answers from the
// binding step's judgements alone. A bound method gives its key, a
// refused or unbound one that binding's error with its verdict, another
// purpose a refusal, and a method the step never judged an error nobody
// classified, so that proof could not be checked (never passes, never
// invalid). It holds no resolver to call.
func TestBoundKeys(t *testing.T) {
	pub := ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))
	keys := boundKeys{
		"did:key:z#z":       {vm: "did:key:z#z", key: pub},
		"did:web:x#refused": {vm: "did:web:x#refused", err: refuse(fmt.Errorf("the document: %w", did.ErrNotAuthorized))},
		"did:web:x#unbound": {vm: "did:web:x#unbound", err: unbound(errors.New("network down"))},
	}
	tests := []struct {
		name, vm, purpose string
		wantKey           bool
		invalid           bool
	}{
		{"bound", "did:key:z#z", did.AssertionMethod, true, false},
		{"refused", "did:web:x#refused", did.AssertionMethod, false, true},
		{"unbound", "did:web:x#unbound", did.AssertionMethod, false, false},
		{"never judged", "did:web:x#other", did.AssertionMethod, false, false},
		{"another purpose", "did:key:z#z", "authentication", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, err := keys.PublicKey(context.Background(), tc.vm, tc.purpose)
			if (key != nil) != tc.wantKey || (err == nil) != tc.wantKey {
				t.Fatalf("PublicKey = %v, %v; want a key: %v", key, err, tc.wantKey)
			}
			if err != nil && isInvalidProof(err) != tc.invalid {
				t.Errorf("invalid = %v, want %v (%v)", isInvalidProof(err), tc.invalid, err)
			}
		})
	}
}
