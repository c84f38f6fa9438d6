package proof

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"testing"
)

// TestOutcomeHashes: a verified proof's Outcome carries the two hashes the
// signature covers: the signature verifies over their concatenation, and
// for the RDFC suites the document hash is the SHA-256 of the statements.
func TestOutcomeHashes(t *testing.T) {
	ctx := context.Background()
	l := testLoader(t)
	key := seededKey(1)
	keys := keysByMethod{"did:ex:issuer#k": key.Public()}
	for _, suite := range []Suite{EddsaRdfc2022, Ed25519Signature2020, EddsaJcs2022} {
		t.Run(string(suite), func(t *testing.T) {
			signed, err := Sign(ctx, obUnsigned(t), key, SignOptions{Suite: suite, VerificationMethod: "did:ex:issuer#k", Loader: l})
			if err != nil {
				t.Fatal(err)
			}
			outcomes, err := VerifySet(ctx, signed, VerifyOptions{Keys: keys, Loader: l, Statements: true})
			if err != nil || len(outcomes) != 1 || outcomes[0].Err != nil {
				t.Fatalf("outcomes %+v, err %v", outcomes, err)
			}
			o := outcomes[0]
			if len(o.ProofOptionsHash) != sha256.Size || len(o.DocumentHash) != sha256.Size {
				t.Fatalf("hash lengths %d, %d", len(o.ProofOptionsHash), len(o.DocumentHash))
			}
			var pv string
			switch p := signed["proof"].(type) {
			case map[string]any:
				pv, _ = p["proofValue"].(string)
			case []any:
				pv, _ = p[0].(map[string]any)["proofValue"].(string)
			}
			sig, err := decodeProofValue(pv)
			if err != nil {
				t.Fatal(err)
			}
			data := append(append([]byte(nil), o.ProofOptionsHash...), o.DocumentHash...)
			if !ed25519.Verify(key.Public().(ed25519.PublicKey), data, sig) {
				t.Error("the signature does not verify over ProofOptionsHash || DocumentHash")
			}
			if suite != EddsaJcs2022 {
				if sum := sha256.Sum256(o.Statements); string(sum[:]) != string(o.DocumentHash) {
					t.Errorf("DocumentHash is not the SHA-256 of the statements")
				}
			}
		})
	}
}
