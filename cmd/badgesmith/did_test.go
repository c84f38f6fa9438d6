package main

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/verifier"
)

// newRing makes a keyring holding one fresh key named registrar.
func newRing(t *testing.T) (dir string, e *keys.Entry) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "keys")
	if code, _, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", dir); code != exitOK {
		t.Fatalf("keys generate: exit %d: %s", code, errOut)
	}
	r, err := keys.OpenRing(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, err = r.Get("registrar")
	if err != nil {
		t.Fatal(err)
	}
	return dir, e
}

func TestDIDWeb(t *testing.T) {
	ring, e := newRing(t)
	tests := []struct {
		name, domain, did, url string
	}{
		{"bare domain", "example.edu", "did:web:example.edu", "https://example.edu/.well-known/did.json"},
		{"port and path", "example.edu:8443/issuers/cs", "did:web:example.edu%3A8443:issuers:cs", "https://example.edu:8443/issuers/cs/did.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "did.json")
			code, stdout, errOut := runKeys(t, "", "did", "web", "--keyring", ring, "--key", "registrar", "--domain", tt.domain, "--out", out)
			if code != exitOK {
				t.Fatalf("did web: exit %d: %s", code, errOut)
			}
			if !strings.Contains(stdout, tt.did+"\n") || !strings.Contains(stdout, tt.url+"\n") {
				t.Errorf("output lacks the DID %s or the URL %s:\n%s", tt.did, tt.url, stdout)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := did.ParseDocument(data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.ID != tt.did {
				t.Errorf("document id %s, want %s", doc.ID, tt.did)
			}
			if want := []any{did.ContextDIDv1, did.ContextMultikeyV1}; !slices.Equal(doc.Context, want) {
				t.Errorf("@context %v, want %v", doc.Context, want)
			}
			ident, err := issuer.WebIdentity(tt.domain, e.Fragment)
			if err != nil {
				t.Fatal(err)
			}
			vm := ident.VerificationMethod
			_, pub, err := doc.AssertionKey(vm)
			if err != nil {
				t.Fatalf("document does not authorize %s: %v", vm, err)
			}
			if !e.KeyPair.Public.(ed25519.PublicKey).Equal(pub) {
				t.Error("document lists another key")
			}
			if _, _, err := doc.Key(vm, did.Authentication); err != nil {
				t.Errorf("authentication: %v", err)
			}
		})
	}

	// Without --out the document goes to standard output and the notes to
	// standard error.
	code, stdout, errOut := runKeys(t, "", "did", "web", "--keyring", ring, "--key", "registrar", "--domain", "example.edu")
	if code != exitOK {
		t.Fatalf("did web to stdout: exit %d: %s", code, errOut)
	}
	var doc did.Document
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.ID != "did:web:example.edu" {
		t.Errorf("stdout is not the document: %v\n%s", err, stdout)
	}
	if !strings.Contains(errOut, "https://example.edu/.well-known/did.json") {
		t.Errorf("stderr lacks the URL: %s", errOut)
	}
}

// TestDIDWebGroup checks that "did web" publishes every key of the issuer
// group, active and retired, each under its fragment: Multikey for Ed25519
// and P-256, JsonWebKey (with the JWK context) for RSA.
func TestDIDWebGroup(t *testing.T) {
	dir, _ := newRing(t)
	legacy, err := keys.Generate(keys.Ed25519, nil)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := keys.EncodeSecretMultikey(legacy.Private)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runKeys(t, secret, "keys", "import", "legacy", "--keyring", dir, "--issuer", "registrar", "--fragment", "key-1", "--retired"); code != exitOK {
		t.Fatalf("keys import: exit %d: %s", code, errOut)
	}
	for _, typ := range []string{"p256", "rsa2048"} {
		if code, _, errOut := runKeys(t, "", "keys", "rotate", "registrar", "--type", typ, "--keyring", dir); code != exitOK {
			t.Fatalf("keys rotate --type %s: exit %d: %s", typ, code, errOut)
		}
	}
	// An unrelated group stays out of the document.
	if code, _, errOut := runKeys(t, "", "keys", "generate", "other", "--keyring", dir); code != exitOK {
		t.Fatalf("keys generate: exit %d: %s", code, errOut)
	}
	ring, err := keys.OpenRing(dir)
	if err != nil {
		t.Fatal(err)
	}
	const id = "did:web:example.edu"
	want := []struct {
		key, fragment, vmType string
		status                keys.Status
	}{
		{"legacy", "key-1", did.TypeMultikey, keys.StatusRetired},
		{"registrar", "registrar", did.TypeMultikey, keys.StatusRetired},
		{"registrar-2", "registrar-2", did.TypeMultikey, keys.StatusRetired},
		{"registrar-3", "registrar-3", did.TypeJsonWebKey, keys.StatusActive},
	}
	var first []byte
	// Any key of the group names it, retired or active.
	for _, name := range []string{"registrar", "legacy", "registrar-3"} {
		t.Run("key "+name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "did.json")
			code, notes, errOut := runKeys(t, "", "did", "web", "--keyring", dir, "--key", name, "--domain", "example.edu", "--out", out)
			if code != exitOK {
				t.Fatalf("did web: exit %d: %s", code, errOut)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = data
			} else if string(data) != string(first) {
				t.Errorf("--key %s gives another document than --key registrar:\n%s\n%s", name, data, first)
			}
			doc, err := did.ParseDocument(data)
			if err != nil {
				t.Fatal(err)
			}
			if wantCtx := []any{did.ContextDIDv1, did.ContextMultikeyV1, contexts.JWKV1}; !slices.Equal(doc.Context, wantCtx) {
				t.Errorf("@context %v, want %v", doc.Context, wantCtx)
			}
			if len(doc.VerificationMethod) != len(want) {
				t.Fatalf("document lists %d keys, want %d:\n%s", len(doc.VerificationMethod), len(want), data)
			}
			for i, w := range want {
				e, err := ring.Get(w.key)
				if err != nil {
					t.Fatal(err)
				}
				vmID := id + "#" + w.fragment
				if e.Status != w.status {
					t.Errorf("key %s is %s, want %s", w.key, e.Status, w.status)
				}
				if got := doc.VerificationMethod[i]; got.ID != vmID || got.Type != w.vmType || got.Controller != id {
					t.Errorf("verificationMethod[%d] = %s %s (controller %s), want %s %s", i, got.ID, got.Type, got.Controller, vmID, w.vmType)
				}
				vm, pub, err := doc.AssertionKey(vmID)
				if err != nil {
					t.Errorf("assertionMethod: %v", err)
					continue
				}
				if !pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(e.KeyPair.Public) {
					t.Errorf("%s holds another key than %s", vmID, w.key)
				}
				if (vm.PublicKeyJwk != nil) != (w.vmType == did.TypeJsonWebKey) {
					t.Errorf("%s: publicKeyJwk %v, publicKeyMultibase %q", vmID, vm.PublicKeyJwk, vm.PublicKeyMultibase)
				}
				if _, _, err := doc.Key(vmID, did.Authentication); err != nil {
					t.Errorf("authentication: %v", err)
				}
				if line := fmt.Sprintf("%s (%s, %s)\n", vmID, w.key, w.status); !strings.Contains(notes, line) {
					t.Errorf("notes lack %q:\n%s", line, notes)
				}
			}
		})
	}
}

