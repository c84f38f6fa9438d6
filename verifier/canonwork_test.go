package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestCanonDefaultsAgree: the verifier's zero Limits leave canonicalization
// to contexts' defaults, so the two sets must be equal.
func TestCanonDefaultsAgree(t *testing.T) {
	for _, c := range []struct {
		name string
		v, c int
	}{
		{"MaxQuads", verifier.DefaultMaxQuads, jsonld.DefaultMaxQuads},
		{"MaxHashCalls", verifier.DefaultMaxHashCalls, jsonld.DefaultMaxHashCalls},
		{"MaxValuesPerProperty", verifier.DefaultMaxValuesPerProperty, jsonld.DefaultMaxValuesPerProperty},
	} {
		if c.v != c.c {
			t.Errorf("%s: verifier default %d, contexts default %d", c.name, c.v, c.c)
		}
	}
}

// signedWithTags is the sample credential with n distinct tags on the
// achievement, signed with limits raised enough to canonicalize it.
func signedWithTags(t testing.TB, k testKey, n int) []byte {
	t.Helper()
	doc := unsigned(t, k)
	tags := make([]any, n)
	for i := range tags {
		tags[i] = fmt.Sprint("tag-", i)
	}
	achievement(doc)["tag"] = tags
	raised := jsonld.Limits{MaxQuads: 1 << 20, MaxValuesPerProperty: 1 << 20}
	signed, err := proof.Sign(context.Background(), doc, k.priv, proof.SignOptions{
		VerificationMethod: k.vm, Created: now.Add(-time.Hour), Limits: raised,
	})
	if err != nil {
		t.Fatal(err)
	}
	return encode(t, signed)
}

// TestCanonWork: the proof check counts canonicalization work into
// Result.Work and stops at Options.Limits; a credential past a bound is
// never valid.
func TestCanonWork(t *testing.T) {
	k := newKey(t, 1)
	good := encode(t, sign(t, unsigned(t, k), k.priv, k.vm, proof.EddsaRdfc2022))
	tests := []struct {
		name   string
		data   []byte
		limits verifier.Limits
		valid  bool
		reason string
		// quads and hashCalls are the counts at which one
		// canonicalization stops, when positive.
		quads, hashCalls int
	}{
		{"normal credential, default limits", good, verifier.Limits{}, true, "", 0, 0},
		{"normal credential, 5 quads", good, verifier.Limits{MaxQuads: 5}, false, "5 rdf statements", 0, 0},
		{"normal credential, 30 quads", good, verifier.Limits{MaxQuads: 30}, false, "30 rdf statements", 30, 0},
		{"normal credential, 1 hash call", good, verifier.Limits{MaxHashCalls: 1}, false, "1 blank node hash calls", 0, 1},
		{"20000 tags, default limits", signedWithTags(t, k, 20000), verifier.Limits{}, false, "20000 values for credentialSubject.achievement.tag, more than the limit of 5000", 0, 0},
		{"20000 tags, raised limits", signedWithTags(t, k, 20000), verifier.Limits{MaxValuesPerProperty: 20000, MaxQuads: 30000}, true, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, Limits: tt.limits})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), tt.data)
			if tt.valid {
				if err != nil || !res.Valid {
					t.Fatalf("err = %v, want valid", err)
				}
				t.Logf("work %+v", res.Work)
				if res.Work.Quads == 0 {
					t.Errorf("work %+v: no quads counted", res.Work)
				}
				if tt.limits == (verifier.Limits{}) && res.Work.Quads*10 > verifier.DefaultMaxQuads {
					t.Errorf("work %+v is not far below the default bounds", res.Work)
				}
				return
			}
			if err == nil || res.Valid {
				t.Fatal("valid, want refused")
			}
			c := res.Check(verifier.CheckProof)
			if c == nil || c.Status == verifier.StatusPass || !strings.Contains(c.Reason, tt.reason) || !strings.Contains(c.Reason, jsonld.ErrTooMuchWork.Error()) {
				t.Errorf("proof check %+v, want a refusal naming %q", c, tt.reason)
			}
			var ie *verifier.InconclusiveError
			if !errors.As(err, &ie) {
				t.Errorf("err = %v, want the credential reported as not checked", err)
			}
			// The canonicalization stops at the bound (the document is not
			// read a second time for its unverified claims).
			if tt.quads > 0 && (res.Work.Quads == 0 || res.Work.Quads%tt.quads != 0) ||
				tt.hashCalls > 0 && (res.Work.HashCalls == 0 || res.Work.HashCalls%tt.hashCalls != 0) {
				t.Errorf("work %+v, want a multiple of %d quads and of %d hash calls", res.Work, tt.quads, tt.hashCalls)
			}
		})
	}
}

// BenchmarkVerifyHostileTags verifies the credential of issue #10 (20,000
// distinct tags, signed) with the default limits: it must be judged in
// well under 100 ms.
func BenchmarkVerifyHostileTags(b *testing.B) {
	k := newKey(b, 1)
	data := signedWithTags(b, k, 20000)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(data)), "json-bytes")
	for b.Loop() {
		if res, _ := v.Verify(context.Background(), data); res.Valid {
			b.Fatal("valid")
		}
	}
}
