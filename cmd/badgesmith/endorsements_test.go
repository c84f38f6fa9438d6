package main

import (
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
)

// signEndorsement signs, with a fresh did:key, an EndorsementCredential of
// subject, edited by edit before signing (nil: as is), and returns it as
// recorded: the signed document, or for a JWT format its compact JWS.
func signEndorsement(t *testing.T, subject string, format issuer.Format, edit func(map[string]any)) any {
	t.Helper()
	kp, err := keys.Generate(keys.Ed25519, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := issuer.NewSigner(kp.Private, issuer.SignerOptions{Format: format})
	if err != nil {
		t.Fatal(err)
	}
	is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "Harbour Analytics Ltd"}, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        "urn:uuid:6b1c2f0e-5a4d-4c57-9e1f-1a0c3e5b7d03",
		"type":      []any{"VerifiableCredential", "EndorsementCredential"},
		"name":      "Harbour Analytics endorses the data analysis microcredential",
		"issuer":    map[string]any{"id": signer.Identity().ID, "type": []any{"Profile"}, "name": "Harbour Analytics Ltd"},
		"validFrom": "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id": subject, "type": []any{"EndorsementSubject"},
			"endorsementComment": "The assessment meets our expectations for junior analysts.",
		},
	}
	if edit != nil {
		edit(doc)
	}
	signed, err := is.Sign(t.Context(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if format.IsJWT() {
		return signed.Token
	}
	return signed.Document
}

// TestCatalogueEndorsementsCLI: show --verify and catalogue publish verify
// each industry partner's endorsement credential: a valid one of the
// achievement passes; a tampered one, or one of another achievement, is
// invalid (show exits 1, publish refuses and writes nothing); one whose
// status cannot be fetched could not be checked (show exits 2, publish
// warns and publishes).
func TestCatalogueEndorsementsCLI(t *testing.T) {
	achievementID := func() string {
		var a map[string]any
		data, err := os.ReadFile(testdata("achievement.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &a); err != nil {
			t.Fatal(err)
		}
		return a["id"].(string)
	}()
	tampered := signEndorsement(t, achievementID, "", nil).(map[string]any)
	tampered["credentialSubject"].(map[string]any)["endorsementComment"] = "Outstanding in every respect."
	cases := []struct {
		name        string
		endorsement any
		showCode    int
		shows       string
		publishCode int
	}{
		{"valid", signEndorsement(t, achievementID, "", nil), exitOK, "endorsement by Harbour Analytics Ltd: valid", exitOK},
		{"valid VC-JWT", signEndorsement(t, achievementID, issuer.VCJWT, nil), exitOK, "endorsement by Harbour Analytics Ltd: valid", exitOK},
		{"tampered", tampered, exitInvalid, "endorsement by Harbour Analytics Ltd: invalid", exitInvalid},
		{"another achievement", signEndorsement(t, "https://other.example/achievements/x", "", nil), exitInvalid, "not this achievement", exitInvalid},
		{"status unreachable", signEndorsement(t, achievementID, "", func(d map[string]any) {
			// A private address: the guarded client refuses it without
			// sending anything.
			d["credentialStatus"] = map[string]any{
				"id": "https://127.0.0.1/status/1#8", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
				"statusListIndex": "8", "statusListCredential": "https://127.0.0.1/status/1",
			}
		}), exitError, "endorsement by Harbour Analytics Ltd: could not check", exitOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newCatalogueEnv(t, false)
			qa, err := json.Marshal(map[string]any{"partners": []any{map[string]any{
				"name": "Harbour Analytics Ltd", "url": "https://harbour-analytics.example", "endorsement": tc.endorsement,
			}}})
			if err != nil {
				t.Fatal(err)
			}
			qaFile := filepath.Join(e.dir, "qa.json")
			if err := os.WriteFile(qaFile, qa, 0o600); err != nil {
				t.Fatal(err)
			}
			e.approve("--qa", qaFile)
			code, out := e.cat("achievement", "show", "--verify", e.id)
			if code != tc.showCode || !strings.Contains(out, tc.shows) {
				t.Errorf("show --verify: exit %d, want %d with %q:\n%s", code, tc.showCode, tc.shows, out)
			}
			code, out = e.cat("achievement", "show", "--verify", "--json", e.id)
			var view struct {
				Endorsements []endorsementCheck `json:"endorsements"`
			}
			if err := json.Unmarshal([]byte(strings.SplitN(out, "\nbadgesmith:", 2)[0]), &view); err != nil || len(view.Endorsements) != 1 || code != tc.showCode {
				t.Errorf("show --verify --json: exit %d, %v:\n%s", code, err, out)
			}
			site := filepath.Join(e.dir, "site")
			code, out = e.cat("catalogue", "publish", "--key", "registrar", "--base-url", "https://example.edu/", "--out", site)
			if code != tc.publishCode {
				t.Fatalf("publish: exit %d, want %d:\n%s", code, tc.publishCode, out)
			}
			_, statErr := os.Stat(filepath.Join(site, "catalogue.json"))
			if (statErr == nil) != (code == exitOK) {
				t.Errorf("publish exit %d, catalogue.json written: %v", code, statErr == nil)
			}
			if tc.showCode == exitError && !strings.Contains(out, "warning") {
				t.Errorf("publish did not warn of the endorsement it could not check:\n%s", out)
			}
		})
	}
}
