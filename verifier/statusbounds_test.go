package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/verifier"
)

// guarded is a safehttp client whose injected resolver maps every
// *.example.com name to one loopback listener, the only address the guard
// lets through; dials counts the connections it opened.
type guarded struct {
	client *http.Client
	addr   netip.AddrPort
	dials  atomic.Int32
}

func newGuarded(t testing.TB, srvTransport *http.Transport, addr netip.AddrPort) *guarded {
	t.Helper()
	g := &guarded{addr: addr}
	g.client = safehttp.NewClient(safehttp.Options{
		Transport:  srvTransport,
		AllowAddrs: []netip.AddrPort{addr},
		Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
			if !strings.HasSuffix(host, ".example.com") {
				return nil, fmt.Errorf("test resolver: no such host %s", host)
			}
			return []netip.Addr{addr.Addr()}, nil
		},
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			g.dials.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, network, address)
		},
	})
	return g
}

// guardedClient is newGuarded for s's listener.
func (s *listServer) guardedClient(t testing.TB) *guarded {
	t.Helper()
	return newGuarded(t, s.srv.Client().Transport.(*http.Transport), netip.MustParseAddrPort(s.srv.Listener.Addr().String()))
}

// at is the URL of path on s under a test host name.
func (s *listServer) at(path string) string {
	return fmt.Sprintf("https://status.example.com:%d%s", netip.MustParseAddrPort(s.srv.Listener.Addr().String()).Port(), path)
}

// credWithEntries is k's signed sample credential with the given entries.
func credWithEntries(t testing.TB, k testKey, entries []any) []byte {
	t.Helper()
	d := unsigned(t, k)
	d["credentialStatus"] = entries
	return encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022))
}

