package verifier_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
	"github.com/badgesmith/badgesmith/verifier"
)

// signedEndorsement is an EndorsementCredential of the sample achievement,
// signed by k, with its proof given as one object rather than an array
// (JSON-LD compaction of a one-element array).
func signedEndorsement(t *testing.T, k testKey, comment string) map[string]any {
	t.Helper()
	e := map[string]any{
		"@context": []any{
			"https://www.w3.org/ns/credentials/v2",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
		},
		"id":        "urn:uuid:6b7f3a1e-2c44-4d1b-8f0e-5a9d7c3b2e10",
		"type":      []any{"VerifiableCredential", "EndorsementCredential"},
		"name":      "Endorsement of Applied Data Analysis",
		"issuer":    map[string]any{"id": k.did, "type": []any{"Profile"}, "name": "Example Accreditor"},
		"validFrom": "2026-10-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":                 "https://example.edu/achievements/applied-data-analysis",
			"type":               []any{"EndorsementSubject"},
			"endorsementComment": comment,
		},
	}
	signed := sign(t, e, k.priv, k.vm, proof.EddsaRdfc2022)
	signed["proof"] = firstProof(signed)
	return signed
}

// TestVerifyCompactedForms signs, with a seeded did:key, credentials that
// use a JSON-LD compacted form the strict OB 3.0 JSON schema does not
// (issue #11, Found 1): each must verify VALID with every check passing,
// the schema check naming what it read as the strict form; the same
// credential changed after signing, inside the compacted value, must fail
// the proof check.
func TestVerifyCompactedForms(t *testing.T) {
	issuer := newKey(t, 1)
	endorser := newKey(t, 50)
	identity := map[string]any{
		"type": "IdentityObject", "hashed": false, "identityType": "emailAddress",
		"identityHash": "learner@example.edu",
	}
	tests := []struct {
		name string
		// compact writes the compacted form into the unsigned credential.
		compact func(d map[string]any)
		// reason is what the schema check's pass reason must say, every
		// form by its path (the top-level proof is always one object here).
		reason string
		// tamper changes the signed credential inside the compacted value.
		tamper func(d map[string]any)
	}{
		{
			name:    "credential image as its id string",
			compact: func(d map[string]any) { d["image"] = "https://example.edu/img/badge.png" },
			reason:  "(read image given as the image's id string as an Image object, as the OB 3.0 Image class allows)",
			tamper:  func(d map[string]any) { d["image"] = "https://evil.example/img/badge.png" },
		},
		{
			name:    "issuer profile image as its id string",
			compact: func(d map[string]any) { d["issuer"].(map[string]any)["image"] = "https://example.edu/logo.png" },
			reason:  "(read issuer.image given as the image's id string as an Image object, as the OB 3.0 Image class allows)",
			tamper:  func(d map[string]any) { d["issuer"].(map[string]any)["image"] = "https://evil.example/logo.png" },
		},
		{
			name:    "achievement image as its id string",
			compact: func(d map[string]any) { achievement(d)["image"] = "https://example.edu/img/ada.png" },
			reason:  "(read credentialSubject.achievement.image given as the image's id string as an Image object, as the OB 3.0 Image class allows)",
			tamper:  func(d map[string]any) { achievement(d)["image"] = "https://evil.example/img/ada.png" },
		},
		{
			name:    "subject image as its id string",
			compact: func(d map[string]any) { subject(d)["image"] = "https://example.edu/img/baked.png" },
			reason:  "(read credentialSubject.image given as the image's id string as an Image object, as the OB 3.0 Image class allows)",
			tamper:  func(d map[string]any) { subject(d)["image"] = "https://evil.example/img/baked.png" },
		},
		{
			name:    "subject identifier as one object",
			compact: func(d map[string]any) { subject(d)["identifier"] = identity },
			reason:  "(read credentialSubject.identifier given as a single value as a one-element array, as JSON-LD compaction allows)",
			tamper: func(d map[string]any) {
				subject(d)["identifier"].(map[string]any)["identityHash"] = "mallory@example.edu"
			},
		},
		{
			name:    "subject type as a string",
			compact: func(d map[string]any) { subject(d)["type"] = "AchievementSubject" },
			reason:  "(read credentialSubject.type given as a single value as a one-element array, as JSON-LD compaction allows)",
			tamper:  func(d map[string]any) { subject(d)["id"] = "did:example:mallory" },
		},
		{
			name:    "issuer type as a string",
			compact: func(d map[string]any) { d["issuer"].(map[string]any)["type"] = "Profile" },
			reason:  "(read issuer.type given as a single value as a one-element array, as JSON-LD compaction allows)",
			tamper:  func(d map[string]any) { d["issuer"].(map[string]any)["name"] = "Harvard" },
		},
		{
			name:    "achievement type as a string",
			compact: func(d map[string]any) { achievement(d)["type"] = "Achievement" },
			reason:  "(read credentialSubject.achievement.type given as a single value as a one-element array, as JSON-LD compaction allows)",
			tamper:  func(d map[string]any) { achievement(d)["name"] = "Brain Surgery" },
		},
		{
			name:    "achievement tag as a string",
			compact: func(d map[string]any) { achievement(d)["tag"] = "data" },
			reason:  "(read credentialSubject.achievement.tag given as a single value as a one-element array, as JSON-LD compaction allows)",
			tamper:  func(d map[string]any) { achievement(d)["tag"] = "surgery" },
		},
		{
			name:    "subject result as one object",
			compact: func(d map[string]any) { subject(d)["result"] = subject(d)["result"].([]any)[0] },
			reason:  "(read credentialSubject.result given as a single value as a one-element array, as JSON-LD compaction allows)",
			tamper:  func(d map[string]any) { subject(d)["result"].(map[string]any)["value"] = "A+" },
		},
		{
			name:    "credentialSchema as one object",
			compact: func(d map[string]any) { d["credentialSchema"] = d["credentialSchema"].([]any)[0] },
			reason:  "(read credentialSchema given as a single value as a one-element array, as JSON-LD compaction allows)",
			tamper:  func(d map[string]any) { d["name"] = "Brain Surgery" },
		},
		{
			name: "endorsement as one object with its proof as one object",
			compact: func(d map[string]any) {
				d["endorsement"] = signedEndorsement(t, endorser, "Meets our data curriculum standard.")
			},
			reason: "(read endorsement, endorsement[0].proof given as a single value as a one-element array, as JSON-LD compaction allows)",
			tamper: func(d map[string]any) {
				d["endorsement"].(map[string]any)["credentialSubject"].(map[string]any)["endorsementComment"] = "Forged."
			},
		},
		{
			name: "achievement endorsement proof as one object",
			compact: func(d map[string]any) {
				achievement(d)["endorsement"] = []any{signedEndorsement(t, endorser, "Meets our data curriculum standard.")}
			},
			reason: "(read credentialSubject.achievement.endorsement[0].proof given as a single value as a one-element array, as JSON-LD compaction allows)",
			tamper: func(d map[string]any) {
				e := achievement(d)["endorsement"].([]any)[0].(map[string]any)
				e["proof"].(map[string]any)["created"] = "2020-01-01T00:00:00Z"
			},
		},
		{
			name: "every form at once",
			compact: func(d map[string]any) {
				d["image"] = "https://example.edu/img/badge.png"
				d["issuer"].(map[string]any)["type"] = "Profile"
				subject(d)["identifier"] = identity
				achievement(d)["type"] = "Achievement"
				d["endorsement"] = signedEndorsement(t, endorser, "Meets our data curriculum standard.")
			},
			reason: "(read issuer.type, credentialSubject.achievement.type, credentialSubject.identifier, endorsement, endorsement[0].proof given as a single value as a one-element array, as JSON-LD compaction allows; read image given as the image's id string as an Image object, as the OB 3.0 Image class allows)",
			tamper: func(d map[string]any) { d["image"] = "https://evil.example/img/badge.png" },
		},
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := unsigned(t, issuer)
			tc.compact(d)
			signed := sign(t, d, issuer.priv, issuer.vm, proof.EddsaRdfc2022)
			signed["proof"] = firstProof(signed) // the single proof, compacted too

			res, err := v.Verify(context.Background(), encode(t, signed))
			if err != nil || res == nil || !res.Valid {
				t.Fatalf("compacted credential not valid: err %v; checks %+v", err, checksOf(res))
			}
			// The shape is a departure from the 1EdTech schema, listed as
			// a warning; every other check passes.
			for _, c := range res.Checks {
				want := verifier.StatusPass
				if c.Check == verifier.CheckSchema {
					want = verifier.StatusWarn
				}
				if c.Status != want {
					t.Errorf("check %s = %s (%s), want %s", c.Check, c.Status, c.Reason, want)
				}
			}
			if res.Verdict != verifier.VerdictWarnings || res.Decision != verifier.CheckSchema {
				t.Errorf("verdict %s (%s), want valid with warnings (schema)", res.Verdict, res.Decision)
			}
			sc := res.Check(verifier.CheckSchema)
			if sc == nil || !strings.HasSuffix(sc.Reason, " "+tc.reason) {
				t.Errorf("schema check reason %q does not say %q", reasonOf(sc), tc.reason)
			}

			forged := clone(t, signed)
			tc.tamper(forged)
			res, err = v.Verify(context.Background(), encode(t, forged))
			var ve *verifier.VerificationError
			if !errors.As(err, &ve) || res == nil || res.Valid {
				t.Fatalf("tampered compacted credential: err = %v, want a VerificationError; checks %+v", err, checksOf(res))
			}
			if c := res.Check(verifier.CheckProof); c == nil || c.Status != verifier.StatusFail {
				t.Fatalf("tampered compacted credential: proof check %+v, want fail; checks %+v", c, res.Checks)
			}
		})
	}
}

