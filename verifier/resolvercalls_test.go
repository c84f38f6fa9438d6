package verifier_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// recordingResolver records every DID it is asked for and finds none.
type recordingResolver struct {
	mu    sync.Mutex
	asked []string
}

func (r *recordingResolver) Resolve(_ context.Context, id string) (*did.Document, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, id)
	return nil, errors.New("not found by the recording resolver")
}

// TestResolverOnlyForTheIssuer: the key rule asks a resolver only for the
// issuer's own document, so a forger naming other verification methods in
// the proof set cannot make the verifier fetch URLs of their choosing.
func TestResolverOnlyForTheIssuer(t *testing.T) {
	k := newKey(t, 225)
	const issuer = "did:web:issuer.example"
	d := unsigned(t, k)
	d["issuer"].(map[string]any)["id"] = issuer
	var proofs []any
	for _, vm := range []string{"did:web:victim.example#key-1", "did:web:10.0.0.1#k", issuer + "#key-1", "did:web:issuer.example:other#k"} {
		signed, err := proof.Sign(context.Background(), d, k.priv, proof.SignOptions{Suite: proof.EddsaRdfc2022, VerificationMethod: vm, Created: now.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		proofs = append(proofs, firstProof(signed))
	}
	d["proof"] = proofs
	rec := &recordingResolver{}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, Resolver: rec})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), encode(t, d))
	if res.Verdict.Accepted() {
		t.Fatalf("accepted: %v", err)
	}
	if !slices.Equal(rec.asked, []string{issuer}) {
		t.Fatalf("resolver asked for %q, want only the issuer %s; checks %+v", rec.asked, issuer, res.Checks)
	}
}
