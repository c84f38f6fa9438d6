package verifier_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/verifier"
)

// errOffline is what the test client answers every request with, so a test
// that should be served from a status directory never reaches a network.
var errOffline = errors.New("test client is offline")

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func offlineClient() *http.Client {
	return &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errOffline })}
}

// encodedList returns the encodedList of a fresh list with the given
// entries set to 1.
func encodedList(t testing.TB, set ...int) string {
	t.Helper()
	l, err := status.New(status.MinEntries, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range set {
		if err := l.Set(i, 1); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := l.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// listDoc is an unsigned BitstringStatusListCredential at listURL.
func listDoc(issuer, listURL, purpose, encoded string) map[string]any {
	return map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2"},
		"id":        listURL,
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    issuer,
		"validFrom": "2026-11-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":            listURL + "#list",
			"type":          "BitstringStatusList",
			"statusPurpose": purpose,
			"encodedList":   encoded,
			"ttl":           float64(60_000),
		},
	}
}

// signedList builds and signs a list of k's with the given entries set;
// edit, if not nil, changes the document before signing.
func signedList(t testing.TB, k testKey, listURL, purpose string, set []int, edit func(map[string]any)) map[string]any {
	t.Helper()
	d := listDoc(k.did, listURL, purpose, encodedList(t, set...))
	if edit != nil {
		edit(d)
	}
	return sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)
}

func bitstringEntry(listURL, purpose string, index int) map[string]any {
	return map[string]any{
		"id":                   listURL + "#" + strconv.Itoa(index),
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        purpose,
		"statusListIndex":      strconv.Itoa(index),
		"statusListCredential": listURL,
	}
}

// credWithStatus is k's signed sample credential carrying entry as its
// credentialStatus.
func credWithStatus(t testing.TB, k testKey, entry map[string]any) []byte {
	t.Helper()
	d := unsigned(t, k)
	d["credentialStatus"] = entry
	return encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022))
}

// listServer serves documents by path over loopback TLS, counting hits and
// honouring If-None-Match against the ETag set for a path.
type listServer struct {
	srv *httptest.Server

	mu          sync.Mutex
	docs        map[string][]byte
	etags       map[string]string
	header      map[string]string // extra response headers for every path
	hits        map[string]int
	ifNoneMatch []string
}

func newListServer(t testing.TB) *listServer {
	t.Helper()
	s := &listServer{docs: map[string][]byte{}, etags: map[string]string{}, header: map[string]string{}, hits: map[string]int{}}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *listServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[r.URL.Path]++
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		s.ifNoneMatch = append(s.ifNoneMatch, inm)
	}
	body, ok := s.docs[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	for k, v := range s.header {
		w.Header().Set(k, v)
	}
	if tag := s.etags[r.URL.Path]; tag != "" {
		w.Header().Set("ETag", tag)
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "application/vc+ld+json")
	_, _ = w.Write(body)
}

func (s *listServer) put(t testing.TB, path string, doc any) string {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[path] = b
	return s.srv.URL + path
}

