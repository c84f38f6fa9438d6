package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/internal/testkit"
)

// send sends a request with headers (name, value pairs) to the server.
func (ts *testServer) send(t *testing.T, method, path, body string, hdr ...string) fetched {
	t.Helper()
	req, err := http.NewRequest(method, ts.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
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

func TestCORS(t *testing.T) {
	const app = "https://wallet.example"
	ts := startServer(t, testConfig{corsOrigins: []string{app}})
	vc := ts.issue(t, sampleCredential(t))
	body, _ := json.Marshal(map[string]any{"verifiableCredential": vc})
	list := strings.TrimPrefix(listURL(t, vc), ts.url)

	for _, tc := range []struct {
		name, method, path, body, origin string
		hdr                              []string
		status                           int
		allow                            string // Access-Control-Allow-Origin
	}{
		{"verify from the allowed origin", "POST", "/credentials/verify", string(body), app, nil, http.StatusOK, app},
		{"verify from another origin", "POST", "/credentials/verify", string(body), "https://evil.example", nil, http.StatusOK, ""},
		{"verify without an origin", "POST", "/credentials/verify", string(body), "", nil, http.StatusOK, ""},
		{"preflight allowed", "OPTIONS", "/credentials/verify", "", app,
			[]string{"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"}, http.StatusNoContent, app},
		{"preflight from another origin", "OPTIONS", "/credentials/verify", "", "https://evil.example",
			[]string{"Access-Control-Request-Method", "POST"}, http.StatusForbidden, ""},
		{"preflight asking for Authorization", "OPTIONS", "/credentials/verify", "", app,
			[]string{"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization"}, http.StatusForbidden, ""},
		{"hosted list", "GET", list, "", app, nil, http.StatusOK, app},
		// Never on the endpoints that need a key.
		{"issue preflight", "OPTIONS", "/credentials/issue", "", app,
			[]string{"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type"}, http.StatusMethodNotAllowed, ""},
		{"issue", "POST", "/credentials/issue", "{}", app, []string{"Authorization", "Bearer " + testAdminKey}, http.StatusBadRequest, ""},
		{"status preflight", "OPTIONS", "/credentials/status", "", app, []string{"Access-Control-Request-Method", "POST"}, http.StatusMethodNotAllowed, ""},
		{"read", "GET", "/credentials/urn:x", "", app, []string{"Authorization", "Bearer " + testAdminKey}, http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := append([]string{"Content-Type", "application/json"}, tc.hdr...)
			if tc.origin != "" {
				hdr = append(hdr, "Origin", tc.origin)
			}
			resp := ts.send(t, tc.method, tc.path, tc.body, hdr...)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, resp.Body)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.allow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.allow)
			}
			if tc.allow != "" && !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Origin") {
				t.Error("an origin-dependent answer without Vary: Origin")
			}
			if tc.method == "OPTIONS" && tc.status == http.StatusNoContent {
				if resp.Header.Get("Access-Control-Allow-Methods") != "POST" || resp.Header.Get("Access-Control-Allow-Headers") != "Content-Type" {
					t.Errorf("preflight headers %v", resp.Header)
				}
			}
		})
	}
}

func TestCORSDefaultNone(t *testing.T) {
	ts := startServer(t, testConfig{})
	resp := ts.send(t, "POST", "/credentials/verify", "{}", "Origin", "https://wallet.example")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Access-Control-Allow-Origin %q with no origin configured", got)
	}
	if resp := ts.send(t, "OPTIONS", "/credentials/verify", "", "Origin", "https://wallet.example", "Access-Control-Request-Method", "POST"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("preflight with no origin configured: %d, want 405", resp.StatusCode)
	}
}

func TestCORSAnyOrigin(t *testing.T) {
	ts := startServer(t, testConfig{corsOrigins: []string{"*"}})
	resp := ts.send(t, "POST", "/credentials/verify", "{}", "Origin", "https://anyone.example")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin %q, want *", got)
	}
}

// TestForwardedHeaders: X-Forwarded-For and X-Forwarded-Proto are
// believed only from a trusted proxy, and then only as far as the nearest
// hop that is not one.
func TestForwardedHeaders(t *testing.T) {
	ts := startServer(t, testConfig{trustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}})
	for _, tc := range []struct {
		name, peer string
		xff        []string
		proto      string
		want       string
		hsts       bool
	}{
		{"direct client", "192.0.2.1:5000", nil, "", "192.0.2.1", false},
		{"untrusted peer's headers ignored", "192.0.2.1:5000", []string{"198.51.100.9"}, "https", "192.0.2.1", false},
		{"trusted proxy", "10.0.0.2:5000", []string{"198.51.100.9"}, "https", "198.51.100.9", true},
		{"two trusted proxies", "10.0.0.2:5000", []string{"198.51.100.9, 10.0.0.3"}, "", "198.51.100.9", false},
		{"spoofed hop left of the client", "10.0.0.2:5000", []string{"203.0.113.66, 198.51.100.9"}, "", "198.51.100.9", false},
		{"several headers", "10.0.0.2:5000", []string{"203.0.113.66", "198.51.100.9"}, "http", "198.51.100.9", false},
		{"garbled hop", "10.0.0.2:5000", []string{"198.51.100.9, bogus, 10.0.0.3"}, "", "10.0.0.3", false},
		{"trusted proxy without header", "10.0.0.2:5000", nil, "", "10.0.0.2", false},
		{"mapped IPv4 peer", "[::ffff:10.0.0.2]:5000", []string{"198.51.100.9"}, "", "198.51.100.9", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", ts.url+"/healthz", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tc.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if got := ts.clientAddr(r); got != tc.want {
				t.Errorf("client %q, want %q", got, tc.want)
			}
			w := httptest.NewRecorder()
			ts.Handler().ServeHTTP(w, r)
			if got := w.Header().Get("Strict-Transport-Security") != ""; got != tc.hsts {
				t.Errorf("HSTS %v, want %v", got, tc.hsts)
			}
		})
	}
}

// TestForwardedOverLoopback: behind a trusted proxy (here, loopback) each
// forwarded client has its own rate limit bucket and its own address in
// the access log.
func TestForwardedOverLoopback(t *testing.T) {
	var buf testkit.SyncBuffer
	clock := newFakeClock()
	ts := startServer(t, testConfig{
		now:            clock.Now,
		logger:         slog.New(slog.NewJSONHandler(&buf, nil)),
		trustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		rateLimits:     &RateLimits{IP: Rate{Per: 1, Burst: 1}},
	})
	verify := func(client string) int {
		return ts.send(t, "POST", "/credentials/verify", "{}", "X-Forwarded-For", client).StatusCode
	}
	if got := verify("198.51.100.1"); got != http.StatusBadRequest {
		t.Fatalf("first client: %d", got)
	}
	if got := verify("198.51.100.1"); got != http.StatusTooManyRequests {
		t.Errorf("first client again: %d, want 429", got)
	}
	if got := verify("198.51.100.2"); got != http.StatusBadRequest {
		t.Errorf("second client behind the same proxy: %d, want its own bucket", got)
	}
	ts.stop(t)
	if !strings.Contains(buf.String(), `"remote":"198.51.100.2"`) {
		t.Errorf("access log does not name the forwarded client:\n%s", buf.String())
	}
}
