package server

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestRateLimitPerKey(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, testConfig{now: clock.Now, rateLimits: &RateLimits{Key: Rate{Per: 0.5, Burst: 2}, IP: Rate{Per: 100, Burst: 100}}})
	a := ts.addKey(t, ScopeRead)
	b := ts.addKey(t, ScopeRead)
	read := func(key string) fetched { return ts.do(t, "GET", "/credentials/urn:x", key, nil) }
	for i := range 2 {
		if resp := read(a); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("request %d within the burst: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	resp := read(a)
	wantProblem(t, resp, http.StatusTooManyRequests, ProbRateLimited, "")
	// One token comes back every 2 s: the answer says so.
	if got := resp.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2", got)
	}
	// Another key has its own bucket.
	if resp := read(b); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another key: %d", resp.StatusCode)
	}
	clock.Add(time.Second)
	if resp := read(a); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("half a token later: %d, want 429", resp.StatusCode)
	} else if got := resp.Header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q half a token later, want 1", got)
	}
	clock.Add(time.Second)
	if resp := read(a); resp.StatusCode != http.StatusNotFound {
		t.Errorf("after Retry-After: %d, want the request served", resp.StatusCode)
	}
	if resp := read(a); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the recovered token is spent: %d, want 429", resp.StatusCode)
	}
	// An unauthenticated request is refused by authentication, not
	// counted against anyone.
	if resp := read(""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no key: %d", resp.StatusCode)
	}
}

func TestRateLimitPerAddress(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, testConfig{now: clock.Now, rateLimits: &RateLimits{Key: Rate{Per: 100, Burst: 100}, IP: Rate{Per: 1, Burst: 3}}})
	verify := func() fetched { return ts.do(t, "POST", "/credentials/verify", "", "{}") }
	for i := range 3 {
		if resp := verify(); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("request %d within the burst: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	resp := verify()
	wantProblem(t, resp, http.StatusTooManyRequests, ProbRateLimited, "")
	if got := resp.Header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	// The hosted documents and the authenticated endpoints are not
	// counted against the address.
	if resp := ts.do(t, "GET", "/healthz", "", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz while limited: %d", resp.StatusCode)
	}
	if resp := ts.do(t, "GET", "/credentials/urn:x", testAdminKey, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("keyed request while the address is limited: %d", resp.StatusCode)
	}
	clock.Add(3 * time.Second)
	for i := range 3 {
		if resp := verify(); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("request %d after refill: %d", i, resp.StatusCode)
		}
	}
	if resp := verify(); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("burst spent again: %d", resp.StatusCode)
	}
}

// TestRateLimitTokenAndAdmin: the token endpoint is limited per address
// (secrets cannot be guessed at line rate) and the admin API per key.
func TestRateLimitTokenAndAdmin(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, testConfig{now: clock.Now, rateLimits: &RateLimits{Key: Rate{Per: 1, Burst: 2}, IP: Rate{Per: 1, Burst: 2}}})
	token := func() fetched {
		return ts.do(t, "POST", "/oauth2/token", "", "grant_type=client_credentials&client_id=nobody&client_secret=guess")
	}
	for i := range 2 {
		if resp := token(); resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusOK {
			t.Fatalf("token request %d within the burst: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	wantProblem(t, token(), http.StatusTooManyRequests, ProbRateLimited, "")
	for i := range 2 {
		if resp := ts.do(t, "GET", "/admin/apikeys", testAdminKey, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("admin request %d within the burst: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	wantProblem(t, ts.do(t, "GET", "/admin/apikeys", testAdminKey, nil), http.StatusTooManyRequests, ProbRateLimited, "")
	clock.Add(2 * time.Second)
	if resp := ts.do(t, "GET", "/admin/apikeys", testAdminKey, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("admin request after refill: %d", resp.StatusCode)
	}
}

func TestRateLimitsOff(t *testing.T) {
	ts := startServer(t, testConfig{rateLimits: &RateLimits{Off: true, IP: Rate{Per: 1, Burst: 1}}})
	for i := range 5 {
		if resp := ts.do(t, "POST", "/credentials/verify", "", "{}"); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("request %d with limits off: %d", i, resp.StatusCode)
		}
	}
}

// TestLimiterBounded: however many clients, the limiter keeps at most max
// buckets; idle ones are dropped first, and past that new clients share
// the overflow bucket rather than each getting a fresh one.
func TestLimiterBounded(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(Rate{Per: 1, Burst: 2}, clock.Now)
	l.max = 4
	for i := range 4 {
		l.allow("busy" + strconv.Itoa(i))
	}
	// Every bucket holds one token of two: none is idle.
	for i := range 3 {
		if ok, _ := l.allow("new" + strconv.Itoa(i)); ok != (i < 2) {
			t.Errorf("new client %d: allowed %v; the shared overflow bucket has two tokens", i, ok)
		}
	}
	if len(l.buckets) != 4 {
		t.Fatalf("%d buckets, want 4", len(l.buckets))
	}
	clock.Add(time.Second) // every bucket is full again: all idle
	if ok, _ := l.allow("later"); !ok {
		t.Error("a client after the idle buckets were swept was refused")
	}
	if len(l.buckets) != 1 {
		t.Errorf("%d buckets after the sweep, want 1", len(l.buckets))
	}
}

func TestClientKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"not an address", "not an address"},
	} {
		if got := clientKey(tc.in); got != tc.want {
			t.Errorf("clientKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
