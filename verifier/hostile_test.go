package verifier_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/testdata/hostile/gen"
	"github.com/badgesmith/badgesmith/verifier"
)

var updateHostile = flag.Bool("update", false, "rewrite testdata/hostile from its generator")

// hostileDir is the committed corpus.
const hostileDir = "../testdata/hostile"

// hangGuard bounds one verification in wall-clock time. It is not a speed
// target (those are benchmarks): a case that outlives it hangs.
const hangGuard = 30 * time.Second

func readManifest(t testing.TB) *gen.Manifest {
	t.Helper()
	m, err := gen.ReadManifest(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHostileCorpusUpToDate rebuilds the corpus from its generator and
// compares it with the committed files; -update rewrites them.
func TestHostileCorpusUpToDate(t *testing.T) {
	m, files, err := gen.Generate("..", false)
	if err != nil {
		t.Fatal(err)
	}
	randomized := map[string]bool{}
	for _, c := range m.Cases {
		for _, f := range c.Files {
			if c.Randomized {
				randomized[f] = true
			}
		}
	}
	manifest, err := gen.EncodeManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	files["manifest.json"] = manifest
	committed := map[string]bool{}
	err = filepath.WalkDir(hostileDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, hostileDir+string(filepath.Separator)))
		if d.IsDir() {
			if rel == "gen" {
				return filepath.SkipDir
			}
			return nil
		}
		committed[rel] = true
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	for name, want := range files {
		p := filepath.Join(hostileDir, filepath.FromSlash(name))
		got, err := os.ReadFile(p)
		same := err == nil && (bytes.Equal(got, want) || randomized[name] && sameUnsigned(got, want))
		if same {
			continue
		}
		if *updateHostile {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is not what the generator makes (run go test ./verifier -run TestHostileCorpusUpToDate -update)", name)
	}
	for name := range committed {
		if _, ok := files[name]; ok {
			continue
		}
		if *updateHostile {
			if err := os.Remove(filepath.Join(hostileDir, filepath.FromSlash(name))); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is committed but not generated", name)
	}
	// A generated file the repository ignores would never be committed
	// (a "*.test" rule once swallowed every status list under a
	// status.<host>.test directory).
	if ignore, err := os.ReadFile("../.gitignore"); err == nil {
		for _, pat := range strings.Fields(string(ignore)) {
			if strings.Contains(pat, "/") || strings.HasPrefix(pat, "#") {
				continue
			}
			for name := range files {
				for _, seg := range strings.Split(name, "/") {
					if ok, _ := filepath.Match(pat, seg); ok {
						t.Errorf("%s: %q is ignored by .gitignore's %q", name, seg, pat)
					}
				}
			}
		}
	}
	if n := len(m.Cases); n < 80 {
		t.Errorf("corpus has %d cases, issue #10 asks for at least 80", n)
	}
}

// sameUnsigned compares two files of a randomized (ECDSA) case without
// their signatures: proofValue members, and a JWT's third segment.
func sameUnsigned(a, b []byte) bool {
	if ta, tb := bytes.TrimSpace(a), bytes.TrimSpace(b); bytes.Count(ta, []byte(".")) == 2 && ta[0] != '{' {
		ia, ib := bytes.LastIndexByte(ta, '.'), bytes.LastIndexByte(tb, '.')
		return ib > 0 && bytes.Equal(ta[:ia], tb[:ib])
	}
	var da, db any
	if json.Unmarshal(a, &da) != nil || json.Unmarshal(b, &db) != nil {
		return false
	}
	strip(da)
	strip(db)
	ja, _ := json.Marshal(da)
	jb, _ := json.Marshal(db)
	return bytes.Equal(ja, jb)
}

func strip(v any) {
	switch t := v.(type) {
	case map[string]any:
		delete(t, "proofValue")
		for _, x := range t {
			strip(x)
		}
	case []any:
		for _, x := range t {
			strip(x)
		}
	}
}

// TestHostileRewritesKeepTheGraph proves every rewrite the corpus and the
// fuzz target use keeps the graph: each op, on each target and key, applied
// to each signed seed, canonicalizes to the seed's N-Quads (so the seed's
// signature still holds). The generator checks the same for every rewritten
// case it writes.
func TestHostileRewritesKeepTheGraph(t *testing.T) {
	for _, s := range rewriteSeeds(t) {
		if s.jwt {
			continue
		}
		for _, op := range gen.Ops() {
			for _, target := range gen.Targets {
				for _, key := range gen.Keys {
					doc := gen.Clone(s.doc)
					done := gen.ApplySteps(doc, []gen.Step{{Target: target, Key: key, Op: op}})
					if len(done) == 0 {
						continue
					}
					same, err := gen.SameGraph(s.doc, doc)
					if err != nil || !same {
						t.Errorf("%s: %s %q of %q changes the graph (err %v)", s.name, op, key, target, err)
					}
				}
			}
		}
	}
}

// hostileNet is the loopback TLS listener network cases use, and the
// resolver that maps the case's test host names to it.
type hostileNet struct {
	srv  *httptest.Server
	addr netip.AddrPort
	pool *x509.CertPool

	mu     sync.Mutex
	routes map[string]string // host+path -> file or !action
	dir    string            // where route files are read from
	slow   chan struct{}     // closed to release !slow handlers
	// attempts counts name lookups and requests served since route: what
	// the verifier tried on the network, whether or not Work counts it.
	attempts int
}

func newHostileNet(t *testing.T) *hostileNet {
	t.Helper()
	cert, pool := hostileCert(t)
	n := &hostileNet{pool: pool, slow: make(chan struct{})}
	n.srv = httptest.NewUnstartedServer(http.HandlerFunc(n.serve))
	n.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	n.srv.StartTLS()
	t.Cleanup(func() {
		close(n.slow)
		n.srv.Close()
	})
	n.addr = netip.MustParseAddrPort(n.srv.Listener.Addr().String())
	return n
}

// hostileCert is a self-signed certificate for *.hostile.example.
func hostileCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(10), Subject: pkix.Name{CommonName: "hostile.example"},
		DNSNames:  []string{"hostile.example", "*.hostile.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}, pool
}

// route sets the case's routes: URL -> file (relative to dir) or action.
func (n *hostileNet) route(dir string, serve map[string]string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.dir = dir
	n.attempts = 0
	n.routes = map[string]string{}
	for u, what := range serve {
		n.routes[strings.TrimPrefix(u, "https://")] = what
	}
}

func (n *hostileNet) lookup(hostPath string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	what, ok := n.routes[hostPath]
	return what, ok
}

func (n *hostileNet) tried() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.attempts
}

func (n *hostileNet) serve(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	n.attempts++
	n.mu.Unlock()
	what, ok := n.lookup(r.Host + r.URL.Path)
	switch {
	case !ok, what == "!404":
		http.NotFound(w, r)
	case what == "!slow":
		select {
		case <-r.Context().Done():
		case <-n.slow:
		}
	case strings.HasPrefix(what, "!redirect "):
		http.Redirect(w, r, strings.TrimPrefix(what, "!redirect "), http.StatusFound)
	default:
		n.mu.Lock()
		dir := n.dir
		n.mu.Unlock()
		body, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(what)))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

// testAddr is the address the test names resolve to: a loopback address
// no one listens on, let through the guard as its one exact exception and
// dialled as the listener. Names that resolve anywhere else meet the guard.
var testAddr = netip.MustParseAddrPort("127.77.0.1:443")

// resolve is the injected resolver: a host the case serves resolves to
// testAddr, "!resolve IP" to that address, anything else to nothing.
func (n *hostileNet) resolve(_ context.Context, host string) ([]netip.Addr, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.attempts++
	for hp, what := range n.routes {
		h, _, _ := strings.Cut(hp, "/")
		if h != host {
			continue
		}
		switch {
		case strings.HasPrefix(what, "!resolve "):
			return []netip.Addr{netip.MustParseAddr(strings.TrimPrefix(what, "!resolve "))}, nil
		case what == "!refuse":
			return nil, &net.DNSError{Err: "no such host (test resolver)", Name: host, IsNotFound: true}
		default:
			return []netip.Addr{testAddr.Addr()}, nil
		}
	}
	return nil, &net.DNSError{Err: "no such host (test resolver)", Name: host, IsNotFound: true}
}

// dial connects testAddr to the listener; safehttp only asks it for
// addresses its guard approved, and anything else fails here too.
func (n *hostileNet) dial(ctx context.Context, network, address string) (net.Conn, error) {
	if address != testAddr.String() {
		return nil, fmt.Errorf("test network: %s is not the test listener", address)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, n.addr.String())
}

// client is the HTTP client of network cases: safehttp's guard with the
// test resolver, testAddr its one exact exception.
func (n *hostileNet) client() *http.Client {
	return safehttp.NewClient(safehttp.Options{
		Transport:  &http.Transport{TLSClientConfig: &tls.Config{RootCAs: n.pool}},
		Resolve:    n.resolve,
		AllowAddrs: []netip.AddrPort{testAddr},
		Dial:       n.dial,
	})
}

// largeCorpus builds the cases whose files are not committed.
func largeCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Build("..", dir, true); err != nil {
		t.Fatal(err)
	}
	return dir
}

// caseDir is where a case's files are.
func caseDir(c gen.Case, large func() string) string {
	if c.Large {
		return large()
	}
	return hostileDir
}

// TestHostileLibrary runs every library case of the corpus through
// verifier.Verify and checks verdict, check, reason and Work bounds.
func TestHostileLibrary(t *testing.T) {
	m := readManifest(t)
	network := newHostileNet(t)
	var largeDir string
	large := func() string {
		if largeDir == "" {
			largeDir = largeCorpus(t)
		}
		return largeDir
	}
	for _, c := range m.Cases {
		if !slices.Contains(c.Runners, gen.Library) {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			dir := caseDir(c, large)
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c.Files[0])))
			if err != nil {
				t.Fatal(err)
			}
			network.route(dir, c.Serve)
			opts := verifier.Options{Now: caseNow(t, c), HTTPClient: network.client(),
				StatusListTrust: verifier.StatusListTrust{Trusted: c.StatusListTrust}}
			if c.StatusDir != "" {
				opts.StatusDir = filepath.Join(dir, filepath.FromSlash(c.StatusDir))
			}
			guard := hangGuard
			if c.Deadline != "" {
				d, err := time.ParseDuration(c.Deadline)
				if err != nil {
					t.Fatal(err)
				}
				opts.Limits.Deadline = d
				// A verification with its own deadline hangs once well past it.
				guard = d + 8*time.Second
			}
			v, err := verifier.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			var total verifier.Work
			var res *verifier.Result
			for range max(c.Repeat, 1) {
				res, err = verifyHostile(t, v, data, guard)
				if res == nil {
					t.Fatalf("no result (err %v)", err)
				}
				addWork(&total, res.Work)
			}
			checkCase(t, c, res, err)
			checkBounds(t, c, total)
			// Every lookup or request the test network saw is a fetch
			// attempt, counted or not: failures cached, nothing retried.
			if limit, tried := c.Bounds["fetches"], network.tried(); int64(tried) > 2*limit {
				t.Errorf("the test network saw %d lookups and requests, over twice the fetch bound %d", tried, limit)
			}
		})
	}
}

