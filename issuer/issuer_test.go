package issuer_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/proof"
)

// fixedRand is a deterministic randomness source so ids and salts are
// reproducible in golden files.
type fixedRand struct{ b byte }

func (r *fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.b
		r.b++
	}
	return len(p), nil
}

var clock = time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)

func readJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// signerOf returns the signer of key as id with the verification method
// vm, in format.
func signerOf(t testing.TB, key crypto.PrivateKey, id, vm string, format issuer.Format) *issuer.Signer {
	t.Helper()
	s, err := issuer.NewSigner(key, issuer.SignerOptions{Identity: issuer.Identity{ID: id, VerificationMethod: vm}, Format: format})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newIssuer(t *testing.T, suite proof.Suite) (*issuer.Issuer, *keys.KeyPair, string) {
	t.Helper()
	kp, id, vm := fixtureKey(t, 7)
	is, err := issuer.New(issuer.Config{
		Profile: readJSON(t, "issuer.json"),
		Signer:  signerOf(t, kp.Private, id, vm, issuer.Format(suite)),
		Now:     func() time.Time { return clock },
		Rand:    &fixedRand{b: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return is, kp, id
}

type staticKey struct{ pub crypto.PublicKey }

func (k staticKey) PublicKey(context.Context, string, string) (crypto.PublicKey, error) {
	return k.pub, nil
}

func TestIssueBuildsCompleteCredential(t *testing.T) {
	for _, suite := range []proof.Suite{proof.EddsaRdfc2022, proof.Ed25519Signature2020} {
		t.Run(string(suite), func(t *testing.T) {
			is, kp, issuerID := newIssuer(t, suite)
			cred, err := is.Issue(context.Background(), issuer.Request{
				Achievement: readJSON(t, "achievement.json"),
				Subject:     readJSON(t, "subject.json"),
			})
			if err != nil {
				t.Fatal(err)
			}
			doc := cred.Document
			if !strings.HasPrefix(cred.ID, "urn:uuid:") {
				t.Errorf("id = %q, want urn:uuid", cred.ID)
			}
			ctxs, _ := doc["@context"].([]any)
			if len(ctxs) < 3 || ctxs[0] != "https://www.w3.org/ns/credentials/v2" ||
				ctxs[1] != "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" ||
				ctxs[2] != "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json" {
				t.Errorf("@context = %v", ctxs)
			}
			if iss, _ := doc["issuer"].(map[string]any); iss["id"] != issuerID || iss["name"] != "Example Polytechnic" {
				t.Errorf("issuer = %v", doc["issuer"])
			}
			if doc["validFrom"] != "2026-11-01T09:30:00Z" {
				t.Errorf("validFrom = %v", doc["validFrom"])
			}
			if _, ok := doc["credentialSchema"].([]any); !ok {
				t.Errorf("credentialSchema missing")
			}
			if err := ob3.ValidateSchema(cred.JSON); err != nil {
				t.Errorf("issued credential fails the schema: %v", err)
			}
			var reread map[string]any
			if err := json.Unmarshal(cred.JSON, &reread); err != nil {
				t.Fatal(err)
			}
			if _, err := proof.Verify(context.Background(), reread, proof.VerifyOptions{Keys: staticKey{kp.Public}}); err != nil {
				t.Errorf("issued credential does not verify: %v", err)
			}
		})
	}
}

func TestIssueIsDeterministicGolden(t *testing.T) {
	is, _, _ := newIssuer(t, proof.EddsaRdfc2022)
	cred, err := is.Issue(context.Background(), issuer.Request{
		Achievement: readJSON(t, "achievement.json"),
		Subject:     readJSON(t, "subject.json"),
	})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sample-credential.golden.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, cred.JSON, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(cred.JSON, want) {
		t.Errorf("issued credential differs from %s (Ed25519 and RDFC-1.0 are deterministic, so any change is a regression)\ngot:\n%s", golden, cred.JSON)
	}
}

func TestIssueRecipientEmailIsHashed(t *testing.T) {
	is, _, _ := newIssuer(t, proof.EddsaRdfc2022)
	cred, err := is.Issue(context.Background(), issuer.Request{
		Achievement:    readJSON(t, "achievement.json"),
		RecipientEmail: "learner@example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(cred.JSON, []byte("learner@example.com")) {
		t.Fatal("plain email leaked into the credential")
	}
	sub := cred.Document["credentialSubject"].(map[string]any)
	ids := sub["identifier"].([]any)
	ident := ids[0].(map[string]any)
	salt, _ := ident["salt"].(string)
	if salt == "" || ident["hashed"] != true || ident["identityType"] != "emailAddress" {
		t.Fatalf("identifier = %v", ident)
	}
	if got, want := ident["identityHash"], ob3.IdentityHash("learner@example.com", salt); got != want {
		t.Fatalf("identityHash = %v, want %v", got, want)
	}
}

func TestIssueRejectsBadInput(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *issuer.Request)
		want   string // a fragment of the error naming the field
	}{
		{"no achievement", func(r *issuer.Request) { r.Achievement = nil }, "achievement"},
		{"no recipient", func(r *issuer.Request) { r.Subject = map[string]any{"type": []any{"AchievementSubject"}} }, "credentialSubject"},
		{"bad email", func(r *issuer.Request) { r.Subject = nil; r.RecipientEmail = "not-an-email" }, "recipient email"},
		{"achievement without name", func(r *issuer.Request) { delete(r.Achievement, "name") }, "name"},
		{"achievement type as string", func(r *issuer.Request) { r.Achievement["type"] = "Achievement" }, "type"},
		{"bad achievementType", func(r *issuer.Request) { r.Achievement["achievementType"] = "Trophy" }, "achievementType"},
		{"validUntil before validFrom", func(r *issuer.Request) { r.ValidUntil = clock.Add(-time.Hour) }, "validUntil"},
		{"subject with achievement", func(r *issuer.Request) { r.Subject["achievement"] = map[string]any{} }, "achievement"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			is, _, _ := newIssuer(t, proof.EddsaRdfc2022)
			req := issuer.Request{Achievement: readJSON(t, "achievement.json"), Subject: readJSON(t, "subject.json")}
			tc.mutate(&req)
			_, err := is.Issue(context.Background(), req)
			if !errors.Is(err, issuer.ErrInvalidInput) {
				t.Fatalf("err = %v, want ErrInvalidInput", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not name %q", err, tc.want)
			}
		})
	}
}

func TestIssueRefusesUndefinedTerm(t *testing.T) {
	is, _, _ := newIssuer(t, proof.EddsaRdfc2022)
	sub := readJSON(t, "subject.json")
	sub["favouriteColour"] = "green"
	_, err := is.Issue(context.Background(), issuer.Request{Achievement: readJSON(t, "achievement.json"), Subject: sub})
	if err == nil || !strings.Contains(err.Error(), "favouriteColour") {
		t.Fatalf("err = %v, want a safe-mode error naming favouriteColour", err)
	}
}

func TestNewRejectsMismatchedProfile(t *testing.T) {
	kp, err := keys.Generate(keys.Ed25519, &fixedRand{})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := did.KeyFromPublic(kp.Public)
	mk, _ := keys.EncodePublicMultikey(kp.Public)
	tests := []struct {
		name string
		cfg  issuer.Config
	}{
		{"profile id differs", issuer.Config{Profile: map[string]any{"id": "https://other.example", "name": "X"}, Signer: signerOf(t, kp.Private, id, id+"#"+mk, "")}},
		{"no signer", issuer.Config{Profile: map[string]any{"name": "X"}}},
		{"no name", issuer.Config{Profile: map[string]any{}, Signer: signerOf(t, kp.Private, id, id+"#"+mk, "")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := issuer.New(tc.cfg); !errors.Is(err, issuer.ErrInvalidInput) {
				t.Fatalf("err = %v, want ErrInvalidInput", err)
			}
		})
	}
}

func BenchmarkIssue(b *testing.B) {
	kp, err := keys.Generate(keys.Ed25519, &fixedRand{})
	if err != nil {
		b.Fatal(err)
	}
	id, _ := did.KeyFromPublic(kp.Public)
	mk, _ := keys.EncodePublicMultikey(kp.Public)
	load := func(name string) map[string]any {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", name))
		if err != nil {
			b.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			b.Fatal(err)
		}
		return m
	}
	is, err := issuer.New(issuer.Config{Profile: load("issuer.json"), Signer: signerOf(b, kp.Private, id, id+"#"+mk, "")})
	if err != nil {
		b.Fatal(err)
	}
	req := issuer.Request{Achievement: load("achievement.json"), Subject: load("subject.json")}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := is.Issue(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
