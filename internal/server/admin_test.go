package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/store"
)

func (ts *testServer) admin(token string) *AdminClient {
	return &AdminClient{BaseURL: ts.url, Token: token}
}

// wantClientProblem checks err is the problem of status, name and path.
func wantClientProblem(t *testing.T, err error, status int, name, path string) {
	t.Helper()
	var pe *ProblemError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want a problem %d %s", err, status, name)
	}
	if pe.Status != status || pe.Type != ProblemBase+name || pe.Path != path {
		t.Errorf("problem %+v, want %d %s at %q", pe.Problem, status, name, path)
	}
}

func TestAdminAPIKeys(t *testing.T) {
	ts := startServer(t, testConfig{})
	ctx := context.Background()
	ac := ts.admin(testAdminKey)
	k, err := ac.CreateAPIKey(ctx, KeyRequest{Name: "sis", Scopes: []string{ScopeIssue, ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.Secret, KeyPrefix) || k.ID == "" || k.SHA256 != "" || k.Name != "sis" {
		t.Fatalf("created %+v", k)
	}
	// The key works, for its scopes only.
	if resp := ts.do(t, "GET", "/credentials/urn:x", k.Secret, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("new key: %d %s", resp.StatusCode, resp.Body)
	}
	_, err = ts.admin(k.Secret).APIKeys(ctx)
	wantClientProblem(t, err, 403, ProbForbidden, "")

	// The list shows neither secrets nor hashes.
	resp := ts.do(t, "GET", "/admin/apikeys", testAdminKey, nil)
	if resp.StatusCode != 200 || strings.Contains(string(resp.Body), "sha256") || strings.Contains(string(resp.Body), k.Secret) {
		t.Fatalf("list: %d %s", resp.StatusCode, resp.Body)
	}
	keys, err := ac.APIKeys(ctx)
	if err != nil || len(keys) != 2 || keys[1].ID != k.ID || !keys[1].Active() {
		t.Fatalf("list %+v %v", keys, err)
	}

	if _, err := ac.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if resp := ts.do(t, "GET", "/credentials/urn:x", k.Secret, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d %s", resp.StatusCode, resp.Body)
	}
	if keys, _ := ac.APIKeys(ctx); keys[1].Active() {
		t.Errorf("revoked key listed as active: %+v", keys[1])
	}
	// Revoking again changes nothing; an unknown id is 404.
	if _, err := ac.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Errorf("revoking again: %v", err)
	}
	_, err = ac.RevokeAPIKey(ctx, "nope")
	wantClientProblem(t, err, 404, ProbNotFound, "")

	// The last admin key cannot go; once there is another, it can.
	first := keys[0].ID
	_, err = ac.RevokeAPIKey(ctx, first)
	wantClientProblem(t, err, 409, ProbConflict, "")
	second, err := ac.CreateAPIKey(ctx, KeyRequest{Scopes: []string{ScopeAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.admin(second.Secret).RevokeAPIKey(ctx, first); err != nil {
		t.Fatal(err)
	}
	_, err = ac.APIKeys(ctx)
	wantClientProblem(t, err, 401, ProbUnauthenticated, "")

	// The keys outlive a restart: the file holds them.
	ks, err := openKeyStore(ts.Server.opts.DataDir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := ks.lookup(second.Secret); !ok || got.ID != second.ID {
		t.Errorf("reloaded keys: %+v %v", got, ok)
	}
	if _, ok := ks.lookup(testAdminKey); ok {
		t.Error("revoked admin key authenticates after reload")
	}
}

func TestAdminRequestProblems(t *testing.T) {
	ts := startServer(t, testConfig{})
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		prob, at   string
	}{
		{"bad scope", "/admin/apikeys", map[string]any{"scopes": []string{ScopeRead, "root"}}, 400, ProbInvalidField, "scopes[1]"},
		{"no scope", "/admin/clients", map[string]any{"name": "x"}, 400, ProbInvalidField, "scopes"},
		{"scopes not a list", "/admin/apikeys", map[string]any{"scopes": "admin"}, 400, ProbInvalidField, "scopes"},
		{"unknown member", "/admin/apikeys", map[string]any{"scopes": []string{"admin"}, "expires": 3}, 400, ProbInvalidField, "expires"},
		{"not json", "/admin/apikeys", "{", 400, ProbMalformedBody, ""},
		{"status without reason", "/admin/credentials/status", map[string]any{"credentialId": "urn:x", "action": "revoke"}, 400, ProbInvalidField, "reason"},
		{"status with other action", "/admin/credentials/status", map[string]any{"credentialId": "urn:x", "action": "delete", "reason": "r"}, 400, ProbInvalidField, "action"},
		{"status of unknown credential", "/admin/credentials/status", map[string]any{"credentialId": "urn:x", "action": "revoke", "reason": "r"}, 404, ProbNotFound, "credentialId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, ts.do(t, "POST", tc.path, testAdminKey, tc.body), tc.status, tc.prob, tc.at)
		})
	}
	for _, tc := range []struct{ query, at string }{
		{"status=gone", "status"},
		{"limit=0", "limit"},
		{"issuedAfter=yesterday", "issuedAfter"},
		{"batch=1", "batch"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			wantProblem(t, ts.do(t, "GET", "/admin/credentials?"+tc.query, testAdminKey, nil), 400, ProbInvalidField, tc.at)
		})
	}
}

func TestAdminClients(t *testing.T) {
	ts := startServer(t, testConfig{})
	ctx := context.Background()
	ac := ts.admin(testAdminKey)
	c, err := ac.CreateClient(ctx, KeyRequest{Name: "lms", Scopes: []string{ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Secret, SecretPrefix) {
		t.Fatalf("client %+v", c)
	}
	tok := ts.accessToken(t, c, "")
	if resp := ts.do(t, "GET", "/credentials/urn:x", tok, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("token: %d %s", resp.StatusCode, resp.Body)
	}
	// A client secret is not an API key.
	if resp := ts.do(t, "GET", "/credentials/urn:x", c.Secret, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("secret as bearer: %d", resp.StatusCode)
	}
	cls, err := ac.Clients(ctx)
	if err != nil || len(cls) != 1 || cls[0].ID != c.ID {
		t.Fatalf("clients %+v %v", cls, err)
	}
	if _, err := ac.RevokeClient(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if resp := ts.do(t, "GET", "/credentials/urn:x", tok, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("token of a revoked client: %d", resp.StatusCode)
	}
	// Nor does it get new ones.
	resp := ts.tokenReq(t, map[string][]string{"grant_type": {"client_credentials"}}, c.ID, c.Secret)
	if a := decode[tokenAnswer](t, resp); resp.StatusCode != http.StatusUnauthorized || a.Error != "invalid_client" {
		t.Errorf("token for a revoked client: %d %s", resp.StatusCode, resp.Body)
	}
}

// FuzzAdminRequests: the admin API's request parsers answer any input
// with a value or a problem, never a panic, and a query's problem names
// the parameter at fault.
func FuzzAdminRequests(f *testing.F) {
	f.Add([]byte(`{"scopes":["admin"],"name":"x"}`), "status=revoked&limit=3")
	f.Add([]byte(`{"credentialId":"urn:x","action":"revoke","reason":"r"}`), "issuedAfter=2026-01-01T00:00:00Z")
	f.Add([]byte(`{"scopes":"admin"}`), "limit=-1&offset=x")
	f.Fuzz(func(t *testing.T, body []byte, query string) {
		var kr KeyRequest
		if err := decodeStrict(body, &kr); err == nil {
			_ = checkScopes("scopes", kr.Scopes)
		}
		var sc StatusChange
		_ = decodeStrict(body, &sc)
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		if _, err := recordFilter(q); err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || !q.Has(ae.path) {
				t.Errorf("recordFilter(%q) = %v, want a problem with a path", query, err)
			}
		}
	})
}

// TestAdminStatusAndRecords: the CLI's revoke, suspend, reinstate,
// status publish, status lists, list and show, over the admin API.
func TestAdminStatusAndRecords(t *testing.T) {
	// The clock moves on before publishing, so the lists signed again
	// differ from the ones signed before.
	var skew atomic.Int64
	ts := startServer(t, testConfig{suspension: true, now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	ctx := context.Background()
	ac := ts.admin(testAdminKey)
	vc := ts.issue(t, sampleCredential(t))
	other := ts.issue(t, sampleCredential(t))
	id, _ := vc["id"].(string)

	ch, err := ac.ChangeStatus(ctx, StatusChange{CredentialID: id, Action: ActionSuspend, Reason: "under review", Actor: "alice"})
	if err != nil || !ch.Changed || ch.State != store.Suspended {
		t.Fatalf("suspend: %+v %v", ch, err)
	}
	if code, _ := ts.verifyVC(t, vc); code != 400 {
		t.Errorf("verify while suspended: %d", code)
	}
	if ch, err = ac.ChangeStatus(ctx, StatusChange{CredentialID: id, Action: ActionReinstate, Reason: "cleared"}); err != nil || ch.State != store.Active {
		t.Fatalf("reinstate: %+v %v", ch, err)
	}
	if code, _ := ts.verifyVC(t, vc); code != 200 {
		t.Errorf("verify after reinstating: %d", code)
	}
	if _, err = ac.ChangeStatus(ctx, StatusChange{CredentialID: id, Action: ActionRevoke, Reason: "issued in error"}); err != nil {
		t.Fatal(err)
	}
	if code, _ := ts.verifyVC(t, vc); code != 400 {
		t.Errorf("verify after revoking: %d", code)
	}
	if ch, err = ac.ChangeStatus(ctx, StatusChange{CredentialID: id, Action: ActionRevoke, Reason: "again"}); err != nil || ch.Changed {
		t.Errorf("revoke again: %+v %v", ch, err)
	}
	_, err = ac.ChangeStatus(ctx, StatusChange{CredentialID: id, Action: ActionReinstate, Reason: "undo"})
	wantClientProblem(t, err, 409, ProbFinal, "action")

	d, err := ac.Record(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Record.State != store.Revoked || len(d.Events) != 3 || d.Events[0].Reason != "under review" || !strings.HasPrefix(d.Events[0].ClaimedActor, "alice via admin API (") {
		t.Errorf("record %+v", d)
	}

	recs, err := ac.Records(ctx, store.Filter{Status: store.Revoked})
	if err != nil || len(recs) != 1 || recs[0].ID != id {
		t.Errorf("revoked records %+v %v", recs, err)
	}
	if recs, err = ac.Records(ctx, store.Filter{}); err != nil || len(recs) != 2 || recs[1].ID != other["id"] {
		t.Errorf("records %+v %v", recs, err)
	}

	lists, err := ac.StatusLists(ctx)
	if err != nil || len(lists) != 2 {
		t.Fatalf("lists %+v %v", lists, err)
	}
	for _, l := range lists {
		if l.Issued != 2 {
			t.Errorf("list %s: %d issued, want 2", l.ID, l.Issued)
		}
	}
	before := get(t, lists[0].ID)
	skew.Store(int64(time.Hour))
	pubs, err := ac.Publish(ctx)
	if err != nil || len(pubs) != 2 || !pubs[0].Signed || !pubs[1].Signed {
		t.Fatalf("publish %+v %v", pubs, err)
	}
	after := get(t, lists[0].ID)
	if after.StatusCode != 200 || after.Header.Get("ETag") == before.Header.Get("ETag") {
		t.Errorf("the hosted list was not signed again: %d, ETag %s then %s", after.StatusCode, before.Header.Get("ETag"), after.Header.Get("ETag"))
	}
}

func TestAdminClientRefusesPlainHTTP(t *testing.T) {
	ac := &AdminClient{BaseURL: "http://badges.example", Token: "bsk_x"}
	if _, err := ac.APIKeys(context.Background()); !errors.Is(err, ErrInsecureServer) {
		t.Errorf("error %v, want ErrInsecureServer", err)
	}
}