func caseNow(t testing.TB, c gen.Case) func() time.Time {
	s := c.Now
	if s == "" {
		s = gen.Now
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return func() time.Time { return at }
}

// verifyHostile runs Verify under a hang guard: a verification still
// running 5 s after guard fails the test and is left behind. Its context
// ends after hangGuard, so a verification with a shorter deadline of its
// own must end by itself.
func verifyHostile(t *testing.T, v *verifier.Verifier, data []byte, guard time.Duration) (*verifier.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), max(guard, hangGuard))
	defer cancel()
	type out struct {
		res *verifier.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := v.Verify(ctx, data)
		done <- out{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-time.After(guard + 5*time.Second):
		t.Fatalf("verification still running %v after %v (hang guard)", guard+5*time.Second, guard)
		return nil, nil
	}
}

func addWork(sum *verifier.Work, w verifier.Work) {
	sum.Quads += w.Quads
	sum.HashCalls += w.HashCalls
	sum.Proofs += w.Proofs
	sum.StatusEntries += w.StatusEntries
	sum.BytesInflated += w.BytesInflated
	sum.Fetches += w.Fetches
	sum.Connections += w.Connections
}

func workCounters(w verifier.Work) map[string]int64 {
	return map[string]int64{
		"quads": int64(w.Quads), "hashCalls": int64(w.HashCalls), "proofs": int64(w.Proofs),
		"statusEntries": int64(w.StatusEntries), "bytesInflated": w.BytesInflated,
		"fetches": int64(w.Fetches), "connections": int64(w.Connections),
	}
}