// TestStatusBounds runs credentials with many entries and large lists
// against the per-verification limits and checks the verdict and the Work
// counters, which are exact for a given input and configuration.
func TestStatusBounds(t *testing.T) {
	k := newKey(t, 1)
	s := newListServer(t)
	const mib = 1 << 20
	small := encodedList(t)
	smallRevoked := encodedList(t, 7)
	big := gzipBomb(t, mib) // 1 MiB of zeros
	put := func(path, encoded string) string {
		u := s.at(path)
		s.put(t, path, sign(t, listDoc(k.did, u, "revocation", encoded), k.priv, k.vm, proof.EddsaRdfc2022))
		return u
	}
	var smallURLs, bigURLs []string
	for i := range 20 {
		enc := small
		if i == 2 {
			enc = smallRevoked
		}
		smallURLs = append(smallURLs, put(fmt.Sprintf("/small/%d", i), enc))
	}
	for i := range 4 {
		bigURLs = append(bigURLs, put(fmt.Sprintf("/big/%d", i), big))
	}
	entries := func(urls []string, index int) []any {
		var out []any
		for _, u := range urls {
			out = append(out, bitstringEntry(u, "revocation", index))
		}
		return out
	}
	minList := int64(status.MinEntries / 8) // bytes inflated to read an entry of a minimum list
	lastBit := 8*mib - 1                    // the last entry of a 1 MiB list
	tests := []struct {
		name    string
		entries []any
		limits  verifier.Limits
		want    outcome
		reason  string
		limit   bool // the verdict is inconclusive because of a limit
		work    verifier.Work
		refetch int // fetches when verified again: the lists the first run left unfetched
	}{
		{name: "entries at the default limit", entries: entries(smallURLs[3:19], 3), want: wantValid,
			work: verifier.Work{StatusEntries: 16, Fetches: 16, BytesInflated: 16 * minList}},
		{name: "entries over the default limit", entries: entries(smallURLs[3:20], 3), want: wantInconclusive, reason: "1 left unchecked", limit: true,
			work: verifier.Work{StatusEntries: 16, Fetches: 16, BytesInflated: 16 * minList}},
		{name: "a revoked entry among too many still fails", entries: entries(smallURLs, 7), want: wantFail, reason: "revoked",
			work: verifier.Work{StatusEntries: 16, Fetches: 16, BytesInflated: 16 * minList}},
		{name: "configured entry limit", entries: entries(smallURLs[3:8], 3), limits: verifier.Limits{MaxStatusEntries: 2}, want: wantInconclusive, reason: "MaxStatusEntries is 2", limit: true,
			work: verifier.Work{StatusEntries: 2, Fetches: 2, BytesInflated: 2 * minList}},
		{name: "entries sharing a list fetch it once", entries: []any{bitstringEntry(smallURLs[0], "revocation", 1), bitstringEntry(smallURLs[0], "revocation", 2), bitstringEntry(smallURLs[0], "revocation", 3)}, want: wantValid,
			work: verifier.Work{StatusEntries: 3, Fetches: 1, BytesInflated: 3 * minList}},
		{name: "fetch limit", entries: entries(smallURLs[3:9], 3), limits: verifier.Limits{MaxFetches: 4}, want: wantInconclusive, reason: "MaxFetches", limit: true,
			work: verifier.Work{StatusEntries: 6, Fetches: 4, BytesInflated: 4 * minList}, refetch: 2},
		{name: "large lists read at their start", entries: entries(bigURLs, 5), limits: verifier.Limits{MaxInflatedBytes: mib}, want: wantValid,
			work: verifier.Work{StatusEntries: 4, Fetches: 4, BytesInflated: 4 * minList}},
		{name: "large lists read at their end within the budget", entries: entries(bigURLs, lastBit), limits: verifier.Limits{MaxInflatedBytes: 4 * mib}, want: wantValid,
			work: verifier.Work{StatusEntries: 4, Fetches: 4, BytesInflated: 4 * mib}},
		{name: "large lists read at their end over the budget", entries: entries(bigURLs, lastBit), limits: verifier.Limits{MaxInflatedBytes: 5 * mib / 2}, want: wantInconclusive, reason: "MaxInflatedBytes", limit: true,
			work: verifier.Work{StatusEntries: 4, Fetches: 4, BytesInflated: 5 * mib / 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := s.guardedClient(t)
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: g.client, Limits: tc.limits})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), credWithEntries(t, k, tc.entries))
			checkOutcome(t, res, err, tc.want, tc.reason)
			if got := errors.Is(err, verifier.ErrLimit); got != tc.limit {
				t.Errorf("errors.Is(err, ErrLimit) = %v, want %v (err %v)", got, tc.limit, err)
			}
			w, want := res.Work, tc.work
			if w.StatusEntries != want.StatusEntries || w.Fetches != want.Fetches || w.BytesInflated != want.BytesInflated {
				t.Errorf("work = %+v, want status entries %d, fetches %d, bytes inflated %d", w, want.StatusEntries, want.Fetches, want.BytesInflated)
			}
			// The credential's proof, and the one of each list verified on
			// its behalf.
			if w.Proofs != 1+want.Fetches {
				t.Errorf("work counted %d proofs, want %d", w.Proofs, 1+want.Fetches)
			}
			// How many connections serve the fetches depends on keep-alive,
			// but the count is the client's real dials.
			if w.Connections < 1 || w.Connections > w.Fetches || int(g.dials.Load()) != w.Connections {
				t.Errorf("work counted %d connections, the client dialled %d; want them equal, between 1 and the %d fetches", w.Connections, g.dials.Load(), w.Fetches)
			}
			// The counters never pass the configured limits.
			l := tc.limits
			if l.MaxStatusEntries == 0 {
				l.MaxStatusEntries = verifier.DefaultMaxStatusEntries
			}
			if l.MaxFetches == 0 {
				l.MaxFetches = verifier.DefaultMaxFetches
			}
			if l.MaxInflatedBytes == 0 {
				l.MaxInflatedBytes = verifier.DefaultMaxInflatedBytes
			}
			if w.StatusEntries > l.MaxStatusEntries || w.Fetches > l.MaxFetches || w.BytesInflated > l.MaxInflatedBytes {
				t.Errorf("work %+v passes the limits %+v", w, l)
			}
			// Verified again, every document fetched comes from the cache.
			res, _ = v.Verify(context.Background(), credWithEntries(t, k, tc.entries))
			if res.Work.Fetches != tc.refetch {
				t.Errorf("second verification: work %+v, want %d fetches", res.Work, tc.refetch)
			}
		})
	}
}

// hangServer answers nothing until the test ends, and records how many
// requests it held at once.
type hangServer struct {
	*listServer
	mu       sync.Mutex
	inFlight int
	maxIn    int
	started  int
}

func newHangServer(t *testing.T) *hangServer {
	h := &hangServer{listServer: newListServer(t)}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	h.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.started++
		h.inFlight++
		h.maxIn = max(h.maxIn, h.inFlight)
		h.mu.Unlock()
		defer func() {
			h.mu.Lock()
			h.inFlight--
			h.mu.Unlock()
		}()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	return h
}

