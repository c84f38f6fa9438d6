package verifier

import (
	"errors"
	"fmt"
	"testing"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
)

// TestErrorsDecideTheirVerdict checks the one mapping from an error to
// "invalid" or "could not check": the meaning each package gives its
// errors, the outermost one winning, and an error nobody classified could
// not be checked.
func TestErrorsDecideTheirVerdict(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		invalid bool
	}{
		{"unclassified error", errors.New("resolver exploded"), false},
		{"unclassified wrap of nothing known", fmt.Errorf("fetching key: %w", errors.New("EOF")), false},
		{"invalid signature", &proof.Error{Index: 0, Field: "proofValue", Err: proof.ErrInvalidSignature}, true},
		{"malformed proof", fmt.Errorf("proof[1]: %w", proof.ErrMalformedProof), true},
		{"proof expired", proof.ErrExpired, true},
		{"unknown suite", &proof.Error{Index: 0, Field: "cryptosuite", Err: proof.ErrUnknownSuite}, false},
		{"jwt algorithm", vcjwt.ErrAlgorithm, true},
		{"jwt without kid", vcjwt.ErrNoKeyID, false},
		{"json-ld data loss", jsonld.ErrDataLoss, true},
		{"context not bundled", fmt.Errorf("loading: %w", contexts.ErrNotBundled), false},
		{"too much work", jsonld.ErrTooMuchWork, false},
		{"key refused", refuse(fmt.Errorf("the document: %w", did.ErrNotAuthorized)), true},
		{"key not bound, whatever its cause", unbound(fmt.Errorf("could not obtain: %w", did.ErrMethodNotFound)), false},
		{"did:web document not found", fmt.Errorf("resolving: %w", did.ErrNotFound), false},
		{"unsupported key", keys.ErrUnsupportedKey, true},
		{"limit", fmt.Errorf("%w: deadline", ErrLimit), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := isInvalidProof(tc.err); got != tc.invalid {
				t.Errorf("invalid = %v, want %v (%v)", got, tc.invalid, tc.err)
			}
			if got := bindingUndecided(tc.err); got == tc.invalid {
				t.Errorf("bindingUndecided = %v, want %v", got, !tc.invalid)
			}
		})
	}
}
