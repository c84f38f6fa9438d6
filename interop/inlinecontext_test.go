package interop_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// inlineCredential is an unsigned credential of s with an inline @context
// after the bundled ones (issue #11 Found 5): new terms only, of the forms
// the verifier's rule accepts (a string, an expanded definition with a
// datatype, a @set and a @list container), each used, at the top level and
// in the subject.
func inlineCredential(t *testing.T, s signer, suite proof.Suite) map[string]any {
	t.Helper()
	is := newIssuer(t, s, suite)
	cred, err := is.Build(issuer.Request{Achievement: loadJSON(t, "achievement.json"), Subject: loadJSON(t, "subject.json")})
	if err != nil {
		t.Fatal(err)
	}
	const v = "https://example.edu/vocab#"
	cred["@context"] = append(cred["@context"].([]any), map[string]any{
		"issuanceDate": "https://www.w3.org/2018/credentials/v1#issuanceDate",
		"badgeColour":  map[string]any{"@id": v + "badgeColour", "@container": "@set"},
		"cohortYear":   map[string]any{"@id": v + "cohortYear", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
		"steps":        map[string]any{"@id": v + "steps", "@container": "@list"},
		"mentor":       map[string]any{"@id": v + "mentor", "@type": "@id"},
	})
	cred["issuanceDate"] = "2026-01-01T00:00:00Z"
	cred["badgeColour"] = []any{"green", "gold"}
	cred["cohortYear"] = 2026
	cred["steps"] = []any{"enrol", "assess", "award"}
	cred["credentialSubject"].(map[string]any)["mentor"] = "did:example:mentor"
	return cred
}

// TestInlineContextInterop: a credential with an accepted inline context,
// signed by badgesmith, verifies in the reference stack, and signed by the
// reference stack, verifies in badgesmith; changing the value of an inline
// term after signing fails in both. Both directions agreeing means
// badgesmith's canonical N-Quads of the inline terms are jsonld.js's.
func TestInlineContextInterop(t *testing.T) {
	node := requireNode(t)
	s := newSigner(t)
	dir := t.TempDir()
	tamper := func(d map[string]any) { d["steps"] = []any{"enrol", "award", "assess"} }
	want := map[string]bool{}
	var files []string
	for _, suite := range suites {
		signed, err := proof.Sign(t.Context(), inlineCredential(t, s, suite), s.kp.Private, proof.SignOptions{Suite: suite, VerificationMethod: s.vm})
		if err != nil {
			t.Fatal(err)
		}
		good := filepath.Join(dir, string(suite)+"-inline.json")
		writeJSON(t, good, signed)
		bad := filepath.Join(dir, string(suite)+"-inline-tampered.json")
		forged := clone(t, signed)
		tamper(forged)
		writeJSON(t, bad, forged)
		files = append(files, good, bad)
		want[good], want[bad] = true, false
	}
	checkJSVerdicts(t, node, files, want)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := goVerify(t, data)
		if want[f] != (err == nil && res.Valid) {
			t.Errorf("%s: badgesmith err=%v, want valid=%v", filepath.Base(f), err, want[f])
		}
	}

	for _, suite := range suites {
		t.Run("javascript-signed "+string(suite), func(t *testing.T) {
			signed := jsSign(t, node, suite, s, inlineCredential(t, s, suite))
			res, err := goVerify(t, signed)
			if err != nil || !res.Valid {
				t.Fatalf("javascript-signed inline-context credential does not verify in badgesmith: %v\nchecks %+v\n%s", err, res, signed)
			}
			var doc map[string]any
			if err := json.Unmarshal(signed, &doc); err != nil {
				t.Fatal(err)
			}
			tamper(doc)
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			res, err = goVerify(t, data)
			var ve *verifier.VerificationError
			if !errors.As(err, &ve) || res.Check(verifier.CheckProof).Status != verifier.StatusFail {
				t.Fatalf("tampered inline term: err = %v, want a failed proof check", err)
			}
		})
	}
}
