package vcjwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/keys"
)

const (
	jwtIssuer = "did:example:issuer"
	jwtKID    = jwtIssuer + "#key-1"
	// jwtSeedHex is a test-only Ed25519 seed, so that EdDSA tokens are
	// reproducible for the golden files.
	jwtSeedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
)

var jwtNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return jwtNow }

func jwtCred() map[string]any {
	return map[string]any{
		"@context":   []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":         "urn:uuid:7d3e4b2a-1f7c-4b8e-9a51-3c2d1e0f9a8b",
		"type":       []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":     map[string]any{"id": jwtIssuer, "type": []any{"Profile"}, "name": "Example University"},
		"name":       "Example Badge",
		"validFrom":  "2025-01-01T00:00:00Z",
		"validUntil": "2030-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":   "did:example:learner",
			"type": []any{"AchievementSubject"},
		},
	}
}

// jwtKeyset holds one deterministic key pair per algorithm.
type jwtKeyset struct {
	ed  ed25519.PrivateKey
	ec  *ecdsa.PrivateKey
	rsa *rsa.PrivateKey
}

func testJWTKeys(tb testing.TB) jwtKeyset {
	tb.Helper()
	seed, err := hex.DecodeString(jwtSeedHex)
	if err != nil {
		tb.Fatal(err)
	}
	return jwtKeyset{
		ed:  testkit.Ed25519FromSeed(tb, seed).Ed25519Private(tb),
		ec:  testkit.P256(tb, 1).Private.(*ecdsa.PrivateKey),
		rsa: testkit.RSA(tb, 1).Private.(*rsa.PrivateKey),
	}
}

