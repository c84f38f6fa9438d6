package verifier_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/internal/testtls"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// localhostServer is a TLS server on 127.0.0.1 whose certificate names
// "localhost", the one host name a did:web DID can give that reaches a
// loopback listener (the method forbids IP literals). Its handler serves the
// bodies put under a path, or defers to an override.
type localhostServer struct {
	srv      *httptest.Server
	port     int
	mu       sync.Mutex
	bodies   map[string]string
	hits     map[string]int
	override http.HandlerFunc
}

func newLocalhostServer(t testing.TB) *localhostServer {
	t.Helper()
	ls := &localhostServer{bodies: map[string]string{}, hits: map[string]int{}}
	ls.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.mu.Lock()
		ls.hits[r.URL.Path]++
		body, ok := ls.bodies[r.URL.Path]
		override := ls.override
		ls.mu.Unlock()
		switch {
		case override != nil:
			override(w, r)
		case ok:
			w.Header().Set("Content-Type", "application/did+json")
			fmt.Fprint(w, body)
		default:
			http.NotFound(w, r)
		}
	}))
	ls.srv.TLS = &tls.Config{Certificates: []tls.Certificate{localhostCert(t)}}
	ls.srv.StartTLS()
	t.Cleanup(ls.srv.Close)
	ls.port = ls.srv.Listener.Addr().(*net.TCPAddr).Port
	return ls
}

func (ls *localhostServer) put(path, body string) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.bodies[path] = body
}

func (ls *localhostServer) handle(h http.HandlerFunc) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.override = h
}

func (ls *localhostServer) hitCount(path string) int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.hits[path]
}

// did returns the server's did:web DID.
func (ls *localhostServer) did() string { return fmt.Sprintf("did:web:localhost%%3A%d", ls.port) }

// client returns a guarded client that trusts the server's certificate and
// may reach loopback addresses.
func (ls *localhostServer) client(timeout time.Duration) *http.Client {
	return safehttp.NewClient(safehttp.Options{
		AllowPrivate: true,
		Timeout:      timeout,
		Transport:    ls.srv.Client().Transport.(*http.Transport),
	})
}

// controllerDoc is the document of id listing k's key as id#key-1 under
// assertionMethod.
func controllerDoc(t testing.TB, id string, k testKey) string {
	t.Helper()
	return string(testkit.ControllerDocument(t, id, "key-1", k.priv.Public()))
}

// signedBy returns the sample credential issued by controller and signed
// with k as controller#key-1.
func signedBy(t testing.TB, controller string, k testKey) []byte {
	t.Helper()
	issuer := testKey{priv: k.priv, did: controller, vm: controller + "#key-1"}
	return encode(t, sign(t, unsigned(t, issuer), issuer.priv, issuer.vm, proof.EddsaRdfc2022))
}

func verifyWith(t testing.TB, opts verifier.Options, cred []byte) (*verifier.Result, error) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	v, err := verifier.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return v.Verify(context.Background(), cred)
}

const wellKnownPath = "/.well-known/did.json"

// TestDIDWebSSRFGuard proves the default verifier refuses to fetch a
// did:web document from a loopback address, and that the same credential
// verifies once the client is allowed to reach it.
func TestDIDWebSSRFGuard(t *testing.T) {
	ls := newLocalhostServer(t)
	k := newKey(t, 7)
	ls.put(wellKnownPath, controllerDoc(t, ls.did(), k))
	cred := signedBy(t, ls.did(), k)

	res, err := verifyWith(t, verifier.Options{}, cred)
	var ie *verifier.InconclusiveError
	if !errors.As(err, &ie) || !errors.Is(err, safehttp.ErrForbiddenAddress) {
		t.Fatalf("default verifier: %v, want an InconclusiveError wrapping ErrForbiddenAddress", err)
	}
	if res.Valid || ie.Check != verifier.CheckProof {
		t.Errorf("default verifier: valid %v, inconclusive check %q", res.Valid, ie.Check)
	}
	if n := ls.hitCount(wellKnownPath); n != 0 {
		t.Fatalf("the guarded verifier reached the loopback server %d times", n)
	}

	res, err = verifyWith(t, verifier.Options{HTTPClient: ls.client(5 * time.Second)}, cred)
	if err != nil || !res.Valid {
		t.Fatalf("verifier allowed to reach loopback: %v (valid %v)", err, res.Valid)
	}
	if c := res.Check(verifier.CheckIssuer); c == nil || c.Status != verifier.StatusPass {
		t.Errorf("issuer check = %+v", c)
	}
}

