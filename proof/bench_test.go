package proof

import (
	"context"
	"testing"
)

func BenchmarkSignEddsaRdfc2022(b *testing.B) {
	l := testLoader(b)
	doc := obUnsigned(b)
	priv := obKey(b)
	opts := SignOptions{VerificationMethod: obVM, Created: mustTime(b, obCreated), Loader: l}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(ctx, doc, priv, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyEddsaRdfc2022(b *testing.B) {
	l := testLoader(b)
	doc := obSigned(b)
	opts := VerifyOptions{Keys: &fragmentKeys{}, Loader: l}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(ctx, doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}
