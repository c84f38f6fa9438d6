package vcjwt

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
)

const jwtHolder = "did:example:holder"

func vpPayload() map[string]any {
	return map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"},
		"type":     "VerifiablePresentation",
		"holder":   jwtHolder,
		"nonce":    "n-1",
		"aud":      []any{"https://verifier.example", "https://other.example"},
		"exp":      fixedNow().Add(time.Hour).Unix(),
	}
}

func TestVerifyPresentation(t *testing.T) {
	ks := testJWTKeys(t)
	keys := testkit.NewFetcher(t, jwtHolder, testkit.Method{ID: jwtHolder + "#key-1", Key: ks.ed.Public(), Purposes: []string{"authentication"}})
	header := func(typ string) map[string]any {
		return map[string]any{"alg": "EdDSA", "typ": typ, "kid": "#key-1"}
	}
	with := func(f func(p map[string]any)) map[string]any {
		p := vpPayload()
		f(p)
		return p
	}
	vc11 := map[string]any{"iss": jwtHolder, "nonce": "n-1", "vp": map[string]any{"@context": []any{"https://www.w3.org/2018/credentials/v1"}, "type": "VerifiablePresentation"}}
	for _, tc := range []struct {
		name   string
		tok    string
		want   error
		holder string
		format string
		nonce  string
		audLen int
	}{
		{name: "vp+jwt", tok: testkit.CraftJWS(t, header("vp+jwt"), vpPayload(), edSigner(ks.ed)), holder: jwtHolder, format: FormatVPJOSE, nonce: "n-1", audLen: 2},
		{name: "VCDM 1.1 VP-JWT, holder from iss", tok: testkit.CraftJWS(t, header("JWT"), vc11, edSigner(ks.ed)), holder: jwtHolder, format: FormatVCJWT, nonce: "n-1"},
		{name: "iss is not the holder", tok: testkit.CraftJWS(t, header("vp+jwt"), with(func(p map[string]any) { p["iss"] = "did:example:other" }), edSigner(ks.ed)), want: ErrClaimMismatch},
		{name: "tampered", tok: testkit.CraftJWS(t, header("vp+jwt"), vpPayload(), func(in []byte) []byte { return edSigner(ks.ed)(append(in, 'x')) }), want: ErrInvalidSignature},
		{name: "expired", tok: testkit.CraftJWS(t, header("vp+jwt"), with(func(p map[string]any) { p["exp"] = fixedNow().Add(-time.Hour).Unix() }), edSigner(ks.ed)), want: ErrExpired},
		{name: "a credential typ", tok: testkit.CraftJWS(t, header("vc+jwt"), vpPayload(), edSigner(ks.ed)), want: ErrMalformed},
		{name: "vp claim in a vp+jwt", tok: testkit.CraftJWS(t, header("vp+jwt"), with(func(p map[string]any) { p["vp"] = map[string]any{} }), edSigner(ks.ed)), want: ErrMalformed},
		{name: "nonce not a string", tok: testkit.CraftJWS(t, header("vp+jwt"), with(func(p map[string]any) { p["nonce"] = 7 }), edSigner(ks.ed)), want: ErrMalformed},
		{name: "alg none", tok: testkit.CraftJWS(t, map[string]any{"alg": "none", "typ": "vp+jwt", "kid": "#key-1"}, vpPayload(), nil), want: ErrAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := VerifyPresentation(context.Background(), tc.tok, VerifyOptions{Keys: keys, Now: fixedNow})
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if holderOf(res.Presentation) != tc.holder || res.Format != tc.format || res.Nonce != tc.nonce || len(res.Audience) != tc.audLen || res.KeyID != jwtHolder+"#key-1" {
				t.Errorf("result %+v", res)
			}
		})
	}
	// The key was asked for authentication, never assertionMethod.
	for _, c := range keys.Calls() {
		if c.Purpose != "authentication" {
			t.Errorf("key asked for %q", c.Purpose)
		}
	}
}

// FuzzParsePresentation: arbitrary tokens never panic, and an accepted
// one is a presentation with an @context.
func FuzzParsePresentation(f *testing.F) {
	ks := testJWTKeys(f)
	f.Add(testkit.CraftJWS(f, map[string]any{"alg": "EdDSA", "typ": "vp+jwt", "kid": "#k"}, vpPayload(), edSigner(ks.ed)))
	f.Add(testkit.CraftJWS(f, map[string]any{"alg": "EdDSA"}, map[string]any{"vp": map[string]any{"@context": "x"}, "aud": []any{1}}, nil))
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		res, err := ParsePresentation(tok, 64<<10)
		if err != nil {
			return
		}
		if _, ok := res.Presentation["@context"]; !ok {
			t.Error("accepted a presentation without @context")
		}
	})
}