// set changes the server's configuration under its lock.
func (s *listServer) set(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

func (s *listServer) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// loopbackClient trusts the test server's certificate and may reach
// loopback addresses.
func (s *listServer) loopbackClient() *http.Client {
	return safehttp.NewClient(safehttp.Options{Transport: s.srv.Client().Transport.(*http.Transport), AllowPrivate: true})
}

// clock is a settable time source safe for concurrent reads.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// outcome is the expected verdict of a status test.
type outcome string

const (
	wantValid        outcome = "valid"
	wantFail         outcome = "fail"
	wantInconclusive outcome = "inconclusive"
)

// checkOutcome asserts the verdict of Verify and that the status check
// carries reason.
func checkOutcome(t *testing.T, res *verifier.Result, err error, want outcome, reason string) {
	t.Helper()
	if res == nil {
		t.Fatalf("nil result (err %v)", err)
	}
	st := res.Check(verifier.CheckStatus)
	if st == nil {
		t.Fatalf("no status check in %+v", res.Checks)
	}
	var ve *verifier.VerificationError
	var ie *verifier.InconclusiveError
	switch want {
	case wantValid:
		if err != nil || !res.Valid || st.Status != verifier.StatusPass {
			t.Fatalf("err = %v, status check %+v; want valid", err, st)
		}
	case wantFail:
		if !errors.As(err, &ve) || st.Status != verifier.StatusFail {
			t.Fatalf("err = %v, status check %+v; want a failed status check", err, st)
		}
	case wantInconclusive:
		if !errors.As(err, &ie) || ie.Check != verifier.CheckStatus || st.Status != verifier.StatusError {
			t.Fatalf("err = %v, status check %+v; want an inconclusive status check", err, st)
		}
	}
	for _, c := range res.Checks {
		if c.Check != verifier.CheckStatus && c.Status != verifier.StatusPass {
			t.Errorf("check %s = %s (%s), want pass", c.Check, c.Status, c.Reason)
		}
	}
	t.Logf("status check: %s: %s [%s]", st.Status, st.Reason, st.Path)
	if reason != "" && !strings.Contains(st.Reason+" "+st.Path, reason) {
		t.Errorf("status check reason %q path %q does not mention %q", st.Reason, st.Path, reason)
	}
}

func TestStatusBitstring(t *testing.T) {
	k := newKey(t, 1)
	other := newKey(t, 100)
	type listFunc func(t *testing.T, listURL string) map[string]any
	tests := []struct {
		name    string
		list    listFunc
		purpose string // the entry's purpose; revocation if empty
		index   int
		want    outcome
		reason  string
	}{
		{name: "unset index is not revoked", index: 7, want: wantValid, reason: "not revoked",
			list: func(t *testing.T, u string) map[string]any {
				return signedList(t, k, u, "revocation", []int{6, 8}, nil)
			}},
		{name: "revoked", index: 7, want: wantFail, reason: "revoked",
			list: func(t *testing.T, u string) map[string]any { return signedList(t, k, u, "revocation", []int{7}, nil) }},
		{name: "first index revoked", index: 0, want: wantFail, reason: "revoked",
			list: func(t *testing.T, u string) map[string]any { return signedList(t, k, u, "revocation", []int{0}, nil) }},
		{name: "last index revoked", index: status.MinEntries - 1, want: wantFail, reason: "revoked",
			list: func(t *testing.T, u string) map[string]any {
				return signedList(t, k, u, "revocation", []int{status.MinEntries - 1}, nil)
			}},
		{name: "suspended", purpose: "suspension", index: 7, want: wantFail, reason: "suspended",
			list: func(t *testing.T, u string) map[string]any { return signedList(t, k, u, "suspension", []int{7}, nil) }},
		{name: "not suspended", purpose: "suspension", index: 7, want: wantValid, reason: "not suspended",
			list: func(t *testing.T, u string) map[string]any { return signedList(t, k, u, "suspension", nil, nil) }},
		{name: "list issued by another issuer", index: 7, want: wantInconclusive, reason: "status list issuer not trusted: signed by " + other.did,
			list: func(t *testing.T, u string) map[string]any { return signedList(t, other, u, "revocation", nil, nil) }},
		{name: "list naming our issuer signed by another key", index: 7, want: wantInconclusive, reason: "signing key not accepted",
			list: func(t *testing.T, u string) map[string]any {
				d := listDoc(k.did, u, "revocation", encodedList(t))
				return sign(t, d, other.priv, other.vm, proof.EddsaRdfc2022)
			}},
		{name: "tampered list", index: 7, want: wantInconclusive, reason: "proof",
			list: func(t *testing.T, u string) map[string]any {
				d := signedList(t, k, u, "revocation", []int{7}, nil)
				d["credentialSubject"].(map[string]any)["encodedList"] = encodedList(t)
				return d
			}},
		{name: "unsigned list", index: 7, want: wantInconclusive, reason: "proof",
			list: func(t *testing.T, u string) map[string]any { return listDoc(k.did, u, "revocation", encodedList(t)) }},
		{name: "list purpose differs from the entry", index: 7, want: wantInconclusive, reason: "statusPurpose",
			list: func(t *testing.T, u string) map[string]any { return signedList(t, k, u, "suspension", nil, nil) }},
		{name: "not a status list credential", index: 7, want: wantInconclusive, reason: "BitstringStatusListCredential",
			list: func(t *testing.T, u string) map[string]any {
				return signedList(t, k, u, "revocation", nil, func(d map[string]any) { d["type"] = []any{"VerifiableCredential"} })
			}},
		{name: "index beyond the list", index: 2 * status.MinEntries, want: wantFail, reason: "statusListIndex",
			list: func(t *testing.T, u string) map[string]any { return signedList(t, k, u, "revocation", nil, nil) }},
		{name: "expired list is stale", index: 7, want: wantInconclusive, reason: "stale",
			list: func(t *testing.T, u string) map[string]any {
				return signedList(t, k, u, "revocation", nil, func(d map[string]any) { d["validUntil"] = "2026-11-10T00:00:00Z" })
			}},
		{name: "list not yet valid", index: 7, want: wantInconclusive, reason: "not valid until",
			list: func(t *testing.T, u string) map[string]any {
				return signedList(t, k, u, "revocation", nil, func(d map[string]any) { d["validFrom"] = "2027-01-01T00:00:00Z" })
			}},
	}
	for _, tc := range tests {
		purpose := tc.purpose
		if purpose == "" {
			purpose = "revocation"
		}
		t.Run(tc.name+"/status-dir", func(t *testing.T) {
			dir := t.TempDir()
			listURL := "https://status.example.org/lists/" + strconv.Itoa(len(tc.name))
			writeFile(t, filepath.Join(dir, "status.example.org", "lists", strconv.Itoa(len(tc.name))), encode(t, tc.list(t, listURL)))
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, StatusDir: dir, HTTPClient: offlineClient()})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), credWithStatus(t, k, bitstringEntry(listURL, purpose, tc.index)))
			checkOutcome(t, res, err, tc.want, tc.reason)
		})
		t.Run(tc.name+"/https", func(t *testing.T) {
			s := newListServer(t)
			listURL := s.srv.URL + "/lists/1"
			s.put(t, "/lists/1", tc.list(t, listURL))
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient()})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), credWithStatus(t, k, bitstringEntry(listURL, purpose, tc.index)))
			checkOutcome(t, res, err, tc.want, tc.reason)
		})
	}
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestStatusUnreachableList(t *testing.T) {
	k := newKey(t, 1)
	s := newListServer(t)
	listURL := s.srv.URL + "/lists/1"
	client := s.loopbackClient()
	s.srv.Close() // nothing listens on the port any more
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), credWithStatus(t, k, bitstringEntry(listURL, "revocation", 3)))
	checkOutcome(t, res, err, wantInconclusive, listURL)
}

