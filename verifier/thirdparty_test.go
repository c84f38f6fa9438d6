package verifier_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/verifier"
)

// thirdPartyDirEnv names the environment variable that points at the
// directory holding the corpus files (see testdata/thirdparty/README.md).
const thirdPartyDirEnv = "BADGESMITH_THIRDPARTY_DIR"

// Verdicts of the #11 outcome model, as the manifest spells them.
const (
	verdictValid         = "valid"
	verdictWarnings      = "valid with warnings"
	verdictInvalid       = "invalid"
	verdictCouldNotCheck = "could not check"
)

// tpSource locates a file in a public repository.
type tpSource struct {
	Repo   string `json:"repo"`
	Path   string `json:"path"`
	Commit string `json:"commit"`
}

// tpDocument is a status list or DID document served to the verifier from
// the loopback TLS server at its original URL.
type tpDocument struct {
	URL         string   `json:"url"`
	File        string   `json:"file"`
	SHA256      string   `json:"sha256"`
	Source      tpSource `json:"source"`
	Licence     string   `json:"licence"`
	Description string   `json:"description"`
}

// tpExpected is badgesmith's documented verdict for a case under the #11
// policy and the check that decides it.
type tpExpected struct {
	Verdict string             `json:"verdict"`
	Check   verifier.CheckName `json:"check"`
	Reason  string             `json:"reason"`
}

// tpCase is one credential of the corpus.
type tpCase struct {
	Name            string     `json:"name"`
	File            string     `json:"file"`
	SHA256          string     `json:"sha256"`
	Source          tpSource   `json:"source"`
	Licence         string     `json:"licence"`
	Format          string     `json:"format"`
	Suite           string     `json:"suite"`
	IssuerDIDMethod string     `json:"issuerDIDMethod"`
	Exercises       []string   `json:"exercises"`
	Now             time.Time  `json:"now"`
	Documents       []string   `json:"documents"`
	Expected        tpExpected `json:"expected"`
	Found           []int      `json:"found,omitempty"`
	Reference       string     `json:"reference,omitempty"`
	Notes           string     `json:"notes,omitempty"`
	// KeyFromFragment marks a credential whose only key is named in its
	// verification method's fragment (<issuer.id>#z6Mk...), which issue
	// #10 says is never a key source on its own.
	KeyFromFragment bool `json:"keyFromFragment,omitempty"`
}

// tpManifest is testdata/thirdparty/manifest.json.
type tpManifest struct {
	Documents []tpDocument `json:"documents"`
	Cases     []tpCase     `json:"cases"`
}

func loadThirdPartyManifest(t *testing.T) tpManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "thirdparty", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m tpManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return m
}

// thirdPartyDir returns the directory with the corpus files: the one named
// by $BADGESMITH_THIRDPARTY_DIR, else ../shared/thirdparty beside the
// checkout, else the uncommitted testdata/thirdparty/files.
func thirdPartyDir(t *testing.T, probe string) string {
	t.Helper()
	if d := os.Getenv(thirdPartyDirEnv); d != "" {
		return d
	}
	for _, d := range []string{
		filepath.Join("..", "..", "shared", "thirdparty"),
		filepath.Join("..", "testdata", "thirdparty", "files"),
	} {
		if _, err := os.Stat(filepath.Join(d, probe)); err == nil {
			return d
		}
	}
	t.Skipf("third-party corpus files not found: set %s or place them as testdata/thirdparty/README.md says", thirdPartyDirEnv)
	return ""
}

// readCorpusFile reads name under dir and checks it is the file the
// manifest recorded.
func readCorpusFile(t *testing.T, dir, name, sum string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.Sum256(b)
	if hex.EncodeToString(got[:]) != sum {
		t.Fatalf("%s: sha256 %x, manifest says %s", name, got, sum)
	}
	return b
}

// anyHostServer is a loopback TLS server that answers for every host name:
// its client dials the server whatever the URL's host, and the server signs
// a certificate for the requested name with a test CA the client trusts. It
// serves the bodies put under "host/path" and 404 for anything else, so a
// document that is not part of a case is "not found", never fetched from
// the internet.
type anyHostServer struct {
	srv    *httptest.Server
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	leaf   *ecdsa.PrivateKey
	mu     sync.Mutex
	certs  map[string]*tls.Certificate
	bodies map[string][]byte
}

func newAnyHostServer(t *testing.T) *anyHostServer {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "badgesmith third-party corpus test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	s := &anyHostServer{ca: ca, caKey: caKey, leaf: leafKey, certs: map[string]*tls.Certificate{}, bodies: map[string][]byte{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		body, ok := s.bodies[r.Host+r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	s.srv.TLS = &tls.Config{GetCertificate: s.certificate}
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	return s
}

// certificate signs a certificate for the name the client asked for.
func (s *anyHostServer) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.certs[name]; ok {
		return c, nil
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(len(s.certs) + 2)),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.ca, &s.leaf.PublicKey, s.caKey)
	if err != nil {
		return nil, fmt.Errorf("signing a certificate for %q: %w", name, err)
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: s.leaf}
	s.certs[name] = c
	return c, nil
}

