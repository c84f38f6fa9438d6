package server

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// Rate is a token bucket: Per requests a second sustained, up to Burst at
// once.
type Rate struct {
	// Per is the sustained rate in requests per second.
	Per float64 `json:"perSecond"`
	// Burst is the bucket size: how many requests may arrive at once.
	Burst int `json:"burst"`
}

// RateLimits are the server's request limits. Each API key (or token
// client) has its own bucket for the authenticated endpoints; each client
// address (behind a trusted proxy, the forwarded one; IPv6 by /64) has its
// own for the open verify endpoints, the expensive ones anyone may call.
// The hosted documents (status lists, DID and issuer documents) are served
// from memory and not limited. A request over its limit gets 429 with
// Retry-After.
type RateLimits struct {
	// Off turns every limit off (for load tests).
	Off bool `json:"off,omitempty"`
	// Key is the limit of each API key. If zero, DefaultKeyRate.
	Key Rate `json:"key,omitzero"`
	// IP is the limit of each client address on the open endpoints. If
	// zero, DefaultIPRate.
	IP Rate `json:"ip,omitzero"`
}

// Default rate limits: generous enough that no ordinary client meets
// them, low enough that one client cannot take every core.
var (
	DefaultKeyRate = Rate{Per: 100, Burst: 200}
	DefaultIPRate  = Rate{Per: 20, Burst: 60}
)

// withDefaults fills the zero rates.
func (l RateLimits) withDefaults() RateLimits {
	if l.Key == (Rate{}) {
		l.Key = DefaultKeyRate
	}
	if l.IP == (Rate{}) {
		l.IP = DefaultIPRate
	}
	return l
}

// maxBuckets bounds the buckets a limiter keeps: past it, idle (full)
// buckets are dropped, and if none is, new clients share one overflow
// bucket, so memory stays bounded whatever the number of addresses.
const maxBuckets = 1 << 16

// bucket is one client's token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

// limiter is a set of token buckets by client, on an injected clock.
type limiter struct {
	rate Rate
	now  func() time.Time
	max  int

	mu       sync.Mutex
	buckets  map[string]*bucket
	overflow bucket
}

func newLimiter(r Rate, now func() time.Time) *limiter {
	return &limiter{rate: r, now: now, max: maxBuckets, buckets: map[string]*bucket{}}
}

// allow takes a token from client's bucket; if there is none, it reports
// how long until there is one.
func (l *limiter) allow(client string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[client]
	if !ok {
		if len(l.buckets) >= l.max {
			l.sweep(now)
		}
		if len(l.buckets) >= l.max {
			b = &l.overflow
			if b.last.IsZero() {
				*b = bucket{tokens: float64(l.rate.Burst), last: now}
			}
		} else {
			b = &bucket{tokens: float64(l.rate.Burst), last: now}
			l.buckets[client] = b
		}
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate.Per * float64(time.Second))
	return false, wait
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if dt := now.Sub(b.last); dt > 0 {
		b.tokens = math.Min(float64(l.rate.Burst), b.tokens+dt.Seconds()*l.rate.Per)
		b.last = now
	}
}

// sweep drops the buckets that have refilled: a new bucket would be the
// same.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
}

// limits are the server's limiters; nil when rate limits are off.
type limits struct {
	key, ip *limiter
}

func newLimits(rl RateLimits, now func() time.Time) *limits {
	if rl.Off {
		return nil
	}
	rl = rl.withDefaults()
	return &limits{key: newLimiter(rl.Key, now), ip: newLimiter(rl.IP, now)}
}

// refuse answers a request over its limit: 429, Retry-After in whole
// seconds (at least 1).
func refuse(w http.ResponseWriter, r *http.Request, wait time.Duration, what string) {
	secs := max(int64(math.Ceil(wait.Seconds())), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	writeProblem(w, r, problemErr(http.StatusTooManyRequests, ProbRateLimited, "", "too many requests for this "+what+"; retry after "+strconv.FormatInt(secs, 10)+"s"))
}

// limitKey limits the requests of each authenticated caller; it goes
// inside the authentication check, which names the caller.
func (s *Server) limitKey(next http.Handler) http.Handler {
	if s.limits == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := s.limits.key.allow(callerID(r)); !ok {
			s.metrics.rateLimited("key")
			refuse(w, r, wait, "API key")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitIP limits the requests of each client address, for the open
// endpoints.
func (s *Server) limitIP(next http.Handler) http.Handler {
	if s.limits == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := s.limits.ip.allow(clientKey(s.clientAddr(r))); !ok {
			s.metrics.rateLimited("ip")
			refuse(w, r, wait, "client address")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientKey is the bucket of a client address: IPv6 clients are counted by
// /64, which one subscriber usually has whole.
func clientKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	if a.Is6() && !a.Is4In6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.Unmap().String()
}
