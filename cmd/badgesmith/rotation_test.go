package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/internal/testtls"
	"github.com/badgesmith/badgesmith/verifier"
)

// didHost serves one DID document at /.well-known/did.json over TLS on a
// loopback port, under a certificate for "localhost": the one host name a
// did:web DID can give that reaches a loopback listener (the method forbids
// IP literals). The document can be replaced, as an issuer re-publishes it.
type didHost struct {
	srv  *httptest.Server
	port int
	mu   sync.Mutex
	doc  []byte
}

func newDIDHost(t *testing.T) *didHost {
	t.Helper()
	h := &didHost{}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		doc := h.doc
		h.mu.Unlock()
		if r.URL.Path != "/.well-known/did.json" || doc == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/did+json")
		w.Write(doc)
	}))
	cert, _ := testtls.Localhost(t)
	h.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	h.srv.StartTLS()
	t.Cleanup(h.srv.Close)
	h.port = h.srv.Listener.Addr().(*net.TCPAddr).Port
	return h
}

// domain is the --domain value naming the server.
func (h *didHost) domain() string { return fmt.Sprintf("localhost:%d", h.port) }

func (h *didHost) publish(doc []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.doc = doc
}

// verifier returns a fresh verifier (so no document is cached from an
// earlier publication) that trusts the server's certificate and may reach
// loopback addresses, as the CLI does with --allow-private-network.
func (h *didHost) verifier(t *testing.T) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(verifier.Options{HTTPClient: safehttp.NewClient(safehttp.Options{
		AllowPrivate: true,
		Timeout:      10 * time.Second,
		Transport:    h.srv.Client().Transport.(*http.Transport),
	})})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// mustRun runs the CLI and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, errOut := runKeys(t, "", args...)
	if code != exitOK {
		t.Fatalf("badgesmith %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return stdout
}

// publishDIDWeb writes the issuer's document with "did web" and serves it.
func publishDIDWeb(t *testing.T, h *didHost, ring, key string) *did.Document {
	t.Helper()
	out := filepath.Join(t.TempDir(), "did.json")
	mustRun(t, "did", "web", "--keyring", ring, "--key", key, "--domain", h.domain(), "--out", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := did.ParseDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	h.publish(data)
	return doc
}

// issueDIDWeb issues the sample credential as the did:web issuer of h,
// signed with key, in format (di, jwt or jose), and returns the file's bytes.
func issueDIDWeb(t *testing.T, h *didHost, ring, key, format string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "credential")
	mustRun(t, "issue", "--keyring", ring, "--key", key, "--did-web", h.domain(), "--format", format,
		"--achievement", testdata("achievement.json"), "--recipient-email", "learner@example.com", "--out", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// proofMethod returns the verification method of a DI credential's proof.
func proofMethod(t *testing.T, data []byte) (issuerID, vm string) {
	t.Helper()
	var cred struct {
		Issuer struct {
			ID string `json:"id"`
		} `json:"issuer"`
		Proof []struct {
			VerificationMethod string `json:"verificationMethod"`
		} `json:"proof"`
	}
	if err := json.Unmarshal(data, &cred); err != nil || len(cred.Proof) != 1 {
		t.Fatalf("credential with one proof: %v (%d proofs)", err, len(cred.Proof))
	}
	return cred.Issuer.ID, cred.Proof[0].VerificationMethod
}

func wantValid(t *testing.T, v *verifier.Verifier, name string, data []byte) {
	t.Helper()
	res, err := v.Verify(context.Background(), data)
	if err != nil || !res.Valid {
		t.Errorf("%s does not verify: %v", name, err)
	}
}

// wantInvalid requires a definite "invalid" verdict (not "could not check")
// with a failed proof or issuer check.
func wantInvalid(t *testing.T, v *verifier.Verifier, name string, data []byte) {
	t.Helper()
	res, err := v.Verify(context.Background(), data)
	var ve *verifier.VerificationError
	if !errors.As(err, &ve) {
		t.Errorf("%s: err = %v, want a VerificationError", name, err)
		return
	}
	if res.Check(verifier.CheckProof).Status != verifier.StatusFail && res.Check(verifier.CheckIssuer).Status != verifier.StatusFail {
		t.Errorf("%s: neither the proof nor the issuer check failed: %+v", name, res.Checks)
	}
}

// withoutMethod returns doc with the verification method vmID removed from
// verificationMethod and every relationship, as an issuer that dropped a
// retired key from its document would publish it.
func withoutMethod(t *testing.T, doc *did.Document, vmID string) []byte {
	t.Helper()
	d := *doc
	d.VerificationMethod = nil
	for _, vm := range doc.VerificationMethod {
		if vm.ID != vmID {
			d.VerificationMethod = append(d.VerificationMethod, vm)
		}
	}
	drop := func(rel []any) []any {
		var out []any
		for _, r := range rel {
			if r != vmID {
				out = append(out, r)
			}
		}
		return out
	}
	d.AssertionMethod, d.Authentication = drop(doc.AssertionMethod), drop(doc.Authentication)
	if len(d.VerificationMethod) != len(doc.VerificationMethod)-1 {
		t.Fatalf("document does not list %s", vmID)
	}
	data, err := json.Marshal(&d)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRotationRetiredKeyStillVerifies is the rotation story end to end
// through the CLI: a credential signed before "keys rotate" keeps verifying
// against the re-published did:web document, which lists the retired key
// beside the new one; the new key signs from then on; and only a document
// that drops the retired key invalidates what it signed.
func TestRotationRetiredKeyStillVerifies(t *testing.T) {
	h := newDIDHost(t)
	ring := filepath.Join(t.TempDir(), "keys")
	mustRun(t, "keys", "generate", "registrar", "--keyring", ring)
	id := "did:web:localhost%3A" + fmt.Sprint(h.port)

	doc1 := publishDIDWeb(t, h, ring, "registrar")
	if len(doc1.VerificationMethod) != 1 {
		t.Fatalf("first document lists %d keys, want 1", len(doc1.VerificationMethod))
	}
	credA := issueDIDWeb(t, h, ring, "registrar", "di")
	jwtA := issueDIDWeb(t, h, ring, "registrar", "jwt")
	if iss, vm := proofMethod(t, credA); iss != id || vm != id+"#registrar" {
		t.Fatalf("credential A: issuer %s, verification method %s; want %s and %s#registrar", iss, vm, id, id)
	}
	v := h.verifier(t)
	wantValid(t, v, "credential A before rotation", credA)
	wantValid(t, v, "JWT A before rotation", jwtA)

	mustRun(t, "keys", "rotate", "registrar", "--keyring", ring)

	// The retired key no longer signs.
	code, _, errOut := runKeys(t, "", "issue", "--keyring", ring, "--key", "registrar", "--did-web", h.domain(),
		"--achievement", testdata("achievement.json"), "--recipient-email", "learner@example.com",
		"--out", filepath.Join(t.TempDir(), "refused.json"))
	if want := "key registrar is retired; the active key of issuer registrar is registrar-2"; code != exitError || !strings.Contains(errOut, want) {
		t.Errorf("issuing with the retired key: exit %d, stderr %q; want exit %d and %q", code, errOut, exitError, want)
	}

	credB := issueDIDWeb(t, h, ring, "registrar-2", "di")
	jwtB := issueDIDWeb(t, h, ring, "registrar-2", "jwt")
	if iss, vm := proofMethod(t, credB); iss != id || vm != id+"#registrar-2" {
		t.Fatalf("credential B: issuer %s, verification method %s; want %s and %s#registrar-2", iss, vm, id, id)
	}
	// Until the document is re-published, the new key is unknown.
	wantInvalid(t, h.verifier(t), "credential B against the old document", credB)

	// Naming the retired key publishes the same group.
	doc2 := publishDIDWeb(t, h, ring, "registrar")
	var ids []string
	for _, vm := range doc2.VerificationMethod {
		ids = append(ids, vm.ID)
	}
	if want := []string{id + "#registrar", id + "#registrar-2"}; strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Fatalf("re-published document lists %v, want %v", ids, want)
	}
	v = h.verifier(t)
	for name, data := range map[string][]byte{"credential A": credA, "JWT A": jwtA, "credential B": credB, "JWT B": jwtB} {
		wantValid(t, v, name+" after rotation", data)
	}

	// An issuer that drops the retired key disowns what it signed.
	h.publish(withoutMethod(t, doc2, id+"#registrar"))
	v = h.verifier(t)
	wantInvalid(t, v, "credential A against a document without its key", credA)
	wantInvalid(t, v, "JWT A against a document without its key", jwtA)
	wantValid(t, v, "credential B against a document without the retired key", credB)
}

func TestIssueDIDWebErrors(t *testing.T) {
	ring := filepath.Join(t.TempDir(), "keys")
	mustRun(t, "keys", "generate", "registrar", "--keyring", ring)
	mustRun(t, "keys", "rotate", "registrar", "--keyring", ring)
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"retired key", []string{"--key", "registrar", "--did-web", "example.edu"}, "key registrar is retired; the active key of issuer registrar is registrar-2"},
		{"IP domain", []string{"--key", "registrar-2", "--did-web", "127.0.0.1"}, "IP address"},
		{"bad port", []string{"--key", "registrar-2", "--did-web", "example.edu:0"}, "port"},
		{"unknown key", []string{"--key", "nobody", "--did-web", "example.edu"}, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "cred.json")
			args := append([]string{"issue", "--keyring", ring, "--achievement", testdata("achievement.json"),
				"--recipient-email", "learner@example.com", "--out", out}, tt.args...)
			code, _, errOut := runKeys(t, "", args...)
			if code != exitError || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, exitError, tt.msg)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("credential written despite the error: %v", err)
			}
		})
	}
}