// verifyGuarded runs Verify with a hang guard: a verification that outlives
// guard fails the test instead of hanging it.
func verifyGuarded(t *testing.T, v *verifier.Verifier, data []byte, guard time.Duration) (*verifier.Result, error) {
	t.Helper()
	type out struct {
		res *verifier.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := v.Verify(context.Background(), data)
		done <- out{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-time.After(guard):
		t.Fatalf("Verify still running after %v", guard)
		return nil, nil
	}
}

// Eight status lists on a server that never answers: with a 2 s deadline
// the verification ends inconclusive, having fetched four at a time under
// the one deadline (not one after another, each with its own timeout).
func TestStatusDeadline(t *testing.T) {
	k := newKey(t, 1)
	h := newHangServer(t)
	var entries []any
	for i := range 8 {
		entries = append(entries, bitstringEntry(h.at(fmt.Sprintf("/hang/%d", i)), "revocation", 3))
	}
	data := credWithEntries(t, k, entries)
	g := h.guardedClient(t)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: g.client, Limits: verifier.Limits{Deadline: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := verifyGuarded(t, v, data, 30*time.Second)
	checkOutcome(t, res, err, wantInconclusive, "deadline")
	if !errors.Is(err, verifier.ErrLimit) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want ErrLimit and context.DeadlineExceeded", err)
	}
	h.mu.Lock()
	started, maxIn := h.started, h.maxIn
	h.mu.Unlock()
	if started != 4 || maxIn != 4 {
		t.Errorf("the server saw %d requests, %d at once; want 4 at once (the parallel limit), the rest stopped by the deadline", started, maxIn)
	}
	if res.Work.Fetches != 4 || res.Work.Connections != 4 {
		t.Errorf("work = %+v, want 4 fetches on 4 connections", res.Work)
	}
	// A failure the deadline caused is not remembered against the lists:
	// a later verification tries them again.
	res, _ = verifyGuarded(t, v, data, 30*time.Second)
	if res.Work.Fetches != 4 {
		t.Errorf("second verification fetched %d, want 4 again", res.Work.Fetches)
	}
}

// A failed fetch, or a list refused, is remembered for 30 s: a hundred
// credentials naming one unreachable list cost one attempt, until the
// failure expires.
func TestStatusNegativeCache(t *testing.T) {
	k := newKey(t, 1)
	other := newKey(t, 100)
	s := newListServer(t)
	down, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downAddr := netip.MustParseAddrPort(down.Addr().String())
	down.Close() // nothing listens there any more
	forged := s.put(t, "/forged", signedList(t, other, s.at("/forged"), "revocation", nil, func(d map[string]any) { d["issuer"] = k.did }))
	tests := []struct {
		name   string
		url    string
		client func() *guarded
		want   outcome
		hits   string // the server path whose hits are counted, if any
	}{
		{name: "unreachable", url: fmt.Sprintf("https://status.example.com:%d/list", downAddr.Port()), want: wantInconclusive,
			client: func() *guarded { return newGuarded(t, s.srv.Client().Transport.(*http.Transport), downAddr) }},
		{name: "not found", url: s.at("/missing"), want: wantInconclusive, hits: "/missing", client: func() *guarded { return s.guardedClient(t) }},
		{name: "signed by another key", url: forged, want: wantInconclusive, hits: "/forged", client: func() *guarded { return s.guardedClient(t) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.client()
			clk := &clock{t: now}
			v, err := verifier.New(verifier.Options{Now: clk.Now, HTTPClient: g.client})
			if err != nil {
				t.Fatal(err)
			}
			fetches := 0
			for i := range 100 {
				res, err := v.Verify(context.Background(), credWithStatus(t, k, bitstringEntry(tc.url, "revocation", i)))
				checkOutcome(t, res, err, tc.want, "")
				fetches += res.Work.Fetches
			}
			if fetches != 1 || g.dials.Load() != 1 {
				t.Fatalf("100 verifications made %d fetches and %d dials, want 1 of each", fetches, g.dials.Load())
			}
			if tc.hits != "" && s.hitCount(tc.hits) != 1 {
				t.Fatalf("the server saw %d requests, want 1", s.hitCount(tc.hits))
			}
			clk.advance(31 * time.Second)
			res, _ := v.Verify(context.Background(), credWithStatus(t, k, bitstringEntry(tc.url, "revocation", 3)))
			if res.Work.Fetches != 1 {
				t.Fatalf("after the failure expired: %d fetches, want 1", res.Work.Fetches)
			}
		})
	}
}

// A list is used only for the URL that is its own id: a list of the same
// issuer served at another list's URL (hiding a revocation, say) is never
// used, over the network or from the status directory.
func TestStatusListIdentity(t *testing.T) {
	k := newKey(t, 1)
	tests := []struct {
		name   string
		id     func(listURL string) any // the served list's id; nil deletes it
		entry  func(listURL string) string
		want   outcome
		reason string
	}{
		{name: "id is the url", id: func(u string) any { return u }, want: wantFail, reason: "revoked"},
		{name: "another list of the issuer", id: func(u string) any { return u + "-other" }, want: wantInconclusive, reason: "not the list the credential names"},
		{name: "id differs in case", id: func(u string) any { return strings.ToUpper(u[:5]) + u[5:] }, want: wantInconclusive, reason: "not the list the credential names"},
		{name: "id percent-encoded differently", id: func(u string) any { return strings.Replace(u, "/lists/", "/%6Cists/", 1) }, want: wantInconclusive, reason: "not the list the credential names"},
		{name: "no id", id: nil, want: wantInconclusive, reason: "has id \"\""},
		{name: "entry url with a fragment", id: func(u string) any { return u }, entry: func(u string) string { return u + "#list" }, want: wantFail, reason: "revoked"},
		{name: "list id with a fragment", id: func(u string) any { return u + "#list" }, want: wantFail, reason: "revoked"},
	}
	build := func(t *testing.T, tc int, listURL string) map[string]any {
		return signedList(t, k, listURL, "revocation", []int{3}, func(d map[string]any) {
			if tests[tc].id == nil {
				delete(d, "id")
			} else {
				d["id"] = tests[tc].id(listURL)
			}
		})
	}
	for i, tc := range tests {
		entryURL := func(u string) string {
			if tc.entry != nil {
				return tc.entry(u)
			}
			return u
		}
		t.Run(tc.name+"/https", func(t *testing.T) {
			s := newListServer(t)
			listURL := s.at("/lists/1")
			s.put(t, "/lists/1", build(t, i, listURL))
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.guardedClient(t).client})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), credWithStatus(t, k, bitstringEntry(entryURL(listURL), "revocation", 3)))
			checkOutcome(t, res, err, tc.want, tc.reason)
		})
		t.Run(tc.name+"/status-dir", func(t *testing.T) {
			dir := t.TempDir()
			listURL := "https://status.example.org/lists/1"
			// The file sits where the old path mapping looked, and under a
			// name of its own: neither name matters, only its id.
			writeFile(t, filepath.Join(dir, "status.example.org", "lists", "1"), encode(t, build(t, i, listURL)))
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, StatusDir: dir, HTTPClient: offlineClient()})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), credWithStatus(t, k, bitstringEntry(entryURL(listURL), "revocation", 3)))
			want, reason := tc.want, tc.reason
			if want == wantInconclusive {
				// No file declares the URL, so the network is tried.
				reason = "offline"
			}
			checkOutcome(t, res, err, want, reason)
		})
	}
}

