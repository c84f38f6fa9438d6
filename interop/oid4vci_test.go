package interop_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/server"
	"github.com/badgesmith/badgesmith/internal/testtls"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/store/bolt"
)

const walletAdminKey = "bsk_interop-admin-key-0123456789abcdefghijkl"

// walletServer is a badgesmith serve on loopback TLS, as https://localhost.
type walletServer struct {
	url    string
	client *http.Client
	caFile string
	// clock is the server's and its issuer's clock.
	clock *atomic.Pointer[time.Time]
	// issuerJWK is the issuer's public key.
	issuerJWK json.RawMessage
	// olderWellKnown counts the requests for the issuer metadata at the
	// older well-known form, after the base path.
	olderWellKnown *atomic.Int64
}

// advance moves the server's clock.
func (ws *walletServer) advance(d time.Duration) {
	t := ws.clock.Load().Add(d)
	ws.clock.Store(&t)
}

func startWalletServer(t *testing.T) *walletServer {
	t.Helper()
	return startWalletServerFormat(t, "")
}

// startWalletServerFormat is startWalletServer with an issuer that signs
// in format.
func startWalletServerFormat(t *testing.T, format issuer.Format) *walletServer {
	t.Helper()
	return startWalletServerAt(t, format, "")
}

// startWalletServerAt is startWalletServerFormat with basePath as the
// public base URL's path; with one, the server is reached only under it,
// as behind a reverse proxy that forwards that path alone: the rest of
// the host answers 404.
func startWalletServerAt(t *testing.T, format issuer.Format, basePath string) *walletServer {
	t.Helper()
	cert, certPEM := testtls.Localhost(t)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	kp, err := keys.Generate(keys.Ed25519, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := issuer.NewSigner(kp.Private, issuer.SignerOptions{Format: format})
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(dir, "issued.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("https://localhost:%d", ln.Addr().(*net.TCPAddr).Port) + basePath
	var clock atomic.Pointer[time.Time]
	start := time.Now()
	clock.Store(&start)
	now := func() time.Time { return *clock.Load() }
	is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "Interop University"}, Signer: signer, Store: db, StatusBaseURL: base + "/status/", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, server.Options{
		PublicBaseURL: base, Issuer: is, IssuerID: signer.Identity().ID, Store: db,
		DataDir: filepath.Join(dir, "serve"), StatusBaseURL: base + "/status/", AdminKey: walletAdminKey,
		RateLimits: server.RateLimits{Off: true}, Now: now,
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	var older atomic.Int64
	if basePath == "" {
		go func() { done <- srv.Serve(ctx, ln, server.ServeOptions{TLS: tlsConf}) }()
	} else {
		h := srv.Handler()
		front := &http.Server{ReadHeaderTimeout: 10 * time.Second, TLSConfig: tlsConf, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, basePath+"/") {
				http.NotFound(w, r)
				return
			}
			if r.URL.Path == basePath+"/.well-known/openid-credential-issuer" {
				older.Add(1)
			}
			h.ServeHTTP(w, r)
		})}
		go func() {
			if err := front.ServeTLS(ln, "", ""); !errors.Is(err, http.ErrServerClosed) {
				done <- err
				return
			}
			done <- nil
		}()
		go func() {
			<-ctx.Done()
			_ = front.Close()
		}()
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		_ = db.Close()
	})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	jwk, err := keys.PublicJWK(kp.Public)
	if err != nil {
		t.Fatal(err)
	}
	return &walletServer{url: base, client: client, caFile: caFile, clock: &clock, issuerJWK: jwk, olderWellKnown: &older}
}

// post sends an admin request and decodes the answer into out.
func (ws *walletServer) post(t *testing.T, path string, body, out any) {
	t.Helper()
	status, got := ws.send(t, "POST", ws.url+path, "application/json", walletAdminKey, body)
	if status/100 != 2 {
		t.Fatalf("POST %s: %d %s", path, status, got)
	}
	if err := json.Unmarshal(got, out); err != nil {
		t.Fatal(err)
	}
}

// send makes a request (a JSON body unless nil) and reads the answer.
func (ws *walletServer) send(t *testing.T, method, u, accept, key string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := ws.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, got
}

