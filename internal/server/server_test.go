package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/internal/testtls"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// testAdminKey is the admin key the test servers are configured with.
const testAdminKey = "bsk_test-admin-key-0123456789abcdefghijklmnop"

// testServer is a Server listening on loopback.
type testServer struct {
	*Server
	url    string // the public base URL
	dir    string
	store  *bolt.DB
	signer *issuer.Signer
	// signers are the further instances' signers, by id.
	signers map[string]*issuer.Signer
	cancel  context.CancelFunc
	done    chan error
}

type testConfig struct {
	basePath   string // path of the public base URL, e.g. "/api"
	noStatus   bool
	suspension bool
	format     issuer.Format
	now        func() time.Time
	// statusValidity is the issuer's StatusValidity.
	statusValidity time.Duration
	logger         *slog.Logger
	// readHeaderTimeout is Serve's; if zero, 5 s.
	readHeaderTimeout time.Duration
	handler           func(http.Handler) http.Handler // wraps the handler (tests of shutdown)
	// rateLimits are the server's; the zero value is off, so that tests
	// of other things never meet a limit.
	rateLimits *RateLimits
	// corsOrigins and trustedProxies are the server's.
	corsOrigins    []string
	trustedProxies []netip.Prefix
	// instances are further issuer instances, each with a fresh key and
	// store.
	instances []testInstance
	// refreshTicks and afterRefresh are the background refresher's
	// hooks.
	refreshTicks <-chan time.Time
	afterRefresh func(error)
	// oauth is the server's OAuth configuration.
	oauth OAuthConfig
	// issuerConfig, if set, edits the default instance's issuer.Config
	// (its store is db) before the issuer is made.
	issuerConfig func(db *bolt.DB, c *issuer.Config)
}

// testInstance configures one further issuer instance of a test server.
type testInstance struct {
	id       string
	format   issuer.Format
	noStatus bool
}

