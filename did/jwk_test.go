package did_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/keys"
)

// The did:jwk specification's P-256 example.
const specJWKDID = "did:jwk:eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2IiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"

func didJWKOf(t *testing.T, jwk string) string {
	t.Helper()
	return "did:jwk:" + base64.RawURLEncoding.EncodeToString([]byte(jwk))
}

func TestJWKSpecExample(t *testing.T) {
	pub, err := did.ParseJWK(specJWKDID)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		t.Fatalf("key %T, want *ecdsa.PublicKey", pub)
	}
	j, _ := keys.PublicJWK(k)
	const want = `{"crv":"P-256","kty":"EC","x":"acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0","y":"_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE"}`
	if string(j) != want {
		t.Errorf("key = %s, want %s", j, want)
	}
	// The spec orders the members kty, crv, x, y; ours are sorted, so the
	// DIDs differ while naming the same key.
	ours, err := did.JWKFromPublic(pub)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := did.ParseJWK(ours); err != nil || !k.Equal(again) {
		t.Errorf("JWKFromPublic %s parses to %v, %v", ours, again, err)
	}
}

func TestJWKDocumentGolden(t *testing.T) {
	doc, err := did.JWKDocument(specJWKDID)
	if err != nil {
		t.Fatal(err)
	}
	want := testkit.GoldenJSON(t, filepath.Join("testdata", "did-jwk-document.golden.json"), doc)
	back, err := did.ParseDocument(want)
	if err != nil {
		t.Fatal(err)
	}
	vmID := specJWKDID + "#0"
	_, pub, err := back.AssertionKey(vmID)
	if err != nil {
		t.Fatal(err)
	}
	if direct, _ := did.ParseJWK(specJWKDID); !pub.(*ecdsa.PublicKey).Equal(direct) {
		t.Error("golden document yields another key")
	}
	if back.Context[1] != did.ContextJWS2020 || back.VerificationMethod[0].Type != did.TypeJsonWebKey2020 {
		t.Errorf("context %v, type %s", back.Context, back.VerificationMethod[0].Type)
	}
}

func TestKeyDocumentP256Golden(t *testing.T) {
	const id = "did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
	doc, err := did.KeyDocument(id)
	if err != nil {
		t.Fatal(err)
	}
	testkit.GoldenJSON(t, filepath.Join("testdata", "did-key-p256-document.golden.json"), doc)
	_, pub, err := doc.AssertionKey(id + "#zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pub.(*ecdsa.PublicKey); !ok {
		t.Errorf("key %T", pub)
	}
}

func TestJWKRoundTripAllTypes(t *testing.T) {
	ctx := context.Background()
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.RSA2048} {
		t.Run(string(typ), func(t *testing.T) {
			kp := testkit.Of(t, typ, 1)
			id, err := did.JWKFromPublic(kp.Public)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := did.ParseJWK(id)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(kp.Public) {
				t.Error("ParseJWK returned another key")
			}
			// The resolver and the fetcher serve did:jwk offline.
			got, err := did.Fetcher{}.PublicKey(ctx, id+"#0", did.AssertionMethod)
			if err != nil {
				t.Fatal(err)
			}
			if !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(kp.Public) {
				t.Error("Fetcher returned another key")
			}
			if _, err := (did.Fetcher{}).PublicKey(ctx, id+"#1", ""); !errors.Is(err, did.ErrMethodNotFound) {
				t.Errorf("#1: error = %v, want ErrMethodNotFound", err)
			}
			// did:key exists for the Multikey types only.
			if _, err := did.KeyFromPublic(kp.Public); (err == nil) != (typ != keys.RSA2048) {
				t.Errorf("KeyFromPublic error = %v", err)
			}
		})
	}
}