// TestDIDWebOutFolder checks that "did web --out" creates the missing
// folders of the output path, not writable by others, and still refuses
// what atomicfile refuses.
func TestDIDWebOutFolder(t *testing.T) {
	ring, _ := newRing(t)
	base := t.TempDir()
	if err := os.WriteFile(filepath.Join(base, "file"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(base, "linked"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "file"), filepath.Join(base, "linked", "did.json")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, out string
		ok        bool
		msg       string
	}{
		{"one new folder", filepath.Join(base, "newdir", "did.json"), true, ""},
		{"nested new folders", filepath.Join(base, "a", "b", ".well-known", "did.json"), true, ""},
		{"parent is a file", filepath.Join(base, "file", "did.json"), false, "not a directory"},
		{"symbolic link at the output", filepath.Join(base, "linked", "did.json"), false, "symbolic link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runKeys(t, "", "did", "web", "--keyring", ring, "--key", "registrar", "--domain", "example.edu", "--out", tt.out)
			if !tt.ok {
				if code != exitError || !strings.Contains(errOut, tt.msg) {
					t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, exitError, tt.msg)
				}
				return
			}
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			data, err := os.ReadFile(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := did.ParseDocument(data); err != nil {
				t.Errorf("not a DID document: %v", err)
			}
			for d := filepath.Dir(tt.out); d != base; d = filepath.Dir(d) {
				fi, err := os.Stat(d)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm()&0o022 != 0 {
					t.Errorf("%s has mode %v, writable by others", d, fi.Mode().Perm())
				}
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(base, "file")); err != nil || string(b) != "x" {
		t.Errorf("the linked file was changed: %q %v", b, err)
	}
}

func TestDIDWebErrors(t *testing.T) {
	ring, _ := newRing(t)
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no key", []string{"--domain", "example.edu"}, "--key"},
		{"no domain", []string{"--key", "registrar"}, "--domain"},
		{"IP domain", []string{"--key", "registrar", "--domain", "127.0.0.1"}, "IP address"},
		{"traversal", []string{"--key", "registrar", "--domain", "example.edu/../x"}, "dot segment"},
		{"bad port", []string{"--key", "registrar", "--domain", "example.edu:99999"}, "port"},
		{"unknown key", []string{"--key", "nobody", "--domain", "example.edu"}, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "did.json")
			args := append([]string{"did", "web", "--keyring", ring, "--out", out}, tt.args...)
			code, _, errOut := runKeys(t, "", args...)
			if code != exitError || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, exitError, tt.msg)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("output written despite the error: %v", err)
			}
		})
	}
}

