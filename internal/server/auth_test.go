package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// testAS is an outside authorization server: a P-256 key published in a
// JWKS on a loopback server, which counts its fetches.
type testAS struct {
	issuer  string
	key     *ecdsa.PrivateKey
	kid     string
	srv     *httptest.Server
	fetches atomic.Int32
	jwks    atomic.Pointer[[]byte]
}

func newTestAS(t *testing.T) *testAS {
	t.Helper()
	as := &testAS{issuer: "https://as.example/", kid: "as-1"}
	as.rotate(t, "as-1")
	as.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		as.fetches.Add(1)
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(*as.jwks.Load())
	}))
	t.Cleanup(as.srv.Close)
	return as
}

// rotate replaces the key by a new one named kid.
func (as *testAS) rotate(t *testing.T, kid string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	as.key, as.kid = k, kid
	pub, err := jwk.Import(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	if err := pub.Set(jwk.AlgorithmKey, jwa.ES256()); err != nil {
		t.Fatal(err)
	}
	set := jwk.NewSet()
	if err := set.AddKey(pub); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	as.jwks.Store(&data)
}

func (as *testAS) config() OAuthConfig {
	return OAuthConfig{External: &ExternalAuth{Issuer: as.issuer, JWKSURL: as.srv.URL + "/jwks", AllowPrivateJWKS: true}}
}

// token signs claims with the AS key, filling iss, exp and iat unless set.
func (as *testAS) token(t *testing.T, aud string, claims map[string]any) string {
	t.Helper()
	c := map[string]any{"iss": as.issuer, "aud": aud, "sub": "svc-1", "iat": time.Now().Unix(), "exp": time.Now().Add(5 * time.Minute).Unix()}
	for k, v := range claims {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return signJWT(t, jwa.ES256(), as.key, map[string]any{"kid": as.kid, "typ": "at+jwt"}, c)
}

// signJWT signs claims with key under alg and the header members hdr.
func signJWT(t *testing.T, alg jwa.SignatureAlgorithm, key any, hdr, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	h := jws.NewHeaders()
	for k, v := range hdr {
		if err := h.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	out, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(h)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// unsignedJWT is an alg none token.
func unsignedJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]any{"alg": "none", "typ": "at+jwt"}) + "." + enc(claims) + "."
}

// createVia creates an API key or client through the admin API.
func (ts *testServer) createVia(t *testing.T, what, name string, scopes ...string) CreatedKey {
	t.Helper()
	resp := ts.do(t, "POST", "/admin/"+what, testAdminKey, KeyRequest{Name: name, Scopes: scopes})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("creating %s: %d %s", what, resp.StatusCode, resp.Body)
	}
	return decode[CreatedKey](t, resp)
}

// tokenReq posts a form to /oauth2/token, with Basic credentials when
// basicID is not empty.
func (ts *testServer) tokenReq(t *testing.T, form url.Values, basicID, basicSecret string) fetched {
	t.Helper()
	req, err := http.NewRequest("POST", ts.url+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fetched{resp.StatusCode, resp.Header, body}
}

// tokenAnswer is a successful /oauth2/token answer.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
}

func (ts *testServer) accessToken(t *testing.T, c CreatedKey, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	resp := ts.tokenReq(t, form, c.ID, c.Secret)
	a := decode[tokenAnswer](t, resp)
	if resp.StatusCode != http.StatusOK || a.AccessToken == "" || a.TokenType != "Bearer" {
		t.Fatalf("token: %d %s", resp.StatusCode, resp.Body)
	}
	return a.AccessToken
}