func TestJWKUse(t *testing.T) {
	ctx := context.Background()
	const x = `"x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"`
	tests := []struct {
		use       string
		assertion bool
		agreement bool
	}{
		{"", true, true},
		{`,"use":"sig"`, true, false},
		{`,"use":"enc"`, false, true},
	}
	for _, tc := range tests {
		t.Run("use"+tc.use, func(t *testing.T) {
			id := didJWKOf(t, `{"kty":"OKP","crv":"Ed25519",`+x+tc.use+`}`)
			doc, err := did.KeyResolver{}.Resolve(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := doc.AssertionKey(id + "#0"); (err == nil) != tc.assertion {
				t.Errorf("AssertionKey error = %v", err)
			} else if err != nil && !errors.Is(err, did.ErrNotAuthorized) {
				t.Errorf("AssertionKey error = %v, want ErrNotAuthorized", err)
			}
			if _, _, err := doc.Key(id+"#0", did.KeyAgreement); (err == nil) != tc.agreement {
				t.Errorf("Key(keyAgreement) error = %v", err)
			}
		})
	}
}

func TestParseJWKErrors(t *testing.T) {
	const ed = `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`
	valid := didJWKOf(t, ed)
	tests := []struct {
		name string
		in   string
		want []error
	}{
		{"empty id", "did:jwk:", []error{did.ErrInvalidDID}},
		{"not a DID", "jwk:" + valid[8:], []error{did.ErrInvalidDID}},
		{"other method", "did:web:example.com", []error{did.ErrUnsupportedMethod}},
		{"padded", valid + "==", []error{did.ErrInvalidDID}},
		{"standard base64", "did:jwk:" + base64.StdEncoding.EncodeToString([]byte(`{"kty":"OKP","crv":"Ed25519","x":"+/+/"}`)), []error{did.ErrInvalidDID}},
		{"fragment", valid + "#0", []error{did.ErrInvalidDID}},
		{"path", valid + "/x", []error{did.ErrInvalidDID}},
		{"not JSON", didJWKOf(t, "hello"), []error{did.ErrInvalidDID, keys.ErrMalformedJWK}},
		{"JSON array", didJWKOf(t, "[]"), []error{did.ErrInvalidDID, keys.ErrMalformedJWK}},
		{"duplicate member", didJWKOf(t, `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`), []error{did.ErrInvalidDID, keys.ErrMalformedJWK}},
		{"private key", didJWKOf(t, `{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`), []error{did.ErrInvalidDID, keys.ErrPrivateMember}},
		{"X25519", didJWKOf(t, `{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}`), []error{keys.ErrUnsupportedKey}},
		{"P-384", didJWKOf(t, `{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}`), []error{keys.ErrUnsupportedKey}},
		{"short Ed25519", didJWKOf(t, `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUQ"}`), []error{keys.ErrKeyLength}},
		{"RSA 1024", didJWKOf(t, `{"kty":"RSA","e":"AQAB","n":"`+strings.Repeat("w", 171)+`"}`), []error{keys.ErrKeyLength}},
		{"too long", "did:jwk:" + strings.Repeat("e", did.MaxLen), []error{did.ErrInvalidDID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := did.ParseJWK(tc.in)
			for _, want := range tc.want {
				if !errors.Is(err, want) {
					t.Errorf("error = %v, want %v", err, want)
				}
			}
			if _, rerr := (did.KeyResolver{}).Resolve(context.Background(), tc.in); rerr == nil {
				t.Error("KeyResolver resolved it")
			}
		})
	}
}

func FuzzParseJWKDID(f *testing.F) {
	for _, s := range readSeeds(f, "did-jwks.txt") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pub, err := did.ParseJWK(s)
		if err != nil {
			if !errors.Is(err, did.ErrInvalidDID) && !errors.Is(err, did.ErrUnsupportedMethod) {
				var je *keys.JWKError
				if !errors.As(err, &je) {
					t.Fatalf("untyped error %v", err)
				}
			}
			return
		}
		doc, err := did.JWKDocument(s)
		if err != nil {
			t.Fatalf("JWKDocument of a parsed DID: %v", err)
		}
		if doc.ID != s || len(doc.VerificationMethod) != 1 {
			t.Fatalf("document %+v", doc)
		}
		got, err := doc.VerificationMethod[0].PublicKey()
		if err != nil {
			t.Fatalf("document key: %v", err)
		}
		if !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Fatal("document holds another key")
		}
		back, err := did.JWKFromPublic(pub)
		if err != nil {
			t.Fatalf("parsed key does not encode: %v", err)
		}
		again, err := did.ParseJWK(back)
		if err != nil || !again.(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func BenchmarkParseJWKDID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := did.ParseJWK(specJWKDID); err != nil {
			b.Fatal(err)
		}
	}
}
