package server

import (
	"bytes"
	"context"
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

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/verifier"
)

func readTestdata(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// sampleCredential is an unsigned OB 3.0 credential as a VC-API client
// sends it: no issuer, id, proof or status.
func sampleCredential(t *testing.T) map[string]any {
	t.Helper()
	subject := readTestdata(t, "subject.json")
	subject["achievement"] = readTestdata(t, "achievement.json")
	return map[string]any{
		"@context": []any{
			"https://www.w3.org/ns/credentials/v2",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
			"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
		},
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              "Applied Data Analysis",
		"credentialSubject": subject,
		"credentialSchema": []any{map[string]any{
			"id":   issuer.AchievementCredentialSchema,
			"type": "1EdTechJsonSchemaValidator2019",
		}},
	}
}

// issued is a POST /credentials/issue answer.
type issued struct {
	VerifiableCredential map[string]any `json:"verifiableCredential"`
}

func (ts *testServer) issue(t *testing.T, cred map[string]any) map[string]any {
	t.Helper()
	resp := ts.do(t, "POST", "/credentials/issue", testAdminKey, map[string]any{"credential": cred, "options": map[string]any{}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("issue: status %d: %s", resp.StatusCode, resp.Body)
	}
	return decode[issued](t, resp).VerifiableCredential
}

func (ts *testServer) verifyVC(t *testing.T, vc any) (int, VerifyResponse) {
	t.Helper()
	resp := ts.do(t, "POST", "/credentials/verify", "", map[string]any{"verifiableCredential": vc})
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("verify answered %s", ct)
	}
	return resp.StatusCode, decode[VerifyResponse](t, resp)
}

func (ts *testServer) setStatus(t *testing.T, id, purpose string, set bool) fetched {
	t.Helper()
	return ts.do(t, "POST", "/credentials/status", testAdminKey, map[string]any{
		"credentialId":     id,
		"credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": purpose},
		"status":           set,
	})
}

// listURL returns the statusListCredential of the credential's entry.
func listURL(t *testing.T, vc map[string]any) string {
	t.Helper()
	cs, ok := vc["credentialStatus"].(map[string]any)
	if !ok {
		t.Fatalf("credentialStatus %v", vc["credentialStatus"])
	}
	u, _ := cs["statusListCredential"].(string)
	return u
}

func get(t *testing.T, u string, hdr ...string) fetched {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
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
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fetched{resp.StatusCode, resp.Header, body}
}

