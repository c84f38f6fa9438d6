package proof_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
)

// Example signs a document with eddsa-rdfc-2022 and verifies the proof.
// The KeyFetcherFunc here answers with one known key: a real verifier
// (package verifier) binds the key to the issuer through its controller
// document instead.
func Example() {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	mk, err := keys.EncodePublicMultikey(priv.Public())
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := "did:key:" + mk + "#" + mk
	doc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
		"type":              []any{"VerifiableCredential"},
		"issuer":            "did:key:" + mk,
		"credentialSubject": map[string]any{"id": "did:example:learner"},
	}
	signed, err := proof.Sign(context.Background(), doc, priv, proof.SignOptions{
		Suite: proof.EddsaRdfc2022, VerificationMethod: vm, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fetch := proof.KeyFetcherFunc(func(_ context.Context, method, _ string) (crypto.PublicKey, error) {
		if method != vm {
			return nil, fmt.Errorf("unknown verification method %s", method)
		}
		return priv.Public(), nil
	})
	res, err := proof.Verify(context.Background(), signed, proof.VerifyOptions{Keys: fetch})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Suite, res.VerificationMethod == vm)

	signed["issuer"] = "did:example:someone-else"
	_, err = proof.Verify(context.Background(), signed, proof.VerifyOptions{Keys: fetch})
	fmt.Println(err)
	// Output:
	// eddsa-rdfc-2022 true
	// proof[0].proofValue: invalid signature
}
