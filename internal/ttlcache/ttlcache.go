// Package ttlcache is the one expiring cache of the project: values kept
// until a time the caller gives, bounded in number and, optionally, in
// bytes. The verifier's status documents and the did:web resolver's
// documents use it.
//
// A full cache makes room by dropping the entries that expire soonest, so
// expired entries go first; an expired entry is otherwise kept until then,
// because a caller may still revalidate it (Peek). Clocks are the
// caller's: every method that judges freshness takes now.
package ttlcache

import (
	"sync"
	"time"
)

// Cache maps keys to values that expire. It is safe for concurrent use.
// Values are stored and returned as they are: callers that share them
// must not modify them.
type Cache[K comparable, V any] struct {
	mu         sync.Mutex
	maxEntries int
	maxBytes   int64
	bytes      int64
	entries    map[K]entry[V]
}

type entry[V any] struct {
	val     V
	expires time.Time
	size    int64
}

// New returns an empty cache of at most maxEntries entries (at least one)
// whose sizes, as given to Put, sum to at most maxBytes; maxBytes zero or
// less means no byte bound.
func New[K comparable, V any](maxEntries int, maxBytes int64) *Cache[K, V] {
	return &Cache[K, V]{maxEntries: max(maxEntries, 1), maxBytes: maxBytes, entries: make(map[K]entry[V])}
}

// Get returns the value under k if it is fresh at now, that is now is
// before its expiry.
func (c *Cache[K, V]) Get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.val, true
}

// Peek returns the value under k and its expiry, fresh or not.
func (c *Cache[K, V]) Peek(k K) (V, time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	return e.val, e.expires, ok
}

// Put stores v under k until expires, replacing what k held, and charges
// size against the byte bound. It first drops the entries that expire
// soonest until both bounds hold with v in. A value larger than the whole
// byte bound is not kept (and k then holds nothing).
func (c *Cache[K, V]) Put(k K, v V, expires time.Time, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(k)
	if c.maxBytes > 0 && size > c.maxBytes {
		return
	}
	for len(c.entries) > 0 && (len(c.entries) >= c.maxEntries || (c.maxBytes > 0 && c.bytes+size > c.maxBytes)) {
		// A linear scan is fine at the sizes callers use and needs no
		// second index to keep in step.
		var victim K
		var first time.Time
		found := false
		for key, e := range c.entries {
			if !found || e.expires.Before(first) {
				victim, first, found = key, e.expires, true
			}
		}
		c.remove(victim)
	}
	c.entries[k] = entry[V]{val: v, expires: expires, size: size}
	c.bytes += size
}

// Delete removes k.
func (c *Cache[K, V]) Delete(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(k)
}

func (c *Cache[K, V]) remove(k K) {
	if old, ok := c.entries[k]; ok {
		c.bytes -= old.size
		delete(c.entries, k)
	}
}

// Len returns the number of entries, expired ones included.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Bytes returns the sum of the sizes of the entries.
func (c *Cache[K, V]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}
