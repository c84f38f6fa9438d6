package did_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
)

// webServer is a TLS test server that plays every host: the client dials
// it whatever the URL says, and the test certificate names example.com and
// *.example.com.
type webServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	docs  map[string]string // host+path -> body
	hits  map[string]int
	extra http.HandlerFunc // if set, handles every request
}

func newWebServer(t testing.TB) *webServer {
	t.Helper()
	ws := &webServer{docs: map[string]string{}, hits: map[string]int{}}
	ws.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.mu.Lock()
		ws.hits[r.Host+r.URL.Path]++
		body, ok := ws.docs[r.Host+r.URL.Path]
		extra := ws.extra
		ws.mu.Unlock()
		if extra != nil {
			extra(w, r)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		if got := r.Header.Get("Accept"); !strings.Contains(got, "application/did+json") {
			http.Error(w, "bad accept "+got, http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Type", "application/did+json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(ws.srv.Close)
	return ws
}

func (ws *webServer) put(hostPath, body string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.docs[hostPath] = body
}

func (ws *webServer) hitCount(hostPath string) int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.hits[hostPath]
}

func (ws *webServer) handle(h http.HandlerFunc) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.extra = h
}

// client returns a plain client (no address guard) that reaches ws for
// every host name.
func (ws *webServer) client(timeout time.Duration) *http.Client {
	tr := ws.srv.Client().Transport.(*http.Transport).Clone()
	addr := ws.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// webDocJSON is the document of id with the OB vector key as id#key-1,
// listed under assertionMethod.
func webDocJSON(t testing.TB, id string) string {
	t.Helper()
	vm, err := did.MultikeyMethod(id, "key-1", obKey(t).Public())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := did.NewDocument(id, []did.VerificationMethod{vm})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWebResolver(t *testing.T) {
	ws := newWebServer(t)
	const (
		wellKnown = "did:web:example.com"
		withPath  = "did:web:example.com:issuers:cs"
		withPort  = "did:web:a.example.com%3A8443"
	)
	ws.put("example.com/.well-known/did.json", webDocJSON(t, wellKnown))
	ws.put("example.com/issuers/cs/did.json", webDocJSON(t, withPath))
	ws.put("a.example.com:8443/.well-known/did.json", webDocJSON(t, withPort))
	r := &did.WebResolver{Client: ws.client(5 * time.Second)}
	for _, id := range []string{wellKnown, withPath, withPort} {
		t.Run(id, func(t *testing.T) {
			doc, err := r.Resolve(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			vm, pub, err := doc.AssertionKey(id + "#key-1")
			if err != nil {
				t.Fatal(err)
			}
			if !obKey(t).Public().(ed25519.PublicKey).Equal(pub) || vm.Controller != id {
				t.Errorf("AssertionKey = %+v, %x", vm, pub)
			}
		})
	}
	// The Fetcher, given a MultiResolver, reaches did:web keys too.
	f := did.Fetcher{Resolver: did.MultiResolver{Web: r}}
	if _, err := f.PublicKey(context.Background(), withPath+"#key-1", ""); err != nil {
		t.Errorf("Fetcher.PublicKey(did:web): %v", err)
	}
	if _, err := f.PublicKey(context.Background(), obVM, ""); err != nil {
		t.Errorf("Fetcher.PublicKey(did:key): %v", err)
	}
}

func TestWebResolverErrors(t *testing.T) {
	const id = "did:web:example.com"
	good := func(t testing.TB) string { return webDocJSON(t, id) }
	big := `{"id":"` + id + `","pad":"` + strings.Repeat("x", did.MaxDocumentSize) + `"}`
	tests := []struct {
		name    string
		handler http.HandlerFunc
		maxSize int64
		want    error
	}{
		{"not found", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, 0, did.ErrNotFound},
		{"gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) }, 0, did.ErrNotFound},
		{"server error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }, 0, did.ErrHTTPStatus},
		{"id differs from DID", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, webDocJSON(t, "did:web:evil.example.com"))
		}, 0, did.ErrInvalidDocument},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>") }, 0, did.ErrInvalidDocument},
		{"oversized with length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			fmt.Fprint(w, big)
		}, 0, did.ErrTooLarge},
		{"oversized streamed", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, big[:len(big)/2])
			w.(http.Flusher).Flush()
			fmt.Fprint(w, big[len(big)/2:])
		}, 0, did.ErrTooLarge},
		{"over a lower limit", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, good(t)) }, 64, did.ErrTooLarge},
		{"relative method id", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, strings.Replace(good(t), `"id":"`+id+`#key-1","type"`, `"id":"key-1","type"`, 1))
		}, 0, did.ErrInvalidDocument},
		{"relative relationship reference", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, strings.Replace(good(t), `"assertionMethod":["`+id+`#key-1"]`, `"assertionMethod":["key-1"]`, 1))
		}, 0, did.ErrInvalidDocument},
		{"redirect to another host", func(w http.ResponseWriter, r *http.Request) {
			if r.Host == "example.com" {
				http.Redirect(w, r, "https://other.example.com/.well-known/did.json", http.StatusFound)
				return
			}
			fmt.Fprint(w, good(t))
		}, 0, did.ErrRedirect},
		{"redirect to another port", func(w http.ResponseWriter, r *http.Request) {
			if r.Host == "example.com" {
				http.Redirect(w, r, "https://example.com:8443/.well-known/did.json", http.StatusFound)
				return
			}
			fmt.Fprint(w, good(t))
		}, 0, did.ErrRedirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := newWebServer(t)
			ws.handle(tt.handler)
			r := &did.WebResolver{Client: ws.client(5 * time.Second), MaxBytes: tt.maxSize}
			doc, err := r.Resolve(context.Background(), id)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Resolve = %+v, %v; want %v", doc, err, tt.want)
			}
			if !strings.Contains(err.Error(), id) {
				t.Errorf("error %q does not name the DID", err)
			}
			if n := ws.hitCount("other.example.com/.well-known/did.json") + ws.hitCount("example.com:8443/.well-known/did.json"); n != 0 {
				t.Errorf("redirect target was fetched %d times", n)
			}
			// Failures are not cached.
			if _, err := r.Resolve(context.Background(), id); err == nil {
				t.Error("second Resolve succeeded")
			}
			if n := ws.hitCount("example.com/.well-known/did.json"); n != 2 {
				t.Errorf("%d fetches after two failed resolutions, want 2", n)
			}
		})
	}
}

