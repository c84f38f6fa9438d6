package interop_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/testtls"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
)

// localhostTLS makes a self-signed certificate for "localhost" and writes
// its PEM to a file Node is told to trust (NODE_EXTRA_CA_CERTS).
func localhostTLS(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	cert, certPEM := testtls.Localhost(t)
	caFile := filepath.Join(t.TempDir(), "localhost.pem")
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, caFile
}

// TestDIDWebInterop serves the did:web document badgesmith publishes (the
// documents "badgesmith did web" writes are built the same way) from a
// loopback HTTPS server and checks that @digitalbazaar/did-method-web
// resolves it, finds the assertion key, and verifies a credential
// badgesmith signed with it.
func TestDIDWebInterop(t *testing.T) {
	node := requireNode(t)
	if _, err := os.Stat(filepath.Join("node_modules", "@digitalbazaar", "did-method-web")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("interop/node_modules lacks @digitalbazaar/did-method-web: run npm ci: %v", err)
		}
		t.Skipf("interop/node_modules lacks @digitalbazaar/did-method-web (run npm ci in interop/): %v", err)
	}
	cert, caFile := localhostTLS(t)
	docs := map[string][]byte{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/did+json")
		w.Write(body)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	port := srv.Listener.Addr().(*net.TCPAddr).Port

	kp, err := keys.Generate(keys.Ed25519, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keys.EncodePublicMultikey(kp.Public)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, domain, path string
	}{
		{"well-known", fmt.Sprintf("localhost:%d", port), "/.well-known/did.json"},
		{"with path", fmt.Sprintf("localhost:%d/issuers/cs", port), "/issuers/cs/did.json"},
	}
	for _, c := range cases {
		id, err := did.FormatWeb(c.domain)
		if err != nil {
			t.Fatal(err)
		}
		w, err := did.ParseWeb(id)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("https://localhost:%d%s", port, c.path); w.URL != want {
			t.Fatalf("%s maps to %s, want %s", id, w.URL, want)
		}
		vm, err := did.MultikeyMethod(id, "key-1", kp.Public)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := did.NewDocument(id, []did.VerificationMethod{vm})
		if err != nil {
			t.Fatal(err)
		}
		if docs[c.path], err = json.Marshal(doc); err != nil {
			t.Fatal(err)
		}
	}
	srv.StartTLS()
	defer srv.Close()

	env := append(os.Environ(), "NODE_EXTRA_CA_CERTS="+caFile)
	runNode := func(t *testing.T, args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, append([]string{"didweb.mjs"}, args...)...)
		cmd.Env = env
		cmd.Stderr = &testWriter{t: t}
		return cmd.Output()
	}
	sign := func(t *testing.T, id, vmID string) string {
		t.Helper()
		is, err := issuer.New(issuer.Config{
			Profile: loadJSON(t, "issuer.json"),
			Signer:  signerOf(t, kp.Private, id, vmID, ""),
		})
		if err != nil {
			t.Fatal(err)
		}
		cred, err := is.Issue(context.Background(), issuer.Request{
			Achievement: loadJSON(t, "achievement.json"), Subject: loadJSON(t, "subject.json"),
		})
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "cred.json")
		if err := os.WriteFile(file, cred.JSON, 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, _ := did.FormatWeb(c.domain)
			vmID := id + "#key-1"
			out, err := runNode(t, "resolve", id, vmID)
			if err != nil {
				t.Fatalf("didweb.mjs resolve %s: %v", id, err)
			}
			var got struct {
				Document        did.Document           `json:"document"`
				AssertionMethod did.VerificationMethod `json:"assertionMethod"`
				Node            did.VerificationMethod `json:"node"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("didweb.mjs output %s: %v", out, err)
			}
			if got.Document.ID != id {
				t.Errorf("JS resolved document id %s, want %s", got.Document.ID, id)
			}
			for name, m := range map[string]did.VerificationMethod{"assertionMethod": got.AssertionMethod, "node": got.Node} {
				if m.ID != vmID || m.Controller != id || m.PublicKeyMultibase != mk || m.Type != did.TypeMultikey {
					t.Errorf("JS %s = %+v, want %s controlled by %s with key %s", name, m, vmID, id, mk)
				}
			}

			file := sign(t, id, vmID)
			out, err = runNode(t, "verify", file)
			if err != nil {
				t.Fatalf("JS stack does not verify a credential signed by %s: %v\n%s", vmID, err, out)
			}
			var verdict jsVerdict
			if err := json.Unmarshal(out, &verdict); err != nil || !verdict.Verified {
				t.Fatalf("JS verdict %s (%v)", out, err)
			}
		})
	}
	// The JS side really reads the served document: a DID with none fails.
	t.Run("unpublished DID", func(t *testing.T) {
		id, err := did.FormatWeb(fmt.Sprintf("localhost:%d/nobody", port))
		if err != nil {
			t.Fatal(err)
		}
		out, err := runNode(t, "verify", sign(t, id, id+"#key-1"))
		if err == nil {
			t.Fatalf("JS stack verified a credential whose did:web document is not served: %s", out)
		}
	})
}

// testWriter sends a subprocess's stderr to the test log.
type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Logf("%s", p)
	return len(p), nil
}
