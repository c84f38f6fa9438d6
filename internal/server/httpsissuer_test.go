package server

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/testtls"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/verifier"
)

// tlsServer is a server built by Open from a Config, serving HTTPS on
// loopback as https://localhost:PORT.
type tlsServer struct {
	*Server
	base   string
	client *http.Client
	ring   *keys.Ring
}

// startTLSServer opens cfg's server (the store, keyring and data
// directory in a temporary directory, keys generated for cfg.Key and each
// instance's) and serves it over TLS until the test ends. edit fills in
// the configuration once the base URL is known.
func startTLSServer(t *testing.T, edit func(base string, c *Config)) *tlsServer {
	t.Helper()
	dir := t.TempDir()
	cert, pemBytes := testtls.Localhost(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	base := "https://localhost:" + port
	c := Config{Listen: ln.Addr().String(), PublicBaseURL: base, AdminKey: testAdminKey, Keyring: filepath.Join(dir, "keys")}
	edit(base, &c)
	c = c.Defaults(filepath.Join(dir, "issued.db"), c.Keyring)
	ring, err := keys.OpenRing(c.Keyring)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append([]string{c.Key}, keysOf(c.Issuers)...) {
		if _, err := ring.Get(name); err == nil {
			continue
		}
		if _, err := ring.Generate(name, keys.Ed25519); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, closeFn, err := Open(ctx, c, io.Discard, nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- srv.Serve(ctx, ln, ServeOptions{TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := closeFn(); err != nil {
			t.Errorf("closing: %v", err)
		}
	})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return &tlsServer{Server: srv, base: base, client: client, ring: ring}
}

func keysOf(ics []IssuerConfig) []string {
	var out []string
	for _, ic := range ics {
		out = append(out, ic.Key)
	}
	return out
}

func (ts *tlsServer) fetch(t *testing.T, method, path, key string, body any) fetched {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(data))
	}
	u := path
	if strings.HasPrefix(path, "/") {
		u = ts.base + path
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fetched{resp.StatusCode, resp.Header, data}
}

// TestHTTPSIssuer: an instance identified by an https URL hosts at that
// URL one document that is both its Profile and its controlled identifier
// document, and what it signs verifies under the verifier's key rule,
// which finds the key in that document over (loopback) HTTPS. A key the
// document does not list is not the issuer's, whatever the credential
// says.
func TestHTTPSIssuer(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "acme.json")
	if err := os.WriteFile(profile, []byte(`{"name":"Acme Academy","url":"https://acme.example","email":"badges@acme.example"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var acmeURL string
	ts := startTLSServer(t, func(base string, c *Config) {
		acmeURL = base + "/issuers/acme"
		c.Key = "registrar"
		c.IssuerURL = base + "/issuer"
		c.Issuers = []IssuerConfig{{ID: "acme", Key: "acme-key", IssuerURL: acmeURL, IssuerProfile: profile}}
	})

	// The default instance may be an https issuer too.
	if d := decode[map[string]any](t, ts.fetch(t, "GET", "/issuer", "", nil)); d["id"] != ts.base+"/issuer" || d["name"] != "registrar" {
		t.Errorf("default instance's document %v", d)
	}
	resp := ts.fetch(t, "GET", acmeURL, "", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == "" {
		t.Fatalf("GET %s: %d %s", acmeURL, resp.StatusCode, resp.Body)
	}
	var doc map[string]any
	if err := json.Unmarshal(resp.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["id"] != acmeURL || doc["name"] != "Acme Academy" || doc["email"] != "badges@acme.example" {
		t.Errorf("document %v: want the Profile's members under the issuer URL", doc)
	}
	if ctx, _ := doc["@context"].([]any); len(ctx) < 2 || ctx[0] != "https://www.w3.org/ns/cid/v1" {
		t.Errorf("@context %v, want the CID context first", doc["@context"])
	}
	if typ, _ := doc["type"].([]any); len(typ) != 1 || typ[0] != "Profile" {
		t.Errorf("type %v", doc["type"])
	}
	cid, err := did.ParseDocument(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := ts.ring.Get("acme-key")
	if err != nil {
		t.Fatal(err)
	}
	vm := acmeURL + "#" + entry.Fragment
	m, pub, err := cid.AssertionKey(vm)
	if err != nil {
		t.Fatalf("the document does not list %s under assertionMethod: %v", vm, err)
	}
	if m.Controller != acmeURL || m.Type != did.TypeMultikey || !entry.KeyPair.Public.(interface{ Equal(x crypto.PublicKey) bool }).Equal(pub) {
		t.Errorf("method %+v", m)
	}

	resp = ts.fetch(t, "POST", "/issuers/acme/credentials/issue", testAdminKey, map[string]any{"credential": sampleCredential(t)})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("issue: %d %s", resp.StatusCode, resp.Body)
	}
	vc := decode[issued](t, resp).VerifiableCredential
	iss, _ := vc["issuer"].(map[string]any)
	if iss["id"] != acmeURL || iss["name"] != "Acme Academy" {
		t.Errorf("issuer %v", vc["issuer"])
	}
	v, err := verifier.New(verifier.Options{HTTPClient: ts.client})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := json.Marshal(vc)
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(t.Context(), signed)
	if err != nil || res.Verdict != verifier.VerdictValid {
		t.Fatalf("verify: %v %+v", err, res)
	}

	// A key the document does not list, claiming the same issuer.
	kp, err := keys.Generate(keys.Ed25519, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rogueID, err := issuer.URLIdentity(acmeURL, "rogue")
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := issuer.NewSigner(kp.Private, issuer.SignerOptions{Identity: rogueID})
	if err != nil {
		t.Fatal(err)
	}
	ri, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "Acme Academy"}, Signer: rogue})
	if err != nil {
		t.Fatal(err)
	}
	cred := sampleCredential(t)
	cred["id"] = "urn:uuid:6a2f0b62-3f0e-4a53-9d3f-9d6f3c1b2a10"
	cred["issuer"] = map[string]any{"id": acmeURL, "type": []any{"Profile"}, "name": "Acme Academy"}
	cred["validFrom"] = "2026-01-01T00:00:00Z"
	forged, err := ri.Sign(t.Context(), cred)
	if err != nil {
		t.Fatal(err)
	}
	res, err = v.Verify(t.Context(), forged.JSON)
	if res == nil {
		t.Fatalf("verify the forgery: %v", err)
	}
	if res.Verdict.Accepted() || res.Decision != verifier.CheckIssuer && res.Decision != verifier.CheckProof {
		t.Errorf("a key the issuer's document does not list: %s (%s)", res.Verdict, res.Decision)
	}
}

// TestHTTPSIssuerConfig: an issuer URL must be https, on the server's own
// host, and not beside a did:web domain.
func TestHTTPSIssuerConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, url, didWeb, field string
	}{
		{"http", "http://badges.example.edu/issuer", "", "issuerURL"},
		{"other host", "https://elsewhere.example/issuer", "", "issuerURL"},
		{"with did:web", "https://badges.example.edu/issuer", "badges.example.edu", "issuerURL"},
		{"fragment", "https://badges.example.edu/issuer#me", "", "issuerURL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, instance := range []bool{false, true} {
				c := Config{Key: "k", PublicBaseURL: "https://badges.example.edu", IssuerURL: tc.url, DIDWeb: tc.didWeb}
				field := tc.field
				if instance {
					c = Config{Key: "k", PublicBaseURL: "https://badges.example.edu",
						Issuers: []IssuerConfig{{ID: "x", Key: "k2", IssuerURL: tc.url, DIDWeb: tc.didWeb}}}
					field = "issuers[0]." + tc.field
				}
				c = c.Defaults(filepath.Join(dir, "issued.db"), dir)
				err := c.Validate()
				if err == nil || !strings.HasPrefix(err.Error(), field+":") {
					t.Errorf("instance %v: %v, want an error naming %s", instance, err, field)
				}
			}
		})
	}
}

// TestHTTPSIssuerAtRoot: an issuer whose id is the server's root URL gets
// its document there, and only there: other paths still answer 404.
func TestHTTPSIssuerAtRoot(t *testing.T) {
	ts := startTLSServer(t, func(base string, c *Config) {
		c.Key = "registrar"
		c.IssuerURL = base + "/"
	})
	if d := decode[map[string]any](t, ts.fetch(t, "GET", "/", "", nil)); d["id"] != ts.base+"/" {
		t.Errorf("document at the root: %v", d)
	}
	wantProblem(t, ts.fetch(t, "GET", "/nothing/here", "", nil), http.StatusNotFound, ProbNotFound, "")
}
