package proof

import (
	"context"
	"errors"
	"testing"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
)

// TestRedTeamJCSChain: an eddsa-jcs-2022 proof naming a previousProof
// signs the document with the proofs it names (Sign, VC Data Integrity
// §4.5), so it verifies, and a replaced previous proof breaks it.
func TestRedTeamJCSChain(t *testing.T) {
	ctx := context.Background()
	l := testLoader(t)
	first, second := seededKey(t, 4), seededKey(t, 5)
	keys := keysByMethod{"did:ex:a#k": first.Public(), "did:ex:b#k": second.Public()}
	one, err := Sign(ctx, obUnsigned(t), first, SignOptions{VerificationMethod: "did:ex:a#k", ID: "urn:uuid:proof-1", Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	two, err := Sign(ctx, one, second, SignOptions{Suite: EddsaJcs2022, VerificationMethod: "did:ex:b#k", ID: "urn:uuid:proof-2", PreviousProof: []string{"urn:uuid:proof-1"}, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := VerifySet(ctx, two, VerifyOptions{Keys: keys, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	if outs[0].Err != nil || outs[1].Err != nil {
		t.Fatalf("jcs chain does not verify: %v / %v", outs[0].Err, outs[1].Err)
	}
	other, err := Sign(ctx, obUnsigned(t), first, SignOptions{VerificationMethod: "did:ex:a#k", ID: "urn:uuid:proof-1", Loader: l, Created: mustTime(t, "2020-01-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	swapped := jsonvalue.Clone(two).(map[string]any)
	swapped["proof"].([]any)[0] = other["proof"].([]any)[0]
	outs, err = VerifySet(ctx, swapped, VerifyOptions{Keys: keys, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(outs[1].Err, ErrInvalidSignature) {
		t.Errorf("jcs chained proof over a replaced previous proof: %v, want ErrInvalidSignature", outs[1].Err)
	}
}