func checkBounds(t *testing.T, c gen.Case, w verifier.Work) {
	t.Helper()
	got := workCounters(w)
	for k, limit := range c.Bounds {
		v, ok := got[k]
		if !ok {
			t.Errorf("bound on unknown counter %q", k)
			continue
		}
		if v > limit {
			t.Errorf("work %s = %d, over the bound %d", k, v, limit)
		}
	}
	for k, floor := range c.AtLeast {
		if got[k] < floor {
			t.Errorf("work %s = %d, want at least %d (is the counter wired?)", k, got[k], floor)
		}
	}
}

// verdictOf maps Verify's outcome to a manifest verdict.
func verdictOf(res *verifier.Result, err error) string {
	var ve *verifier.VerificationError
	var ie *verifier.InconclusiveError
	switch {
	case err == nil && res.Valid:
		return gen.Valid
	case errors.As(err, &ve):
		return gen.Invalid
	case errors.As(err, &ie):
		return gen.CouldNotCheck
	}
	return fmt.Sprintf("unexpected (valid=%v err=%v)", res.Valid, err)
}

func checkCase(t *testing.T, c gen.Case, res *verifier.Result, err error) {
	t.Helper()
	got := verdictOf(res, err)
	defer func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("work %+v", res.Work)
			for _, ch := range res.Checks {
				t.Logf("  %-7s %-8s %q [%s]", ch.Status, ch.Check, ch.Reason, ch.Path)
			}
		}
	}()
	if got != c.Verdict && !slices.Contains(c.AcceptAlso, got) {
		t.Errorf("verdict %s, want %s (attack: %s; err %v)", got, c.Verdict, c.Attack, err)
		return
	}
	for _, name := range c.NotPass {
		if ch := res.Check(verifier.CheckName(name)); ch != nil && ch.Status == verifier.StatusPass {
			t.Errorf("check %s passed (%s); it must not", name, ch.Reason)
		}
	}
	if got == gen.Valid {
		return
	}
	// The named check reports the problem: it failed, or could not be run.
	var carrier *verifier.CheckResult
	for _, name := range []string{c.Check, c.OrCheck} {
		if ch := res.Check(verifier.CheckName(name)); name != "" && ch != nil && (ch.Status == verifier.StatusFail || ch.Status == verifier.StatusError) {
			carrier = ch
			break
		}
	}
	if carrier == nil {
		t.Errorf("neither the %s nor the %q check failed or errored", c.Check, c.OrCheck)
		return
	}
	if c.Reason != "" && !strings.Contains(carrier.Reason+" "+carrier.Path, c.Reason) {
		t.Errorf("%s reason %q does not mention %q", carrier.Check, carrier.Reason, c.Reason)
	}
}