// The status directory finds a list by the id it declares, under any name
// and at any depth; a file never stands for another URL, and nothing
// outside the directory is read.
func TestStatusDirByID(t *testing.T) {
	k := newKey(t, 1)
	const listURL = "https://status.example.org/a/b"
	list := func(t *testing.T, id string, set ...int) []byte {
		return encode(t, signedList(t, k, id, "revocation", set, nil))
	}
	tests := []struct {
		name   string
		files  map[string]func(t *testing.T) []byte // names relative to the directory
		links  map[string]string                    // symbolic links in the directory, to targets relative to it
		want   outcome
		reason string
	}{
		{name: "any name", want: wantFail, reason: "revoked", files: map[string]func(*testing.T) []byte{
			"lists/revocation-2026.json": func(t *testing.T) []byte { return list(t, listURL, 3) }}},
		{name: "the old mapped name with another id is not used", want: wantInconclusive, reason: "offline", files: map[string]func(*testing.T) []byte{
			"status.example.org/a/b": func(t *testing.T) []byte { return list(t, "https://status.example.org/a/c", 3) },
			"b.json":                 func(t *testing.T) []byte { return list(t, "https://other.example.org/a/b") }}},
		{name: "right id beside a wrong one", want: wantFail, reason: "revoked", files: map[string]func(*testing.T) []byte{
			"b":          func(t *testing.T) []byte { return list(t, "https://other.example.org/a/b") },
			"deep/x/y/z": func(t *testing.T) []byte { return list(t, listURL, 3) }}},
		{name: "two files with the id", want: wantInconclusive, reason: "not choosing one", files: map[string]func(*testing.T) []byte{
			"one.json": func(t *testing.T) []byte { return list(t, listURL) },
			"two.json": func(t *testing.T) []byte { return list(t, listURL, 3) }}},
		{name: "files that are not lists are ignored", want: wantValid, reason: "not revoked", files: map[string]func(*testing.T) []byte{
			"notes.txt":  func(*testing.T) []byte { return []byte("not json") },
			"array.json": func(*testing.T) []byte { return []byte(`["https://status.example.org/a/b"]`) },
			"list.json":  func(t *testing.T) []byte { return list(t, listURL) }}},
		{name: "a file outside the directory", want: wantInconclusive, reason: "offline", files: map[string]func(*testing.T) []byte{
			"../outside.json": func(t *testing.T) []byte { return list(t, listURL, 3) }}},
		{name: "a link out of the directory", want: wantInconclusive, reason: "offline", files: map[string]func(*testing.T) []byte{
			"../outside.json": func(t *testing.T) []byte { return list(t, listURL, 3) }},
			links: map[string]string{"in.json": "../outside.json"}},
		{name: "a link inside the directory", want: wantFail, reason: "revoked", files: map[string]func(*testing.T) []byte{
			"lists/real.json": func(t *testing.T) []byte { return list(t, listURL, 3) }},
			links: map[string]string{"in.json": "lists/real.json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "status")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, body := range tc.files {
				writeFile(t, filepath.Join(dir, name), body(t))
			}
			for name, target := range tc.links {
				if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
			}
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, StatusDir: dir, HTTPClient: offlineClient()})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), credWithStatus(t, k, bitstringEntry(listURL, "revocation", 3)))
			checkOutcome(t, res, err, tc.want, tc.reason)
			if tc.want == wantValid || tc.want == wantFail {
				if res.Work.Fetches != 1 || res.Work.Connections != 0 {
					t.Errorf("work = %+v, want one fetch (the file) and no connection", res.Work)
				}
			}
		})
	}
}

