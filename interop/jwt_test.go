package interop_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/vcjwt"
	"github.com/badgesmith/badgesmith/verifier"
)

// joseJS runs jose.mjs (the npm jose library) with one request and decodes
// its answer into out. It returns the script's error output when it fails.
func joseJS(t *testing.T, node string, req, out any) error {
	t.Helper()
	if _, err := os.Stat(filepath.Join("node_modules", "jose")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("interop/node_modules/jose is missing: run `npm ci` in interop/")
		}
		t.Skip("interop/node_modules/jose is missing: run `npm ci` in interop/")
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "jose.mjs")
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return errors.New(stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("jose.mjs answer %q: %v", stdout.String(), err)
	}
	return nil
}

type jwtSigner struct {
	alg  string
	priv crypto.PrivateKey
	pub  crypto.PublicKey
	did  string
	vm   string
}

func jwtSigners(t *testing.T) []jwtSigner {
	t.Helper()
	var out []jwtSigner
	for _, kt := range []struct {
		t   keys.Type
		alg string
	}{{keys.Ed25519, "EdDSA"}, {keys.P256, "ES256"}, {keys.RSA2048, "RS256"}} {
		kp, err := keys.Generate(kt.t, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := jwtSigner{alg: kt.alg, priv: kp.Private, pub: kp.Public}
		if kt.t == keys.RSA2048 {
			s.did, err = did.JWKFromPublic(kp.Public)
			s.vm = s.did + "#" + did.JWKFragment
		} else {
			s.did, err = did.KeyFromPublic(kp.Public)
			mk, _ := keys.EncodePublicMultikey(kp.Public)
			s.vm = s.did + "#" + mk
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// jwkOf returns the JWK of a public or private key as a JSON object.
func jwkOf(t *testing.T, key any) map[string]any {
	t.Helper()
	// Private keys are crypto.Signers; public keys are not.
	b, err := keys.PublicJWK(key)
	if _, private := key.(crypto.Signer); private {
		b, err = keys.PrivateJWK(key)
	}
	if err != nil {
		t.Fatalf("jwk of %T: %v", key, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func jwtCredential(t *testing.T, s jwtSigner) map[string]any {
	t.Helper()
	iss := loadJSON(t, "issuer.json")
	iss["id"] = s.did
	sub := loadJSON(t, "subject.json")
	sub["achievement"] = loadJSON(t, "achievement.json")
	return map[string]any{
		"@context": []any{
			"https://www.w3.org/ns/credentials/v2",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
		},
		"id":                "urn:uuid:0c7e3f52-8d2b-4b1e-a1f3-6a0f4c9d2e11",
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              "Applied Data Analysis",
		"issuer":            iss,
		"validFrom":         "2025-01-01T00:00:00Z",
		"validUntil":        "2035-01-01T00:00:00Z",
		"credentialSubject": sub,
	}
}

// TestJWTBadgesmithToJose checks that the npm jose library verifies
// badgesmith's tokens of every algorithm and format, and refuses a tampered
// one.
func TestJWTBadgesmithToJose(t *testing.T) {
	node := requireNode(t)
	for _, s := range jwtSigners(t) {
		for _, format := range []string{vcjwt.FormatVCJWT, vcjwt.FormatJOSE} {
			t.Run(s.alg+"/"+format, func(t *testing.T) {
				tok, err := vcjwt.Sign(context.Background(), jwtCredential(t, s), s.priv, vcjwt.Options{Format: format, KeyID: s.vm})
				if err != nil {
					t.Fatal(err)
				}
				req := map[string]any{"op": "verify", "token": tok, "alg": s.alg, "jwk": jwkOf(t, s.pub)}
				var got struct {
					Header  map[string]any `json:"header"`
					Payload map[string]any `json:"payload"`
				}
				if err := joseJS(t, node, req, &got); err != nil {
					t.Fatalf("jose refused badgesmith's token: %v", err)
				}
				if got.Header["kid"] != s.vm || got.Payload["id"] == nil {
					t.Errorf("jose read header %v", got.Header)
				}
				if format == vcjwt.FormatVCJWT && got.Payload["iss"] != s.did {
					t.Errorf("iss %v", got.Payload["iss"])
				}
				req["token"] = tok[:len(tok)-4] + "AAAA"
				if err := joseJS(t, node, req, &got); err == nil {
					t.Error("jose accepted a token with a changed signature")
				}
			})
		}
	}
}

// TestJWTJoseToBadgesmith checks that badgesmith's verifier accepts OB
// VC-JWTs signed by the npm jose library.
func TestJWTJoseToBadgesmith(t *testing.T) {
	node := requireNode(t)
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range jwtSigners(t) {
		t.Run(s.alg, func(t *testing.T) {
			cred := jwtCredential(t, s)
			payload := map[string]any{}
			for k, v := range cred {
				payload[k] = v
			}
			payload["iss"] = s.did
			payload["jti"] = cred["id"]
			payload["nbf"] = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
			payload["exp"] = time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
			if id, ok := cred["credentialSubject"].(map[string]any)["id"]; ok {
				payload["sub"] = id
			}
			var got struct{ Token string }
			req := map[string]any{"op": "sign", "payload": payload, "alg": s.alg, "jwk": jwkOf(t, s.priv),
				"header": map[string]any{"kid": s.vm, "typ": "JWT"}}
			if err := joseJS(t, node, req, &got); err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), []byte(got.Token))
			if err != nil {
				t.Fatalf("badgesmith refused jose's token: %v\n%+v", err, res.Checks)
			}
			if _, err := vcjwt.Verify(context.Background(), got.Token, vcjwt.VerifyOptions{Keys: fixedJWTKey{s.pub}}); err != nil {
				t.Errorf("vcjwt.Verify: %v", err)
			}
		})
	}
}

type fixedJWTKey struct{ pub crypto.PublicKey }

func (k fixedJWTKey) PublicKey(context.Context, string, string) (crypto.PublicKey, error) {
	return k.pub, nil
}