func TestWebResolverSameHostRedirect(t *testing.T) {
	const id = "did:web:example.com"
	ws := newWebServer(t)
	doc := webDocJSON(t, id)
	ws.handle(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/did.json" {
			http.Redirect(w, r, "/moved/did.json", http.StatusMovedPermanently)
			return
		}
		fmt.Fprint(w, doc)
	})
	r := &did.WebResolver{Client: ws.client(5 * time.Second)}
	if _, err := r.Resolve(context.Background(), id); err != nil {
		t.Fatalf("same-host redirect: %v", err)
	}
}

// refusingTransport stands in for an SSRF guard: it refuses every request,
// so a resolver that reached the network any other way than through the
// injected client would be caught.
type refusingTransport struct{ calls atomic.Int32 }

var errRefused = errors.New("address refused by the test guard")

func (rt *refusingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	rt.calls.Add(1)
	return nil, errRefused
}

func TestWebResolverUsesInjectedClient(t *testing.T) {
	rt := &refusingTransport{}
	r := &did.WebResolver{Client: &http.Client{Transport: rt}}
	_, err := r.Resolve(context.Background(), "did:web:localhost%3A8443")
	if !errors.Is(err, errRefused) || rt.calls.Load() != 1 {
		t.Errorf("Resolve = %v after %d guard calls; want the guard's error after 1", err, rt.calls.Load())
	}
	_, err = (&did.WebResolver{}).Resolve(context.Background(), "did:web:example.com")
	if !errors.Is(err, did.ErrNoClient) {
		t.Errorf("Resolve without client = %v, want ErrNoClient", err)
	}
}

