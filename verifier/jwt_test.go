package verifier_test

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
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/vcjwt"
	"github.com/badgesmith/badgesmith/verifier"
)

// jwtIdentity is an issuer identity for JWT tests: a private key and the
// DID and verification method that resolve to its public key offline.
type jwtIdentity struct {
	priv crypto.PrivateKey
	did  string
	vm   string
}

func p256Identity(t testing.TB) jwtIdentity {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := did.KeyFromPublic(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return jwtIdentity{priv: priv, did: id, vm: id + "#" + strings.TrimPrefix(id, "did:key:")}
}

func rsaIdentity(t testing.TB) jwtIdentity {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := keys.PublicJWK(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	id := "did:jwk:" + base64.RawURLEncoding.EncodeToString(jwk)
	return jwtIdentity{priv: priv, did: id, vm: id + "#0"}
}

// resolvable skips the test when the offline resolver cannot yet give the
// identity's key (did:jwk and P-256 did:key support land separately).
func resolvable(t *testing.T, id jwtIdentity) {
	t.Helper()
	doc, err := did.MultiResolver{}.Resolve(context.Background(), id.did)
	if err == nil {
		_, _, err = doc.AssertionKey(id.vm)
	}
	if err != nil {
		t.Skipf("offline resolution of %.30s... not available yet: %v", id.did, err)
	}
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// craftJWT builds a compact JWS by hand; sign nil leaves the signature empty.
func craftJWT(t testing.TB, header, payload map[string]any, sign func([]byte) []byte) []byte {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	in := b64url(h) + "." + b64url(p)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(in))
	}
	return []byte(in + "." + b64url(sig))
}

// vcJWTPayload is cred with the OB VC-JWT claims.
func vcJWTPayload(t testing.TB, cred map[string]any) map[string]any {
	t.Helper()
	p := make(map[string]any, len(cred)+5)
	for k, v := range cred {
		p[k] = v
	}
	p["iss"] = cred["issuer"].(map[string]any)["id"]
	p["jti"] = cred["id"]
	if id, ok := subject(cred)["id"]; ok {
		p["sub"] = id
	}
	from, err := time.Parse(time.RFC3339, cred["validFrom"].(string))
	if err != nil {
		t.Fatal(err)
	}
	p["nbf"] = from.Unix()
	if s, ok := cred["validUntil"].(string); ok {
		until, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		p["exp"] = until.Unix()
	}
	return p
}

func newJWTVerifier(t testing.TB) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyJWTValid(t *testing.T) {
	ed := newKey(t, 40)
	edID := jwtIdentity{priv: ed.priv, did: ed.did, vm: ed.vm}
	tests := []struct {
		name   string
		id     func(testing.TB) jwtIdentity
		format string
		alg    string
		// suffix is appended to the token, as a file would end.
		suffix string
	}{
		{"EdDSA vc-jwt", func(testing.TB) jwtIdentity { return edID }, vcjwt.FormatVCJWT, "EdDSA", ""},
		{"EdDSA vc+jwt with a trailing newline", func(testing.TB) jwtIdentity { return edID }, vcjwt.FormatJOSE, "EdDSA", "\n"},
		{"ES256 vc-jwt", p256Identity, vcjwt.FormatVCJWT, "ES256", ""},
		{"RS256 vc-jwt", rsaIdentity, vcjwt.FormatVCJWT, "RS256", "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.id(t)
			resolvable(t, id)
			cred := unsigned(t, testKey{did: id.did})
			cred["validUntil"] = "2027-11-01T00:00:00Z"
			tok, err := vcjwt.Sign(context.Background(), cred, id.priv, vcjwt.Options{Format: tt.format, KeyID: id.vm, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			res, err := newJWTVerifier(t).Verify(context.Background(), []byte(tok+tt.suffix))
			if err != nil {
				t.Fatalf("err = %v\n%+v", err, res.Checks)
			}
			if !res.Valid || len(res.Checks) != 8 {
				t.Fatalf("result %+v", res)
			}
			for _, c := range res.Checks {
				if c.Status != verifier.StatusPass {
					t.Errorf("%s: %s %s", c.Check, c.Status, c.Reason)
				}
			}
			if p := res.Check(verifier.CheckProof); !strings.Contains(p.Reason, tt.alg) || !strings.Contains(p.Reason, tt.format) {
				t.Errorf("proof reason %q", p.Reason)
			}
			if res.CredentialID != cred["id"] || res.Issuer != id.did {
				t.Errorf("id %q issuer %q", res.CredentialID, res.Issuer)
			}
		})
	}
}

func TestVerifyJWTInvalid(t *testing.T) {
	k := newKey(t, 50)
	other := newKey(t, 60)
	cred := unsigned(t, k)
	cred["validUntil"] = "2027-11-01T00:00:00Z"
	header := func(extra map[string]any) map[string]any {
		h := map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": k.vm}
		for n, v := range extra {
			h[n] = v
		}
		return h
	}
	edSign := func(priv ed25519.PrivateKey) func([]byte) []byte {
		return func(in []byte) []byte { return ed25519.Sign(priv, in) }
	}
	hs256 := func(in []byte) []byte {
		m := hmac.New(sha256.New, []byte(k.priv.Public().(ed25519.PublicKey)))
		m.Write(in)
		return m.Sum(nil)
	}
	jwk, err := keys.PublicJWK(k.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	var privJWK map[string]any
	if err := json.Unmarshal(jwk, &privJWK); err != nil {
		t.Fatal(err)
	}
	privJWK["d"] = b64url(k.priv.Seed())
	withCred := func(edit func(c map[string]any)) map[string]any {
		c := unsigned(t, k)
		c["validUntil"] = "2027-11-01T00:00:00Z"
		edit(c)
		return vcJWTPayload(t, c)
	}
	mismatched := vcJWTPayload(t, cred)
	mismatched["sub"] = "did:example:someone-else"

	tests := []struct {
		name  string
		token []byte
		check verifier.CheckName // the check that must fail
		path  string
	}{
		{"alg none", craftJWT(t, header(map[string]any{"alg": "none"}), vcJWTPayload(t, cred), nil), verifier.CheckProof, "header.alg"},
		{"HS256", craftJWT(t, header(map[string]any{"alg": "HS256"}), vcJWTPayload(t, cred), hs256), verifier.CheckProof, "header.alg"},
		{"kid of a key the issuer does not control", craftJWT(t, header(map[string]any{"kid": other.vm}), vcJWTPayload(t, cred), edSign(other.priv)), verifier.CheckProof, "header.kid"},
		{"private jwk in header", craftJWT(t, header(map[string]any{"jwk": privJWK}), vcJWTPayload(t, cred), edSign(k.priv)), verifier.CheckProof, "header.jwk.d"},
		{"expired token", craftJWT(t, header(nil), withCred(func(c map[string]any) { c["validUntil"] = "2026-11-10T00:00:00Z" }), edSign(k.priv)), verifier.CheckValidity, "payload.exp"},
		{"not yet valid token", craftJWT(t, header(nil), withCred(func(c map[string]any) { c["validFrom"] = "2026-12-01T00:00:00Z" }), edSign(k.priv)), verifier.CheckValidity, "payload.nbf"},
		{"claim mismatch", craftJWT(t, header(nil), mismatched, edSign(k.priv)), verifier.CheckProof, "payload.sub"},
		{"bad signature", craftJWT(t, header(nil), vcJWTPayload(t, cred), edSign(other.priv)), verifier.CheckProof, "signature"},
		{"not a credential", craftJWT(t, header(nil), map[string]any{"iss": k.did}, edSign(k.priv)), verifier.CheckParse, "payload"},
	}
	v := newJWTVerifier(t)
	reasons := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), tt.token)
			var ve *verifier.VerificationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *VerificationError", err)
			}
			if res.Valid || len(res.Checks) != 8 {
				t.Fatalf("result %+v", res)
			}
			c := res.Check(tt.check)
			if c == nil || c.Status != verifier.StatusFail {
				t.Fatalf("%s check: %+v (all: %+v)", tt.check, c, res.Checks)
			}
			if c.Path != tt.path {
				t.Errorf("path %q, want %q (%s)", c.Path, tt.path, c.Reason)
			}
			for name, r := range reasons {
				if r == c.Reason {
					t.Errorf("same reason as %q: %s", name, r)
				}
			}
			reasons[tt.name] = c.Reason
		})
	}
	t.Run("issuer check names the foreign key", func(t *testing.T) {
		res, _ := v.Verify(context.Background(), tests[2].token)
		if c := res.Check(verifier.CheckIssuer); c == nil || c.Status != verifier.StatusFail {
			t.Errorf("issuer check %+v", c)
		}
	})
}

func TestLooksLikeJWSRoutesOnlyTokens(t *testing.T) {
	v := newJWTVerifier(t)
	for _, in := range []string{`{"a":"b.c.d"}`, "a.b", "a.b.c.d", "a b.c.d", ""} {
		res, _ := v.Verify(context.Background(), []byte(in))
		if c := res.Check(verifier.CheckParse); c == nil || strings.Contains(c.Reason, "compact JWS") {
			t.Errorf("%q: parse check %+v", in, c)
		}
	}
}

func BenchmarkVerifyJWT(b *testing.B) {
	k := newKey(b, 70)
	tok, err := vcjwt.Sign(context.Background(), unsigned(b, k), k.priv, vcjwt.Options{KeyID: k.vm, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	v := newJWTVerifier(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, []byte(tok)); err != nil {
			b.Fatal(err)
		}
	}
}
