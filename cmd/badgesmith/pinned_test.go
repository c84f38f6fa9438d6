package main

import (
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
)

// urnCredential writes into dir the sample credential of a urn: issuer,
// signed by priv under the 1EdTech fragment form <issuer>#<multikey>, which
// names the key but binds nothing, and returns its path and the multikey.
func urnCredential(t *testing.T, dir, issuer string, priv ed25519.PrivateKey) (string, string) {
	t.Helper()
	read := func(name string) map[string]any { return testkit.ReadJSON(t, testdata(name)) }
	iss := read("issuer.json")
	iss["id"] = issuer
	sub := read("subject.json")
	sub["achievement"] = read("achievement.json")
	cred := map[string]any{
		"@context": []any{
			"https://www.w3.org/ns/credentials/v2",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
		},
		"id":                "urn:uuid:2f0d6a3e-4f0b-4c55-9a53-3c4a3f1f6a10",
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              "Applied Data Analysis",
		"issuer":            iss,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": sub,
	}
	mk, err := keys.EncodePublicMultikey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	signed, err := proof.Sign(context.Background(), cred, priv, proof.SignOptions{
		VerificationMethod: issuer + "#" + mk, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	path := testkit.WriteJSON(t, dir, "urn-credential.json", signed)
	return path, mk
}

func TestVerifyPinnedKeys(t *testing.T) {
	const issuer = "urn:uuid:6f1d6c8a-3c1e-4d8f-9e42-0b1f8c7e2a11"
	dir := t.TempDir()
	cred, mk := urnCredential(t, dir, issuer, testkit.Ed25519FromSeed(t, make([]byte, 32)).Ed25519Private(t))
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("pins.json", `{"pinnedKeys":[{"issuer":"`+issuer+`","publicKeyMultibase":"`+mk+`"}]}`)
	other := write("other.json", `{"pinnedKeys":[{"issuer":"urn:uuid:someone-else","publicKeyMultibase":"`+mk+`"}]}`)
	bad := write("bad.json", `{"pinnedKeys":[{"issuer":"`+issuer+`","publicKeyMultibase":"`+mk+`","trustEverything":true}]}`)
	tests := []struct {
		name string
		args []string
		code int
		// out must appear in the report (stdout) or, for usage errors, on
		// stderr.
		out string
	}{
		{"fragment key alone", []string{"verify", cred}, exitError, "COULD NOT CHECK"},
		{"fragment key alone, issuer line", []string{"verify", cred}, exitError, "error    issuer"},
		{"pinned", []string{"verify", "--pinned-keys", good, cred}, exitOK, "pass     issuer    key " + issuer + "#" + mk + " pinned locally for issuer " + issuer},
		{"pinned for another issuer", []string{"verify", "--pinned-keys", other, cred}, exitError, "COULD NOT CHECK"},
		{"unknown member in the pinned keys file", []string{"verify", "--pinned-keys", bad, cred}, exitError, "trustEverything"},
		{"missing pinned keys file", []string{"verify", "--pinned-keys", filepath.Join(dir, "nope.json"), cred}, exitError, "--pinned-keys"},
		{"pinned keys and credential both on stdin", []string{"verify", "--pinned-keys", "-", "-"}, exitError, "only once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runKeys(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.out) {
				t.Errorf("output lacks %q:\n%s%s", tt.out, out, errOut)
			}
			if tt.code != exitOK && strings.Contains(out, ": VALID") {
				t.Errorf("reported VALID:\n%s", out)
			}
		})
	}
}

func TestVerifyHelpShowsPinnedKeys(t *testing.T) {
	code, out, _ := runKeys(t, "", "verify", "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"--pinned-keys", `"pinnedKeys"`, "publicKeyMultibase", "badgesmith verify --pinned-keys pinned-keys.json cred.json"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify --help lacks %q", want)
		}
	}
}