func TestDIDWebVerify(t *testing.T) {
	k := newKey(t, 7)
	other := newKey(t, 70)
	tests := []struct {
		name string
		// serve sets up the server for the credential issued by ls.did().
		serve func(t *testing.T, ls *localhostServer)
		// cred builds the credential; if nil, signed by k as ls.did()#key-1.
		cred    func(t *testing.T, ls *localhostServer) []byte
		timeout time.Duration
		// want is the error the verification must wrap; nil means valid.
		want error
		// invalid says the failure is a VerificationError (the credential is
		// bad) rather than an InconclusiveError.
		invalid bool
	}{
		{name: "valid", serve: func(t *testing.T, ls *localhostServer) {
			ls.put(wellKnownPath, controllerDoc(t, ls.did(), k))
		}},
		{name: "valid with a path", serve: func(t *testing.T, ls *localhostServer) {
			ls.put("/issuers/cs/did.json", controllerDoc(t, ls.did()+":issuers:cs", k))
		}, cred: func(t *testing.T, ls *localhostServer) []byte { return signedBy(t, ls.did()+":issuers:cs", k) }},
		{name: "https controlled identifier document", serve: func(t *testing.T, ls *localhostServer) {
			ls.put("/issuer", controllerDoc(t, fmt.Sprintf("https://localhost:%d/issuer", ls.port), k))
		}, cred: func(t *testing.T, ls *localhostServer) []byte {
			return signedBy(t, fmt.Sprintf("https://localhost:%d/issuer", ls.port), k)
		}},
		{name: "document lists another key", serve: func(t *testing.T, ls *localhostServer) {
			ls.put(wellKnownPath, controllerDoc(t, ls.did(), other))
		}, want: proof.ErrInvalidSignature, invalid: true},
		{name: "document id differs from the DID", serve: func(t *testing.T, ls *localhostServer) {
			ls.put(wellKnownPath, controllerDoc(t, "did:web:localhost", k))
		}, want: did.ErrInvalidDocument},
		{name: "controlled identifier document id differs from its URL", serve: func(t *testing.T, ls *localhostServer) {
			ls.put("/issuer", controllerDoc(t, fmt.Sprintf("https://localhost:%d/other", ls.port), k))
		}, cred: func(t *testing.T, ls *localhostServer) []byte {
			return signedBy(t, fmt.Sprintf("https://localhost:%d/issuer", ls.port), k)
		}, want: did.ErrInvalidDocument},
		{name: "oversized document", serve: func(t *testing.T, ls *localhostServer) {
			doc := controllerDoc(t, ls.did(), k)
			ls.put(wellKnownPath, doc[:len(doc)-1]+`,"service":"`+strings.Repeat("x", did.MaxDocumentSize)+`"}`)
		}, want: did.ErrTooLarge},
		{name: "no document", serve: func(t *testing.T, ls *localhostServer) {}, want: did.ErrNotFound},
		{name: "redirect to another host", serve: func(t *testing.T, ls *localhostServer) {
			doc := controllerDoc(t, ls.did(), k)
			ls.handle(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == wellKnownPath {
					http.Redirect(w, r, fmt.Sprintf("https://127.0.0.1:%d/moved/did.json", ls.port), http.StatusFound)
					return
				}
				fmt.Fprint(w, doc)
			})
		}, want: did.ErrRedirect},
		{name: "hanging host", timeout: 200 * time.Millisecond, serve: func(t *testing.T, ls *localhostServer) {
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			ls.handle(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-release:
				}
			})
		}, want: errTimeout},
		{name: "IP-literal did:web", serve: func(t *testing.T, ls *localhostServer) {}, cred: func(t *testing.T, ls *localhostServer) []byte {
			return signedBy(t, fmt.Sprintf("did:web:127.0.0.1%%3A%d", ls.port), k)
		}, want: did.ErrIPHost, invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := newLocalhostServer(t)
			tt.serve(t, ls)
			var cred []byte
			if tt.cred != nil {
				cred = tt.cred(t, ls)
			} else {
				cred = signedBy(t, ls.did(), k)
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			res, err := verifyWith(t, verifier.Options{HTTPClient: ls.client(timeout)}, cred)
			if tt.want == nil {
				if err != nil || !res.Valid {
					t.Fatalf("Verify: %v (valid %v)", err, res.Valid)
				}
				return
			}
			if res.Valid {
				t.Fatal("credential verified")
			}
			if !isCause(err, tt.want) {
				t.Fatalf("Verify: %v; want it to wrap %v", err, tt.want)
			}
			var ve *verifier.VerificationError
			if got := errors.As(err, &ve); got != tt.invalid {
				t.Errorf("Verify: %T %v; VerificationError %v, want %v", err, err, got, tt.invalid)
			}
			if n := ls.hitCount("/moved/did.json"); n != 0 {
				t.Errorf("redirect target fetched %d times", n)
			}
		})
	}
}

// errTimeout stands for any timeout error in TestDIDWebVerify.
var errTimeout = errors.New("timeout")

// isCause reports whether err wraps want; a VerificationError carries its
// causes as text only, so for it the message is searched instead.
func isCause(err, want error) bool {
	if errors.Is(want, errTimeout) {
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}
	if errors.Is(err, want) {
		return true
	}
	var ve *verifier.VerificationError
	return errors.As(err, &ve) && strings.Contains(ve.Error(), want.Error())
}

func TestDIDWebCache(t *testing.T) {
	ls := newLocalhostServer(t)
	k := newKey(t, 7)
	ls.put(wellKnownPath, controllerDoc(t, ls.did(), k))
	cred := signedBy(t, ls.did(), k)
	v, err := verifier.New(verifier.Options{HTTPClient: ls.client(5 * time.Second), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if res, err := v.Verify(context.Background(), cred); err != nil || !res.Valid {
			t.Fatalf("Verify #%d: %v", i, err)
		}
	}
	if n := ls.hitCount(wellKnownPath); n != 1 {
		t.Errorf("did.json fetched %d times for 3 verifications, want 1", n)
	}
}

func localhostCert(t testing.TB) tls.Certificate {
	cert, _ := testtls.Localhost(t)
	return cert
}