func TestWebResolverTimeout(t *testing.T) {
	ws := newWebServer(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	ws.handle(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	r := &did.WebResolver{Client: ws.client(100 * time.Millisecond)}
	_, err := r.Resolve(context.Background(), "did:web:example.com")
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Resolve on a hanging host = %v, want a timeout", err)
	}
}

func TestWebResolverCache(t *testing.T) {
	const id = "did:web:example.com"
	const key = "example.com/.well-known/did.json"
	ws := newWebServer(t)
	ws.put(key, webDocJSON(t, id))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	r := &did.WebResolver{Client: ws.client(5 * time.Second), Now: clock, TTL: time.Minute}
	ctx := context.Background()
	for range 3 {
		if _, err := r.Resolve(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := ws.hitCount(key); n != 1 {
		t.Fatalf("%d fetches for 3 resolutions within the TTL, want 1", n)
	}
	now = now.Add(time.Minute)
	if _, err := r.Resolve(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := ws.hitCount(key); n != 2 {
		t.Fatalf("%d fetches after the TTL passed, want 2", n)
	}

	noCache := &did.WebResolver{Client: ws.client(5 * time.Second), TTL: -1}
	for range 2 {
		if _, err := noCache.Resolve(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := ws.hitCount(key); n != 4 {
		t.Fatalf("%d fetches with caching off, want 4", n)
	}
}

func TestWebResolverCacheBound(t *testing.T) {
	ws := newWebServer(t)
	ids := []string{"did:web:a.example.com", "did:web:b.example.com", "did:web:c.example.com"}
	for _, id := range ids {
		host := strings.TrimPrefix(id, "did:web:")
		ws.put(host+"/.well-known/did.json", webDocJSON(t, id))
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &did.WebResolver{Client: ws.client(5 * time.Second), MaxEntries: 2, Now: func() time.Time { return now }}
	ctx := context.Background()
	for _, id := range ids {
		now = now.Add(time.Second)
		if _, err := r.Resolve(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	// a was evicted (closest to expiry) when c arrived; b and c are cached.
	for _, id := range slices.Backward(ids) {
		if _, err := r.Resolve(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int{"a": 2, "b": 1, "c": 1}
	for h, n := range want {
		if got := ws.hitCount(h + ".example.com/.well-known/did.json"); got != n {
			t.Errorf("%s fetched %d times, want %d", h, got, n)
		}
	}
}

func TestWebResolverConcurrent(t *testing.T) {
	const id = "did:web:example.com"
	ws := newWebServer(t)
	ws.put("example.com/.well-known/did.json", webDocJSON(t, id))
	r := &did.WebResolver{Client: ws.client(5 * time.Second), MaxEntries: 1}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if _, err := r.Resolve(context.Background(), id); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestResolveURL(t *testing.T) {
	const docURL = "https://example.com/issuers/cs"
	ws := newWebServer(t)
	ws.put("example.com/issuers/cs", webDocJSON(t, docURL))
	ws.put("example.com/issuers/other", webDocJSON(t, docURL))
	r := &did.WebResolver{Client: ws.client(5 * time.Second)}
	ctx := context.Background()
	doc, err := r.ResolveURL(ctx, docURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := doc.AssertionKey(docURL + "#key-1"); err != nil {
		t.Errorf("AssertionKey: %v", err)
	}
	if _, _, err := doc.AssertionKey("https://example.com/issuers/other#key-1"); !errors.Is(err, did.ErrMethodNotFound) {
		t.Errorf("AssertionKey of another document's method = %v, want ErrMethodNotFound", err)
	}
	for _, tt := range []struct {
		url  string
		want error
	}{
		{"https://example.com/issuers/other", did.ErrInvalidDocument}, // id is .../cs
		{"http://example.com/issuers/cs", did.ErrInvalidDocument},
		{"https://example.com/issuers/cs#key-1", did.ErrInvalidDocument},
		{"https://user@example.com/issuers/cs", did.ErrInvalidDocument},
		{"https:///x", did.ErrInvalidDocument},
		{"https://example.com/missing", did.ErrNotFound},
	} {
		if _, err := r.ResolveURL(ctx, tt.url); !errors.Is(err, tt.want) {
			t.Errorf("ResolveURL(%s) = %v, want %v", tt.url, err, tt.want)
		}
	}
}

// A controlled identifier document is read only from the origin its URL
// names: a redirect to another host, port or scheme is refused before the
// other origin is asked, and a same-origin redirect still needs the
// document id to be the URL asked for.
func TestResolveURLRedirects(t *testing.T) {
	const docURL = "https://example.com/issuers/cs"
	tests := []struct {
		name   string
		target string // where /issuers/cs redirects to
		// serves is the host+path the target would be served at, if the
		// test server can count requests to it.
		serves string
		body   string
		want   error
	}{
		{name: "another host", target: "https://other.example.com/issuers/cs", serves: "other.example.com/issuers/cs", body: docURL, want: did.ErrRedirect},
		{name: "another port", target: "https://example.com:8443/issuers/cs", serves: "example.com:8443/issuers/cs", body: docURL, want: did.ErrRedirect},
		{name: "plain http", target: "http://example.com/issuers/cs", body: docURL, want: did.ErrRedirect},
		{name: "same origin, document of the moved URL", target: "/issuers/moved", serves: "example.com/issuers/moved", body: "https://example.com/issuers/moved", want: did.ErrInvalidDocument},
		{name: "same origin, document of the URL asked for", target: "/issuers/moved", serves: "example.com/issuers/moved", body: docURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := newWebServer(t)
			body := webDocJSON(t, tt.body)
			ws.handle(func(w http.ResponseWriter, r *http.Request) {
				if r.Host == "example.com" && r.URL.Path == "/issuers/cs" {
					http.Redirect(w, r, tt.target, http.StatusFound)
					return
				}
				fmt.Fprint(w, body)
			})
			r := &did.WebResolver{Client: ws.client(5 * time.Second), TTL: -1}
			doc, err := r.ResolveURL(context.Background(), docURL)
			if tt.want == nil {
				if err != nil || doc.ID != docURL {
					t.Fatalf("ResolveURL = %+v, %v", doc, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("ResolveURL = %+v, %v; want %v", doc, err, tt.want)
			}
			if tt.serves != "" && errors.Is(tt.want, did.ErrRedirect) {
				if n := ws.hitCount(tt.serves); n != 0 {
					t.Errorf("the other origin was asked %d times", n)
				}
			}
		})
	}
}

type recordingResolver struct{ got []string }

func (r *recordingResolver) Resolve(_ context.Context, id string) (*did.Document, error) {
	r.got = append(r.got, id)
	return &did.Document{ID: id}, nil
}

func TestMultiResolver(t *testing.T) {
	ctx := context.Background()
	key, web := &recordingResolver{}, &recordingResolver{}
	m := did.MultiResolver{Key: key, Web: web}
	for _, id := range []string{obDID, "did:jwk:eyJrdHkiOiJPS1AifQ", "did:web:example.com"} {
		if _, err := m.Resolve(ctx, id); err != nil {
			t.Fatalf("Resolve(%s): %v", id, err)
		}
	}
	if !slices.Equal(key.got, []string{obDID, "did:jwk:eyJrdHkiOiJPS1AifQ"}) || !slices.Equal(web.got, []string{"did:web:example.com"}) {
		t.Errorf("routed key=%q web=%q", key.got, web.got)
	}
	if _, err := m.Resolve(ctx, "did:example:123"); !errors.Is(err, did.ErrUnsupportedMethod) {
		t.Errorf("did:example: %v, want ErrUnsupportedMethod", err)
	}
	if _, err := m.Resolve(ctx, "not a did"); !errors.Is(err, did.ErrInvalidDID) {
		t.Errorf("not a DID: %v, want ErrInvalidDID", err)
	}
	var zero did.MultiResolver
	if doc, err := zero.Resolve(ctx, obDID); err != nil || doc.ID != obDID {
		t.Errorf("zero MultiResolver on did:key = %v, %v", doc, err)
	}
	if _, err := zero.Resolve(ctx, "did:web:example.com"); !errors.Is(err, did.ErrUnsupportedMethod) {
		t.Errorf("zero MultiResolver on did:web = %v, want ErrUnsupportedMethod", err)
	}
}

func BenchmarkWebResolverWarm(b *testing.B) {
	const id = "did:web:example.com:issuers:cs"
	ws := newWebServer(b)
	ws.put("example.com/issuers/cs/did.json", webDocJSON(b, id))
	r := &did.WebResolver{Client: ws.client(5 * time.Second), TTL: time.Hour}
	ctx := context.Background()
	if _, err := r.Resolve(ctx, id); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Resolve(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

// Resolve and ResolveURL share a cache but never answer with each other's
// documents.
func TestWebResolverCacheNamespaces(t *testing.T) {
	const docURL = "https://example.com/issuer"
	ws := newWebServer(t)
	ws.put("example.com/issuer", webDocJSON(t, docURL))
	r := &did.WebResolver{Client: ws.client(5 * time.Second)}
	if _, err := r.ResolveURL(context.Background(), docURL); err != nil {
		t.Fatal(err)
	}
	if doc, err := r.Resolve(context.Background(), docURL); !errors.Is(err, did.ErrInvalidDID) {
		t.Errorf("Resolve(%s) = %v, %v; want ErrInvalidDID", docURL, doc, err)
	}
}
