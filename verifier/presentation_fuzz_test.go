package verifier_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// FuzzVerifyPresentation feeds arbitrary presentations to the verifier:
// it must never panic, must always report the eight presentation checks,
// must call a presentation valid only when no check failed and none was
// left undecided, and must report each embedded credential with a full
// Result.
func FuzzVerifyPresentation(f *testing.F) {
	issuer, holder := newKey(f, 71), newKey(f, 72)
	cred := vpCredential(f, issuer, "urn:uuid:00000000-0000-4000-8000-0000000000f1")
	f.Add(encode(f, vpSign(f, newPresentation(holder.did, cred), holder.priv, proof.SignOptions{VerificationMethod: holder.vm, Challenge: vpChallenge})))
	f.Add(encode(f, newPresentation(holder.did, cred, "data:application/vc+jwt,a.b.c")))
	f.Add([]byte(vpJWT(f, holder, newPresentation(holder.did), false)))
	f.Add([]byte(`{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiablePresentation","id":"data:application/vp+jwt,eyJ.eyJ.x"}`))
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiablePresentation","verifiableCredential":[{},7,"x"],"proof":{"type":"DataIntegrityProof"}}`))
	f.Add([]byte(`{}`))
	// Offline: a mutated issuer or holder never waits on the network.
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, MaxSize: 64 << 10, HTTPClient: offlineClient()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := v.VerifyPresentation(ctx, data, verifier.PresentationOptions{Challenge: vpChallenge, MaxCredentials: 4})
		if res == nil {
			t.Fatalf("nil result, err %v", err)
		}
		if len(res.Checks) != 8 {
			t.Fatalf("%d checks reported: %+v", len(res.Checks), res.Checks)
		}
		if len(res.Credentials) > 4 {
			t.Fatalf("%d credentials verified, over MaxCredentials", len(res.Credentials))
		}
		for i, c := range res.Credentials {
			if c == nil || len(c.Checks) != 8 {
				t.Fatalf("credential %d: %+v", i, c)
			}
		}
		var ve *verifier.VerificationError
		var ie *verifier.InconclusiveError
		switch {
		case err == nil:
			if !res.Valid || !res.Verdict.Accepted() {
				t.Fatalf("nil error but result %+v", res)
			}
		case errors.As(err, &ve):
			if res.Valid || res.Verdict != verifier.VerdictInvalid {
				t.Fatalf("verification error, verdict %s", res.Verdict)
			}
		case errors.As(err, &ie):
			if res.Valid || res.Verdict != verifier.VerdictCouldNotCheck {
				t.Fatalf("inconclusive error, verdict %s", res.Verdict)
			}
		default:
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
		if res.Authenticated && res.Format == verifier.PresentationUnsigned {
			t.Fatalf("an unsigned presentation reported authenticated")
		}
	})
}