func checksOf(res *verifier.Result) []verifier.CheckResult {
	if res == nil {
		return nil
	}
	return res.Checks
}

func reasonOf(c *verifier.CheckResult) string {
	if c == nil {
		return "<no schema check>"
	}
	return c.Reason
}

// TestVerifyJWTCompactedForms checks the same compacted forms in a VC-JWT
// payload: the JWT is valid, the schema check names each form, and a
// payload changed after signing fails the proof check.
func TestVerifyJWTCompactedForms(t *testing.T) {
	k := newKey(t, 41)
	cred := unsigned(t, k)
	cred["image"] = "https://example.edu/img/badge.png"
	cred["credentialSchema"] = cred["credentialSchema"].([]any)[0]
	subject(cred)["type"] = "AchievementSubject"
	subject(cred)["result"] = subject(cred)["result"].([]any)[0]
	achievement(cred)["type"] = "Achievement"
	tok, err := vcjwt.Sign(context.Background(), cred, k.priv, vcjwt.Options{KeyID: k.vm, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	v := newJWTVerifier(t)
	res, err := v.Verify(context.Background(), []byte(tok))
	if err != nil || !res.Valid {
		t.Fatalf("compacted VC-JWT not valid: err %v; checks %+v", err, checksOf(res))
	}
	const want = "(read credentialSubject.type, credentialSubject.achievement.type, credentialSubject.result, credentialSchema given as a single value as a one-element array, as JSON-LD compaction allows; read image given as the image's id string as an Image object, as the OB 3.0 Image class allows)"
	if sc := res.Check(verifier.CheckSchema); sc == nil || sc.Status != verifier.StatusWarn || !strings.HasSuffix(sc.Reason, " "+want) {
		t.Errorf("schema check %+v, want a warning ending %q", sc, want)
	}

	// Swap the payload for one with a different image, keeping the
	// signature.
	parts := strings.Split(tok, ".")
	forged := clone(t, vcJWTPayload(t, cred))
	forged["image"] = "https://evil.example/img/badge.png"
	p := encode(t, forged)
	res, err = v.Verify(context.Background(), []byte(parts[0]+"."+b64url(p)+"."+parts[2]))
	var ve *verifier.VerificationError
	if !errors.As(err, &ve) || res.Valid {
		t.Fatalf("forged compacted VC-JWT: err = %v, want a VerificationError", err)
	}
	if c := res.Check(verifier.CheckProof); c == nil || c.Status != verifier.StatusFail {
		t.Fatalf("forged compacted VC-JWT: proof check %+v, want fail; checks %+v", c, res.Checks)
	}
}