// oneKey serves pub as jwtKID, for jwtIssuer only.
func oneKey(tb testing.TB, pub crypto.PublicKey) *testkit.Fetcher {
	tb.Helper()
	return testkit.NewFetcher(tb, jwtIssuer, testkit.Method{ID: jwtKID, Key: pub})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func edSigner(k ed25519.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte { return ed25519.Sign(k, in) }
}

// obPayload is jwtCred with the OB VC-JWT claims.
func obPayload() map[string]any {
	p := jwtCred()
	p["iss"] = jwtIssuer
	p["jti"] = p["id"]
	p["sub"] = "did:example:learner"
	p["nbf"] = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	p["exp"] = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	return p
}

func TestJWTRoundTrip(t *testing.T) {
	ks := testJWTKeys(t)
	ctx := context.Background()
	algs := []struct {
		alg  string
		priv crypto.PrivateKey
		pub  crypto.PublicKey
	}{
		{"EdDSA", ks.ed, ks.ed.Public()},
		{"ES256", ks.ec, &ks.ec.PublicKey},
		{"RS256", ks.rsa, &ks.rsa.PublicKey},
	}
	for _, a := range algs {
		for _, format := range []string{FormatVCJWT, FormatJOSE} {
			t.Run(a.alg+"/"+format, func(t *testing.T) {
				cred := jwtCred()
				before, _ := json.Marshal(cred)
				tok, err := Sign(ctx, cred, a.priv, Options{Format: format, KeyID: jwtKID, Now: fixedNow})
				if err != nil {
					t.Fatal(err)
				}
				if after, _ := json.Marshal(cred); string(after) != string(before) {
					t.Error("Sign modified its input")
				}
				res, err := Verify(ctx, tok, VerifyOptions{Keys: oneKey(t, a.pub), Now: fixedNow})
				if err != nil {
					t.Fatal(err)
				}
				if res.Algorithm != a.alg || res.Format != format || res.KeyID != jwtKID || res.VC11 {
					t.Errorf("result alg %s format %s kid %s vc11 %v", res.Algorithm, res.Format, res.KeyID, res.VC11)
				}
				if !reflect.DeepEqual(roundJSON(t, res.Credential), roundJSON(t, cred)) {
					t.Errorf("credential\ngot  %v\nwant %v", res.Credential, cred)
				}
				wantTyp := map[string]string{FormatVCJWT: "JWT", FormatJOSE: "vc+jwt"}[format]
				if res.Header["typ"] != wantTyp || res.Header["kid"] != jwtKID {
					t.Errorf("header %v", res.Header)
				}
				if format == FormatJOSE && res.Header["cty"] != "vc" {
					t.Errorf("header cty %v", res.Header["cty"])
				}
				_, hasIss := res.Claims["iss"]
				if hasIss != (format == FormatVCJWT) {
					t.Errorf("claims %v", res.Claims)
				}
				if format == FormatVCJWT {
					if res.Claims["nbf"] != float64(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()) || res.Claims["sub"] != "did:example:learner" {
						t.Errorf("claims %v", res.Claims)
					}
				}
			})
		}
	}
}

func roundJSON(tb testing.TB, v any) any {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestJWTGolden pins the EdDSA tokens byte for byte (Ed25519 is
// deterministic); -update rewrites them.
func TestJWTGolden(t *testing.T) {
	ks := testJWTKeys(t)
	for _, format := range []string{FormatVCJWT, FormatJOSE} {
		t.Run(format, func(t *testing.T) {
			tok, err := Sign(context.Background(), jwtCred(), ks.ed, Options{Format: format, KeyID: jwtKID, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "jwt", strings.ReplaceAll(format, "+", "-plus-")+"-eddsa.jwt")
			testkit.Golden(t, path, []byte(tok+"\n"))
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Verify(context.Background(), string(want), VerifyOptions{Keys: oneKey(t, ks.ed.Public()), Now: fixedNow}); err != nil {
				t.Errorf("golden token with trailing newline: %v", err)
			}
		})
	}
}

func TestVerifyJWTRejects(t *testing.T) {
	ks := testJWTKeys(t)
	ctx := context.Background()
	edPub := ks.ed.Public()
	edHeader := func(extra map[string]any) map[string]any {
		h := map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": jwtKID}
		for k, v := range extra {
			if v == nil {
				delete(h, k)
			} else {
				h[k] = v
			}
		}
		return h
	}
	withClaim := func(k string, v any) map[string]any {
		p := obPayload()
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
		return p
	}
	pubJWK := func(pub crypto.PublicKey) map[string]any {
		b, err := keys.PublicJWK(pub)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	privJWK := pubJWK(edPub)
	privJWK["d"] = b64(ks.ed.Seed())
	otherPub := testkit.Ed25519(t, 2).Public
	ecTok, err := Sign(ctx, jwtCred(), ks.ec, Options{KeyID: jwtKID})
	if err != nil {
		t.Fatal(err)
	}
	rsTok, err := Sign(ctx, jwtCred(), ks.rsa, Options{KeyID: jwtKID})
	if err != nil {
		t.Fatal(err)
	}
	hs256 := func(in []byte) []byte {
		m := hmac.New(sha256.New, []byte(edPub.(ed25519.PublicKey)))
		m.Write(in)
		return m.Sum(nil)
	}
	good := testkit.CraftJWS(t, edHeader(nil), obPayload(), edSigner(ks.ed))

	tests := []struct {
		name  string
		token string
		keys  crypto.PublicKey
		now   time.Time
		want  error
		field string
	}{
		{name: "crafted token is valid", token: good},
		{name: "alg none", token: testkit.CraftJWS(t, edHeader(map[string]any{"alg": "none"}), obPayload(), nil), want: ErrAlgorithm, field: "header.alg"},
		{name: "alg none with a signature", token: testkit.CraftJWS(t, edHeader(map[string]any{"alg": "none"}), obPayload(), edSigner(ks.ed)), want: ErrAlgorithm, field: "header.alg"},
		{name: "HS256 keyed with the public key", token: testkit.CraftJWS(t, edHeader(map[string]any{"alg": "HS256"}), obPayload(), hs256), want: ErrAlgorithm, field: "header.alg"},
		{name: "missing alg", token: testkit.CraftJWS(t, edHeader(map[string]any{"alg": nil}), obPayload(), edSigner(ks.ed)), want: ErrAlgorithm, field: "header.alg"},
		{name: "ES256 token, Ed25519 issuer key", token: ecTok, want: ErrAlgorithm, field: "header.alg"},
		{name: "RS256 token, Ed25519 issuer key", token: rsTok, want: ErrAlgorithm, field: "header.alg"},
		{name: "EdDSA header, P-256 issuer key", token: good, keys: &ks.ec.PublicKey, want: ErrAlgorithm, field: "header.alg"},
		{name: "EdDSA header, RSA issuer key", token: good, keys: &ks.rsa.PublicKey, want: ErrAlgorithm, field: "header.alg"},
		{name: "private jwk in header", token: testkit.CraftJWS(t, edHeader(map[string]any{"jwk": privJWK}), obPayload(), edSigner(ks.ed)), want: ErrPrivateKeyInHeader, field: "header.jwk.d"},
		{name: "embedded jwk of another key", token: testkit.CraftJWS(t, edHeader(map[string]any{"jwk": pubJWK(otherPub)}), obPayload(), edSigner(ks.ed)), want: ErrHeaderKey, field: "header.jwk"},
		{name: "embedded jwk of the issuer key", token: testkit.CraftJWS(t, edHeader(map[string]any{"jwk": pubJWK(edPub)}), obPayload(), edSigner(ks.ed))},
		{name: "jwk without kid", token: testkit.CraftJWS(t, edHeader(map[string]any{"kid": nil, "jwk": pubJWK(edPub)}), obPayload(), edSigner(ks.ed)), want: ErrUnboundHeaderKey, field: "header.jwk"},
		{name: "no kid", token: testkit.CraftJWS(t, edHeader(map[string]any{"kid": nil}), obPayload(), edSigner(ks.ed)), want: ErrNoKeyID, field: "header.kid"},
		{name: "crit header", token: testkit.CraftJWS(t, edHeader(map[string]any{"crit": []any{"exp"}}), obPayload(), edSigner(ks.ed)), want: ErrMalformed, field: "header.crit"},
		{name: "unknown typ", token: testkit.CraftJWS(t, edHeader(map[string]any{"typ": "at+jwt"}), obPayload(), edSigner(ks.ed)), want: ErrMalformed, field: "header.typ"},
		{name: "signed by another key", token: good, keys: otherPub, want: ErrInvalidSignature, field: "signature"},
		{name: "payload swapped", token: strings.Split(good, ".")[0] + "." + b64([]byte(`{"@context":[],"iss":"x"}`)) + "." + strings.Split(good, ".")[2], want: ErrInvalidSignature, field: "signature"},
		{name: "empty signature", token: testkit.CraftJWS(t, edHeader(nil), obPayload(), nil), want: ErrMalformed, field: "signature"},
		{name: "two segments", token: "eyJhbGciOiJFZERTQSJ9.e30", want: ErrMalformed},
		{name: "padded base64", token: strings.Replace(good, ".", "=.", 1), want: ErrMalformed, field: "header"},
		{name: "payload not a credential", token: testkit.CraftJWS(t, edHeader(nil), map[string]any{"iss": jwtIssuer}, edSigner(ks.ed)), want: ErrMalformed, field: "payload"},
		{name: "vc claim in vc+jwt", token: testkit.CraftJWS(t, edHeader(map[string]any{"typ": "vc+jwt"}), withClaim("vc", map[string]any{}), edSigner(ks.ed)), want: ErrMalformed, field: "payload.vc"},
		{name: "iss mismatch", token: testkit.CraftJWS(t, edHeader(nil), withClaim("iss", "did:example:other"), edSigner(ks.ed)), want: ErrClaimMismatch, field: "payload.iss"},
		{name: "iss missing", token: testkit.CraftJWS(t, edHeader(nil), withClaim("iss", nil), edSigner(ks.ed)), want: ErrClaimMismatch, field: "payload.iss"},
		{name: "jti mismatch", token: testkit.CraftJWS(t, edHeader(nil), withClaim("jti", "urn:uuid:other"), edSigner(ks.ed)), want: ErrClaimMismatch, field: "payload.jti"},
		{name: "sub mismatch", token: testkit.CraftJWS(t, edHeader(nil), withClaim("sub", "did:example:someone-else"), edSigner(ks.ed)), want: ErrClaimMismatch, field: "payload.sub"},
		{name: "nbf mismatch", token: testkit.CraftJWS(t, edHeader(nil), withClaim("nbf", 1), edSigner(ks.ed)), want: ErrClaimMismatch, field: "payload.nbf"},
		{name: "nbf not a number", token: testkit.CraftJWS(t, edHeader(nil), withClaim("nbf", "1735689600"), edSigner(ks.ed)), want: ErrClaimMismatch, field: "payload.nbf"},
		{name: "exp mismatch", token: testkit.CraftJWS(t, edHeader(nil), withClaim("exp", 4102444800), edSigner(ks.ed)), want: ErrClaimMismatch, field: "payload.exp"},
		{name: "expired", token: good, now: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), want: ErrExpired, field: "payload.exp"},
		{name: "not yet valid", token: good, now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), want: ErrNotYetValid, field: "payload.nbf"},
		{name: "oversized", token: good + strings.Repeat(" ", DefaultMaxSize), want: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := tt.keys
			if pub == nil {
				pub = edPub
			}
			now := fixedNow
			if !tt.now.IsZero() {
				now = func() time.Time { return tt.now }
			}
			k := oneKey(t, pub)
			res, err := Verify(ctx, tt.token, VerifyOptions{Keys: k, Now: now})
			checkPrepared(t, tt.token, k, err)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var je *Error
			if !errors.As(err, &je) || je.Field != tt.field {
				t.Errorf("error field: %v, want %q", err, tt.field)
			}
			timeErr := errors.Is(tt.want, ErrExpired) || errors.Is(tt.want, ErrNotYetValid)
			if (res != nil) != timeErr {
				t.Errorf("result %v returned with %v", res, err)
			}
		})
	}
}

// checkPrepared checks Prepare against the Verify call that gave verr
// with fetcher k: when Prepare refuses the token, Verify gave the same
// error without asking for a key; when Prepare reads it, Verify asked for
// the key of Prepare's KeyID, once.
func checkPrepared(t *testing.T, token string, k *testkit.Fetcher, verr error) {
	t.Helper()
	checkPreparedSize(t, token, 0, k, verr)
}

func checkPreparedSize(t *testing.T, token string, maxSize int64, k *testkit.Fetcher, verr error) {
	t.Helper()
	pre, err := Prepare(token, maxSize)
	asked := k.Calls()
	if err != nil {
		if verr == nil || verr.Error() != err.Error() || len(asked) != 0 {
			t.Errorf("Prepare: %v; Verify: %v after asking for %v; want the same error, no key asked for", err, verr, asked)
		}
		return
	}
	if len(asked) != 1 || asked[0] != (testkit.Call{Method: pre.KeyID, Purpose: testkit.AssertionMethod}) {
		t.Errorf("Prepare read kid %q; Verify asked for %v, want that key once", pre.KeyID, asked)
	}
}

func TestVerifyJWTKeyID(t *testing.T) {
	ks := testJWTKeys(t)
	ctx := context.Background()
	pub := ks.ed.Public()

	t.Run("relative kid is taken against the issuer", func(t *testing.T) {
		tok := testkit.CraftJWS(t, map[string]any{"alg": "EdDSA", "kid": "#key-1"}, obPayload(), edSigner(ks.ed))
		k := oneKey(t, pub)
		res, err := Verify(ctx, tok, VerifyOptions{Keys: k, Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		if asked := k.Calls(); res.KeyID != jwtKID || len(asked) != 1 || asked[0] != (testkit.Call{Method: jwtKID, Purpose: testkit.AssertionMethod}) {
			t.Errorf("kid %s, asked %v", res.KeyID, asked)
		}
	})
	t.Run("did:jwk issuer without kid uses #0", func(t *testing.T) {
		p := obPayload()
		iss := "did:jwk:eyJrdHkiOiJPS1AifQ"
		p["iss"] = iss
		p["issuer"] = iss
		tok := testkit.CraftJWS(t, map[string]any{"alg": "EdDSA"}, p, edSigner(ks.ed))
		k := testkit.NewFetcher(t, iss, testkit.Method{ID: iss + "#0", Key: pub})
		if _, err := Verify(ctx, tok, VerifyOptions{Keys: k, Now: fixedNow}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("fetch failure is not a verdict", func(t *testing.T) {
		_, err := Verify(ctx, testkit.CraftJWS(t, map[string]any{"alg": "EdDSA", "kid": jwtKID}, obPayload(), edSigner(ks.ed)), VerifyOptions{Keys: testkit.Unreachable{}, Now: fixedNow})
		if !errors.Is(err, testkit.ErrUnreachable) {
			t.Fatalf("err = %v", err)
		}
		for _, s := range []error{ErrMalformed, ErrAlgorithm, ErrInvalidSignature, ErrClaimMismatch, ErrHeaderKey} {
			if errors.Is(err, s) {
				t.Errorf("fetch failure wraps %v", s)
			}
		}
	})
}

func TestVerifyJWTVC11(t *testing.T) {
	ks := testJWTKeys(t)
	vc := map[string]any{
		"@context":          []any{"https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":            map[string]any{"id": jwtIssuer, "type": []any{"Profile"}},
		"issuanceDate":      "2025-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"type": []any{"AchievementSubject"}},
	}
	payload := map[string]any{
		"vc":  vc,
		"iss": jwtIssuer,
		"jti": "urn:uuid:abc",
		"sub": "did:example:learner",
		"nbf": time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
		"exp": time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
	}
	tok := testkit.CraftJWS(t, map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": jwtKID}, payload, edSigner(ks.ed))
	res, err := Verify(context.Background(), tok, VerifyOptions{Keys: oneKey(t, ks.ed.Public()), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Credential
	if !res.VC11 || c["id"] != "urn:uuid:abc" || c["expirationDate"] != "2030-01-01T00:00:00Z" ||
		c["credentialSubject"].(map[string]any)["id"] != "did:example:learner" {
		t.Errorf("credential %v", c)
	}
	payload["nbf"] = 5
	tok = testkit.CraftJWS(t, map[string]any{"alg": "EdDSA", "kid": jwtKID}, payload, edSigner(ks.ed))
	if _, err := Verify(context.Background(), tok, VerifyOptions{Keys: oneKey(t, ks.ed.Public()), Now: fixedNow}); !errors.Is(err, ErrClaimMismatch) {
		t.Errorf("nbf against issuanceDate: err = %v", err)
	}
}

func TestSignJWTRefuses(t *testing.T) {
	ks := testJWTKeys(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	noIssuer := jwtCred()
	delete(noIssuer, "issuer")
	withIss := jwtCred()
	withIss["iss"] = "x"
	tests := []struct {
		name string
		cred map[string]any
		key  crypto.PrivateKey
		opts Options
		want error
	}{
		{"P-384 key", jwtCred(), p384, Options{KeyID: jwtKID}, ErrKeyType},
		{"not a key", jwtCred(), "secret", Options{KeyID: jwtKID}, ErrKeyType},
		{"no kid", jwtCred(), ks.ed, Options{}, nil},
		{"unknown format", jwtCred(), ks.ed, Options{KeyID: jwtKID, Format: "jwt"}, nil},
		{"no issuer for iss", noIssuer, ks.ed, Options{KeyID: jwtKID}, ErrMalformed},
		{"credential with a claim name", withIss, ks.ed, Options{KeyID: jwtKID}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Sign(context.Background(), tt.cred, tt.key, tt.opts)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzVerifyJWT feeds arbitrary text to Verify: it must never panic, and
// a token it accepts must be an EdDSA token whose credential has an
// @context, since the only key it can resolve is Ed25519.
func FuzzVerifyJWT(f *testing.F) {
	ks := testJWTKeys(f)
	if names, err := filepath.Glob(filepath.Join("testdata", "jwt", "*.jwt")); err == nil {
		for _, n := range names {
			if b, err := os.ReadFile(n); err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Add(testkit.CraftJWS(f, map[string]any{"alg": "none", "kid": jwtKID}, obPayload(), nil))
	f.Add(testkit.CraftJWS(f, map[string]any{"alg": "EdDSA", "kid": jwtKID, "jwk": map[string]any{"kty": "OKP", "d": "x"}}, obPayload(), edSigner(ks.ed)))
	f.Add("a.b.c")
	f.Add("")
	pub := ks.ed.Public()
	f.Fuzz(func(t *testing.T, tok string) {
		k := oneKey(t, pub)
		res, err := Verify(context.Background(), tok, VerifyOptions{Keys: k, Now: fixedNow, MaxSize: 64 << 10})
		checkPreparedSize(t, tok, 64<<10, k, err)
		if err != nil {
			return
		}
		if res.Algorithm != "EdDSA" {
			t.Errorf("accepted alg %s", res.Algorithm)
		}
		if _, ok := res.Credential["@context"]; !ok {
			t.Error("accepted a credential without @context")
		}
	})
}

func benchJWT(b *testing.B, priv crypto.PrivateKey, pub crypto.PublicKey) {
	ctx := context.Background()
	cred := jwtCred()
	opts := Options{KeyID: jwtKID, Now: fixedNow}
	b.Run("sign", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Sign(ctx, cred, priv, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	tok, err := Sign(ctx, cred, priv, opts)
	if err != nil {
		b.Fatal(err)
	}
	vopts := VerifyOptions{Keys: oneKey(b, pub), Now: fixedNow}
	b.Run("verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Verify(ctx, tok, vopts); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkJWTEdDSA(b *testing.B) {
	ks := testJWTKeys(b)
	benchJWT(b, ks.ed, ks.ed.Public())
}

func BenchmarkJWTES256(b *testing.B) {
	ks := testJWTKeys(b)
	benchJWT(b, ks.ec, &ks.ec.PublicKey)
}

func BenchmarkJWTRS256(b *testing.B) {
	ks := testJWTKeys(b)
	benchJWT(b, ks.rsa, &ks.rsa.PublicKey)
}
