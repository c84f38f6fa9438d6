package verifier_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestInlineContextCount bounds the inline @context objects of one
// document: each costs JSON-LD processing at every node it scopes, so
// hundreds of them would cost seconds. Past the bound the credential could
// not be checked, with the bound named; up to it, it verifies.
func TestInlineContextCount(t *testing.T) {
	k := newKey(t, 223)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		nodes int
		want  verifier.Verdict
	}{{2, verifier.VerdictValid}, {40, verifier.VerdictCouldNotCheck}} {
		d := unsigned(t, k)
		ev := make([]any, tc.nodes)
		for i := range ev {
			ev[i] = map[string]any{
				"@context": []any{map[string]any{"zzNote": "https://example.org/vocab#zzNote"}},
				"type":     []any{"Evidence"},
				"zzNote":   "seen",
			}
		}
		d["evidence"] = ev
		signed, err := proof.Sign(context.Background(), d, k.priv, proof.SignOptions{Suite: proof.EddsaRdfc2022, VerificationMethod: k.vm, Created: now.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		res, err := v.Verify(context.Background(), encode(t, signed))
		if res.Verdict != tc.want {
			t.Fatalf("%d inline contexts: %s (%v), want %s; checks %+v", tc.nodes, res.Verdict, err, tc.want, res.Checks)
		}
		if tc.want == verifier.VerdictCouldNotCheck && (res.Decision != verifier.CheckContext || !errors.Is(err, verifier.ErrLimit)) {
			t.Fatalf("%d inline contexts: decided by %s (%v), want the context check and ErrLimit", tc.nodes, res.Decision, err)
		}
	}
}

// oddStatus is a StatusChecker that answers without a verdict.
type oddStatus struct{ status verifier.Status }

func (o oddStatus) CheckStatus(context.Context, map[string]any) (verifier.CheckResult, error) {
	return verifier.CheckResult{Status: o.status, Reason: "nothing said"}, nil
}

// TestStatusCheckerWithoutVerdict: a custom checker that neither passes
// nor fails has not checked, so the credential is never valid.
func TestStatusCheckerWithoutVerdict(t *testing.T) {
	k := newKey(t, 224)
	d := unsigned(t, k)
	d["credentialStatus"] = map[string]any{
		"id": "https://example.edu/status/1#3", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
		"statusListIndex": "3", "statusListCredential": "https://example.edu/status/1",
	}
	data := encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022))
	for _, st := range []verifier.Status{"", verifier.StatusSkipped, "maybe", verifier.StatusError} {
		v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, Status: oddStatus{st}})
		if err != nil {
			t.Fatal(err)
		}
		res, _ := v.Verify(context.Background(), data)
		if res.Verdict != verifier.VerdictCouldNotCheck || res.Decision != verifier.CheckStatus {
			t.Errorf("status %q: %s (%s), want could not check (status)", st, res.Verdict, res.Decision)
		}
	}
}
