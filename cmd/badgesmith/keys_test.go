package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/testkit"
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
		{"generate DSA", []string{"keys", "generate", "dsa", "--type", "dsa"}, "--type"},
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
		{"keys", "rotate", "--help"},
		{"keys", "export", "--help"},
		{"keys", "import", "--help"},
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

func TestKeysRotate(t *testing.T) {
	ring := t.TempDir()
	if code, _, errOut := runKeys(t, "", "keys", "generate", "reg", "--keyring", ring); code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	code, out, errOut := runKeys(t, "", "keys", "rotate", "reg", "--keyring", ring, "--json")
	if code != exitOK {
		t.Fatalf("rotate: exit %d: %s", code, errOut)
	}
	var info keyInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.Name != "reg-2" || info.Issuer != "reg" || info.Status != keys.StatusActive || info.Type != keys.Ed25519 || info.Fragment != "reg-2" {
		t.Errorf("rotate --json = %+v", info)
	}
	if !strings.Contains(errOut, "retired reg") {
		t.Errorf("rotate stderr %q does not name the retired key", errOut)
	}
	code, out, errOut = runKeys(t, "", "keys", "rotate", "reg-2", "--type", "p256", "--keyring", ring, "--json")
	if code != exitOK {
		t.Fatalf("rotate --type p256: exit %d: %s", code, errOut)
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.Name != "reg-3" || info.Type != keys.P256 || !strings.HasPrefix(info.DID, "did:key:zDn") {
		t.Errorf("second rotate = %+v", info)
	}
	code, out, _ = runKeys(t, "", "keys", "list", "--keyring", ring, "--json")
	if code != exitOK {
		t.Fatalf("list: exit %d", code)
	}
	var list []keyInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	statuses := map[string]keys.Status{}
	for _, k := range list {
		statuses[k.Name] = k.Status
		if k.Status == keys.StatusRetired && k.RetiredAt == nil {
			t.Errorf("%s: retired without retiredAt", k.Name)
		}
	}
	want := map[string]keys.Status{"reg": keys.StatusRetired, "reg-2": keys.StatusRetired, "reg-3": keys.StatusActive}
	for n, st := range want {
		if statuses[n] != st {
			t.Errorf("%s status %q, want %q (list %v)", n, statuses[n], st, statuses)
		}
	}
	code, out, _ = runKeys(t, "", "keys", "list", "--keyring", ring)
	if code != exitOK || !strings.Contains(out, "STATUS") || !strings.Contains(out, "retired") {
		t.Errorf("list: exit %d:\n%s", code, out)
	}
	// The library agrees on who signs.
	r, err := keys.OpenRing(ring)
	if err != nil {
		t.Fatal(err)
	}
	if act, err := r.Active("reg"); err != nil || act.Name != "reg-3" {
		t.Errorf("Active = %v, %v", act, err)
	}
}

func TestKeysTypesAndExport(t *testing.T) {
	ring := t.TempDir()
	for _, tc := range []struct{ name, typ string }{{"ed", "ed25519"}, {"ec", "P-256"}, {"rsa", "rsa2048"}} {
		if code, _, errOut := runKeys(t, "", "keys", "generate", tc.name, "--type", tc.typ, "--keyring", ring); code != exitOK {
			t.Fatalf("generate %s: exit %d: %s", tc.typ, code, errOut)
		}
	}
	r, err := keys.OpenRing(ring)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ed", "ec", "rsa"} {
		e, err := r.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		equal := func(pub any) bool {
			return e.KeyPair.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(pub)
		}
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runKeys(t, "", "keys", "export", name, "--public", "--keyring", ring)
			if code != exitOK || errOut != "" {
				t.Fatalf("export --public: exit %d: %s", code, errOut)
			}
			k, err := keys.ParsePublicJWK([]byte(out))
			if err != nil || !equal(k.Public) {
				t.Fatalf("exported JWK %s: %v", out, err)
			}
			if tp, _ := keys.Thumbprint(k.Public); k.KeyID != tp {
				t.Errorf("kid %q, want thumbprint %q", k.KeyID, tp)
			}
			code, out, _ = runKeys(t, "", "keys", "export", name, "--public", "--format", "pem", "--keyring", ring)
			if pub, err := keys.ParsePublicPEM([]byte(out)); code != exitOK || err != nil || !equal(pub) {
				t.Errorf("export --format pem: exit %d, %v", code, err)
			}
			code, out, errOut = runKeys(t, "", "keys", "export", name, "--secret", "--format", "pem", "--keyring", ring)
			if code != exitOK || !strings.Contains(errOut, "warning") {
				t.Fatalf("export --secret: exit %d, stderr %q", code, errOut)
			}
			priv, err := keys.ParsePrivatePEM([]byte(out))
			if err != nil || !priv.(interface{ Equal(crypto.PrivateKey) bool }).Equal(e.KeyPair.Private) {
				t.Errorf("exported secret PEM: %v", err)
			}
			// The secret round-trips through import, in every format.
			for _, f := range []string{"pem", "jwk", "multikey"} {
				code, out, errOut = runKeys(t, "", "keys", "export", name, "--secret", "--format", f, "--keyring", ring)
				if name == "rsa" && f == "multikey" {
					if code != exitError || !strings.Contains(errOut, "unsupported") {
						t.Errorf("multikey export of RSA: exit %d, %q", code, errOut)
					}
					continue
				}
				if code != exitOK {
					t.Fatalf("export --secret --format %s: exit %d: %s", f, code, errOut)
				}
				file := filepath.Join(t.TempDir(), "secret")
				if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
					t.Fatal(err)
				}
				copyName := name + "-" + f
				code, got, errOut := runKeys(t, "", "keys", "import", copyName, "--file", file, "--keyring", ring, "--json")
				if code != exitOK {
					t.Fatalf("import %s: exit %d: %s", f, code, errOut)
				}
				if strings.Contains(got, strings.TrimSpace(out)) {
					t.Errorf("import echoed the secret")
				}
				c, err := r.Get(copyName)
				if err != nil || !equal(c.KeyPair.Public) || c.KeyPair.Type != e.KeyPair.Type {
					t.Errorf("imported %s copy: %v", f, err)
				}
			}
			code, out, _ = runKeys(t, "", "keys", "show", name, "--did-document", "--keyring", ring)
			if code != exitOK {
				t.Fatalf("show --did-document: exit %d", code)
			}
			doc, err := did.ParseDocument([]byte(out))
			if err != nil {
				t.Fatal(err)
			}
			id, vm, err := keyDID(e)
			if err != nil || doc.ID != id {
				t.Fatalf("document id %s, want %s (%v)", doc.ID, id, err)
			}
			if _, pub, err := doc.AssertionKey(vm); err != nil || !equal(pub) {
				t.Errorf("AssertionKey(%s): %v", vm, err)
			}
			if name == "rsa" && !strings.HasPrefix(id, "did:jwk:") {
				t.Errorf("RSA key DID %s, want did:jwk", id)
			}
		})
	}
}

