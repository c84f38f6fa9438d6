package verifier

import (
	"sync"
	"time"
)

// defaultStatusCacheEntries bounds the status documents one Verifier keeps.
// Issuers publish few lists, so this covers a busy verifier while keeping a
// stream of credentials naming fresh URLs from growing memory without end.
const defaultStatusCacheEntries = 256

type cacheKey struct {
	kind docKind
	url  string
}

type cacheEntry struct {
	doc       *statusDoc
	validator string
	expires   time.Time
}

// statusCache holds verified status documents by URL. It is safe for
// concurrent use; entries are replaced, never mutated.
type statusCache struct {
	mu      sync.Mutex
	max     int
	entries map[cacheKey]*cacheEntry
}

func newStatusCache(max int) *statusCache {
	return &statusCache{max: max, entries: make(map[cacheKey]*cacheEntry)}
}

func (c *statusCache) get(k cacheKey) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[k]
}

// put stores e under k, first evicting the entry that goes stale soonest
// when the cache is full.
func (c *statusCache) put(k cacheKey, e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.max {
		var victim cacheKey
		var first time.Time
		found := false
		for key, ent := range c.entries {
			if !found || ent.expires.Before(first) {
				victim, first, found = key, ent.expires, true
			}
		}
		delete(c.entries, victim)
	}
	c.entries[k] = e
}
