package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

const (
	vpChallenge = "4a6c6f1e-3c1f-4a8e-8d3b-5b7f0c2e9d10"
	vpDomain    = "https://verifier.example"
)

// vpCredential is the sample credential issued by k under id, signed with
// eddsa-rdfc-2022, without credentialStatus (the JS verifier never checks
// status).
func vpCredential(t *testing.T, k signer, id string) map[string]any {
	t.Helper()
	iss := loadJSON(t, "issuer.json")
	iss["id"] = k.DID
	sub := loadJSON(t, "subject.json")
	sub["achievement"] = loadJSON(t, "achievement.json")
	cred := map[string]any{
		"@context": []any{
			"https://www.w3.org/ns/credentials/v2",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
		},
		"id":                id,
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              "Applied Data Analysis",
		"issuer":            iss,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": sub,
	}
	signed, err := proof.Sign(context.Background(), cred, k.Private, proof.SignOptions{VerificationMethod: k.VM})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// unsignedPresentation is holder's VC 2.0 presentation of creds. Two
// credentials of one achievement make the statements the reference stack
// and badgesmith must read alike: each in its own named graph, with
// look-alike nodes in both.
func unsignedPresentation(holder signer, creds ...any) map[string]any {
	return map[string]any{
		"@context":             []any{"https://www.w3.org/ns/credentials/v2"},
		"id":                   "urn:uuid:5d3f1c2a-9b8e-4f7d-a6c5-0e1d2c3b4a59",
		"type":                 []any{"VerifiablePresentation"},
		"holder":               holder.DID,
		"verifiableCredential": creds,
	}
}

// present runs present.mjs with args, vp on stdin, and returns stdout.
func present(t *testing.T, node string, vp map[string]any, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard only
	defer cancel()
	in, err := json.Marshal(vp)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, node, append([]string{"present.mjs"}, args...)...)
	cmd.Env = append(os.Environ(), "INTEROP_CONTEXTS=project")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("present.mjs %v: %v: %s", args, err, stderr.String())
	}
	return out
}

// TestPresentationSignedByJSVerifiesInGo: a presentation the Digital
// Bazaar stack signs (vc.signPresentation, eddsa-rdfc-2022, purpose
// authentication) verifies in badgesmith with its challenge and domain,
// and each of its credentials too; another challenge is refused.
func TestPresentationSignedByJSVerifiesInGo(t *testing.T) {
	node := requireNode(t)
	issuer, holder := testkit.Ed25519(t, 81), testkit.Ed25519(t, 82)
	vp := unsignedPresentation(holder,
		vpCredential(t, issuer, "urn:uuid:00000000-0000-4000-8000-0000000000a1"),
		vpCredential(t, issuer, "urn:uuid:00000000-0000-4000-8000-0000000000a2"))
	out := present(t, node, vp, "sign", "--secret", holder.SecretMultikey, "--vm", holder.VM, "--challenge", vpChallenge, "--domain", vpDomain)
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.VerifyPresentation(context.Background(), out, verifier.PresentationOptions{Challenge: vpChallenge, Domain: vpDomain})
	if err != nil || !res.Valid || !res.Authenticated || res.Holder != holder.DID {
		t.Fatalf("js-signed presentation: %v %+v", err, res)
	}
	if len(res.Credentials) != 2 || !res.Credentials[0].Valid || !res.Credentials[1].Valid {
		t.Fatalf("credentials %+v", res.Credentials)
	}
	res, _ = v.VerifyPresentation(context.Background(), out, verifier.PresentationOptions{Challenge: "another"})
	if res.Verdict != verifier.VerdictInvalid || res.Decision != verifier.CheckChallenge {
		t.Fatalf("another challenge: %s by %s", res.Verdict, res.Decision)
	}
}

// TestPresentationSignedByGoVerifiesInJS: a presentation badgesmith signs
// (proof.Sign, purpose authentication, challenge and domain) verifies in
// the Digital Bazaar stack (vc.verify), credentials included; the stack
// refuses it for another challenge.
func TestPresentationSignedByGoVerifiesInJS(t *testing.T) {
	node := requireNode(t)
	issuer, holder := testkit.Ed25519(t, 83), testkit.Ed25519(t, 84)
	vp := unsignedPresentation(holder,
		vpCredential(t, issuer, "urn:uuid:00000000-0000-4000-8000-0000000000b1"),
		vpCredential(t, issuer, "urn:uuid:00000000-0000-4000-8000-0000000000b2"))
	for _, suite := range []proof.Suite{proof.EddsaRdfc2022, proof.Ed25519Signature2020, proof.EddsaJcs2022} {
		t.Run(string(suite), func(t *testing.T) {
			signed, err := proof.Sign(context.Background(), vp, holder.Private, proof.SignOptions{
				Suite: suite, VerificationMethod: holder.VM, ProofPurpose: "authentication", Challenge: vpChallenge, Domain: vpDomain,
			})
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Verified          bool
				Error             string
				CredentialResults []struct{ Verified bool }
			}
			if err := json.Unmarshal(present(t, node, signed, "verify", "--challenge", vpChallenge, "--domain", vpDomain), &got); err != nil {
				t.Fatal(err)
			}
			if !got.Verified || len(got.CredentialResults) != 2 {
				t.Fatalf("js: %+v", got)
			}
			if err := json.Unmarshal(present(t, node, signed, "verify", "--challenge", "another", "--domain", vpDomain), &got); err != nil {
				t.Fatal(err)
			}
			if got.Verified {
				t.Fatal("js accepted another challenge")
			}
		})
	}
}
