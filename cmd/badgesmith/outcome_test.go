package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/proof"
)

// signedPlainVC writes a plain verifiable credential (no Open Badges type
// or context), signed with eddsa-rdfc-2022 by a did:key issuer, to dir.
func signedPlainVC(t *testing.T, dir string, edit func(map[string]any)) string {
	t.Helper()
	k := testkit.Ed25519(t, 7)
	doc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
		"id":                "urn:uuid:0b0f3f1e-8c2a-4d55-9a34-6f0d6b1f2a10",
		"type":              []any{"VerifiableCredential"},
		"issuer":            k.DID,
		"validFrom":         "2024-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:learner"},
	}
	if edit != nil {
		edit(doc)
	}
	signed, err := proof.Sign(context.Background(), doc, k.Private, proof.SignOptions{
		Suite: proof.EddsaRdfc2022, VerificationMethod: k.VM, Created: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	path := testkit.WriteJSON(t, dir, "plain.json", signed)
	return path
}

// TestVerifyOutcomeExitCodes runs the four verdicts through the CLI: the
// header line, the exit code, --strict, --json's verdict and decision, and
// a usage error told apart from "could not check" (both exit 2).
func TestVerifyOutcomeExitCodes(t *testing.T) {
	dir := t.TempDir()
	good, _ := issueSample(t, dir)
	plain := signedPlainVC(t, dir, nil)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	unknownCtx := filepath.Join(dir, "unknown-context.json")
	edited := strings.Replace(string(data), `"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"`,
		`"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", "https://evil.example/ctx"`, 1)
	if edited == string(data) {
		t.Fatal("edit changed nothing")
	}
	if err := os.WriteFile(unknownCtx, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered.json")
	if err := os.WriteFile(tampered, []byte(strings.Replace(string(data), `"validFrom": "20`, `"validFrom": "19`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		code     int
		header   string // the report's verdict line
		verdict  string // --json's verdict
		decision string
	}{
		{"valid", []string{good}, exitOK, ": VALID (", "valid", ""},
		{"plain vc is valid with warnings", []string{plain}, exitOK, ": VALID WITH WARNINGS", "valid with warnings", "type"},
		{"strict turns warnings into exit 1", []string{"--strict", plain}, exitInvalid, ": VALID WITH WARNINGS", "valid with warnings", "type"},
		{"strict leaves valid alone", []string{"--strict", good}, exitOK, ": VALID (", "valid", ""},
		{"tampered is invalid", []string{tampered}, exitInvalid, ": INVALID", "invalid", "proof"},
		{"unknown context could not be checked", []string{unknownCtx}, exitError, ": COULD NOT CHECK", "could not check", "context"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runKeys(t, "", append([]string{"verify"}, tc.args...)...)
			if code != tc.code || !strings.Contains(out, tc.header) {
				t.Fatalf("exit %d (want %d), report lacks %q:\n%s%s", code, tc.code, tc.header, out, errOut)
			}
			if strings.Contains(errOut, "usage error") {
				t.Fatalf("a verdict reported as a usage error: %s", errOut)
			}
			code, out, _ = runKeys(t, "", append([]string{"verify", "--json"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("--json: exit %d, want %d", code, tc.code)
			}
			var reps []struct {
				Verdict  string `json:"verdict"`
				Decision string `json:"decision"`
			}
			if err := json.Unmarshal([]byte(out), &reps); err != nil || len(reps) != 1 {
				t.Fatalf("--json output %q: %v", out, err)
			}
			if reps[0].Verdict != tc.verdict || reps[0].Decision != tc.decision {
				t.Fatalf("--json verdict %q (%q), want %q (%q)", reps[0].Verdict, reps[0].Decision, tc.verdict, tc.decision)
			}
		})
	}

	t.Run("usage error is told apart", func(t *testing.T) {
		code, out, errOut := runKeys(t, "", "verify", "--json", "--max-size", "0", good)
		if code != exitError || !strings.Contains(errOut, "usage error: --max-size must be positive") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		var obj map[string]string
		if err := json.Unmarshal([]byte(out), &obj); err != nil || obj["usageError"] == "" {
			t.Fatalf("--json usage error output %q: %v", out, err)
		}
		code, _, errOut = runKeys(t, "", "verify", "--no-such-flag", good)
		if code != exitError || !strings.Contains(errOut, "usage error: unknown flag") {
			t.Fatalf("unknown flag: exit %d, stderr %q", code, errOut)
		}
	})
}