// startServer starts a server on 127.0.0.1 with a fresh store and an
// Ed25519 did:key issuer, and stops it when the test ends.
func startServer(t *testing.T, tc testConfig) *testServer {
	t.Helper()
	dir := t.TempDir()
	kp, err := keys.Generate(keys.Ed25519, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := issuer.NewSigner(kp.Private, issuer.SignerOptions{Format: tc.format})
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
	base := "http://" + ln.Addr().String() + tc.basePath
	statusBase := ""
	if !tc.noStatus {
		statusBase = base + "/status/"
	}
	now := tc.now
	if now == nil {
		now = time.Now
	}
	icfg := issuer.Config{
		Profile:        map[string]any{"name": "Test University"},
		Signer:         signer,
		Store:          db,
		StatusBaseURL:  statusBase,
		Suspension:     tc.suspension,
		Now:            now,
		StatusValidity: tc.statusValidity,
	}
	if tc.issuerConfig != nil {
		tc.issuerConfig(db, &icfg)
	}
	is, err := issuer.New(icfg)
	if err != nil {
		t.Fatal(err)
	}
	var instances []Instance
	signers := map[string]*issuer.Signer{}
	for _, ti := range tc.instances {
		in, sg := newTestInstance(t, dir, base, ti, now)
		instances = append(instances, in)
		signers[ti.id] = sg
	}
	rl := RateLimits{Off: true}
	if tc.rateLimits != nil {
		rl = *tc.rateLimits
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := New(ctx, Options{
		RateLimits:     rl,
		CORSOrigins:    tc.corsOrigins,
		TrustedProxies: tc.trustedProxies,
		Instances:      instances,
		PublicBaseURL:  base,
		Issuer:         is,
		IssuerID:       signer.Identity().ID,
		Profile:        map[string]any{"name": "Test University"},
		Store:          db,
		DataDir:        filepath.Join(dir, "serve"),
		StatusBaseURL:  statusBase,
		AdminKey:       testAdminKey,
		Now:            now,
		Logger:         tc.logger,
		OAuth:          tc.oauth,
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if tc.handler != nil {
		srv.handler = tc.handler(srv.handler)
	}
	srv.refreshTicks, srv.afterRefresh = tc.refreshTicks, tc.afterRefresh
	ts := &testServer{Server: srv, url: base, dir: dir, store: db, signer: signer, signers: signers, cancel: cancel, done: make(chan error, 1)}
	go func() {
		rht := tc.readHeaderTimeout
		if rht == 0 {
			rht = 5 * time.Second
		}
		ts.done <- srv.Serve(ctx, ln, ServeOptions{ReadHeaderTimeout: rht, ShutdownTimeout: 30 * time.Second})
	}()
	t.Cleanup(func() {
		ts.stop(t)
		_ = db.Close()
	})
	return ts
}

// newTestInstance makes the issuer instance ti of a server at base: a
// fresh Ed25519 (P-256 for an ECDSA format) did:key and its own store.
func newTestInstance(t *testing.T, dir, base string, ti testInstance, now func() time.Time) (Instance, *issuer.Signer) {
	t.Helper()
	typ := keys.Ed25519
	if ti.format == issuer.EcdsaRdfc2019 {
		typ = keys.P256
	}
	kp, err := keys.Generate(typ, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := issuer.NewSigner(kp.Private, issuer.SignerOptions{Format: ti.format})
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(dir, ti.id+".db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	statusBase := ""
	if !ti.noStatus {
		statusBase = base + "/issuers/" + ti.id + "/status/"
	}
	profile := map[string]any{"name": "Instance " + ti.id}
	is, err := issuer.New(issuer.Config{Profile: profile, Signer: signer, Store: db, StatusBaseURL: statusBase, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return Instance{ID: ti.id, Issuer: is, IssuerID: signer.Identity().ID, Profile: profile, Store: db, StatusBaseURL: statusBase}, signer
}

// stop shuts the server down and waits for Serve to return.
func (ts *testServer) stop(t *testing.T) {
	t.Helper()
	ts.cancel()
	select {
	case err, ok := <-ts.done:
		if ok && err != nil {
			t.Errorf("Serve: %v", err)
		}
		if ok {
			close(ts.done)
		}
	case <-time.After(time.Minute): // hang guard only
		t.Fatal("server did not stop")
	}
}

// do sends a request with an optional bearer key and JSON body.
func (ts *testServer) do(t *testing.T, method, path, key string, body any) fetched {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, ts.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
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

// fetched is an HTTP answer, read and closed.
type fetched struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// decode reads a JSON response body into v.
func decode[T any](t *testing.T, resp fetched) T {
	t.Helper()
	var v T
	data := resp.Body
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	return v
}

// wantProblem checks resp is a problem of status and type name, at path.
func wantProblem(t *testing.T, resp fetched, status int, name, path string) Problem {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	p := decode[Problem](t, resp)
	if p.Type != ProblemBase+name || p.Status != status || p.Title == "" || p.RequestID == "" {
		t.Errorf("problem %+v, want type %s status %d with a title and request id", p, ProblemBase+name, status)
	}
	if p.Path != path {
		t.Errorf("problem path %q, want %q", p.Path, path)
	}
	return p
}

func TestHealthAndHeaders(t *testing.T) {
	ts := startServer(t, testConfig{basePath: "/api"})
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"healthz", "/api/healthz", http.StatusOK},
		{"readyz", "/api/readyz", http.StatusOK},
		{"outside the base path", "/healthz", http.StatusNotFound},
		{"unknown", "/api/nothing", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The listener's root, not the base URL: a route outside the
			// base path must not answer.
			resp, err := http.Get(strings.TrimSuffix(ts.url, "/api") + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			for h, want := range map[string]string{
				"X-Content-Type-Options":  "nosniff",
				"X-Frame-Options":         "DENY",
				"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
			} {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
			if len(resp.Header.Get("X-Request-Id")) != 16 {
				t.Errorf("X-Request-Id %q", resp.Header.Get("X-Request-Id"))
			}
		})
	}
}

// addKey stores a new API key with scopes and returns it.
func (ts *testServer) addKey(t *testing.T, scopes ...string) string {
	t.Helper()
	key, err := ts.keys.generate()
	if err != nil {
		t.Fatal(err)
	}
	ts.keys.mu.Lock()
	defer ts.keys.mu.Unlock()
	if err := ts.keys.save(append(ts.keys.keys[:len(ts.keys.keys):len(ts.keys.keys)], ts.keys.entry(key, scopes))); err != nil {
		t.Fatal(err)
	}
	return key
}

func TestFirstStartPrintsAdminKeyOnce(t *testing.T) {
	dir := t.TempDir()
	var notice bytes.Buffer
	for range 2 {
		ks, err := openKeyStore(dir, rand.Reader, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		if err := ks.bootstrap("", &notice); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSpace(notice.String()), "\n")
	if n := strings.Count(notice.String(), KeyPrefix); n != 1 {
		t.Fatalf("admin key printed %d times: %q", n, notice.String())
	}
	key := lines[len(lines)-1]
	ks, err := openKeyStore(dir, rand.Reader, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := ks.lookup(key)
	if !ok || !allows(k.Scopes, ScopeIssue) {
		t.Fatalf("printed key %q not found with admin scope (%v, %v)", key, k, ok)
	}
	data, err := os.ReadFile(filepath.Join(dir, keysFile))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(key)) {
		t.Error("the key file holds the key itself, not only its hash")
	}
	if fi, err := os.Stat(filepath.Join(dir, keysFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	ts := startServer(t, testConfig{handler: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				close(entered)
				<-release
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	got := make(chan int, 1)
	go func() {
		resp, err := http.Get(ts.url + "/slow")
		if err != nil {
			got <- -1
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	<-entered
	ts.cancel() // as SIGTERM does
	// The listener closes before the request in flight ends: a new
	// connection is refused while the old one is still being served.
	refused := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); { // hang guard only
		c, err := net.Dial("tcp", strings.TrimPrefix(ts.url, "http://"))
		if err != nil {
			refused = true
			break
		}
		c.Close()
		time.Sleep(time.Millisecond)
	}
	if !refused {
		t.Error("the listener still accepts connections after shutdown began")
	}
	select {
	case err := <-ts.done:
		t.Fatalf("Serve returned (%v) before the request in flight finished", err)
	default:
	}
	close(release)
	if code := <-got; code != http.StatusNoContent {
		t.Fatalf("request in flight got %d, want 204", code)
	}
	if err := <-ts.done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	close(ts.done)
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "serve.json")
	if err := os.WriteFile(file, []byte(`{"listen":"127.0.0.1:9000","key":"registrar","adminKey":"s3cret-admin-key-0123456789abcdefghij","readTimeout":"7s"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(file)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"BADGESMITH_LISTEN": "127.0.0.1:9100", "BADGESMITH_SUSPENSION": "true"}
	if err := c.FromEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	c = c.Defaults(filepath.Join(dir, "issued.db"), filepath.Join(dir, "keys"))
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9100" || !c.Suspension || c.PublicBaseURL != "http://127.0.0.1:9100" ||
		c.StatusBaseURL != "http://127.0.0.1:9100/status/" || c.DataDir != filepath.Join(dir, "serve") ||
		time.Duration(c.ReadTimeout) != 7*time.Second || time.Duration(c.WriteTimeout) != DefaultWriteTimeout ||
		c.RateLimits.Key != DefaultKeyRate || c.RateLimits.IP != DefaultIPRate {
		t.Errorf("effective configuration %+v", c)
	}
	red := c.Redacted()
	if bytes.Contains(red, []byte("s3cret")) || !bytes.Contains(red, []byte(`"adminKey": "[redacted]"`)) {
		t.Errorf("Redacted shows the secret or hides that there is one:\n%s", red)
	}

	for _, tc := range []struct {
		name, json, field string
	}{
		{"unknown field", `{"key":"k","lisen":"x"}`, ""},
		{"public address without TLS", `{"key":"k","listen":"0.0.0.0:80"}`, "listen"},
		{"half TLS", `{"key":"k","tlsCert":"c.pem"}`, "tlsCert"},
		{"bad proxy", `{"key":"k","listen":"0.0.0.0:80","trustedProxies":["nope"]}`, "trustedProxies"},
		{"no key", `{}`, "key"},
		{"bad base url", `{"key":"k","publicBaseURL":"ftp://x"}`, "publicBaseURL"},
		{"bad cors origin", `{"key":"k","corsOrigins":["https://app.example/path"]}`, "corsOrigins[0]"},
		{"bad rate", `{"key":"k","rateLimits":{"key":{"perSecond":0,"burst":5}}}`, "rateLimits.key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(file, []byte(tc.json), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfig(file)
			if err == nil {
				c = c.Defaults(filepath.Join(dir, "issued.db"), "")
				err = c.Validate()
			}
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("err %v, want ErrConfig", err)
			}
			if tc.field != "" && !strings.HasPrefix(err.Error(), tc.field+":") {
				t.Errorf("err %q does not name %s", err, tc.field)
			}
		})
	}
	// A public bind address with TLS, or behind a trusted proxy, is fine.
	for _, extra := range []string{`"tlsCert":"c.pem","tlsKey":"k.pem"`, `"trustedProxies":["10.0.0.0/8"]`} {
		c := Config{}
		if err := json.Unmarshal([]byte(`{"key":"k","listen":"0.0.0.0:443",`+extra+`}`), &c); err != nil {
			t.Fatal(err)
		}
		c = c.Defaults(filepath.Join(dir, "issued.db"), "")
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", extra, err)
		}
	}
}

func TestBoundTo(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		c                    Config
		wantPublic, wantStat string
	}{
		{"any port, defaults", Config{Listen: "127.0.0.1:0", PublicBaseURL: "http://127.0.0.1:0", StatusBaseURL: "http://127.0.0.1:0/status/"},
			"http://127.0.0.1:4242", "http://127.0.0.1:4242/status/"},
		{"any port, configured URLs kept", Config{Listen: "127.0.0.1:0", PublicBaseURL: "https://badges.example.edu", StatusBaseURL: "https://badges.example.edu/status/"},
			"https://badges.example.edu", "https://badges.example.edu/status/"},
		{"fixed port", Config{Listen: "127.0.0.1:8080", PublicBaseURL: "http://127.0.0.1:8080"},
			"http://127.0.0.1:8080", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.c.boundTo("127.0.0.1:4242")
			if got.PublicBaseURL != tc.wantPublic || got.StatusBaseURL != tc.wantStat {
				t.Errorf("public %q status %q, want %q %q", got.PublicBaseURL, got.StatusBaseURL, tc.wantPublic, tc.wantStat)
			}
		})
	}
}

func TestAccessLog(t *testing.T) {
	var buf testkit.SyncBuffer
	ts := startServer(t, testConfig{logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	resp := ts.do(t, "POST", "/credentials/issue?token=query-secret", testAdminKey, "{}")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
	ts.stop(t)
	var entry struct {
		Msg       string `json:"msg"`
		RequestID string `json:"request_id"`
		Method    string `json:"method"`
		Path      string `json:"path"`
		Status    int    `json:"status"`
		Key       string `json:"key"`
	}
	found := false
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if entry.Msg == "request" {
			found = true
			break
		}
	}
	k, _ := ts.keys.lookup(testAdminKey)
	if !found || entry.RequestID != resp.Header.Get("X-Request-Id") || entry.Method != "POST" || entry.Path != "/credentials/issue" || entry.Status != 400 || entry.Key != k.ID {
		t.Errorf("access log entry %+v (request id %s, key %s)", entry, resp.Header.Get("X-Request-Id"), k.ID)
	}
	for _, secret := range []string{testAdminKey, "query-secret", k.SHA256} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// TestREADMEConfigExample keeps the configuration file the README shows
// loadable and valid.
func TestREADMEConfigExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "<!-- show: a configuration file")
	if !ok {
		t.Fatal("the README shows no configuration file")
	}
	_, block, _ := strings.Cut(after, "```json\n")
	block, _, _ = strings.Cut(block, "```")
	file := filepath.Join(t.TempDir(), "serve.json")
	if err := os.WriteFile(file, []byte(block), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(file)
	if err != nil {
		t.Fatal(err)
	}
	c = c.Defaults("", "")
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.StatusBaseURL != "https://badges.northfield.example.edu/status/" {
		t.Errorf("status base URL %q", c.StatusBaseURL)
	}
	if len(c.Issuers) != 1 || c.Issuers[0].StatusBaseURL != "https://badges.northfield.example.edu/issuers/continuing-ed/status/" {
		t.Errorf("instances %+v", c.Issuers)
	}
}

func TestServeTLS(t *testing.T) {
	cert, pemBytes := testtls.Localhost(t)
	ts := startServer(t, testConfig{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- ts.Serve(ctx, ln, ServeOptions{TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}}}
	resp, err := client.Get("https://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("over TLS: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	// Plain HTTP to the TLS port is refused.
	if resp, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered on the TLS listener")
		}
	}
}

func TestNoRoute(t *testing.T) {
	ts := startServer(t, testConfig{})
	for _, tc := range []struct {
		name, method, path string
		status             int
		prob, allow        string
	}{
		{"unknown path", "GET", "/nothing", http.StatusNotFound, ProbNotFound, ""},
		{"verify by GET", "GET", "/credentials/verify", http.StatusUnauthorized, ProbUnauthenticated, ""},                     // GET /credentials/{id}
		{"status by PUT", "PUT", "/credentials/status", http.StatusMethodNotAllowed, ProbMethodNotAllowed, "GET, HEAD, POST"}, // GET reads a credential
		{"healthz by POST", "POST", "/healthz", http.StatusMethodNotAllowed, ProbMethodNotAllowed, "GET, HEAD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := ts.do(t, tc.method, tc.path, "", nil)
			wantProblem(t, resp, tc.status, tc.prob, "")
			if got := resp.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
}

// TestSlowHeaderClosed: a client that never finishes its request headers
// has its connection closed once ReadHeaderTimeout passes.
func TestSlowHeaderClosed(t *testing.T) {
	ts := startServer(t, testConfig{readHeaderTimeout: 50 * time.Millisecond})
	c, err := net.Dial("tcp", strings.TrimPrefix(ts.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	// Hang guard only: the server closes long before.
	if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept the half-sent request's connection open")
	}
	if bytes.Contains(data, []byte("200 OK")) {
		t.Fatalf("the half-sent request was answered: %s", data)
	}
}