// heapPeak samples the live heap objects (garbage not yet collected
// included) until stopped and returns the largest value seen.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak
	}
}

// BenchmarkStatus256Lists is the memory attack of issue #10 item 5: a
// self-issued credential with 256 status entries, each naming a different
// signed list that inflates to 16 MiB, verified at the default limits by a
// fresh verifier each time (nothing cached), lists served over loopback
// TLS. It reports the peak heap sampled while it runs (peak-heap-MiB,
// garbage included) and fails past 64 MiB.
func BenchmarkStatus256Lists(b *testing.B) {
	k := newKey(b, 1)
	s := newListServer(b)
	const listBytes = 16 << 20
	enc := gzipBomb(b, listBytes)
	var urls []string
	for i := range 256 {
		path := fmt.Sprintf("/lists/%d", i)
		u := s.at(path)
		s.put(b, path, sign(b, listDoc(k.did, u, "revocation", enc), k.priv, k.vm, proof.EddsaRdfc2022))
		urls = append(urls, u)
	}
	for _, bc := range []struct {
		name  string
		index int
	}{
		{name: "entries at the end", index: 8*listBytes - 1},
		{name: "entries at the start", index: 3},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var entries []any
			for _, u := range urls {
				entries = append(entries, bitstringEntry(u, "revocation", bc.index))
			}
			data := credWithEntries(b, k, entries)
			g := s.guardedClient(b)
			b.ReportAllocs()
			runtime.GC()
			stop := heapPeak()
			var last verifier.Work
			for b.Loop() {
				v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: g.client})
				if err != nil {
					b.Fatal(err)
				}
				res, err := v.Verify(context.Background(), data)
				if !errors.Is(err, verifier.ErrLimit) {
					b.Fatalf("err = %v, want a limit reached", err)
				}
				last = res.Work
			}
			peak := stop()
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(last.BytesInflated)/(1<<20), "inflated-MiB/op")
			if last.StatusEntries != verifier.DefaultMaxStatusEntries || last.Fetches != verifier.DefaultMaxStatusEntries || last.BytesInflated > verifier.DefaultMaxInflatedBytes {
				b.Fatalf("work %+v passes the default limits", last)
			}
			if peak > 64<<20 {
				b.Fatalf("peak heap %d MiB, over 64 MiB", peak>>20)
			}
		})
	}
}