// TestAuthModes: each way of authenticating succeeds (the read endpoint
// answers 404 for an unknown id only once authorized), and each refusal
// is a 401 or 403 problem with its WWW-Authenticate challenge.
func TestAuthModes(t *testing.T) {
	as := newTestAS(t)
	ts := startServer(t, testConfig{oauth: as.config()})
	readKey := ts.createVia(t, "apikeys", "reader", ScopeRead)
	revokedKey := ts.createVia(t, "apikeys", "gone", ScopeRead)
	client := ts.createVia(t, "clients", "sis", ScopeRead, ScopeIssue)
	revokedClient := ts.createVia(t, "clients", "old", ScopeRead)
	ownRead := ts.accessToken(t, client, ScopeRead)
	ownIssueOnly := ts.accessToken(t, client, ScopeIssue)
	revokedClientTok := ts.accessToken(t, revokedClient, "")
	for _, path := range []string{"/admin/apikeys/" + revokedKey.ID + "/revoke", "/admin/clients/" + revokedClient.ID + "/revoke"} {
		if resp := ts.do(t, "POST", path, testAdminKey, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Body)
		}
	}
	// An own token that ran out: signed by the server's key an hour ago.
	past := *ts.oauth
	past.now = func() time.Time { return time.Now().Add(-time.Hour) }
	expiredOwn, err := past.sign(client.ID, []string{ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	ownClaims := func(over map[string]any) map[string]any {
		c := map[string]any{"iss": ts.url, "aud": ts.url, "client_id": client.ID, "sub": client.ID, "scope": ScopeRead, "iat": now, "exp": now + 300}
		for k, v := range over {
			c[k] = v
		}
		return c
	}
	ownHdr := map[string]any{"kid": ts.oauth.kid, "typ": "at+jwt"}
	asPub, err := x509.MarshalPKIXPublicKey(&as.key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ownPub := []byte(ts.oauth.pub)
	_, otherEd, _ := ed25519.GenerateKey(rand.Reader)
	extRead := map[string]any{"scope": ScopeRead}

	for _, tc := range []struct {
		name   string
		token  string
		status int
		errc   string // the error of the WWW-Authenticate challenge
	}{
		{"api key", readKey.Secret, 404, ""},
		{"own token", ownRead, 404, ""},
		{"external token", as.token(t, ts.url, extRead), 404, ""},
		{"external token, aud array", as.token(t, ts.url, map[string]any{"scope": ScopeRead, "aud": []string{"https://x.example", ts.url}}), 404, ""},
		{"external token within leeway", as.token(t, ts.url, map[string]any{"scope": ScopeRead, "exp": now - 5}), 404, ""},

		{"no token", "", 401, ""},
		{"unknown api key", "bsk_nope", 401, "invalid_token"},
		{"revoked api key", revokedKey.Secret, 401, "invalid_token"},
		{"api key without the scope", ts.createVia(t, "apikeys", "issuer", ScopeIssue).Secret, 403, "insufficient_scope"},
		{"own token without the scope", ownIssueOnly, 403, "insufficient_scope"},
		{"external token without the scope", as.token(t, ts.url, map[string]any{"scope": ScopeIssue}), 403, "insufficient_scope"},
		{"external token without scope claim", as.token(t, ts.url, nil), 403, "insufficient_scope"},
		{"own token of a revoked client", revokedClientTok, 401, "invalid_token"},
		{"own token expired", expiredOwn, 401, "invalid_token"},
		{"external token expired", as.token(t, ts.url, map[string]any{"scope": ScopeRead, "exp": now - 120}), 401, "invalid_token"},
		{"external token without exp", as.token(t, ts.url, map[string]any{"scope": ScopeRead, "exp": nil}), 401, "invalid_token"},
		{"external token not yet valid", as.token(t, ts.url, map[string]any{"scope": ScopeRead, "nbf": now + 600}), 401, "invalid_token"},
		{"external token issued in the future", as.token(t, ts.url, map[string]any{"scope": ScopeRead, "iat": now + 600}), 401, "invalid_token"},
		{"external token for another audience", as.token(t, "https://other.example", extRead), 401, "invalid_token"},
		{"external token without aud", as.token(t, ts.url, map[string]any{"scope": ScopeRead, "aud": nil}), 401, "invalid_token"},
		{"own token for another audience", signJWT(t, jwa.EdDSA(), ts.oauth.priv, ownHdr, ownClaims(map[string]any{"aud": "https://other.example"})), 401, "invalid_token"},
		{"wrong issuer", signJWT(t, jwa.ES256(), as.key, map[string]any{"kid": as.kid}, map[string]any{"iss": "https://evil.example/", "aud": ts.url, "scope": ScopeRead, "exp": now + 300}), 401, "invalid_token"},
		{"own token without typ at+jwt", signJWT(t, jwa.EdDSA(), ts.oauth.priv, map[string]any{"kid": ts.oauth.kid, "typ": "JWT"}, ownClaims(nil)), 401, "invalid_token"},
		{"own token of an unknown client", signJWT(t, jwa.EdDSA(), ts.oauth.priv, ownHdr, ownClaims(map[string]any{"client_id": "feedface"})), 401, "invalid_token"},
		{"own token with a scope beyond its client's", signJWT(t, jwa.EdDSA(), ts.oauth.priv, ownHdr, ownClaims(map[string]any{"scope": ScopeAdmin})), 401, "invalid_token"},
		{"own token, as signed by the server", signJWT(t, jwa.EdDSA(), ts.oauth.priv, ownHdr, ownClaims(nil)), 404, ""},
		{"own claims signed by another key", signJWT(t, jwa.EdDSA(), otherEd, ownHdr, ownClaims(nil)), 401, "invalid_token"},
		{"external alg none", unsignedJWT(t, map[string]any{"iss": as.issuer, "aud": ts.url, "scope": ScopeRead, "exp": now + 300}), 401, "invalid_token"},
		{"own alg none", unsignedJWT(t, ownClaims(nil)), 401, "invalid_token"},
		{"external HS256 forged with the public key", signJWT(t, jwa.HS256(), asPub, map[string]any{"kid": as.kid}, map[string]any{"iss": as.issuer, "aud": ts.url, "scope": ScopeRead, "exp": now + 300}), 401, "invalid_token"},
		{"own HS256 forged with the public key", signJWT(t, jwa.HS256(), ownPub, ownHdr, ownClaims(nil)), 401, "invalid_token"},
		{"external unknown kid", signJWT(t, jwa.ES256(), as.key, map[string]any{"kid": "nope"}, map[string]any{"iss": as.issuer, "aud": ts.url, "scope": ScopeRead, "exp": now + 300}), 401, "invalid_token"},
		{"garbage", "a.b.c", 401, "invalid_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := ts.do(t, "GET", "/credentials/urn:uuid:nothing-here", tc.token, nil)
			ch := resp.Header.Get("WWW-Authenticate")
			switch tc.status {
			case 404:
				wantProblem(t, resp, 404, ProbNotFound, "")
				return
			case 401:
				wantProblem(t, resp, 401, ProbUnauthenticated, "")
			case 403:
				wantProblem(t, resp, 403, ProbForbidden, "")
			}
			if !strings.HasPrefix(ch, `Bearer realm="badgesmith"`) {
				t.Errorf("WWW-Authenticate %q", ch)
			}
			if got := strings.Contains(ch, "error="); got != (tc.errc != "") || !strings.Contains(ch, tc.errc) {
				t.Errorf("WWW-Authenticate %q, want error %q", ch, tc.errc)
			}
		})
	}
}

// TestOwnTokenIssues: a client credentials token with the issue scope
// issues a credential, like an API key.
func TestOwnTokenIssues(t *testing.T) {
	ts := startServer(t, testConfig{})
	c := ts.createVia(t, "clients", "sis", ScopeIssue)
	tok := ts.accessToken(t, c, "")
	resp := ts.do(t, "POST", "/credentials/issue", tok, map[string]any{"credential": sampleCredential(t), "options": map[string]any{}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("issue with an access token: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestTokenEndpoint(t *testing.T) {
	ts := startServer(t, testConfig{})
	c := ts.createVia(t, "clients", "sis", ScopeRead, ScopeIssue)
	cc := url.Values{"grant_type": {"client_credentials"}}
	with := func(base url.Values, kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range base {
			v[k] = append([]string(nil), vs...)
		}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	for _, tc := range []struct {
		name       string
		form       url.Values
		id, secret string // Basic credentials
		status     int
		errc       string
		scope      string
	}{
		{"basic, all scopes", cc, c.ID, c.Secret, 200, "", ScopeRead + " " + ScopeIssue},
		{"post, narrower scope", with(cc, "client_id", c.ID, "client_secret", c.Secret, "scope", ScopeRead), "", "", 200, "", ScopeRead},
		{"no client auth", cc, "", "", 401, "invalid_client", ""},
		{"wrong secret", cc, c.ID, SecretPrefix + "wrong", 401, "invalid_client", ""},
		{"secret of another id", cc, "deadbeef", c.Secret, 401, "invalid_client", ""},
		{"both methods", with(cc, "client_secret", c.Secret), c.ID, c.Secret, 400, "invalid_request", ""},
		{"scope beyond the client's", with(cc, "scope", ScopeRead+" "+ScopeAdmin), c.ID, c.Secret, 400, "invalid_scope", ""},
		{"malformed scope", with(cc, "scope", "everything"), c.ID, c.Secret, 400, "invalid_scope", ""},
		{"other grant", url.Values{"grant_type": {"password"}}, c.ID, c.Secret, 400, "unsupported_grant_type", ""},
		{"repeated parameter", with(cc, "grant_type", "client_credentials"), c.ID, c.Secret, 400, "invalid_request", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := ts.tokenReq(t, tc.form, tc.id, tc.secret)
			a := decode[tokenAnswer](t, resp)
			if resp.StatusCode != tc.status || a.Error != tc.errc {
				t.Fatalf("status %d %s, want %d %q", resp.StatusCode, resp.Body, tc.status, tc.errc)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
			}
			if tc.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
			if tc.status != 200 {
				return
			}
			if a.Scope != tc.scope || a.ExpiresIn != int(DefaultTokenTTL/time.Second) {
				t.Errorf("scope %q expires_in %d, want %q %d", a.Scope, a.ExpiresIn, tc.scope, int(DefaultTokenTTL/time.Second))
			}
			// The token is what the server says: EdDSA, at+jwt, for this
			// server, with the granted scope.
			h, cl, err := splitToken(a.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if h.Alg != "EdDSA" || h.Typ != "at+jwt" || cl.Iss != ts.url || string(cl.Aud) != `"`+ts.url+`"` || cl.Scope != tc.scope || cl.ClientID != c.ID {
				t.Errorf("token header %+v claims %+v", h, cl)
			}
		})
	}
	t.Run("query parameters refused", func(t *testing.T) {
		req, _ := http.NewRequest("POST", ts.url+"/oauth2/token?client_secret="+url.QueryEscape(c.Secret), strings.NewReader(cc.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.ID, c.Secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
	})
}

// TestJWKSRefetch: a token naming a key the JWKS lacks makes one fetch
// (a rotation), but no more than one a minute, whatever the tokens say.
func TestJWKSRefetch(t *testing.T) {
	as := newTestAS(t)
	ts := startServer(t, testConfig{oauth: as.config()})
	if n := as.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches at start, want 1", n)
	}
	as.rotate(t, "as-2")
	rotated := as.token(t, ts.url, map[string]any{"scope": ScopeRead})
	// Within a minute of the last fetch: refused, not fetched.
	if resp := ts.do(t, "GET", "/credentials/urn:x", rotated, nil); resp.StatusCode != 401 {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
	if n := as.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	ts.oauth.ext.mu.Lock()
	ts.oauth.ext.fetched = ts.oauth.ext.fetched.Add(-2 * jwksMinRefetch)
	ts.oauth.ext.mu.Unlock()
	if resp := ts.do(t, "GET", "/credentials/urn:x", rotated, nil); resp.StatusCode != 404 {
		t.Fatalf("status %d after the refetch, want 404: %s", resp.StatusCode, resp.Body)
	}
	for range 3 {
		forged := signJWT(t, jwa.ES256(), as.key, map[string]any{"kid": "unknown"}, map[string]any{"iss": as.issuer, "aud": ts.url, "exp": time.Now().Unix() + 60})
		ts.do(t, "GET", "/credentials/urn:x", forged, nil)
	}
	if n := as.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}

// TestJWKSFile: the external keys can come from a file instead.
func TestJWKSFile(t *testing.T) {
	as := newTestAS(t)
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, *as.jwks.Load(), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, testConfig{oauth: OAuthConfig{External: &ExternalAuth{Issuer: as.issuer, JWKSFile: path}}})
	if resp := ts.do(t, "GET", "/credentials/urn:x", as.token(t, ts.url, map[string]any{"scope": ScopeRead}), nil); resp.StatusCode != 404 {
		t.Fatalf("status %d, want 404: %s", resp.StatusCode, resp.Body)
	}
	if n := as.fetches.Load(); n != 0 {
		t.Errorf("%d fetches with a file", n)
	}
}

// TestConfigValidatesOAuth: serve's configuration checks its oauth part.
func TestConfigValidatesOAuth(t *testing.T) {
	c := Config{Key: "k", Store: "s.db", OAuth: OAuthConfig{External: &ExternalAuth{Issuer: "https://as.example", JWKSFile: "j.json", Algorithms: []string{"HS256"}}}}.Defaults("", "")
	if err := c.Validate(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "oauth.external.algorithms[0]") {
		t.Errorf("Validate = %v", err)
	}
}

func TestOAuthConfigValidate(t *testing.T) {
	const base = "https://badges.example"
	ok := ExternalAuth{Issuer: "https://as.example", JWKSURL: "https://as.example/jwks"}
	for _, tc := range []struct {
		name string
		mod  func(c *OAuthConfig)
		bad  bool
	}{
		{"fine", func(*OAuthConfig) {}, false},
		{"token ttl too long", func(c *OAuthConfig) { c.TokenTTL = Duration(2 * time.Hour) }, true},
		{"own issuer", func(c *OAuthConfig) { c.External.Issuer = base + "/" }, true},
		{"no jwks", func(c *OAuthConfig) { c.External.JWKSURL = "" }, true},
		{"both jwks", func(c *OAuthConfig) { c.External.JWKSFile = "x.json" }, true},
		{"http jwks", func(c *OAuthConfig) { c.External.JWKSURL = "http://as.example/jwks" }, true},
		{"http jwks allowed private", func(c *OAuthConfig) {
			c.External.JWKSURL = "http://127.0.0.1:9/jwks"
			c.External.AllowPrivateJWKS = true
		}, false},
		{"alg none", func(c *OAuthConfig) { c.External.Algorithms = []string{"none"} }, true},
		{"alg HS256", func(c *OAuthConfig) { c.External.Algorithms = []string{"ES256", "HS256"} }, true},
		{"leeway too long", func(c *OAuthConfig) { c.External.Leeway = Duration(time.Hour) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := ok
			c := OAuthConfig{External: &e}
			tc.mod(&c)
			if err := c.Validate(base); (err != nil) != tc.bad {
				t.Errorf("Validate = %v, want error %v", err, tc.bad)
			}
		})
	}
}

// TestExternalRefusedWhenNotConfigured: a JWT from an authorization
// server nobody configured is refused.
func TestExternalRefusedWhenNotConfigured(t *testing.T) {
	as := newTestAS(t)
	ts := startServer(t, testConfig{})
	resp := ts.do(t, "GET", "/credentials/urn:x", as.token(t, ts.url, map[string]any{"scope": ScopeRead}), nil)
	wantProblem(t, resp, 401, ProbUnauthenticated, "")
}

// FuzzAccessToken: any bearer token is answered without a panic, and only
// one signed by the server's key is accepted.
func FuzzAccessToken(f *testing.F) {
	dir := f.TempDir()
	o, err := newOAuth(context.Background(), Options{DataDir: dir, Now: time.Now, Rand: rand.Reader}, "https://badges.example")
	if err != nil {
		f.Fatal(err)
	}
	if _, _, err := o.clients.create("c", []string{ScopeRead}); err != nil {
		f.Fatal(err)
	}
	good, err := o.sign(o.clients.list()[0].ID, []string{ScopeRead})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2JhZGdlcy5leGFtcGxlIn0.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := o.authenticate(context.Background(), tok)
		if err == nil && tok != good {
			t.Errorf("accepted %q as %+v", tok, p)
		}
	})
}
