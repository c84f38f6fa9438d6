package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/internal/server"
)

// TestOfferCommand makes offers through a running serve: the links, the
// transaction code and the QR code file, and the refusals.
func TestOfferCommand(t *testing.T) {
	e := newStatusEnv(t)
	t.Setenv("BADGESMITH_SERVER", "")
	t.Setenv("BADGESMITH_API_KEY", "")
	if code, _, errOut := runKeys(t, "", "offer", "urn:uuid:x"); code != exitError || !strings.Contains(errOut, "--server URL") {
		t.Fatalf("offer without a server: exit %d: %s", code, errOut)
	}
	base := startServe(t, e.ring, e.store)
	subject := readJSONFile(t, testdata("subject.json"))
	subject["achievement"] = readJSONFile(t, testdata("achievement.json"))
	code, body := call(t, "POST", base+"/credentials/issue", remoteAdminKey, map[string]any{"credential": map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"type":     []any{"VerifiableCredential", "OpenBadgeCredential"}, "name": "Sample", "credentialSubject": subject,
	}})
	if code != http.StatusCreated {
		t.Fatalf("issue: %d %s", code, body)
	}
	var issued struct {
		VC map[string]any `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(body, &issued); err != nil {
		t.Fatal(err)
	}
	id := issued.VC["id"].(string)
	t.Setenv("BADGESMITH_API_KEY", remoteAdminKey)

	qr := filepath.Join(t.TempDir(), "offer.png")
	code, out, errOut := runKeys(t, "", "offer", id, "--server", base, "--tx-code", "--qr", qr)
	if code != exitOK {
		t.Fatalf("offer: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"claim page:   " + base + "/claim/", "wallet link:  openid-credential-offer://?credential_offer_uri=", "by value:     openid-credential-offer://?credential_offer=", "tx code:"} {
		if !strings.Contains(out, want) {
			t.Errorf("offer output lacks %q:\n%s", want, out)
		}
	}
	if png := readFile(t, qr); !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("--qr wrote %d bytes, not a PNG", len(png))
	}

	code, out, errOut = runKeys(t, "", "offer", id, "--server", base, "--json", "--expires", "1h")
	var created server.CreatedOffer
	if code != exitOK || json.Unmarshal([]byte(out), &created) != nil || created.CredentialID != id || created.TxCode != "" || len(created.QRPNG) == 0 {
		t.Fatalf("offer --json: exit %d: %s %s", code, out, errOut)
	}

	for _, tc := range []struct {
		name string
		args []string
		exit int
		want string
	}{
		{"unknown credential", []string{"offer", "urn:uuid:nope", "--server", base}, exitError, "no credential"},
		{"expiry too long", []string{"offer", id, "--server", base, "--expires", "1000h"}, exitError, "--expires"},
	} {
		if code, _, errOut := runKeys(t, "", tc.args...); code != tc.exit || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d: %s", tc.name, code, errOut)
		}
	}
}