// issueToEmail issues the sample Open Badge to a hashed email address.
func (ws *walletServer) issueToEmail(t *testing.T) map[string]any {
	t.Helper()
	subject := loadJSON(t, "subject.json")
	delete(subject, "id")
	subject["achievement"] = loadJSON(t, "achievement.json")
	subject["identifier"] = []any{map[string]any{
		"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
		"identityHash": ob3.IdentityHash("learner@example.edu", "s4lt"), "salt": "s4lt",
	}}
	cred := map[string]any{
		"@context":          []any{ob3.ContextV2, ob3.ContextOB},
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              "Applied Data Analysis",
		"credentialSubject": subject,
	}
	var out struct {
		VerifiableCredential map[string]any `json:"verifiableCredential"`
	}
	ws.post(t, "/credentials/issue", map[string]any{"credential": cred}, &out)
	return out.VerifiableCredential
}

// walletResult is oid4vci.mjs's answer.
type walletResult struct {
	Holder         string         `json:"holder"`
	Credential     map[string]any `json:"credential"`
	Verified       bool           `json:"verified"`
	ProofVerified  bool           `json:"proofVerified"`
	StatusVerified bool           `json:"statusVerified"`
	Revoked        bool           `json:"revoked"`
	Error          string         `json:"error"`
	// JWT is the credential received when it is a JWT, and Format the
	// format the issuer's metadata declares for it.
	JWT    string `json:"jwt"`
	Format string `json:"format"`
}

// TestOID4VCIWallet has @openid4vc/openid4vci redeem badgesmith's offers
// (by reference and by value, with and without a transaction code, the
// holder key by jwk and by did:key kid) and @digitalbazaar/vc verify the
// credential received, status included.
func TestOID4VCIWallet(t *testing.T) {
	node := requireNode(t)
	if _, err := os.Stat(filepath.Join("node_modules", "@openid4vc", "openid4vci")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("interop/node_modules lacks @openid4vc/openid4vci: run npm ci: %v", err)
		}
		t.Skipf("interop/node_modules lacks @openid4vc/openid4vci (run npm ci in interop/): %v", err)
	}
	ws := startWalletServer(t)
	orig := ws.issueToEmail(t)
	for _, tc := range []struct {
		name   string
		byRef  bool
		txCode bool
		bind   string
	}{
		{"by reference, jwk", true, false, "jwk"},
		{"by value, tx_code, did:key kid", false, true, "kid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var offer server.CreatedOffer
			ws.post(t, "/offers", server.OfferRequest{CredentialID: orig["id"].(string), TxCode: tc.txCode}, &offer)
			uri := offer.OfferURI
			if tc.byRef {
				uri = offer.OfferURIByReference
			}
			args := []string{"oid4vci.mjs", uri, "--bind", tc.bind}
			if tc.txCode {
				args = append(args, "--tx-code", offer.TxCode)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, args...)
			cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+ws.caFile)
			cmd.Stderr = &testWriter{t: t}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("oid4vci.mjs: %v\n%s", err, out)
			}
			var res walletResult
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("oid4vci.mjs answer %s: %v", out, err)
			}
			if !res.Verified || !res.ProofVerified || !res.StatusVerified || res.Revoked {
				t.Errorf("@digitalbazaar/vc does not verify the received credential: %+v", res)
			}
			subj, _ := res.Credential["credentialSubject"].(map[string]any)
			if subj["id"] != res.Holder || res.Holder == "" {
				t.Errorf("credentialSubject.id %v, want the wallet's DID %s", subj["id"], res.Holder)
			}
			origSubj := orig["credentialSubject"].(map[string]any)
			a, _ := json.Marshal(subj["identifier"])
			b, _ := json.Marshal(origSubj["identifier"])
			if !bytes.Equal(a, b) {
				t.Errorf("recipient identifier %s, want the original's %s", a, b)
			}
		})
	}
}

