package verifier

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/internal/ttlcache"
)

const (
	// defaultStatusCacheEntries bounds the status documents one Verifier
	// keeps. Issuers publish few lists, so this covers a busy verifier
	// while keeping a stream of credentials naming fresh URLs from growing
	// memory without end.
	defaultStatusCacheEntries = 256
	// defaultStatusCacheBytes bounds the memory those documents hold, by
	// the size charged for each (docCacheSize). A minimum list is a few
	// hundred bytes; a document at maxStatusDocBytes takes half of it.
	defaultStatusCacheBytes = 16 << 20
	// maxStatusFailures bounds the failures remembered.
	maxStatusFailures = 1024
)

type cacheKey struct {
	kind docKind
	// url is the document's URL without its fragment (documentURL).
	url string
}

type cacheEntry struct {
	doc       *statusDoc
	validator string
	expires   time.Time
	// size is what the entry counts against the cache's byte bound.
	size int64
}

// docCacheSize is the size charged for a document parsed from a body of n
// bytes: the parsed subject holds the encodedList (close to the body's
// size) in a map, so twice the body plus a fixed overhead.
func docCacheSize(n int) int64 { return 2*int64(n) + 1024 }

// failure is a fetch or a list that failed, remembered until a time.
type failure struct {
	err   error
	until time.Time
}

// flight is a fetch under way that other verifications of the same URL
// wait for instead of fetching again.
type flight struct {
	done chan struct{}
	doc  *statusDoc
	err  error
	// abandoned is set when the fetching verification's context ended the
	// fetch: waiters whose own context is alive fetch for themselves.
	abandoned bool
}

// statusCache holds verified status documents by URL, bounded by count and
// by bytes, the failures of recent fetches, and the fetches under way. It
// is safe for concurrent use; entries are replaced, never mutated. Both
// caches are ttlcache's, so the documents that go stale soonest make room
// first.
//
// An entry says what a list holds and who signed it, never whether that
// signer is trusted: trust belongs to the pair (credential issuer, list
// issuer), so every credential that reads a cached list judges its issuer
// again (statusChecker.trust). A remembered failure is about the list
// alone (fetch, proof, id), the same for every credential.
type statusCache struct {
	docs     *ttlcache.Cache[cacheKey, *cacheEntry]
	failures *ttlcache.Cache[cacheKey, failure]
	// mu guards inflight; do also reads docs under it, so a fetch that
	// ends is seen either in docs or in inflight.
	mu       sync.Mutex
	inflight map[cacheKey]*flight
}

func newStatusCache(maxEntries int, maxBytes int64) *statusCache {
	return &statusCache{
		docs:     ttlcache.New[cacheKey, *cacheEntry](maxEntries, maxBytes),
		failures: ttlcache.New[cacheKey, failure](maxStatusFailures, 0),
		inflight: make(map[cacheKey]*flight),
	}
}

// get returns the entry for k, fresh or stale, or nil.
func (c *statusCache) get(k cacheKey) *cacheEntry {
	e, _, _ := c.docs.Peek(k)
	return e
}

// put stores e under k and forgets k's failure. A document larger than
// the whole byte bound is not kept.
func (c *statusCache) put(k cacheKey, e *cacheEntry) {
	c.failures.Delete(k)
	c.docs.Put(k, e, e.expires, e.size)
}

// fail remembers err for k until the given time.
func (c *statusCache) fail(k cacheKey, err error, until time.Time) {
	c.failures.Put(k, failure{err: err, until: until}, until, 0)
}

// failure returns the error remembered for k at now, or nil.
func (c *statusCache) failure(k cacheKey, now time.Time) error {
	f, ok := c.failures.Get(k, now)
	if !ok {
		return nil
	}
	return fmt.Errorf("%w (an earlier attempt, not retried before %s)", f.err, f.until.UTC().Format(time.RFC3339))
}

// do runs fetch for k unless a fetch of k is under way, in which case it
// waits for that one's result, or one finished since the caller looked in
// the cache and left an entry fresh at now.
func (c *statusCache) do(ctx context.Context, k cacheKey, now time.Time, fetch func() (*statusDoc, error)) (*statusDoc, error) {
	for {
		c.mu.Lock()
		if e, ok := c.docs.Get(k, now); ok {
			c.mu.Unlock()
			return e.doc, nil
		}
		if f, ok := c.inflight[k]; ok {
			c.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, fmt.Errorf("waiting for another fetch of %s: %w", k.url, context.Cause(ctx))
			}
			if f.abandoned && ctx.Err() == nil {
				continue
			}
			return f.doc, f.err
		}
		f := &flight{done: make(chan struct{})}
		c.inflight[k] = f
		c.mu.Unlock()
		f.doc, f.err = fetch()
		// A fetch ended by the leader's own deadline or budget (ErrLimit)
		// says nothing about the document: the others try on their own.
		f.abandoned = f.err != nil && (ctx.Err() != nil || errors.Is(f.err, ErrLimit))
		c.mu.Lock()
		delete(c.inflight, k)
		c.mu.Unlock()
		close(f.done)
		return f.doc, f.err
	}
}
