package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var compactJWS = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$`)

func TestIssueFormats(t *testing.T) {
	tests := []struct {
		name    string
		keyType string
		args    []string
		out     string
		// proof is what the verify report's proof line must mention.
		proof string
	}{
		{"jwt Ed25519", "Ed25519", []string{"--format", "jwt"}, "cred.jwt", "vc-jwt EdDSA"},
		{"jose Ed25519", "Ed25519", []string{"--format", "jose"}, "cred.jws", "vc+jwt EdDSA"},
		{"jwt P-256", "P-256", []string{"--format", "jwt"}, "cred.jwt", "vc-jwt ES256"},
		{"jwt RSA", "RSA-2048", []string{"--format", "jwt"}, "cred.jwt", "vc-jwt RS256"},
		{"eddsa-jcs-2022", "Ed25519", []string{"--suite", "eddsa-jcs-2022"}, "cred.json", "eddsa-jcs-2022 signature"},
		{"P-256 defaults to ecdsa-rdfc-2019", "P-256", nil, "cred.json", "ecdsa-rdfc-2019 signature"},
		{"ecdsa-rdfc-2019", "P-256", []string{"--suite", "ecdsa-rdfc-2019", "--format", "di"}, "cred.json", "ecdsa-rdfc-2019 signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ring := filepath.Join(dir, "keys")
			if code, _, errOut := runKeys(t, "", "keys", "generate", "k", "--type", tt.keyType, "--keyring", ring); code != exitOK {
				t.Fatalf("keys generate --type %s: exit %d: %s", tt.keyType, code, errOut)
			}
			out := filepath.Join(dir, tt.out)
			args := append([]string{"issue", "--keyring", ring, "--key", "k", "--issuer-profile", testdata("issuer.json"),
				"--achievement", testdata("achievement.json"), "--subject", testdata("subject.json"), "--out", out}, tt.args...)
			if code, _, errOut := runKeys(t, "", args...); code != exitOK {
				t.Fatalf("issue: exit %d: %s", code, errOut)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if tt.out != "cred.json" && !compactJWS.Match(data) {
				t.Fatalf("output is not one compact JWS and a newline: %.80q", data)
			}
			code, report, errOut := runKeys(t, "", "verify", out)
			if code != exitOK {
				t.Fatalf("verify: exit %d\n%s%s", code, report, errOut)
			}
			if !strings.Contains(report, tt.proof) {
				t.Errorf("report does not mention %q:\n%s", tt.proof, report)
			}
		})
	}
}

func TestIssueFormatUsageErrors(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys")
	for _, kt := range []string{"Ed25519", "P-256"} {
		if code, _, errOut := runKeys(t, "", "keys", "generate", strings.ToLower(kt), "--type", kt, "--keyring", ring); code != exitOK {
			t.Fatalf("keys generate: exit %d: %s", code, errOut)
		}
	}
	base := []string{"issue", "--keyring", ring, "--achievement", testdata("achievement.json"), "--subject", testdata("subject.json"),
		"--out", filepath.Join(dir, "out")}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"--key", "ed25519", "--format", "cbor"}, "--format"},
		{"suite with a jwt", []string{"--key", "ed25519", "--format", "jwt", "--suite", "eddsa-jcs-2022"}, "--suite applies to --format di only"},
		{"ecdsa suite, Ed25519 key", []string{"--key", "ed25519", "--suite", "ecdsa-rdfc-2019"}, "needs a key of type P-256"},
		{"eddsa suite, P-256 key", []string{"--key", "p-256", "--suite", "eddsa-jcs-2022"}, "needs a key of type Ed25519"},
		{"unknown suite", []string{"--key", "ed25519", "--suite", "ecdsa-sd-2023"}, "--suite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runKeys(t, "", append(append([]string{}, base...), tt.args...)...)
			if code != exitError || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want exit %d mentioning %q", code, errOut, exitError, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
				t.Error("a refused issue wrote its output")
			}
		})
	}
}
