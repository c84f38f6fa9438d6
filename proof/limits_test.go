package proof

import (
	"context"
	"errors"
	"testing"

	"github.com/badgesmith/badgesmith/jsonld"
)

// TestCanonLimits: Sign and Verify pass their Limits to every RDF
// canonicalization and add its work to Work; a bound that is too small
// stops both with jsonld.ErrTooMuchWork, which Verify does not report as
// an invalid signature.
func TestCanonLimits(t *testing.T) {
	l := testLoader(t)
	ctx := context.Background()

	var signWork jsonld.Work
	signed, err := Sign(ctx, obUnsigned(t), obKey(t), SignOptions{VerificationMethod: obVM, Created: mustTime(t, obCreated), Loader: l, Work: &signWork})
	if err != nil {
		t.Fatal(err)
	}
	var verifyWork jsonld.Work
	if _, err := Verify(ctx, signed, VerifyOptions{Keys: &fragmentKeys{}, Loader: l, Work: &verifyWork}); err != nil {
		t.Fatal(err)
	}
	// The document and the proof options, once each, both ways.
	if signWork.Quads < 10 || signWork != verifyWork {
		t.Errorf("sign work %+v, verify work %+v: want the same, non-zero", signWork, verifyWork)
	}

	tight := jsonld.Limits{MaxQuads: 5}
	_, err = Sign(ctx, obUnsigned(t), obKey(t), SignOptions{VerificationMethod: obVM, Created: mustTime(t, obCreated), Loader: l, Limits: tight})
	if !errors.Is(err, jsonld.ErrTooMuchWork) {
		t.Errorf("sign with MaxQuads 5: err = %v, want ErrTooMuchWork", err)
	}
	var work jsonld.Work
	_, err = Verify(ctx, signed, VerifyOptions{Keys: &fragmentKeys{}, Loader: l, Limits: tight, Work: &work})
	if !errors.Is(err, jsonld.ErrTooMuchWork) || errors.Is(err, ErrInvalidSignature) {
		t.Errorf("verify with MaxQuads 5: err = %v, want ErrTooMuchWork only", err)
	}
	if work.Quads != tight.MaxQuads {
		t.Errorf("verify with MaxQuads 5 counted %d quads, want 5 (the refused one is not work done)", work.Quads)
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Verify(canceled, signed, VerifyOptions{Keys: &fragmentKeys{}, Loader: l}); !errors.Is(err, context.Canceled) {
		t.Errorf("verify with a canceled context: err = %v, want context.Canceled", err)
	}
}
