package issuer_test

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/vcjwt"
)

func jwtIssuer(t *testing.T, kt keys.Type, format issuer.Format) (*issuer.Issuer, crypto.PublicKey, string) {
	t.Helper()
	kp, err := keys.Generate(kt, nil)
	if err != nil {
		t.Fatal(err)
	}
	const id = "https://example.edu/issuers/565049"
	is, err := issuer.New(issuer.Config{
		Profile: readJSON(t, "issuer.json"),
		Signer:  signerOf(t, kp.Private, id, id+"#key-1", format),
		Now:     func() time.Time { return clock },
		Rand:    &fixedRand{b: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return is, kp.Public, id
}

func TestIssueJWT(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		kt  keys.Type
		alg string
	}{{keys.Ed25519, "EdDSA"}, {keys.P256, "ES256"}, {keys.RSA2048, "RS256"}} {
		for _, format := range []issuer.Format{issuer.VCJWT, issuer.JOSE} {
			t.Run(tt.alg+"/"+string(format), func(t *testing.T) {
				is, pub, issuerID := jwtIssuer(t, tt.kt, format)
				tok, err := is.Issue(ctx, issuer.Request{
					Achievement: readJSON(t, "achievement.json"),
					Subject:     readJSON(t, "subject.json"),
					ValidUntil:  clock.Add(365 * 24 * time.Hour),
				})
				if err != nil {
					t.Fatal(err)
				}
				res, err := vcjwt.Verify(ctx, tok.Token, vcjwt.VerifyOptions{Keys: staticKey{pub}, Now: func() time.Time { return clock }})
				if err != nil {
					t.Fatal(err)
				}
				if res.Algorithm != tt.alg || res.Format != string(format) || res.KeyID != issuerID+"#key-1" {
					t.Errorf("alg %s format %s kid %s", res.Algorithm, res.Format, res.KeyID)
				}
				if tok.Format != format || tok.JSON != nil || string(tok.Bytes()) != tok.Token+"\n" {
					t.Errorf("result format %s, JSON %d bytes, Bytes %q", tok.Format, len(tok.JSON), tok.Bytes())
				}
				if res.Credential["id"] != tok.ID || tok.ID == "" {
					t.Errorf("id %q, credential id %v", tok.ID, res.Credential["id"])
				}
				if format == issuer.VCJWT {
					if res.Claims["iss"] != issuerID || res.Claims["jti"] != tok.ID || res.Claims["nbf"] != float64(clock.Unix()) ||
						res.Claims["exp"] != float64(clock.Add(365*24*time.Hour).Unix()) {
						t.Errorf("claims %v", res.Claims)
					}
				}
				raw, err := json.Marshal(res.Credential)
				if err != nil {
					t.Fatal(err)
				}
				if err := ob3.ValidateSchema(raw); err != nil {
					t.Errorf("credential in the token fails the schema: %v", err)
				}
			})
		}
	}
}

func TestNewSignerRefusesUnknownFormat(t *testing.T) {
	kp, _, _ := fixtureKey(t, 7)
	if _, err := issuer.NewSigner(kp.Private, issuer.SignerOptions{Format: "jws"}); !errors.Is(err, issuer.ErrUnknownFormat) {
		t.Errorf("unknown format: err = %v", err)
	}
}

func TestIssueJWTFutureValidFrom(t *testing.T) {
	is, pub, _ := jwtIssuer(t, keys.Ed25519, issuer.VCJWT)
	from := clock.Add(48 * time.Hour)
	tok, err := is.Issue(context.Background(), issuer.Request{
		Achievement: readJSON(t, "achievement.json"),
		Subject:     readJSON(t, "subject.json"),
		ValidFrom:   from,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = vcjwt.Verify(context.Background(), tok.Token, vcjwt.VerifyOptions{Keys: staticKey{pub}, Now: func() time.Time { return clock }})
	if !errors.Is(err, vcjwt.ErrNotYetValid) {
		t.Errorf("err = %v, want ErrNotYetValid", err)
	}
}