func TestStatusListNotFound(t *testing.T) {
	k := newKey(t, 1)
	s := newListServer(t)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), credWithStatus(t, k, bitstringEntry(s.srv.URL+"/missing", "revocation", 3)))
	checkOutcome(t, res, err, wantInconclusive, "404")
	if !errors.Is(err, safehttp.ErrStatus) {
		t.Errorf("err = %v, want safehttp.ErrStatus in the chain", err)
	}
}

// A verifier built with the default client must not fetch from loopback,
// whatever the credential says (SSRF).
func TestStatusDefaultClientRefusesLoopback(t *testing.T) {
	k := newKey(t, 1)
	s := newListServer(t)
	listURL := s.put(t, "/lists/1", signedList(t, k, s.srv.URL+"/lists/1", "revocation", nil, nil))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), credWithStatus(t, k, bitstringEntry(listURL, "revocation", 3)))
	checkOutcome(t, res, err, wantInconclusive, "")
	if !errors.Is(err, safehttp.ErrForbiddenAddress) {
		t.Fatalf("err = %v, want safehttp.ErrForbiddenAddress in the chain", err)
	}
	if n := s.hitCount("/lists/1"); n != 0 {
		t.Fatalf("the loopback server was reached %d times", n)
	}
}

// gzipBomb is an encodedList that inflates to n zero bytes.
func gzipBomb(t testing.TB, n int) string {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for i := 0; i < n>>20; i++ {
		if _, err := zw.Write(zeros); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// A list that inflates to 16 MiB costs only what the entry needs: the
// bytes up to it, at least the minimum list, never more than the per-list
// cap; an entry past the cap is undecided.
func TestStatusGzipBomb(t *testing.T) {
	k := newKey(t, 1)
	dir := t.TempDir()
	listURL := "https://status.example.org/bomb"
	d := listDoc(k.did, listURL, "revocation", gzipBomb(t, 16<<20))
	writeFile(t, filepath.Join(dir, "bomb"), encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)))
	tests := []struct {
		name     string
		index    int
		want     outcome
		inflated int64
	}{
		{name: "entry at the start", index: 3, want: wantValid, inflated: status.MinEntries / 8},
		{name: "entry within the cap", index: 8*(1<<20) - 1, want: wantValid, inflated: 1 << 20},
		{name: "entry past the cap", index: 8 * (2 << 20), want: wantInconclusive, inflated: 1<<20 + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, StatusDir: dir, HTTPClient: offlineClient(), StatusMaxListBytes: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			res, err := v.Verify(ctx, credWithStatus(t, k, bitstringEntry(listURL, "revocation", tc.index)))
			checkOutcome(t, res, err, tc.want, "")
			if tc.want == wantInconclusive && !errors.Is(err, status.ErrTooLarge) {
				t.Fatalf("err = %v, want status.ErrTooLarge", err)
			}
			if res.Work.BytesInflated != tc.inflated {
				t.Fatalf("inflated %d bytes, want %d", res.Work.BytesInflated, tc.inflated)
			}
		})
	}
}

