package issuer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestPresent: a learner's signer presents an issued credential for a
// verifier's challenge and domain; the verifier accepts it for that
// request only.
func TestPresent(t *testing.T) {
	ctx := context.Background()
	is, _ := newIssuer(t, proof.EddsaRdfc2022)
	cred, err := is.Issue(ctx, issuer.Request{
		Achievement: readJSON(t, "achievement.json"),
		Subject:     readJSON(t, "subject.json"),
	})
	if err != nil {
		t.Fatal(err)
	}
	h := testkit.Ed25519(t, 11)
	holder := signerOf(t, h.Private, h.DID, h.VM, issuer.Format(proof.EddsaRdfc2022))
	vp, err := holder.Present(ctx, [][]byte{cred.JSON}, issuer.PresentOptions{Challenge: "c-1", Domain: "https://verifier.example"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name              string
		challenge, domain string
		want              verifier.Verdict
	}{
		{"the request it answers", "c-1", "https://verifier.example", verifier.VerdictValid},
		{"another challenge", "c-2", "https://verifier.example", verifier.VerdictInvalid},
		{"another domain", "c-1", "https://other.example", verifier.VerdictInvalid},
	} {
		res, _ := v.VerifyPresentation(ctx, vp, verifier.PresentationOptions{Challenge: tc.challenge, Domain: tc.domain})
		if res == nil || res.Verdict != tc.want {
			t.Errorf("%s: verdict %v, want %s", tc.name, res, tc.want)
		}
	}

	// A file that is neither JSON nor a JWS is named by its place.
	_, err = holder.Present(ctx, [][]byte{cred.JSON, []byte("not a credential")}, issuer.PresentOptions{})
	if ee, ok := errors.AsType[*issuer.EntryError](err); !ok || ee.Index != 1 || !errors.Is(err, issuer.ErrInvalidInput) {
		t.Errorf("bad entry: %v, want EntryError at 1 wrapping ErrInvalidInput", err)
	}
	// A JWT signer cannot sign a Data Integrity presentation.
	jwt := signerOf(t, h.Private, h.DID, h.VM, issuer.VCJWT)
	if _, err := jwt.Present(ctx, [][]byte{cred.JSON}, issuer.PresentOptions{}); !errors.Is(err, issuer.ErrInvalidInput) {
		t.Errorf("JWT signer: %v, want ErrInvalidInput", err)
	}
}