// TestOID4VCIWalletJWT has @openid4vc/openid4vci redeem offers of VC-JWT
// and VC-JOSE-COSE credentials, whose configurations declare this
// project's format identifiers (ob_vc_jwt, vc+jwt: OpenID4VCI's
// jwt_vc_json is the VCDM 1.1 vc claim, which neither carries); the
// library takes formats it does not know as they are. The compact JWS
// received is verified with the npm jose library and the issuer's key.
func TestOID4VCIWalletJWT(t *testing.T) {
	node := requireNode(t)
	if _, err := os.Stat(filepath.Join("node_modules", "@openid4vc", "openid4vci")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("interop/node_modules lacks @openid4vc/openid4vci: run npm ci: %v", err)
		}
		t.Skipf("interop/node_modules lacks @openid4vc/openid4vci (run npm ci in interop/): %v", err)
	}
	for _, tc := range []struct {
		format     issuer.Format
		wantFormat string
		typ        string
	}{
		{issuer.VCJWT, "ob_vc_jwt", "JWT"},
		{issuer.JOSE, "vc+jwt", "vc+jwt"},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			ws := startWalletServerFormat(t, tc.format)
			env := ws.issueToEmail(t)
			envID, _ := env["id"].(string)
			origTok, ok := strings.CutPrefix(envID, "data:application/vc+jwt,")
			if !ok {
				t.Fatalf("issued %v: not an enveloped JWT", env)
			}
			var orig struct {
				Payload map[string]any `json:"payload"`
			}
			if err := joseJS(t, node, map[string]any{"op": "verify", "token": origTok, "jwk": ws.issuerJWK, "alg": "EdDSA"}, &orig); err != nil {
				t.Fatalf("jose: the issued credential: %s", err)
			}
			var offer server.CreatedOffer
			ws.post(t, "/offers", server.OfferRequest{CredentialID: orig.Payload["id"].(string)}, &offer)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, "oid4vci.mjs", offer.OfferURIByReference, "--bind", "jwk")
			cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+ws.caFile)
			cmd.Stderr = &testWriter{t: t}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("oid4vci.mjs: %v\n%s", err, out)
			}
			var res walletResult
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("oid4vci.mjs answer %s: %v", out, err)
			}
			if res.Format != tc.wantFormat || res.JWT == "" {
				t.Fatalf("received format %q, jwt %.40q: want a %s JWT", res.Format, res.JWT, tc.wantFormat)
			}
			var got struct {
				Header  map[string]any `json:"header"`
				Payload map[string]any `json:"payload"`
			}
			if err := joseJS(t, node, map[string]any{"op": "verify", "token": res.JWT, "jwk": ws.issuerJWK, "alg": "EdDSA"}, &got); err != nil {
				t.Fatalf("jose does not verify the received JWT: %s", err)
			}
			subj, _ := got.Payload["credentialSubject"].(map[string]any)
			origSubj, _ := orig.Payload["credentialSubject"].(map[string]any)
			a, _ := json.Marshal(subj["identifier"])
			b, _ := json.Marshal(origSubj["identifier"])
			switch {
			case got.Header["typ"] != tc.typ:
				t.Errorf("header.typ %v, want %s", got.Header["typ"], tc.typ)
			case res.Holder == "" || subj["id"] != res.Holder:
				t.Errorf("credentialSubject.id %v, want the wallet's DID %s", subj["id"], res.Holder)
			case tc.format == issuer.VCJWT && got.Payload["sub"] != res.Holder:
				t.Errorf("sub %v, want the wallet's DID %s", got.Payload["sub"], res.Holder)
			case !bytes.Equal(a, b) || a == nil:
				t.Errorf("recipient identifier %s, want the original's %s", a, b)
			}
		})
	}
}

// TestOID4VCIWalletBasePath: behind a reverse proxy that forwards only the
// public base URL's path, the standard well-known URL (before the path)
// never reaches the server; @openid4vc/openid4vci falls back to the older
// form after the path, which the server answers, and the wallet receives
// the credential.
func TestOID4VCIWalletBasePath(t *testing.T) {
	node := requireNode(t)
	if _, err := os.Stat(filepath.Join("node_modules", "@openid4vc", "openid4vci")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("interop/node_modules lacks @openid4vc/openid4vci: run npm ci: %v", err)
		}
		t.Skipf("interop/node_modules lacks @openid4vc/openid4vci (run npm ci in interop/): %v", err)
	}
	ws := startWalletServerAt(t, "", "/badges")
	orig := ws.issueToEmail(t)
	var offer server.CreatedOffer
	ws.post(t, "/offers", server.OfferRequest{CredentialID: orig["id"].(string)}, &offer)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "oid4vci.mjs", offer.OfferURIByReference, "--bind", "jwk")
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+ws.caFile)
	cmd.Stderr = &testWriter{t: t}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oid4vci.mjs: %v\n%s", err, out)
	}
	var res walletResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("oid4vci.mjs answer %s: %v", out, err)
	}
	if n := ws.olderWellKnown.Load(); n == 0 {
		t.Error("the wallet never asked for the older well-known form")
	}
	subj, _ := res.Credential["credentialSubject"].(map[string]any)
	if !res.Verified || res.Holder == "" || subj["id"] != res.Holder {
		t.Errorf("received %+v: want a verified credential bound to the wallet's DID", res)
	}
}
