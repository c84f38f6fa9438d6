package verifier_test

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/verifier"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// fedKey is a federation entity's signing key with its kid.
type fedKey struct {
	kid  string
	priv ed25519.PrivateKey
}

func newFedKey(t testing.TB, kid string, seed byte) fedKey {
	t.Helper()
	return fedKey{kid: kid, priv: testkit.Ed25519(t, seed).Ed25519Private(t)}
}

// jwks is the JWK Set of k's public key.
func (k fedKey) jwks(t testing.TB) map[string]any {
	t.Helper()
	pk, err := jwk.Import(k.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	if err := pk.Set(jwk.KeyIDKey, k.kid); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(pk)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return map[string]any{"keys": []any{m}}
}

// statement signs an entity statement iss makes about sub with k, its
// jwks subjectKeys, expiring an hour after now; extra claims are merged in.
func statement(t testing.TB, k fedKey, iss, sub string, subjectKeys fedKey, extra map[string]any) string {
	t.Helper()
	claims := map[string]any{
		"iss": iss, "sub": sub, "iat": now.Add(-time.Hour).Unix(), "exp": now.Add(time.Hour).Unix(),
		"jwks": subjectKeys.jwks(t),
	}
	for n, v := range extra {
		claims[n] = v
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	for n, v := range map[string]string{jws.KeyIDKey: k.kid, jws.TypeKey: "entity-statement+jwt"} {
		if err := hdr.Set(n, v); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := jws.Sign(payload, jws.WithKey(jwa.EdDSA(), k.priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// fedServer serves entity statements beside the did:web document of a
// localhostServer, by path and query.
type fedServer struct {
	mu    sync.Mutex
	stmts map[string]string
	down  bool
}

func (f *fedServer) put(pathQuery, tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stmts[pathQuery] = tok
}

func serveFederation(ls *localhostServer, didDoc string) *fedServer {
	f := &fedServer{stmts: map[string]string{}}
	ls.handle(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == wellKnownPath {
			w.Header().Set("Content-Type", "application/did+json")
			fmt.Fprint(w, didDoc)
			return
		}
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		f.mu.Lock()
		tok, ok := f.stmts[key]
		down := f.down
		f.mu.Unlock()
		switch {
		case down:
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		case ok:
			w.Header().Set("Content-Type", "application/entity-statement+jwt")
			fmt.Fprint(w, tok)
		default:
			http.NotFound(w, r)
		}
	})
	return f
}

// TestFederationTrust resolves a did:web issuer through OpenID Federation
// trust chains of the shapes a registry serves, good and bad.
func TestFederationTrust(t *testing.T) {
	ta, mid, mid2, leaf, rogue := newFedKey(t, "ta-1", 61), newFedKey(t, "i-1", 62), newFedKey(t, "i2-1", 63), newFedKey(t, "leaf-1", 64), newFedKey(t, "ta-1", 65)
	credKey := newKey(t, 7)
	type chain struct {
		base, didWeb string
		taID, midID  string
		mid2ID       string
		put          func(path, tok string)
	}
	// ec is the entity configuration of id.
	ec := func(t *testing.T, k fedKey, id string, hints []string, md map[string]any) string {
		extra := map[string]any{"metadata": md}
		if hints != nil {
			extra["authority_hints"] = hints
		}
		return statement(t, k, id, id, k, extra)
	}
	fetchMD := func(id string) map[string]any {
		return map[string]any{"federation_entity": map[string]any{"federation_fetch_endpoint": id + "/fetch", "organization_name": id}}
	}
	leafMD := func(c chain) map[string]any {
		return map[string]any{
			"federation_entity": map[string]any{"organization_name": "Northern Polytechnic", "homepage_uri": "https://poly.example"},
			"openbadges_issuer": map[string]any{"dids": []string{c.didWeb}},
		}
	}
	// twoLevel: the leaf directly under the anchor.
	twoLevel := func(t *testing.T, c chain) {
		c.put("/.well-known/openid-federation", ec(t, leaf, c.base, []string{c.taID}, leafMD(c)))
		c.put("/ta/.well-known/openid-federation", ec(t, ta, c.taID, nil, fetchMD(c.taID)))
		c.put("/ta/fetch?sub="+urlQuery(c.base), statement(t, ta, c.taID, c.base, leaf, nil))
	}
	// threeLevel: the leaf under an intermediate under the anchor.
	threeLevel := func(t *testing.T, c chain) {
		c.put("/.well-known/openid-federation", ec(t, leaf, c.base, []string{c.midID}, leafMD(c)))
		c.put("/i1/.well-known/openid-federation", ec(t, mid, c.midID, []string{c.taID}, fetchMD(c.midID)))
		c.put("/i1/fetch?sub="+urlQuery(c.base), statement(t, mid, c.midID, c.base, leaf, nil))
		c.put("/ta/.well-known/openid-federation", ec(t, ta, c.taID, nil, fetchMD(c.taID)))
		c.put("/ta/fetch?sub="+urlQuery(c.midID), statement(t, ta, c.taID, c.midID, mid, nil))
	}
	crafted := func(alg string, sign func([]byte) []byte) func(*testing.T, chain) {
		return func(t *testing.T, c chain) {
			twoLevel(t, c)
			claims := map[string]any{"iss": c.taID, "sub": c.base, "iat": now.Add(-time.Hour).Unix(), "exp": now.Add(time.Hour).Unix(), "jwks": leaf.jwks(t)}
			c.put("/ta/fetch?sub="+urlQuery(c.base), testkit.CraftJWS(t, map[string]any{"alg": alg, "kid": "ta-1", "typ": "entity-statement+jwt"}, claims, sign))
		}
	}
	tests := []struct {
		name     string
		serve    func(*testing.T, chain)
		maxPath  int
		snapshot bool
		down     bool
		status   string
		reason   string
		chainLen int
	}{
		{name: "two levels", serve: twoLevel, status: verifier.Recognised, chainLen: 1},
		{name: "three levels", serve: threeLevel, status: verifier.Recognised, chainLen: 2},
		{name: "expired subordinate statement", serve: func(t *testing.T, c chain) {
			twoLevel(t, c)
			c.put("/ta/fetch?sub="+urlQuery(c.base), statement(t, ta, c.taID, c.base, leaf, map[string]any{"iat": now.Add(-48 * time.Hour).Unix(), "exp": now.Add(-24 * time.Hour).Unix()}))
		}, status: verifier.NotRecognised, reason: "exp: expired"},
		{name: "signed by a key the anchor does not hold", serve: func(t *testing.T, c chain) {
			twoLevel(t, c)
			c.put("/ta/fetch?sub="+urlQuery(c.base), statement(t, rogue, c.taID, c.base, leaf, nil))
		}, status: verifier.NotRecognised, reason: "signature"},
		{name: "leaf configuration signed by a key its superior does not state", serve: func(t *testing.T, c chain) {
			twoLevel(t, c)
			c.put("/ta/fetch?sub="+urlQuery(c.base), statement(t, ta, c.taID, c.base, mid, nil))
		}, status: verifier.NotRecognised, reason: "kid"},
		{name: "alg none", serve: crafted("none", nil), status: verifier.NotRecognised, reason: `"none"`},
		{name: "alg HS256", serve: crafted("HS256", func(in []byte) []byte {
			m := hmac.New(sha256.New, []byte(ta.priv.Public().(ed25519.PublicKey)))
			m.Write(in)
			return m.Sum(nil)
		}), status: verifier.NotRecognised, reason: `"HS256"`},
		{name: "loop", maxPath: 6, serve: func(t *testing.T, c chain) {
			c.put("/.well-known/openid-federation", ec(t, leaf, c.base, []string{c.midID}, leafMD(c)))
			c.put("/i1/.well-known/openid-federation", ec(t, mid, c.midID, []string{c.mid2ID}, fetchMD(c.midID)))
			c.put("/i1/fetch?sub="+urlQuery(c.base), statement(t, mid, c.midID, c.base, leaf, nil))
			c.put("/i1/fetch?sub="+urlQuery(c.mid2ID), statement(t, mid, c.midID, c.mid2ID, mid2, nil))
			c.put("/i2/.well-known/openid-federation", ec(t, mid2, c.mid2ID, []string{c.midID}, fetchMD(c.mid2ID)))
			c.put("/i2/fetch?sub="+urlQuery(c.midID), statement(t, mid2, c.mid2ID, c.midID, mid, nil))
		}, status: verifier.NotRecognised, reason: "loop"},
		{name: "path too long", maxPath: -1, serve: threeLevel, status: verifier.NotRecognised, reason: "longer than 0"},
		{name: "did not listed", serve: func(t *testing.T, c chain) {
			twoLevel(t, c)
			c.put("/.well-known/openid-federation", ec(t, leaf, c.base, []string{c.taID}, map[string]any{"openbadges_issuer": map[string]any{"dids": []string{"did:web:other.example"}}}))
		}, status: verifier.NotRecognised, reason: "under dids"},
		{name: "registry unreachable", serve: twoLevel, down: true, status: verifier.RegistryUnreachable, reason: "503"},
		{name: "snapshot offline", serve: threeLevel, snapshot: true, down: true, status: verifier.Recognised, chainLen: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := newLocalhostServer(t)
			fs := serveFederation(ls, controllerDoc(t, ls.did(), credKey))
			base := fmt.Sprintf("https://localhost:%d", ls.port)
			var snap []string
			c := chain{base: base, didWeb: ls.did(), taID: base + "/ta", midID: base + "/i1", mid2ID: base + "/i2",
				put: func(p, tok string) {
					fs.put(p, tok)
					snap = append(snap, tok)
				}}
			tt.serve(t, c)
			fs.mu.Lock()
			fs.down = tt.down
			fs.mu.Unlock()
			cfg := map[string]any{"name": "Polytechnic federation", "trustAnchor": c.taID, "jwks": ta.jwks(t)}
			if tt.maxPath != 0 {
				cfg["maxPathLength"] = max(tt.maxPath, 0)
			}
			if tt.snapshot {
				cfg["snapshot"] = "snap.json"
			}
			raw, _ := json.Marshal(map[string]any{"openidFederation": cfg})
			list, err := verifier.ParseTrustList("fed.json", raw)
			if err != nil {
				t.Fatal(err)
			}
			if tt.snapshot {
				if list.SnapshotFile() != "snap.json" {
					t.Fatalf("snapshot file %q", list.SnapshotFile())
				}
				sraw, _ := json.Marshal(map[string]any{"statements": snap})
				if err := list.LoadSnapshot(sraw); err != nil {
					t.Fatal(err)
				}
			}
			res, err := verifyWith(t, verifier.Options{HTTPClient: ls.client(10 * time.Second), Trust: []*verifier.TrustList{list}}, signedBy(t, ls.did(), credKey))
			if err != nil || res.Verdict != verifier.VerdictValid {
				t.Fatalf("credential: %v %v", res.Verdict, err)
			}
			rec := res.Recognition
			if rec == nil || rec.Status != tt.status || !strings.Contains(rec.Reason, tt.reason) || len(rec.Chain) != tt.chainLen {
				t.Fatalf("recognition %+v, want %q with reason containing %q and a chain of %d", rec, tt.status, tt.reason, tt.chainLen)
			}
			if tt.status == verifier.Recognised && (rec.Name != "Northern Polytechnic" || rec.Chain[len(rec.Chain)-1] != c.taID) {
				t.Errorf("recognised as %+v", rec)
			}
		})
	}
}

// TestFederationCache proves a second verification reads no statement
// again while they are fresh.
func TestFederationCache(t *testing.T) {
	ta, leaf := newFedKey(t, "ta-1", 61), newFedKey(t, "leaf-1", 64)
	credKey := newKey(t, 7)
	ls := newLocalhostServer(t)
	fs := serveFederation(ls, controllerDoc(t, ls.did(), credKey))
	base := fmt.Sprintf("https://localhost:%d", ls.port)
	taID := base + "/ta"
	fs.put("/.well-known/openid-federation", statement(t, leaf, base, base, leaf, map[string]any{"authority_hints": []string{taID},
		"metadata": map[string]any{"openbadges_issuer": map[string]any{"dids": []string{ls.did()}}}}))
	fs.put("/ta/.well-known/openid-federation", statement(t, ta, taID, taID, ta, map[string]any{"metadata": map[string]any{"federation_entity": map[string]any{"federation_fetch_endpoint": taID + "/fetch"}}}))
	fs.put("/ta/fetch?sub="+urlQuery(base), statement(t, ta, taID, base, leaf, nil))
	raw, _ := json.Marshal(map[string]any{"openidFederation": map[string]any{"trustAnchor": taID, "jwks": ta.jwks(t)}})
	list, err := verifier.ParseTrustList("fed.json", raw)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: ls.client(10 * time.Second), Trust: []*verifier.TrustList{list}})
	if err != nil {
		t.Fatal(err)
	}
	cred := signedBy(t, ls.did(), credKey)
	for i := range 2 {
		res, err := v.Verify(context.Background(), cred)
		if err != nil || res.Recognition == nil || res.Recognition.Status != verifier.Recognised {
			t.Fatalf("run %d: %+v %v", i, res.Recognition, err)
		}
	}
	if n := ls.hitCount("/ta/fetch"); n != 1 {
		t.Errorf("subordinate statement fetched %d times, want 1", n)
	}
}

// TestFederationConfig refuses configurations that cannot be used.
func TestFederationConfig(t *testing.T) {
	ta := newFedKey(t, "ta-1", 61)
	keys, _ := json.Marshal(ta.jwks(t))
	tests := []struct{ name, cfg string }{
		{"http anchor", `{"trustAnchor": "http://ta.example", "jwks": ` + string(keys) + `}`},
		{"no keys", `{"trustAnchor": "https://ta.example"}`},
		{"hmac key", `{"trustAnchor": "https://ta.example", "jwks": {"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]}}`},
		{"path length", `{"trustAnchor": "https://ta.example", "maxPathLength": 99, "jwks": ` + string(keys) + `}`},
		{"with a registry", `{"trustAnchor": "https://ta.example", "jwks": ` + string(keys) + `}, "registry": {}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := verifier.ParseTrustList("f", []byte(`{"openidFederation": `+tt.cfg+`}`)); err == nil {
				t.Error("accepted")
			}
		})
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "ok.json")
	if err := os.WriteFile(p, []byte(`{"openidFederation": {"trustAnchor": "https://ta.example", "jwks": `+string(keys)+`}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	l, err := verifier.ParseTrustList(p, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.LoadSnapshot([]byte(`{"statements": ["a.b.c"]}`)); err == nil {
		t.Error("snapshot of garbage accepted")
	}
}

func urlQuery(s string) string {
	return strings.NewReplacer(":", "%3A", "/", "%2F").Replace(s)
}

// TestFederationFanOutBound: a registry whose every entity names four
// fresh superiors, none of them the anchor, costs a bounded number of
// fetches, and the issuer is not recognised.
func TestFederationFanOutBound(t *testing.T) {
	ta, k := newFedKey(t, "ta-1", 61), newFedKey(t, "e-1", 62)
	credKey := newKey(t, 7)
	ls := newLocalhostServer(t)
	base := fmt.Sprintf("https://localhost:%d", ls.port)
	doc := controllerDoc(t, ls.did(), credKey)
	var mu sync.Mutex
	hits := 0
	hints := func(n int) []string {
		return []string{fmt.Sprintf("%s/e/%d", base, 4*n+1), fmt.Sprintf("%s/e/%d", base, 4*n+2), fmt.Sprintf("%s/e/%d", base, 4*n+3), fmt.Sprintf("%s/e/%d", base, 4*n+4)}
	}
	ls.handle(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == wellKnownPath {
			fmt.Fprint(w, doc)
			return
		}
		mu.Lock()
		hits++
		mu.Unlock()
		var n int
		var rest string
		switch {
		case r.URL.Path == "/.well-known/openid-federation":
			fmt.Fprint(w, statement(t, k, base, base, k, map[string]any{"authority_hints": hints(0),
				"metadata": map[string]any{"openbadges_issuer": map[string]any{"dids": []string{ls.did()}}}}))
		case func() bool { _, err := fmt.Sscanf(r.URL.Path, "/e/%d/%s", &n, &rest); return err == nil }():
			id := fmt.Sprintf("%s/e/%d", base, n)
			if rest == "fetch" {
				fmt.Fprint(w, statement(t, k, id, r.URL.Query().Get("sub"), k, nil))
				return
			}
			fmt.Fprint(w, statement(t, k, id, id, k, map[string]any{"authority_hints": hints(n),
				"metadata": map[string]any{"federation_entity": map[string]any{"federation_fetch_endpoint": id + "/fetch"}}}))
		default:
			http.NotFound(w, r)
		}
	})
	raw, _ := json.Marshal(map[string]any{"openidFederation": map[string]any{"trustAnchor": base + "/ta", "jwks": ta.jwks(t), "maxPathLength": 8}})
	list, err := verifier.ParseTrustList("fed.json", raw)
	if err != nil {
		t.Fatal(err)
	}
	res, err := verifyWith(t, verifier.Options{HTTPClient: ls.client(10 * time.Second), Trust: []*verifier.TrustList{list}}, signedBy(t, ls.did(), credKey))
	if err != nil || res.Recognition == nil || res.Recognition.Status != verifier.NotRecognised {
		t.Fatalf("recognition %+v, %v", res.Recognition, err)
	}
	if hits > 64 {
		t.Errorf("%d statements fetched for one issuer, want at most 64", hits)
	}
	t.Logf("%d fetches: %s", hits, res.Recognition.Reason)
}