func TestKeysImportOptions(t *testing.T) {
	ring := t.TempDir()
	if code, _, errOut := runKeys(t, "", "keys", "generate", "uni", "--keyring", ring); code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	pemData, err := keys.EncodePrivatePEM(testkit.P256(t, 32).Private)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runKeys(t, string(pemData), "keys", "import", "uni-2019", "--issuer", "uni", "--fragment", "key-1", "--retired", "--keyring", ring, "--json")
	if code != exitOK {
		t.Fatalf("import --retired: exit %d: %s", code, errOut)
	}
	var info keyInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.Issuer != "uni" || info.Status != keys.StatusRetired || info.Fragment != "key-1" || info.Type != keys.P256 {
		t.Errorf("import = %+v", info)
	}
	// A second active key for the group is refused.
	other := testkit.Ed25519(t, 33)
	if code, _, errOut := runKeys(t, other.SecretMultikey, "keys", "import", "uni-new", "--issuer", "uni", "--keyring", ring); code != exitError || !strings.Contains(errOut, "rotate") {
		t.Errorf("second active import: exit %d, %q", code, errOut)
	}
	pubJWK, _ := keys.PublicJWK(other.Public)
	if code, _, errOut := runKeys(t, string(pubJWK), "keys", "import", "pubonly", "--keyring", ring); code != exitError || !strings.Contains(errOut, "public key only") {
		t.Errorf("public JWK import: exit %d, %q", code, errOut)
	}
	pubPEM, _ := keys.EncodePublicPEM(other.Public)
	if code, _, errOut := runKeys(t, string(pubPEM), "keys", "import", "pubonly", "--keyring", ring); code != exitError || !strings.Contains(errOut, "public key") {
		t.Errorf("public PEM import: exit %d, %q", code, errOut)
	}
}

func TestKeysExportRotateUsageErrors(t *testing.T) {
	ring := t.TempDir()
	if code, _, errOut := runKeys(t, "", "keys", "generate", "k", "--keyring", ring); code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string
	}{
		{"export without mode", "", []string{"keys", "export", "k"}, "--public or --secret"},
		{"export both modes", "", []string{"keys", "export", "k", "--public", "--secret"}, "none of the others"},
		{"export bad format", "", []string{"keys", "export", "k", "--public", "--format", "der"}, "--format"},
		{"export missing key", "", []string{"keys", "export", "nope", "--public"}, "not found"},
		{"rotate missing", "", []string{"keys", "rotate", "nope"}, "not found"},
		{"rotate bad type", "", []string{"keys", "rotate", "k", "--type", "dsa"}, "--type"},
		{"rotate no name", "", []string{"keys", "rotate"}, "accepts 1 arg"},
		{"import bad format", "x", []string{"keys", "import", "n", "--format", "der"}, "--format"},
		{"import undetectable", "hello", []string{"keys", "import", "n"}, "--format"},
		{"import missing file", "", []string{"keys", "import", "n", "--file", "/nonexistent/key"}, "nonexistent"},
		{"import malformed JWK", `{"kty":"OKP","kty":"OKP"}`, []string{"keys", "import", "n"}, "duplicate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runKeys(t, tc.stdin, append(tc.args, "--keyring", ring)...)
			if code != exitError {
				t.Errorf("exit %d, want %d; stderr %q", code, exitError, errOut)
			}
			if !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr %q lacks %q", errOut, tc.wantErr)
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
		})
	}
}