// TestDIDWebIssueVerify publishes the document "did web" writes and checks
// that a credential signed as issuer.WebIdentity verifies against it
// over TLS, as the issue command will sign once it takes a did:web domain.
func TestDIDWebIssueVerify(t *testing.T) {
	ring, e := newRing(t)
	const domain = "example.com:8443/issuers/cs"
	out := filepath.Join(t.TempDir(), "did.json")
	if code, _, errOut := runKeys(t, "", "did", "web", "--keyring", ring, "--key", "registrar", "--domain", domain, "--out", out); code != exitOK {
		t.Fatalf("did web: exit %d: %s", code, errOut)
	}
	published, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "example.com:8443" || r.URL.Path != "/issuers/cs/did.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/did+json")
		w.Write(published)
	}))
	defer srv.Close()
	// The test certificate names example.com; every connection goes to srv.
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, srv.Listener.Addr().String())
	}

	ident, err := issuer.WebIdentity(domain, e.Fragment)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := issuer.NewSigner(e.KeyPair.Private, issuer.SignerOptions{Identity: ident})
	if err != nil {
		t.Fatal(err)
	}
	is, err := issuer.New(issuer.Config{
		Profile: map[string]any{"name": "Registrar"},
		Signer:  signer,
	})
	if err != nil {
		t.Fatal(err)
	}
	achievement, err := readObject(context.Background(), streams{}, testdata("achievement.json"))
	if err != nil {
		t.Fatal(err)
	}
	cred, err := is.Issue(context.Background(), issuer.Request{Achievement: achievement, RecipientEmail: "learner@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{HTTPClient: &http.Client{Transport: tr, Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), cred.JSON)
	if err != nil || !res.Valid {
		t.Fatalf("credential signed as %s does not verify against the published document: %v", ident.VerificationMethod, err)
	}
}

func TestDIDShow(t *testing.T) {
	const obDID = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	code, stdout, errOut := runKeys(t, "", "did", "show", obDID)
	if code != exitOK {
		t.Fatalf("did show: exit %d: %s", code, errOut)
	}
	var doc did.Document
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.ID != obDID {
		t.Fatalf("did show printed %s (%v)", stdout, err)
	}
	if _, _, err := doc.AssertionKey(obDID + "#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"); err != nil {
		t.Error(err)
	}

	tests := []struct {
		name, did, msg string
	}{
		{"loopback refused", "did:web:localhost%3A1", "not allowed"},
		{"IP host", "did:web:127.0.0.1", "IP address"},
		{"unsupported method", "did:example:123", "unsupported DID method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runKeys(t, "", "did", "show", tt.did)
			if code != exitError || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, exitError, tt.msg)
			}
		})
	}
}
