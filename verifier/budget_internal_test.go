package verifier

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// Documents verified on behalf of one (a status list is depth 1) nest no
// deeper than Limits.MaxDepth, and the depth belongs to the call chain,
// while the counters are shared by the whole verification.
func TestNestedDepth(t *testing.T) {
	for _, maxDepth := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(maxDepth), func(t *testing.T) {
			b := newBudget(Limits{MaxDepth: maxDepth}.withDefaults())
			ctx := withBudget(context.Background(), b)
			var err error
			for depth := 1; depth <= maxDepth; depth++ {
				if ctx, err = nested(ctx); err != nil {
					t.Fatalf("depth %d refused: %v", depth, err)
				}
			}
			if _, err := nested(ctx); !errors.Is(err, ErrLimit) {
				t.Fatalf("depth %d: err = %v, want ErrLimit", maxDepth+1, err)
			}
			if budgetFrom(ctx) != b {
				t.Fatal("a nested context lost the verification's budget")
			}
		})
	}
	// A sibling starts again from its parent's depth.
	ctx := withBudget(context.Background(), newBudget(Limits{MaxDepth: 1}.withDefaults()))
	for range 3 {
		if _, err := nested(ctx); err != nil {
			t.Fatalf("sibling refused: %v", err)
		}
	}
}

// The cache holds documents within its byte bound, evicting those that go
// stale soonest, and keeps none larger than the whole bound.
func TestStatusCacheBytes(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newStatusCache(100, 10_000)
	key := func(i int) cacheKey { return cacheKey{url: fmt.Sprintf("https://status.example.org/%d", i)} }
	for i := range 10 {
		// Later documents expire sooner, so eviction order is known.
		c.put(key(i), &cacheEntry{doc: &statusDoc{}, expires: t0.Add(time.Duration(100-i) * time.Minute), size: 3000})
		if c.docs.Bytes() > 10_000 {
			t.Fatalf("after %d puts the cache holds %d bytes, bound %d", i+1, c.docs.Bytes(), 10_000)
		}
	}
	if c.docs.Len() != 3 || c.docs.Bytes() != 9000 {
		t.Fatalf("cache holds %d entries, %d bytes; want 3, 9000", c.docs.Len(), c.docs.Bytes())
	}
	// Each put evicted the entry going stale soonest, the newest: 0 and 1
	// stay, with the last one put.
	for _, i := range []int{0, 1, 9} {
		if c.get(key(i)) == nil {
			t.Errorf("entry %d was evicted", i)
		}
	}
	c.put(key(20), &cacheEntry{doc: &statusDoc{}, size: 10_001})
	if c.get(key(20)) != nil || c.docs.Bytes() != 9000 {
		t.Fatalf("a document over the whole bound was kept (bytes %d)", c.docs.Bytes())
	}
	// Replacing an entry counts its new size, not both.
	c.put(key(0), &cacheEntry{doc: &statusDoc{}, expires: t0.Add(time.Hour), size: 100})
	if c.docs.Bytes() != 6100 {
		t.Fatalf("after replacing an entry the cache counts %d bytes, want 6100", c.docs.Bytes())
	}
}

// Failures are remembered until their time, and bounded in number.
func TestStatusCacheFailures(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newStatusCache(10, 1<<20)
	k := cacheKey{url: "https://status.example.org/down"}
	errDown := errors.New("down")
	c.fail(k, errDown, t0.Add(negativeStatusTTL))
	if err := c.failure(k, t0.Add(negativeStatusTTL-time.Second)); !errors.Is(err, errDown) {
		t.Fatalf("failure before its time = %v, want the remembered error", err)
	}
	if err := c.failure(k, t0.Add(negativeStatusTTL)); err != nil {
		t.Fatalf("failure at its time = %v, want none", err)
	}
	for i := range 3 * maxStatusFailures {
		c.fail(cacheKey{url: fmt.Sprint(i)}, errDown, t0.Add(time.Duration(i)))
	}
	if c.failures.Len() > maxStatusFailures {
		t.Fatalf("%d failures remembered, bound %d", c.failures.Len(), maxStatusFailures)
	}
	// A success forgets the failure.
	c.fail(k, errDown, t0.Add(time.Hour))
	c.put(k, &cacheEntry{doc: &statusDoc{}, size: 1})
	if err := c.failure(k, t0); err != nil {
		t.Fatalf("failure after a success = %v, want none", err)
	}
}