// A StatusList2021 list: VCDM 1.1, its own context, and an encodedList
// without the multibase "u".
func TestStatusList2021(t *testing.T) {
	k := newKey(t, 1)
	dir := t.TempDir()
	listURL := "https://status.example.org/2021/list"
	for _, tc := range []struct {
		name   string
		index  int
		want   outcome
		reason string
	}{
		{name: "revoked", index: 42, want: wantFail, reason: "revoked"},
		{name: "not revoked", index: 43, want: wantValid, reason: "not revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc := strings.TrimPrefix(encodedList(t, 42), "u")
			list := map[string]any{
				"@context":     []any{"https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"},
				"id":           listURL,
				"type":         []any{"VerifiableCredential", "StatusList2021Credential"},
				"issuer":       k.did,
				"issuanceDate": "2026-11-01T00:00:00Z",
				"credentialSubject": map[string]any{
					"id": listURL + "#list", "type": "StatusList2021", "statusPurpose": "revocation", "encodedList": enc,
				},
			}
			writeFile(t, filepath.Join(dir, "list"), encode(t, sign(t, list, k.priv, k.vm, proof.Ed25519Signature2020)))
			cred := unsigned(t, k)
			cred["@context"] = append(cred["@context"].([]any), "https://w3id.org/vc/status-list/2021/v1")
			cred["credentialStatus"] = map[string]any{
				"id":                   listURL + "#" + strconv.Itoa(tc.index),
				"type":                 "StatusList2021Entry",
				"statusPurpose":        "revocation",
				"statusListIndex":      strconv.Itoa(tc.index),
				"statusListCredential": listURL,
			}
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, StatusDir: dir, HTTPClient: offlineClient()})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), encode(t, sign(t, cred, k.priv, k.vm, proof.EddsaRdfc2022)))
			checkOutcome(t, res, err, tc.want, tc.reason)
		})
	}
}