// TestIssueVerifyRevoke is the whole life of a credential over HTTP: issue,
// verify, read the record, fetch the hosted list, revoke, and see the
// revocation both through the verify endpoint and through the hosted list
// read by the verifier library.
func TestIssueVerifyRevoke(t *testing.T) {
	ts := startServer(t, testConfig{basePath: "/vc"})
	vc := ts.issue(t, sampleCredential(t))
	id, _ := vc["id"].(string)
	if !strings.HasPrefix(id, "urn:uuid:") || vc["proof"] == nil {
		t.Fatalf("issued credential without id or proof: %v", vc)
	}
	if iss, _ := vc["issuer"].(map[string]any); iss["id"] != ts.signer.Identity().ID || iss["name"] != "Test University" {
		t.Errorf("issuer %v", vc["issuer"])
	}
	lu := listURL(t, vc)
	if !strings.HasPrefix(lu, ts.url+"/status/revocation-") {
		t.Fatalf("statusListCredential %q is not under the public base URL %s", lu, ts.url)
	}

	code, vr := ts.verifyVC(t, vc)
	if code != http.StatusOK || !vr.Verified || vr.Verdict != verifier.VerdictValid || vr.CredentialID != id || len(vr.Results) == 0 {
		t.Fatalf("verify: %d %+v", code, vr)
	}

	resp := ts.do(t, "GET", "/credentials/"+url.PathEscape(id), testAdminKey, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET credential: %d", resp.StatusCode)
	}
	rec := decode[struct {
		State                store.State    `json:"state"`
		VerifiableCredential map[string]any `json:"verifiableCredential"`
	}](t, resp)
	if rec.State != store.Active || rec.VerifiableCredential["id"] != id {
		t.Errorf("GET credential: %+v", rec)
	}

	// The hosted list: ttl 5 minutes, valid 30 days, so max-age 300.
	f := get(t, lu)
	etag := f.Header.Get("ETag")
	if f.StatusCode != http.StatusOK || f.Header.Get("Cache-Control") != "public, max-age=300" || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("list: %d, Cache-Control %q, ETag %q", f.StatusCode, f.Header.Get("Cache-Control"), etag)
	}
	first := f.Body
	if f = get(t, lu, "If-None-Match", etag); f.StatusCode != http.StatusNotModified || len(f.Body) != 0 {
		t.Fatalf("If-None-Match with the ETag: %d, want 304", f.StatusCode)
	}
	if f = get(t, lu, "If-None-Match", `"other"`); f.StatusCode != http.StatusOK {
		t.Fatalf("If-None-Match with another ETag: %d, want 200", f.StatusCode)
	}
	// The same bytes until the list changes.
	if again := get(t, lu).Body; !bytes.Equal(first, again) {
		t.Error("the list was signed again without a change")
	}

	// The verifier library, fetching the hosted list over loopback.
	lib, err := verifier.New(verifier.Options{HTTPClient: &http.Client{Timeout: 30 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	vcJSON, _ := json.Marshal(vc)
	if res, err := lib.Verify(context.Background(), vcJSON); err != nil || res.Verdict != verifier.VerdictValid {
		t.Fatalf("library before revocation: %v %+v", err, res)
	}

	resp = ts.setStatus(t, id, "revocation", true)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d %s", resp.StatusCode, resp.Body)
	}
	if st := decode[map[string]any](t, resp)["state"]; st != string(store.Revoked) {
		t.Errorf("state after revoke %v", st)
	}

	if f = get(t, lu, "If-None-Match", etag); f.StatusCode != http.StatusOK || f.Header.Get("ETag") == etag {
		t.Fatalf("the list after revocation: %d, ETag %q (was %q)", f.StatusCode, f.Header.Get("ETag"), etag)
	}
	code, vr = ts.verifyVC(t, vc)
	if code != http.StatusBadRequest || vr.Verified || vr.Verdict != verifier.VerdictInvalid || vr.Decision != verifier.CheckStatus ||
		len(vr.ProblemDetails) == 0 || vr.ProblemDetails[0].Type != ProblemBase+"invalid-status" {
		t.Fatalf("verify after revocation: %d %+v", code, vr)
	}
	lib, err = verifier.New(verifier.Options{HTTPClient: &http.Client{Timeout: 30 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := lib.Verify(context.Background(), vcJSON); res.Verdict != verifier.VerdictInvalid || res.Decision != verifier.CheckStatus {
		t.Fatalf("library after revocation: %+v", res)
	}
}

func TestIssueRefusals(t *testing.T) {
	ts := startServer(t, testConfig{})
	with := func(f func(c map[string]any)) map[string]any {
		c := sampleCredential(t)
		f(c)
		return map[string]any{"credential": c}
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		prob   string
		path   string
	}{
		{"not json", "{", 400, ProbMalformedBody, ""},
		{"trailing data", `{"credential":{}} {}`, 400, ProbMalformedBody, ""},
		{"no credential", map[string]any{"options": map[string]any{}}, 400, ProbInvalidField, "credential"},
		{"credential not an object", map[string]any{"credential": "x"}, 400, ProbInvalidField, "credential"},
		{"unknown member", map[string]any{"credential": map[string]any{}, "extra": 1}, 400, ProbUnsupported, "extra"},
		{"unsupported option", map[string]any{"credential": sampleCredential(t), "options": map[string]any{"mandatoryPointers": []any{}}}, 400, ProbUnsupported, "options.mandatoryPointers"},
		{"proof present", with(func(c map[string]any) { c["proof"] = map[string]any{} }), 400, ProbInvalidField, "credential.proof"},
		{"status present", with(func(c map[string]any) { c["credentialStatus"] = map[string]any{} }), 400, ProbInvalidField, "credential.credentialStatus"},
		{"another issuer", with(func(c map[string]any) { c["issuer"] = "did:example:someone-else" }), 400, ProbInvalidField, "credential.issuer"},
		{"another issuer profile", with(func(c map[string]any) { c["issuer"] = map[string]any{"id": "did:example:x"} }), 400, ProbInvalidField, "credential.issuer.id"},
		{"not an open badge", with(func(c map[string]any) { c["type"] = []any{"VerifiableCredential"} }), 400, ProbUnsupported, "credential.type"},
		{"empty id", with(func(c map[string]any) { c["id"] = "" }), 400, ProbInvalidField, "credential.id"},
		{"schema", with(func(c map[string]any) {
			delete(c["credentialSubject"].(map[string]any)["achievement"].(map[string]any), "criteria")
		}), 400, ProbInvalidField, "credential.credentialSubject.achievement.criteria"},
		{"result refused", with(func(c map[string]any) {
			c["credentialSubject"].(map[string]any)["result"].([]any)[0].(map[string]any)["value"] = "F"
		}), 400, ProbInvalidField, "credential.credentialSubject.result[0].value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := ts.do(t, "POST", "/credentials/issue", testAdminKey, tc.body)
			p := wantProblem(t, resp, tc.status, tc.prob, tc.path)
			if p.Detail == "" {
				t.Error("problem without detail")
			}
		})
	}
	// Nothing was recorded.
	recs, err := ts.store.ListCredentials(context.Background(), store.Filter{})
	if err != nil || len(recs) != 0 {
		t.Errorf("%d records after refusals (%v)", len(recs), err)
	}
}

func TestIssueIdempotentRetry(t *testing.T) {
	ts := startServer(t, testConfig{})
	cred := sampleCredential(t)
	cred["id"] = "urn:uuid:0b6f5b6e-6a4c-4c4e-9d8c-1d6f7c2e9a01"
	first := ts.issue(t, cred)
	second := ts.issue(t, cred)
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if !bytes.Equal(a, b) {
		t.Fatalf("a retry signed again:\n%s\n%s", a, b)
	}
	recs, err := ts.store.ListCredentials(context.Background(), store.Filter{})
	if err != nil || len(recs) != 1 || recs[0].Undelivered {
		t.Fatalf("records %+v (%v), want one, delivered", recs, err)
	}
	other := sampleCredential(t)
	other["id"] = cred["id"]
	other["name"] = "Something else"
	resp := ts.do(t, "POST", "/credentials/issue", testAdminKey, map[string]any{"credential": other})
	wantProblem(t, resp, http.StatusConflict, ProbConflict, "credential.id")
}

func TestVerifyOutcomes(t *testing.T) {
	ts := startServer(t, testConfig{})
	vc := ts.issue(t, sampleCredential(t))
	tampered := map[string]any{}
	for k, v := range vc {
		tampered[k] = v
	}
	tampered["name"] = "Forged Degree"
	for _, tc := range []struct {
		name     string
		vc       any
		status   int
		verified bool
		verdict  verifier.Verdict
	}{
		{"valid", vc, 200, true, verifier.VerdictValid},
		{"tampered", tampered, 400, false, verifier.VerdictInvalid},
		{"not a credential", map[string]any{"foo": 1}, 400, false, verifier.VerdictInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, vr := ts.verifyVC(t, tc.vc)
			if code != tc.status || vr.Verified != tc.verified || vr.Verdict != tc.verdict {
				t.Fatalf("%d %+v, want %d verified %v %s", code, vr, tc.status, tc.verified, tc.verdict)
			}
			if !tc.verified && (len(vr.ProblemDetails) == 0 || !strings.HasPrefix(vr.ProblemDetails[0].Type, ProblemBase+ProbInvalidCred+"-")) {
				t.Errorf("problemDetails %+v", vr.ProblemDetails)
			}
		})
	}
	for _, tc := range []struct {
		name string
		body any
		prob string
		path string
	}{
		{"no credential", map[string]any{}, ProbInvalidField, "verifiableCredential"},
		{"credential not an object", map[string]any{"verifiableCredential": "eyJ"}, ProbInvalidField, "verifiableCredential"},
		{"enveloped, not a JWT", map[string]any{"verifiableCredential": map[string]any{"type": "EnvelopedVerifiableCredential", "id": "data:text/plain,x"}}, ProbUnsupported, "verifiableCredential.id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, ts.do(t, "POST", "/credentials/verify", "", tc.body), http.StatusBadRequest, tc.prob, tc.path)
		})
	}
}

func TestEnvelopedJWT(t *testing.T) {
	ts := startServer(t, testConfig{format: issuer.JOSE})
	vc := ts.issue(t, sampleCredential(t))
	id, _ := vc["id"].(string)
	if vc["type"] != "EnvelopedVerifiableCredential" || !strings.HasPrefix(id, envelopedJWTPrefix) {
		t.Fatalf("issued %v, want an EnvelopedVerifiableCredential", vc)
	}
	code, vr := ts.verifyVC(t, vc)
	if code != http.StatusOK || !vr.Verified {
		t.Fatalf("verify: %d %+v", code, vr)
	}
	// A flipped signature character makes it invalid, not a server error.
	bad := map[string]any{"type": "EnvelopedVerifiableCredential", "id": id[:len(id)-3] + "AAA"}
	if code, vr := ts.verifyVC(t, bad); code != http.StatusBadRequest || vr.Verified {
		t.Fatalf("tampered JWT: %d %+v", code, vr)
	}
}

func TestStatusUpdates(t *testing.T) {
	ts := startServer(t, testConfig{suspension: true})
	vc := ts.issue(t, sampleCredential(t))
	id, _ := vc["id"].(string)
	state := func(resp fetched) any {
		t.Helper()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		return decode[map[string]any](t, resp)["state"]
	}
	if st := state(ts.setStatus(t, id, "suspension", true)); st != "suspended" {
		t.Errorf("after suspend: %v", st)
	}
	if code, vr := ts.verifyVC(t, vc); code != 400 || vr.Verdict != verifier.VerdictInvalid {
		t.Errorf("verify while suspended: %d %+v", code, vr)
	}
	if st := state(ts.setStatus(t, id, "suspension", false)); st != "active" {
		t.Errorf("after lifting: %v", st)
	}
	if code, vr := ts.verifyVC(t, vc); code != 200 || !vr.Verified {
		t.Errorf("verify after lifting: %d %+v", code, vr)
	}
	wantProblem(t, ts.setStatus(t, id, "revocation", false), http.StatusBadRequest, ProbFinal, "status")
	if st := state(ts.setStatus(t, id, "revocation", true)); st != "revoked" {
		t.Errorf("after revoke: %v", st)
	}
	wantProblem(t, ts.setStatus(t, id, "suspension", false), http.StatusConflict, ProbFinal, "status")
	wantProblem(t, ts.setStatus(t, "urn:uuid:unknown", "revocation", true), http.StatusNotFound, ProbNotFound, "credentialId")
	for _, tc := range []struct {
		name string
		body any
		prob string
		path string
	}{
		{"no status", map[string]any{"credentialId": id, "credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}}, ProbInvalidField, "status"},
		{"status not boolean", map[string]any{"credentialId": id, "credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}, "status": "yes"}, ProbInvalidField, "status"},
		{"other entry type", map[string]any{"credentialId": id, "credentialStatus": map[string]any{"type": "StatusList2021Entry", "statusPurpose": "revocation"}, "status": true}, ProbUnsupported, "credentialStatus.type"},
		{"other purpose", map[string]any{"credentialId": id, "credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "message"}, "status": true}, ProbInvalidField, "credentialStatus.statusPurpose"},
		{"no id", map[string]any{"credentialStatus": map[string]any{}, "status": true}, ProbInvalidField, "credentialId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, ts.do(t, "POST", "/credentials/status", testAdminKey, tc.body), http.StatusBadRequest, tc.prob, tc.path)
		})
	}
}

func TestStatusWithoutSuspensionEntry(t *testing.T) {
	ts := startServer(t, testConfig{})
	vc := ts.issue(t, sampleCredential(t))
	id, _ := vc["id"].(string)
	wantProblem(t, ts.setStatus(t, id, "suspension", true), http.StatusBadRequest, ProbInvalidField, "credentialStatus.statusPurpose")
}

func TestNoStatus(t *testing.T) {
	ts := startServer(t, testConfig{noStatus: true})
	vc := ts.issue(t, sampleCredential(t))
	if _, ok := vc["credentialStatus"]; ok {
		t.Fatalf("credentialStatus without a status base URL: %v", vc["credentialStatus"])
	}
	if code, vr := ts.verifyVC(t, vc); code != 200 || !vr.Verified {
		t.Fatalf("verify: %d %+v", code, vr)
	}
}

func TestMaxAge(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		ttl        time.Duration
		hasTTL     bool
		validUntil time.Time
		want       int64
	}{
		{"ttl", 5 * time.Minute, true, now.Add(30 * 24 * time.Hour), 300},
		{"ttl in milliseconds rounds down", 1999 * time.Millisecond, true, now.Add(time.Hour), 1},
		{"capped by validUntil", time.Hour, true, now.Add(90*time.Second + 500*time.Millisecond), 90},
		{"past validUntil", time.Hour, true, now.Add(-time.Second), 0},
		{"no ttl", 0, false, now.Add(time.Hour), 0},
		{"no validUntil", 10 * time.Second, true, time.Time{}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := maxAge(&hostedList{ttl: tc.ttl, hasTTL: tc.hasTTL, validUntil: tc.validUntil}, now); got != tc.want {
				t.Errorf("maxAge %d, want %d", got, tc.want)
			}
		})
	}
}

// TestListMaxAgeNearValidUntil runs the cap through the server with lists
// valid for 100 s (ttl 300 s): max-age is the time left, the same list is
// served until a quarter of its validity is left, and then it is signed
// again.
func TestListMaxAgeNearValidUntil(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().Unix())
	now := func() time.Time { return time.Unix(clock.Load(), 0).UTC() }
	ts := startServer(t, testConfig{now: now, statusValidity: 100 * time.Second})
	lu := listURL(t, ts.issue(t, sampleCredential(t)))
	f := get(t, lu)
	etag := f.Header.Get("ETag")
	if cc := f.Header.Get("Cache-Control"); cc != "public, max-age=100" {
		t.Fatalf("fresh list: Cache-Control %q, want max-age=100", cc)
	}
	clock.Add(50)
	f = get(t, lu)
	if cc := f.Header.Get("Cache-Control"); cc != "public, max-age=50" || f.Header.Get("ETag") != etag {
		t.Fatalf("50 s later: Cache-Control %q, ETag %q (was %q)", cc, f.Header.Get("ETag"), etag)
	}
	clock.Add(30)
	f = get(t, lu)
	if cc := f.Header.Get("Cache-Control"); cc != "public, max-age=100" || f.Header.Get("ETag") == etag {
		t.Fatalf("20 s before validUntil: Cache-Control %q, ETag %q; want the list signed again", cc, f.Header.Get("ETag"))
	}
}

func TestDIDDocumentHosted(t *testing.T) {
	dir := t.TempDir()
	ring, err := keys.OpenRing(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Generate("registrar", keys.Ed25519); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Key: "registrar", Keyring: ring.Dir(), DIDWeb: "localhost:8443", PublicBaseURL: "https://localhost:8443", AdminKey: testAdminKey}
	cfg = cfg.Defaults(filepath.Join(dir, "issued.db"), "")
	srv, closeStore, err := Open(context.Background(), cfg, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "https://localhost:8443/.well-known/did.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("did.json: %d %s", rec.Code, rec.Body)
	}
	doc, err := did.ParseDocument(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if doc.ID != "did:web:localhost%3A8443" || len(doc.AssertionMethod) != 1 {
		t.Errorf("document %+v", doc)
	}
	if srv.opts.IssuerID != doc.ID {
		t.Errorf("the server issues as %s, its document is %s", srv.opts.IssuerID, doc.ID)
	}
	etag := rec.Header().Get("ETag")
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "https://localhost:8443/.well-known/did.json", nil)
	req.Header.Set("If-None-Match", etag)
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
	// A second Open while the first holds the store fails, not hangs forever.
	if _, _, err := Open(context.Background(), cfg, io.Discard, nil); err == nil || errors.Is(err, ErrConfig) {
		t.Errorf("second Open: %v, want the store's lock error", err)
	}
}
func TestBodyLimit(t *testing.T) {
	ts := startServer(t, testConfig{})
	big := `{"verifiableCredential":{"x":"` + strings.Repeat("a", DefaultMaxBodyBytes) + `"}}`
	resp := ts.do(t, "POST", "/credentials/verify", "", big)
	wantProblem(t, resp, http.StatusRequestEntityTooLarge, ProbBodyTooLarge, "")
}

func TestAuthRefusals(t *testing.T) {
	ts := startServer(t, testConfig{})
	readOnly := ts.addKey(t, ScopeRead)
	for _, tc := range []struct {
		name, method, path, key string
		status                  int
		prob                    string
	}{
		{"issue without key", "POST", "/credentials/issue", "", 401, ProbUnauthenticated},
		{"issue with unknown key", "POST", "/credentials/issue", "bsk_nope", 401, ProbUnauthenticated},
		{"issue with read scope", "POST", "/credentials/issue", readOnly, 403, ProbForbidden},
		{"status without key", "POST", "/credentials/status", "", 401, ProbUnauthenticated},
		{"status with read scope", "POST", "/credentials/status", readOnly, 403, ProbForbidden},
		{"read without key", "GET", "/credentials/urn:uuid:x", "", 401, ProbUnauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := ts.do(t, tc.method, tc.path, tc.key, "{}")
			wantProblem(t, resp, tc.status, tc.prob, "")
			if tc.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

// TestIssueIDRecordedElsewhere: a credential the CLI (here the library)
// recorded in the store has no document kept by the server: GET shows the
// record without one, and issuing the same id is refused whatever the
// request.
func TestIssueIDRecordedElsewhere(t *testing.T) {
	ts := startServer(t, testConfig{})
	const id = "urn:uuid:5d1c8a3e-2f47-4b6a-8e19-7c3d2a1b0f99"
	ctx := context.Background()
	if _, err := ts.opts.Issuer.Deliver(ctx, issuer.Request{
		ID:          id,
		Achievement: readTestdata(t, "achievement.json"),
		Subject:     readTestdata(t, "subject.json"),
	}, func(*issuer.Credential) error { return nil }); err != nil {
		t.Fatal(err)
	}
	resp := ts.do(t, "GET", "/credentials/"+url.PathEscape(id), testAdminKey, nil)
	got := decode[map[string]any](t, resp)
	if resp.StatusCode != http.StatusOK || got["state"] != "active" || got["verifiableCredential"] != nil {
		t.Fatalf("GET: %d %v", resp.StatusCode, got)
	}
	// A document file that is not the recorded credential is not taken
	// for it.
	if err := ts.docs.put(storedDoc{ID: id, Format: store.FormatDI, Signed: "{}"}); err != nil {
		t.Fatal(err)
	}
	if got := decode[map[string]any](t, ts.do(t, "GET", "/credentials/"+url.PathEscape(id), testAdminKey, nil)); got["verifiableCredential"] != nil {
		t.Errorf("a stray document was served as the credential: %v", got)
	}
	cred := sampleCredential(t)
	cred["id"] = id
	wantProblem(t, ts.do(t, "POST", "/credentials/issue", testAdminKey, map[string]any{"credential": cred}), http.StatusConflict, ProbConflict, "credential.id")
	wantProblem(t, ts.do(t, "GET", "/credentials/urn:uuid:nothing", testAdminKey, nil), http.StatusNotFound, ProbNotFound, "")
}

// TestIssueConcurrentRetries: the same request sent many times at once
// signs once; every answer is that credential.
func TestIssueConcurrentRetries(t *testing.T) {
	ts := startServer(t, testConfig{})
	cred := sampleCredential(t)
	// An https id: GET /credentials/{id} takes it percent-encoded.
	const id = "https://example.edu/credentials/42?x=1"
	cred["id"] = id
	body, err := json.Marshal(map[string]any{"credential": cred})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	answers := make(chan []byte, n)
	for range n {
		go func() {
			req, _ := http.NewRequest("POST", ts.url+"/credentials/issue", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testAdminKey)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answers <- nil
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusCreated {
				b = append([]byte(resp.Status+" "), b...)
			}
			answers <- b
		}()
	}
	first := <-answers
	for range n - 1 {
		if b := <-answers; !bytes.Equal(b, first) {
			t.Fatalf("answers differ:\n%s\n%s", first, b)
		}
	}
	recs, err := ts.store.ListCredentials(context.Background(), store.Filter{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d records (%v), want 1", len(recs), err)
	}
	resp := ts.do(t, "GET", "/credentials/"+url.PathEscape(id), testAdminKey, nil)
	if got := decode[map[string]any](t, resp); resp.StatusCode != http.StatusOK || got["id"] != id || got["verifiableCredential"] == nil {
		t.Fatalf("GET %s: %d %v", id, resp.StatusCode, got)
	}
}

// TestNewListSeenByVerify: a list the issuer makes after the verifier
// first looked in the status directory is read from there at once, not
// fetched over the network (which the open verify endpoint's client
// refuses for loopback).
func TestNewListSeenByVerify(t *testing.T) {
	ts := startServer(t, testConfig{})
	// Issued by the library into the same store: its list exists in the
	// store, but nothing has signed it yet.
	early, err := ts.opts.Issuer.Issue(context.Background(), issuer.Request{
		Achievement: readTestdata(t, "achievement.json"),
		Subject:     readTestdata(t, "subject.json"),
	})
	if err != nil {
		t.Fatal(err)
	}
	code, vr := ts.verifyVC(t, early.Document)
	if code != http.StatusBadRequest || vr.Verified || vr.Verdict != verifier.VerdictCouldNotCheck || vr.Decision != verifier.CheckStatus {
		t.Fatalf("before its list is signed: %d %+v, want could not check", code, vr)
	}
	// The reason: the list could not be fetched (the open endpoint's
	// guarded client refuses plain http and loopback).
	if len(vr.ProblemDetails) == 0 || vr.ProblemDetails[0].Type != ProblemBase+"could-not-check-status" || vr.ProblemDetails[0].Detail == "" {
		t.Errorf("problemDetails %+v", vr.ProblemDetails)
	}
	if d := vr.ProblemDetails[0].Detail; !strings.Contains(d, "not allowed") {
		t.Errorf("reason %q: want the guarded client's refusal", d)
	}
	vc := ts.issue(t, sampleCredential(t))
	if listURL(t, vc) != listURL(t, early.Document) {
		t.Fatalf("the two credentials use different lists")
	}
	if code, vr := ts.verifyVC(t, vc); code != http.StatusOK || !vr.Verified {
		t.Fatalf("after its list is signed: %d %+v", code, vr)
	}
}

// TestURLsFromPublicBaseURL: a request's Host header never makes its way
// into what the server writes.
func TestURLsFromPublicBaseURL(t *testing.T) {
	ts := startServer(t, testConfig{basePath: "/badges"})
	body, err := json.Marshal(map[string]any{"credential": sampleCredential(t)})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", ts.url+"/credentials/issue", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "attacker.example"
	req.Header.Set("X-Forwarded-Host", "attacker.example")
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || bytes.Contains(data, []byte("attacker")) {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	var out issued
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, ts.url+"/credentials/") {
		t.Errorf("Location %q", loc)
	}
	if lu := listURL(t, out.VerifiableCredential); !strings.HasPrefix(lu, ts.url+"/status/") {
		t.Errorf("statusListCredential %q", lu)
	}
}

// TestVerifyValidWithWarnings: a plain VC (not an Open Badge) is valid
// with a warning; verified is true and the warning is listed.
func TestVerifyValidWithWarnings(t *testing.T) {
	ts := startServer(t, testConfig{})
	signed, err := ts.opts.Issuer.Sign(context.Background(), map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
		"id":                "urn:uuid:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
		"type":              []any{"VerifiableCredential"},
		"issuer":            ts.signer.Identity().ID,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:learner"},
	})
	if err != nil {
		t.Fatal(err)
	}
	code, vr := ts.verifyVC(t, signed.Document)
	if code != http.StatusOK || !vr.Verified || vr.Verdict != verifier.VerdictWarnings || len(vr.Warnings) == 0 || len(vr.ProblemDetails) != 0 {
		t.Fatalf("%d %+v", code, vr)
	}
	if w := vr.Warnings[0]; !strings.HasPrefix(w.Type, ProblemBase+ProbWarning+"-") || w.Detail == "" {
		t.Errorf("warning %+v", w)
	}
}
