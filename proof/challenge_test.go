package proof

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestChallengeAndDomainAreSigned: Sign writes the challenge and domain
// into the proof; Verify reports them in the signed proof options (for
// eddsa-jcs-2022 only when Statements asks), and a changed challenge
// breaks the signature.
func TestChallengeAndDomainAreSigned(t *testing.T) {
	ctx := context.Background()
	l := testLoader(t)
	key := seededKey(t, 3)
	keys := keysByMethod{"did:ex:holder#k": key.Public()}
	for _, suite := range []Suite{EddsaRdfc2022, EddsaJcs2022, Ed25519Signature2020} {
		t.Run(string(suite), func(t *testing.T) {
			signed, err := Sign(ctx, obUnsigned(t), key, SignOptions{Suite: suite, VerificationMethod: "did:ex:holder#k", Loader: l,
				ProofPurpose: "authentication", Challenge: "c-123", Domain: "https://verifier.example"})
			if err != nil {
				t.Fatal(err)
			}
			p := signed["proof"].([]any)[0].(map[string]any)
			if p["challenge"] != "c-123" || p["domain"] != "https://verifier.example" {
				t.Fatalf("proof %v lacks the challenge or domain", p)
			}
			res, err := Verify(ctx, signed, VerifyOptions{Keys: keys, Loader: l, Purpose: "authentication", Statements: true})
			if err != nil {
				t.Fatal(err)
			}
			opts := string(res.ProofOptions)
			for _, want := range []string{`<https://w3id.org/security#challenge> "c-123"`, `<https://w3id.org/security#domain> "https://verifier.example"`, `<https://w3id.org/security#authenticationMethod>`} {
				if !strings.Contains(opts, want) {
					t.Errorf("proof options lack %s:\n%s", want, opts)
				}
			}
			p["challenge"] = "c-456"
			if _, err := Verify(ctx, signed, VerifyOptions{Keys: keys, Loader: l, Purpose: "authentication"}); !errors.Is(err, ErrInvalidSignature) {
				t.Errorf("changed challenge: err = %v, want ErrInvalidSignature", err)
			}
		})
	}
}