func TestStatus1EdTechRevocationList(t *testing.T) {
	k := newKey(t, 1)
	s := newListServer(t)
	listURL := s.put(t, "/revocations", map[string]any{
		"id": "/revocations",
		"revokedCredential": []any{
			map[string]any{"id": "urn:uuid:2f0d6a3e-4f0b-4c55-9a53-3c4a3f1f6a10", "revocationReason": "issued in error"},
			map[string]any{"id": "urn:uuid:00000000-0000-4000-8000-000000000002", "revoked": false},
		},
	})
	for _, tc := range []struct {
		name   string
		id     string
		want   outcome
		reason string
	}{
		{name: "listed", id: "urn:uuid:2f0d6a3e-4f0b-4c55-9a53-3c4a3f1f6a10", want: wantFail, reason: "revoked"},
		{name: "listed with revoked false", id: "urn:uuid:00000000-0000-4000-8000-000000000002", want: wantValid, reason: "not revoked"},
		{name: "not listed", id: "urn:uuid:00000000-0000-4000-8000-000000000003", want: wantValid, reason: "not revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := unsigned(t, k)
			d["id"] = tc.id
			d["credentialStatus"] = map[string]any{"id": listURL, "type": "1EdTechRevocationList"}
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient()})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)))
			checkOutcome(t, res, err, tc.want, tc.reason)
		})
	}
}

// An entry type the checker does not know leaves the status undecided,
// naming the type. The type must be a defined term, or safe mode would
// refuse to sign: the OB extensions context defines 1EdTechCredentialRefresh,
// which is no status method.
func TestStatusUnknownType(t *testing.T) {
	k := newKey(t, 1)
	d := unsigned(t, k)
	d["credentialStatus"] = map[string]any{"id": "https://status.example.org/x", "type": "1EdTechCredentialRefresh"}
	d = sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: offlineClient()})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := v.Verify(context.Background(), encode(t, d))
	st := res.Check(verifier.CheckStatus)
	if st.Status != verifier.StatusError || !strings.Contains(st.Reason, "1EdTechCredentialRefresh") {
		t.Fatalf("status check = %+v, want an error naming the type", st)
	}
}

// A malformed entry is the credential's fault: the check fails at the path.
func TestStatusMalformedEntry(t *testing.T) {
	k := newKey(t, 1)
	e := bitstringEntry("https://status.example.org/a", "revocation", 3)
	e["statusListIndex"] = "-1"
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: offlineClient()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), credWithStatus(t, k, e))
	checkOutcome(t, res, err, wantFail, "credentialStatus.statusListIndex")
}

