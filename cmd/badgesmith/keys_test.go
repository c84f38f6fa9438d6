package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
)

// runKeys runs the real root command and returns the exit code and outputs.
func runKeys(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestKeysGenerateShowList(t *testing.T) {
	ring := filepath.Join(t.TempDir(), "keys")
	code, out, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", ring, "--json")
	if code != exitOK {
		t.Fatalf("generate: exit %d, stderr %s", code, errOut)
	}
	var gen keyInfo
	if err := json.Unmarshal([]byte(out), &gen); err != nil {
		t.Fatalf("generate --json output %q: %v", out, err)
	}
	pub, err := did.ParseKey(gen.DID)
	if err != nil {
		t.Fatalf("generate printed DID %q: %v", gen.DID, err)
	}
	if gen.VerificationMethod != gen.DID+"#"+gen.PublicKeyMultibase || gen.Name != "registrar" || gen.Type != keys.Ed25519 {
		t.Errorf("generate --json = %+v", gen)
	}
	if gen.SecretKeyMultibase != "" || strings.Contains(out, "z3u2") {
		t.Errorf("generate printed the secret: %s", out)
	}

	// The stored key is the one announced.
	r, err := keys.OpenRing(ring)
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.Get("registrar")
	if err != nil {
		t.Fatal(err)
	}
	if !e.KeyPair.Public.(ed25519.PublicKey).Equal(pub) {
		t.Error("stored key differs from the printed DID")
	}

	code, out, _ = runKeys(t, "", "keys", "--keyring", ring, "show", "registrar")
	if code != exitOK {
		t.Fatalf("show: exit %d", code)
	}
	for _, want := range []string{gen.DID, gen.VerificationMethod, "Ed25519", "registrar"} {
		if !strings.Contains(out, want) {
			t.Errorf("show output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "z3u2") || strings.Contains(out, "Secret") {
		t.Errorf("show printed the secret without --secret:\n%s", out)
	}

	sec, _ := keys.EncodeSecretMultikey(e.KeyPair.Private)
	code, out, errOut = runKeys(t, "", "keys", "--keyring", ring, "show", "registrar", "--secret", "--json")
	if code != exitOK {
		t.Fatalf("show --secret: exit %d", code)
	}
	var shown keyInfo
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.SecretKeyMultibase != sec {
		t.Errorf("show --secret printed %q, want the stored secret", shown.SecretKeyMultibase)
	}
	if !strings.Contains(errOut, "warning") {
		t.Errorf("show --secret gave no warning on stderr: %q", errOut)
	}

	code, out, _ = runKeys(t, "", "keys", "--keyring", ring, "show", "registrar", "--did-document")
	if code != exitOK {
		t.Fatalf("show --did-document: exit %d", code)
	}
	doc, err := did.ParseDocument([]byte(out))
	if err != nil {
		t.Fatalf("show --did-document output: %v\n%s", err, out)
	}
	if _, got, err := doc.AssertionKey(gen.VerificationMethod); err != nil || !pub.(ed25519.PublicKey).Equal(got) {
		t.Errorf("DID document AssertionKey = %v, %v", got, err)
	}

	if code, _, errOut := runKeys(t, "", "keys", "--keyring", ring, "generate", "alumni"); code != exitOK {
		t.Fatalf("second generate: exit %d: %s", code, errOut)
	}
	code, out, _ = runKeys(t, "", "keys", "--keyring", ring, "list", "--json")
	if code != exitOK {
		t.Fatalf("list --json: exit %d", code)
	}
	var list []keyInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "alumni" || list[1].Name != "registrar" || list[1].DID != gen.DID {
		t.Errorf("list --json = %+v", list)
	}
	code, out, _ = runKeys(t, "", "keys", "--keyring", ring, "list")
	if code != exitOK || !strings.Contains(out, "NAME") || !strings.Contains(out, gen.DID) || strings.Contains(out, "z3u2") {
		t.Errorf("list: exit %d, output:\n%s", code, out)
	}
}

func TestKeysListEmpty(t *testing.T) {
	ring := t.TempDir()
	code, out, _ := runKeys(t, "", "keys", "list", "--json", "--keyring", ring)
	if code != exitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("list --json on an empty ring: exit %d, %q", code, out)
	}
	code, out, errOut := runKeys(t, "", "keys", "list", "--keyring", ring)
	if code != exitOK || out != "" || !strings.Contains(errOut, "no keys") {
		t.Errorf("list on an empty ring: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestKeysImport(t *testing.T) {
	ring := t.TempDir()
	// The 1EdTech OB 3.0 test vector key, legacy and current secret forms.
	const pub = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	const sec = "z3u2XqMnz4u2o6Wu7kJhQyzVd5Qw9d3ffREwtjHsHdyEkM3R"
	code, out, errOut := runKeys(t, sec+"\n", "keys", "import", "ob", "--keyring", ring, "--json")
	if code != exitOK {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	var info keyInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.PublicKeyMultibase != pub || info.DID != "did:key:"+pub {
		t.Errorf("import = %+v", info)
	}
	if strings.Contains(out+errOut, sec) {
		t.Error("import echoed the secret")
	}
	if code, _, _ := runKeys(t, "z6Mk\n", "keys", "import", "bad", "--keyring", ring); code != exitError {
		t.Errorf("import of garbage: exit %d, want %d", code, exitError)
	}
}

func TestKeysUsageErrors(t *testing.T) {
	ring := t.TempDir()
	if code, _, errOut := runKeys(t, "", "keys", "generate", "taken", "--keyring", ring); code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string // substring of stderr
	}{
		{"generate without name", []string{"keys", "generate"}, "accepts 1 arg"},
		{"generate two names", []string{"keys", "generate", "a", "b"}, "accepts 1 arg"},
		{"generate existing", []string{"keys", "generate", "taken"}, "already exists"},
		{"generate bad name", []string{"keys", "generate", "../escape"}, "invalid key name"},
		{"generate bad type", []string{"keys", "generate", "rsa", "--type", "RSA"}, "--type"},
		{"show missing", []string{"keys", "show", "nope"}, "not found"},
		{"show secret and document", []string{"keys", "show", "taken", "--secret", "--did-document"}, "secret"},
		{"list with argument", []string{"keys", "list", "x"}, "unknown command"},
		{"unknown subcommand", []string{"keys", "frobnicate"}, "unknown command"},
		{"unknown flag", []string{"keys", "list", "--frob"}, "unknown flag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runKeys(t, "", append(tc.args, "--keyring", ring)...)
			if code != exitError {
				t.Errorf("exit %d, want %d; stderr %q", code, exitError, errOut)
			}
			if !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr %q lacks %q", errOut, tc.wantErr)
			}
			if strings.Contains(out, "z3u2") {
				t.Errorf("stdout shows a secret: %q", out)
			}
		})
	}
	// Nothing was created by the failed commands.
	names, _ := filepath.Glob(filepath.Join(ring, "*"))
	if len(names) != 1 {
		t.Errorf("keyring holds %v, want only taken.json", names)
	}
}

func TestKeysHelp(t *testing.T) {
	for _, args := range [][]string{
		{"keys", "--help"},
		{"keys", "generate", "--help"},
		{"keys", "show", "--help"},
		{"keys", "list", "--help"},
		{"keys"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, _ := runKeys(t, "", args...)
			if code != exitOK || !strings.Contains(out, "Examples:") || !strings.Contains(out, "--keyring") {
				t.Errorf("exit %d, output:\n%s", code, out)
			}
		})
	}
}

func TestKeysKeyringFromEnv(t *testing.T) {
	ring := filepath.Join(t.TempDir(), "from-env")
	t.Setenv("BADGESMITH_KEYRING", ring)
	if code, _, errOut := runKeys(t, "", "keys", "generate", "k"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(ring, "k.json")); err != nil {
		t.Errorf("key not written under $BADGESMITH_KEYRING: %v", err)
	}
}
