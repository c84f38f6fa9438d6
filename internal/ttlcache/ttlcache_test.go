package ttlcache

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestGetFreshness(t *testing.T) {
	c := New[string, int](10, 0)
	c.Put("a", 1, t0.Add(time.Minute), 0)
	tests := []struct {
		now  time.Time
		want bool
	}{
		{t0, true},
		{t0.Add(time.Minute - time.Nanosecond), true},
		{t0.Add(time.Minute), false}, // expiry is exclusive
		{t0.Add(time.Hour), false},
	}
	for _, tt := range tests {
		v, ok := c.Get("a", tt.now)
		if ok != tt.want || (ok && v != 1) {
			t.Errorf("Get at %v = %d, %v; want fresh %v", tt.now.Sub(t0), v, ok, tt.want)
		}
	}
	// A stale entry is still there for revalidation.
	if v, exp, ok := c.Peek("a"); !ok || v != 1 || !exp.Equal(t0.Add(time.Minute)) {
		t.Errorf("Peek = %d, %v, %v", v, exp, ok)
	}
	if _, ok := c.Get("missing", t0); ok {
		t.Error("Get of a missing key succeeded")
	}
	c.Delete("a")
	if _, _, ok := c.Peek("a"); ok {
		t.Error("Delete left the entry")
	}
}

// TestEvictsSoonestExpiring fills a count-bounded cache: each put drops
// the entry that expires soonest, an expired one first.
func TestEvictsSoonestExpiring(t *testing.T) {
	c := New[int, string](3, 0)
	c.Put(1, "expired", t0.Add(-time.Minute), 0)
	c.Put(2, "late", t0.Add(time.Hour), 0)
	c.Put(3, "soon", t0.Add(time.Minute), 0)
	c.Put(4, "new", t0.Add(30*time.Minute), 0)
	assertKeys(t, c, []int{2, 3, 4})
	c.Put(5, "newer", t0.Add(2*time.Hour), 0)
	assertKeys(t, c, []int{2, 4, 5})
	// Replacing a key of a full cache evicts nothing.
	c.Put(2, "again", t0.Add(time.Second), 0)
	assertKeys(t, c, []int{2, 4, 5})
}

// TestByteBound: sizes sum to at most the bound, a value over the whole
// bound is not kept, and replacing counts only the new size.
func TestByteBound(t *testing.T) {
	c := New[int, string](100, 10_000)
	for i := range 10 {
		// Later values expire sooner, so eviction order is known.
		c.Put(i, "v", t0.Add(time.Duration(100-i)*time.Minute), 3000)
		if c.Bytes() > 10_000 {
			t.Fatalf("after %d puts the cache holds %d bytes", i+1, c.Bytes())
		}
	}
	if c.Len() != 3 || c.Bytes() != 9000 {
		t.Fatalf("cache holds %d entries, %d bytes; want 3, 9000", c.Len(), c.Bytes())
	}
	assertKeys(t, c, []int{0, 1, 9})
	c.Put(20, "huge", t0.Add(time.Hour), 10_001)
	if _, _, ok := c.Peek(20); ok || c.Bytes() != 9000 {
		t.Fatalf("a value over the whole bound was kept (bytes %d)", c.Bytes())
	}
	c.Put(0, "small", t0.Add(time.Hour), 100)
	if c.Bytes() != 6100 {
		t.Fatalf("after replacing an entry the cache counts %d bytes, want 6100", c.Bytes())
	}
	// A huge value under a key drops what the key held.
	c.Put(0, "huge", t0.Add(time.Hour), 10_001)
	if _, _, ok := c.Peek(0); ok || c.Bytes() != 6000 {
		t.Fatalf("key 0 still held after a too-large put (bytes %d)", c.Bytes())
	}
}

func TestConcurrentUse(t *testing.T) {
	c := New[string, int](8, 1000)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := fmt.Sprint((g + i) % 20)
				c.Put(k, i, t0.Add(time.Duration(i)*time.Second), int64(i%50))
				c.Get(k, t0)
				c.Peek(k)
				if i%7 == 0 {
					c.Delete(k)
				}
			}
		})
	}
	wg.Wait()
	if c.Len() > 8 || c.Bytes() > 1000 {
		t.Errorf("bounds broken: %d entries, %d bytes", c.Len(), c.Bytes())
	}
}

func assertKeys(t *testing.T, c *Cache[int, string], want []int) {
	t.Helper()
	if c.Len() != len(want) {
		t.Errorf("cache holds %d entries, want %v", c.Len(), want)
	}
	for _, k := range want {
		if _, _, ok := c.Peek(k); !ok {
			t.Errorf("entry %d was evicted", k)
		}
	}
}