// serve replaces the served documents with docs (URL -> body).
func (s *anyHostServer) serve(t *testing.T, docs map[string][]byte) {
	t.Helper()
	bodies := make(map[string][]byte, len(docs))
	for raw, b := range docs {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		bodies[u.Host+u.Path] = b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies = bodies
}

// client returns a client that reaches the server for every host and
// trusts its certificates.
func (s *anyHostServer) client() *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(s.ca)
	addr := s.srv.Listener.Addr().String()
	var d net.Dialer
	return &http.Client{
		// A hang guard only: nothing asserts on time.
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
			TLSClientConfig: &tls.Config{RootCAs: pool},
			Proxy:           nil,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// tpOutcome is badgesmith's verdict for a case in the #11 vocabulary, with
// the check that decided it.
type tpOutcome struct {
	verdict string
	check   verifier.CheckName
	reason  string
}

// outcomeOf reads the verdict and the check that decides it from the
// Result, and checks that the error Verify returned agrees with them.
func outcomeOf(res *verifier.Result, err error) tpOutcome {
	if res == nil {
		return tpOutcome{verdict: "error", reason: fmt.Sprint(err)}
	}
	out := tpOutcome{verdict: string(res.Verdict), check: res.Decision}
	if c := res.Check(res.Decision); c != nil {
		out.reason = c.Reason
	}
	var ve *verifier.VerificationError
	var ie *verifier.InconclusiveError
	switch res.Verdict {
	case verifier.VerdictValid, verifier.VerdictWarnings:
		if err != nil || !res.Valid {
			out.verdict = fmt.Sprintf("%s, but Valid=%v and error %v", res.Verdict, res.Valid, err)
		}
	case verifier.VerdictInvalid:
		if !errors.As(err, &ve) || res.Valid {
			out.verdict = fmt.Sprintf("invalid, but error %v", err)
		}
	case verifier.VerdictCouldNotCheck:
		if !errors.As(err, &ie) || ie.Check != res.Decision || res.Valid {
			out.verdict = fmt.Sprintf("could not check, but error %v", err)
		}
	}
	return out
}

// explain names what accounts for a disagreement: the #11 Found item the
// manifest gives the case, else the part of #10 or #11 the actual verdict
// points at.
func explain(c tpCase, got tpOutcome) string {
	has := func(n int) bool {
		for _, f := range c.Found {
			if f == n {
				return true
			}
		}
		return false
	}
	found := func(n int) string { return fmt.Sprintf("#11 Found %d", n) }
	switch {
	case got.verdict == verdictValid && c.Expected.Verdict == verdictWarnings:
		return "#11 Build: outcome model (valid with warnings)"
	case got.check == verifier.CheckParse && has(1):
		return found(1)
	case got.check == verifier.CheckContext && has(5):
		return found(5)
	case (got.check == verifier.CheckContext || got.check == verifier.CheckType) && has(6):
		return found(6)
	case got.check == verifier.CheckStatus && has(2):
		return found(2)
	case got.check == verifier.CheckStatus && has(3):
		return found(3)
	case (got.check == verifier.CheckProof || got.check == verifier.CheckIssuer) && has(4):
		return found(4)
	case got.check != verifier.CheckSchema && len(c.Found) > 0:
		return found(c.Found[0])
	case c.KeyFromFragment && accepted(got.verdict):
		return "#10 Found 1 (key from the verification method fragment accepted)"
	case got.check == verifier.CheckSchema:
		return "#11 Build: outcome model (an undeclared schema or data-model departure is a warning, and must not hide the deciding check)"
	case got.verdict == verdictInvalid && c.Expected.Verdict == verdictCouldNotCheck:
		return "#11 Build: outcome model (could not check is not invalid)"
	default:
		return "other"
	}
}

// accepted says whether a verdict lets the credential through.
func accepted(verdict string) bool { return verdict == verdictValid || verdict == verdictWarnings }

// TestThirdPartyCorpus runs every credential of testdata/thirdparty through
// the verifier with the case's pinned clock, its status lists and DID
// documents served at their original URLs by a loopback TLS server, and
// compares badgesmith's verdict with the one the manifest documents.
func TestThirdPartyCorpus(t *testing.T) {
	m := loadThirdPartyManifest(t)
	if len(m.Cases) < 30 {
		t.Fatalf("the corpus has %d cases, want at least 30", len(m.Cases))
	}
	dir := thirdPartyDir(t, m.Cases[0].File)

	docs := make(map[string][]byte, len(m.Documents))
	for _, d := range m.Documents {
		docs[d.URL] = readCorpusFile(t, dir, d.File, d.SHA256)
	}
	srv := newAnyHostServer(t)
	client := srv.client()

	var (
		table    strings.Builder
		agree    int
		accepts  []string
		disagree = map[string][]string{}
	)
	fmt.Fprintf(&table, "%-34s | %-44s | %s\n", "case", "expected", "actual")
	for _, c := range m.Cases {
		t.Run(c.Name, func(t *testing.T) {
			data := readCorpusFile(t, dir, c.File, c.SHA256)
			served := map[string][]byte{}
			for _, u := range c.Documents {
				b, ok := docs[u]
				if !ok {
					t.Fatalf("document %s is not in the manifest's documents", u)
				}
				served[u] = b
			}
			srv.serve(t, served)
			if c.Now.IsZero() {
				t.Fatal("the case pins no verification time")
			}
			now := c.Now
			v, err := verifier.New(verifier.Options{
				Now:        func() time.Time { return now },
				HTTPClient: client,
			})
			if err != nil {
				t.Fatal(err)
			}
			res, verr := v.Verify(context.Background(), data)
			got := outcomeOf(res, verr)
			want := c.Expected

			same := got.verdict == want.Verdict && (want.Check == "" || got.check == want.Check)
			// Valid with warnings has no single deciding check: the
			// expected one must be among the checks that warn.
			if !same && got.verdict == want.Verdict && want.Verdict == verdictWarnings {
				for _, w := range res.Warnings() {
					if w.Check == want.Check {
						same, got.check, got.reason = true, w.Check, w.Reason
					}
				}
			}
			exp := want.Verdict
			if want.Check != "" {
				exp += " (" + string(want.Check) + ")"
			}
			act := got.verdict
			if got.check != "" {
				act += " (" + string(got.check) + ")"
			}
			if got.reason != "" {
				act += ": " + got.reason
			}
			fmt.Fprintf(&table, "%-34s | %-44s | %s\n", c.Name, exp, act)
			t.Logf("expected %s: %s", exp, want.Reason)
			t.Logf("actual   %s", act)
			if res != nil {
				for _, ch := range res.Checks {
					t.Logf("  %-8s %-7s %s", ch.Check, ch.Status, ch.Reason)
				}
			}
			if same {
				agree++
				return
			}
			key := explain(c, got)
			disagree[key] = append(disagree[key], c.Name)
			if accepted(got.verdict) && c.KeyFromFragment {
				t.Logf("ACCEPTED ON A KEY NAMED IN THE VERIFICATION METHOD FRAGMENT (#10 Found 1): %s", act)
			}

			// A credential documented as invalid must never be accepted:
			// that is a forgery (or an expired or revoked credential)
			// let through, whatever the state of the outcome model.
			if accepted(got.verdict) && want.Verdict == verdictInvalid {
				accepts = append(accepts, c.Name)
				t.Errorf("FORGERY ACCEPTED: badgesmith says %s, the corpus documents %s: %s", act, exp, want.Reason)
				return
			}
			t.Errorf("verdict %s, want %s: %s", act, exp, want.Reason)
		})
	}
	t.Logf("third-party corpus: %d of %d cases agree\n%s", agree, len(m.Cases), table.String())
	for k, names := range disagree {
		t.Logf("disagreements under %s: %s", k, strings.Join(names, ", "))
	}
	if len(accepts) > 0 {
		t.Errorf("accepted although documented invalid: %s", strings.Join(accepts, ", "))
	}
}

// TestThirdPartyManifest checks the manifest itself: every case names its
// source, licence, format, pinned time and a verdict from the #11 model with
// a reason, and every document a case needs is listed with its source.
func TestThirdPartyManifest(t *testing.T) {
	m := loadThirdPartyManifest(t)
	urls := map[string]bool{}
	for _, d := range m.Documents {
		if d.URL == "" || d.File == "" || d.Source.Repo == "" || d.Source.Commit == "" || d.Licence == "" || len(d.SHA256) != 64 {
			t.Errorf("document %+v lacks its url, file, source, licence or sha256", d)
		}
		urls[d.URL] = true
	}
	names := map[string]bool{}
	verdicts := map[string]bool{verdictValid: true, verdictWarnings: true, verdictInvalid: true, verdictCouldNotCheck: true}
	for _, c := range m.Cases {
		if names[c.Name] {
			t.Errorf("case %q appears twice", c.Name)
		}
		names[c.Name] = true
		if c.Source.Repo == "" || c.Source.Path == "" || len(c.Source.Commit) != 40 || c.Licence == "" || len(c.SHA256) != 64 {
			t.Errorf("%s: source, licence or sha256 missing", c.Name)
		}
		switch c.Format {
		case "json", "jwt", "png", "svg":
		default:
			t.Errorf("%s: format %q", c.Name, c.Format)
		}
		if c.Now.IsZero() || len(c.Exercises) == 0 || c.Suite == "" || c.IssuerDIDMethod == "" {
			t.Errorf("%s: pinned time, exercises, suite or DID method missing", c.Name)
		}
		if !verdicts[c.Expected.Verdict] || c.Expected.Reason == "" {
			t.Errorf("%s: expected verdict %q with reason %q", c.Name, c.Expected.Verdict, c.Expected.Reason)
		}
		if c.Expected.Verdict != verdictValid && c.Expected.Check == "" {
			t.Errorf("%s: a %s verdict must name the check that decides it", c.Name, c.Expected.Verdict)
		}
		for _, u := range c.Documents {
			if !urls[u] {
				t.Errorf("%s: needs %s, which the manifest's documents do not list", c.Name, u)
			}
		}
	}
}
