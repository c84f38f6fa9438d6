package verifier_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
	"github.com/badgesmith/badgesmith/verifier"
)

// withInlineContext appends the inline context obj to d's @context.
func withInlineContext(d, obj map[string]any) map[string]any {
	d["@context"] = append(d["@context"].([]any), obj)
	return d
}

// TestVerifyInlineContext: credentials with an inline @context the rule
// accepts (issue #11 Found 5), signed with eddsa-rdfc-2022 by their issuer,
// verify with every check passing; the inline terms are in the signed
// graph (changing one after signing fails the proof), and the checks read
// an inline term by its IRI (a new name for validUntil's IRI still
// expires the credential).
func TestVerifyInlineContext(t *testing.T) {
	k := newKey(t, 61)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	verify := func(t *testing.T, d map[string]any) (*verifier.Result, error) {
		t.Helper()
		return v.Verify(context.Background(), encode(t, d))
	}

	t.Run("valid", func(t *testing.T) {
		d := withInlineContext(unsigned(t, k), map[string]any{
			"issuanceDate": "https://www.w3.org/2018/credentials/v1#issuanceDate",
			"badgeColour":  map[string]any{"@id": "https://example.edu/vocab#badgeColour", "@container": "@set"},
		})
		d["issuanceDate"] = "2026-11-01T00:00:00Z"
		d["badgeColour"] = []any{"green", "gold"}
		signed := sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)
		res, err := verify(t, signed)
		if err != nil || !res.Valid {
			t.Fatalf("err = %v, want valid; checks %+v", err, checksOf(res))
		}
		for _, c := range res.Checks {
			if c.Status != verifier.StatusPass {
				t.Errorf("check %s = %s (%s), want pass", c.Check, c.Status, c.Reason)
			}
		}
		if c := res.Check(verifier.CheckContext); !strings.Contains(c.Reason, "inline contexts at @context[3]") {
			t.Errorf("context check reason %q does not name the inline context", c.Reason)
		}

		forged := clone(t, signed)
		forged["badgeColour"] = []any{"green", "purple"}
		res, err = verify(t, forged)
		var ve *verifier.VerificationError
		if !errors.As(err, &ve) || res.Check(verifier.CheckProof).Status != verifier.StatusFail {
			t.Fatalf("inline term changed after signing: err = %v, want a failed proof check", err)
		}
		if c := res.Check(verifier.CheckContext); c.Status != verifier.StatusPass {
			t.Errorf("context check %+v, want pass: only the proof is wrong", c)
		}
	})

	t.Run("inline name for validUntil's IRI is read as validUntil", func(t *testing.T) {
		d := withInlineContext(unsigned(t, k), map[string]any{
			"endsAt": map[string]any{"@id": "https://www.w3.org/2018/credentials#validUntil", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
		})
		d["endsAt"] = "2026-11-02T00:00:00Z"
		res, err := verify(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022))
		var ve *verifier.VerificationError
		if !errors.As(err, &ve) {
			t.Fatalf("err = %v, want a VerificationError", err)
		}
		if c := res.Check(verifier.CheckValidity); c.Status != verifier.StatusFail || !strings.Contains(c.Reason, "expired") {
			t.Fatalf("validity check %+v, want expired", c)
		}
		if c := res.Check(verifier.CheckProof); c.Status != verifier.StatusPass {
			t.Fatalf("proof check %+v, want pass", c)
		}
	})

	t.Run("remap of an unprotected term refused even with a good proof", func(t *testing.T) {
		// The extensions context does not protect its terms, so JSON-LD
		// lets the inline context remap the credentialSchema type.
		const term = "1EdTechJsonSchemaValidator2019"
		d := withInlineContext(unsigned(t, k), map[string]any{term: "https://evil.example/vocab#" + term})
		signed := sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)
		res, err := verify(t, signed)
		var ve *verifier.VerificationError
		if !errors.As(err, &ve) {
			t.Fatalf("err = %v, want a VerificationError", err)
		}
		c := res.Check(verifier.CheckContext)
		if c.Status != verifier.StatusFail || c.Path != "@context[3]."+term {
			t.Fatalf("context check %+v, want a failure at @context[3].%s", c, term)
		}
		if p := res.Check(verifier.CheckProof); p.Status != verifier.StatusPass {
			t.Fatalf("proof check %+v, want pass: only the context rule stops this", p)
		}
	})

	t.Run("vc-jwt", func(t *testing.T) {
		d := withInlineContext(unsigned(t, k), map[string]any{"badgeColour": "https://example.edu/vocab#badgeColour"})
		d["badgeColour"] = "green"
		tok, err := vcjwt.Sign(context.Background(), d, k.priv, vcjwt.Options{KeyID: k.vm, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		res, err := v.Verify(context.Background(), []byte(tok))
		if err != nil || !res.Valid {
			t.Fatalf("err = %v, want valid; checks %+v", err, checksOf(res))
		}
		d = withInlineContext(unsigned(t, k), map[string]any{"ident": "@id"})
		if tok, err = vcjwt.Sign(context.Background(), d, k.priv, vcjwt.Options{KeyID: k.vm, Now: func() time.Time { return now }}); err != nil {
			t.Fatal(err)
		}
		res, _ = v.Verify(context.Background(), []byte(tok))
		if c := res.Check(verifier.CheckContext); c.Status != verifier.StatusFail || c.Path != "@context[3].ident" {
			t.Fatalf("keyword alias in a VC-JWT: context check %+v, want a failure at @context[3].ident", c)
		}
	})
}

// BenchmarkVerifyInlineContext is BenchmarkVerify for the same credential
// with an inline context: json-gold expands it, per document.
func BenchmarkVerifyInlineContext(b *testing.B) {
	k := newKey(b, 1)
	d := withInlineContext(unsigned(b, k), map[string]any{"badgeColour": "https://example.edu/vocab#badgeColour"})
	d["badgeColour"] = "green"
	data := encode(b, sign(b, d, k.priv, k.vm, proof.EddsaRdfc2022))
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}