// After the list's ttl, the verifier revalidates with If-None-Match, and a
// 304 reuses the verified list.
func TestStatusETagRevalidation(t *testing.T) {
	k := newKey(t, 1)
	s := newListServer(t)
	const path = "/lists/etag"
	listURL := s.srv.URL + path
	s.put(t, path, signedList(t, k, listURL, "revocation", []int{9}, func(d map[string]any) {
		subject(d)["ttl"] = float64(1000)
	}))
	s.set(func() { s.etags[path] = `"v1"` })
	clk := &clock{t: now}
	v, err := verifier.New(verifier.Options{Now: clk.Now, HTTPClient: s.loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	cred := credWithStatus(t, k, bitstringEntry(listURL, "revocation", 3))
	steps := []struct {
		name    string
		advance time.Duration
		hits    int
	}{
		{"first fetch", 0, 1},
		{"fresh: from the cache", 500 * time.Millisecond, 1},
		{"stale: revalidated", time.Second, 2},
		{"fresh again after the 304", 500 * time.Millisecond, 2},
		{"stale again", time.Second, 3},
	}
	for _, st := range steps {
		clk.advance(st.advance)
		res, err := v.Verify(context.Background(), cred)
		checkOutcome(t, res, err, wantValid, "not revoked")
		if got := s.hitCount(path); got != st.hits {
			t.Fatalf("%s: %d server hits, want %d", st.name, got, st.hits)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ifNoneMatch) != 2 || s.ifNoneMatch[0] != `"v1"` {
		t.Fatalf("If-None-Match sent: %q, want two revalidations with \"v1\"", s.ifNoneMatch)
	}
}

// A changed list is seen once the cached copy goes stale, and not before.
func TestStatusTTLExpiryRefetches(t *testing.T) {
	k := newKey(t, 1)
	tests := []struct {
		name   string
		ttl    float64
		header string // Cache-Control
		// staleAfter is a wait after which the revoked list must be seen.
		freshFor, staleAfter time.Duration
	}{
		{name: "list ttl", ttl: 2000, freshFor: time.Second, staleAfter: 2 * time.Second},
		{name: "max-age shorter than ttl", ttl: 3_600_000, header: "max-age=2", freshFor: time.Second, staleAfter: 2 * time.Second},
		{name: "no-cache", ttl: 3_600_000, header: "no-cache", staleAfter: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newListServer(t)
			const path = "/lists/ttl"
			listURL := s.srv.URL + path
			build := func(set ...int) map[string]any {
				return signedList(t, k, listURL, "revocation", set, func(d map[string]any) { subject(d)["ttl"] = tc.ttl })
			}
			s.put(t, path, build())
			if tc.header != "" {
				s.set(func() { s.header["Cache-Control"] = tc.header })
			}
			clk := &clock{t: now}
			v, err := verifier.New(verifier.Options{Now: clk.Now, HTTPClient: s.loopbackClient()})
			if err != nil {
				t.Fatal(err)
			}
			cred := credWithStatus(t, k, bitstringEntry(listURL, "revocation", 3))
			res, err := v.Verify(context.Background(), cred)
			checkOutcome(t, res, err, wantValid, "not revoked")
			s.put(t, path, build(3)) // the issuer revokes the credential
			if tc.freshFor > 0 {
				clk.advance(tc.freshFor)
				res, err = v.Verify(context.Background(), cred)
				checkOutcome(t, res, err, wantValid, "not revoked")
				if n := s.hitCount(path); n != 1 {
					t.Fatalf("%d hits while the list is fresh, want 1", n)
				}
			}
			clk.advance(tc.staleAfter)
			res, err = v.Verify(context.Background(), cred)
			checkOutcome(t, res, err, wantFail, "revoked")
			if n := s.hitCount(path); n != 2 {
				t.Fatalf("%d hits after the list went stale, want 2", n)
			}
		})
	}
}

// Verifiers share nothing: a list cached by one is fetched again by another,
// and one verifier is safe to use from many goroutines, which share its
// fetches.
func TestStatusCacheConcurrent(t *testing.T) {
	k := newKey(t, 1)
	s := newListServer(t)
	listURL := s.put(t, "/lists/c", signedList(t, k, s.srv.URL+"/lists/c", "revocation", []int{5}, nil))
	good := credWithStatus(t, k, bitstringEntry(listURL, "revocation", 4))
	revoked := credWithStatus(t, k, bitstringEntry(listURL, "revocation", 5))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			data, wantRevoked := good, false
			if i%2 == 1 {
				data, wantRevoked = revoked, true
			}
			res, err := v.Verify(context.Background(), data)
			var ve *verifier.VerificationError
			if got := errors.As(err, &ve); got != wantRevoked || res.Check(verifier.CheckStatus).Status == verifier.StatusError {
				errs <- errors.New("unexpected verdict: " + res.Check(verifier.CheckStatus).Reason)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Concurrent verifications wait for one fetch instead of each making
	// their own.
	before := s.hitCount("/lists/c")
	if before != 1 {
		t.Fatalf("8 concurrent verifications fetched the list %d times, want 1", before)
	}
	v2, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v2.Verify(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	if s.hitCount("/lists/c") != before+1 {
		t.Fatal("a new verifier reused another verifier's cache")
	}
}

func TestStatusOptions(t *testing.T) {
	if _, err := verifier.New(verifier.Options{StatusMaxListBytes: -1}); err == nil {
		t.Fatal("negative StatusMaxListBytes accepted")
	}
}

func BenchmarkVerifyWithCachedStatus(b *testing.B) {
	k := newKey(b, 1)
	dir := b.TempDir()
	listURL := "https://status.example.org/lists/bench"
	writeFile(b, filepath.Join(dir, "bench"), encode(b, signedList(b, k, listURL, "revocation", []int{9}, nil)))
	data := credWithStatus(b, k, bitstringEntry(listURL, "revocation", 3))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, StatusDir: dir, HTTPClient: offlineClient()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), data); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzStatus feeds arbitrary credentialStatus values and list documents
// (served from a status directory, never the network) to the status check:
// it must not panic, must always give a verdict, and may pass only an entry
// whose list names the credential's issuer and is signed.
func FuzzStatus(f *testing.F) {
	k := newKey(f, 1)
	const listURL = "https://status.example.org/lists/fuzz"
	list := encode(f, signedList(f, k, listURL, "revocation", []int{7}, nil))
	entry := encode(f, bitstringEntry(listURL, "revocation", 3))
	f.Add(entry, list)
	f.Add(encode(f, bitstringEntry(listURL, "revocation", 7)), list)
	f.Add(encode(f, bitstringEntry(listURL, "suspension", 3)), list)
	f.Add(entry, encode(f, listDoc(k.did, listURL, "revocation", encodedList(f))))
	f.Add([]byte(`{"id":"https://status.example.org/lists/fuzz","type":"1EdTechRevocationList"}`), []byte(`{"revokedCredential":[{"id":"urn:uuid:2f0d6a3e-4f0b-4c55-9a53-3c4a3f1f6a10"}]}`))
	f.Add([]byte(`[{"type":"StatusList2021Entry"}]`), []byte(`null`))
	base := unsigned(f, k)
	f.Fuzz(func(t *testing.T, entryJSON, listJSON []byte) {
		var entry any
		if err := json.Unmarshal(entryJSON, &entry); err != nil {
			return
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "fuzz"), listJSON, 0o644); err != nil {
			t.Fatal(err)
		}
		v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, StatusDir: dir, HTTPClient: offlineClient()})
		if err != nil {
			t.Fatal(err)
		}
		d := clone(t, base)
		d["credentialStatus"] = entry
		res, _ := v.Verify(context.Background(), encode(t, d))
		st := res.Check(verifier.CheckStatus)
		if st == nil {
			t.Fatalf("no status check: %+v", res.Checks)
		}
		if st.Status == verifier.StatusPass && bytes.Contains(entryJSON, []byte("BitstringStatusListEntry")) && !bytes.Contains(listJSON, []byte("proofValue")) {
			t.Fatalf("unsigned list accepted: %s", st.Reason)
		}
	})
}

