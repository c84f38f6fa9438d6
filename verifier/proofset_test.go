package verifier_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestProofSet: the proof check passes only on a proof by the issuer's
// key; a third party's proof never stands in for it, and never hides it,
// in either order.
func TestProofSet(t *testing.T) {
	issuer, endorser := newKey(t, 31), newKey(t, 32)
	base := unsigned(t, issuer)
	byIssuer := firstProof(sign(t, base, issuer.priv, issuer.vm, proof.EddsaRdfc2022))
	byEndorser := firstProof(sign(t, base, endorser.priv, endorser.vm, proof.EddsaRdfc2022))
	// A proof claiming the issuer's method, signed by the endorser's key.
	forged := firstProof(sign(t, base, endorser.priv, issuer.vm, proof.EddsaRdfc2022))
	tampered := clone(t, byIssuer)
	tampered["created"] = "2020-01-01T00:00:00Z"

	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		proofs []any
		valid  bool
		reason string // in the proof check's reason
	}{
		{"issuer only", []any{byIssuer}, true, "signature by " + issuer.vm},
		{"third party first, then the issuer", []any{byEndorser, byIssuer}, true, "proof[0] (eddsa-rdfc-2022 by " + endorser.vm},
		{"issuer first, then a third party", []any{byIssuer, byEndorser}, true, "(proof[0])"},
		{"third party only", []any{byEndorser}, false, "signing key not accepted: verification method is not controlled by the issuer"},
		{"valid third party, then a forged issuer proof", []any{byEndorser, forged}, false, "proof[1].proofValue: invalid signature"},
		{"forged issuer proof, then a valid third party", []any{forged, byEndorser}, false, "proof[0].proofValue: invalid signature"},
		{"tampered issuer proof beside a valid third party", []any{byEndorser, tampered}, false, "proof[1].proofValue: invalid signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := clone(t, base)
			d["proof"] = tt.proofs
			res, err := v.Verify(context.Background(), encode(t, d))
			c := res.Check(verifier.CheckProof)
			if tt.valid {
				if err != nil {
					t.Fatalf("err = %v (%+v)", err, res.Checks)
				}
			} else {
				var ve *verifier.VerificationError
				if !errors.As(err, &ve) || c.Status != verifier.StatusFail {
					t.Fatalf("err = %v, proof check %+v; want invalid", err, c)
				}
				if s := res.Check(verifier.CheckStatus); s.Status != verifier.StatusSkipped {
					t.Errorf("status check ran on a credential without the issuer's proof: %+v", s)
				}
			}
			if !strings.HasPrefix(c.Reason, tt.reason) && !(tt.valid && strings.Contains(c.Reason, tt.reason)) {
				t.Errorf("proof reason %q lacks %q", c.Reason, tt.reason)
			}
		})
	}
}
