package verifier_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// FuzzVerify feeds arbitrary documents to the verifier: it must never panic,
// must always report every check, and must call a document valid only when
// no check failed.
func FuzzVerify(f *testing.F) {
	k := newKey(f, 3)
	good := encode(f, sign(f, unsigned(f, k), k.priv, k.vm, proof.EddsaRdfc2022))
	f.Add(good)
	f.Add(encode(f, unsigned(f, k)))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"proof":{"type":"DataIntegrityProof"}}`))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, MaxSize: 64 << 10})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := v.Verify(ctx, data)
		if res == nil {
			t.Fatalf("nil result, err %v", err)
		}
		if len(res.Checks) != 8 {
			t.Fatalf("%d checks reported", len(res.Checks))
		}
		var ve *verifier.VerificationError
		var ie *verifier.InconclusiveError
		switch {
		case err == nil:
			if !res.Valid || res.Failed() != nil {
				t.Fatalf("nil error but result %+v", res)
			}
		case errors.As(err, &ve):
			if res.Valid || res.Failed() == nil {
				t.Fatalf("verification error without a failed check: %+v", res)
			}
		case errors.As(err, &ie):
			if res.Valid || res.Inconclusive() == nil {
				t.Fatalf("inconclusive error without an undecided check: %+v", res)
			}
		default:
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
	})
}