// BenchmarkVerifySampleWithCachedStatus is BenchmarkVerifyWithCachedStatus
// on the 1EdTech OB 3.0 sample credential (../shared's eddsa-rdfc-2022
// vector, 16 N-Quads) rather than this package's richer test credential:
// the same document the sign and verify benchmarks of proof use, issued
// by the test key with a revocation entry.
func BenchmarkVerifySampleWithCachedStatus(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "shared", "spec", "test-vectors", "ob-v3p0-eddsa-rdfc-2022", "signed-credential.json"))
	if err != nil {
		b.Skipf("../shared is absent, no sample credential: %v", err)
	}
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		b.Fatal(err)
	}
	k := newKey(b, 1)
	dir := b.TempDir()
	listURL := "https://status.example.org/lists/bench"
	writeFile(b, filepath.Join(dir, "bench"), encode(b, signedList(b, k, listURL, "revocation", []int{9}, nil)))
	delete(d, "proof")
	d["issuer"].(map[string]any)["id"] = k.did
	d["credentialStatus"] = bitstringEntry(listURL, "revocation", 3)
	data := encode(b, sign(b, d, k.priv, k.vm, proof.EddsaRdfc2022))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, StatusDir: dir, HTTPClient: offlineClient()})
	if err != nil {
		b.Fatal(err)
	}
	r, err := v.Verify(context.Background(), data)
	if err != nil || !r.Valid {
		b.Fatalf("sample credential does not verify: %+v, %v", r, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}
