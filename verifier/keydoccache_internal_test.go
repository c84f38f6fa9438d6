package verifier

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"testing"

	"github.com/badgesmith/badgesmith/keys"
)

// TestKeyDocCache: a did:key document is derived once and shared, errors
// and done contexts are not served from the cache, and the cache never
// holds more than keyDocCacheEntries documents.
func TestKeyDocCache(t *testing.T) {
	ctx := context.Background()
	didKey := func(i int) string {
		seed := make([]byte, ed25519.SeedSize)
		binary.BigEndian.PutUint32(seed, uint32(i))
		mk, err := keys.EncodePublicMultikey(ed25519.NewKeyFromSeed(seed).Public())
		if err != nil {
			t.Fatal(err)
		}
		return "did:key:" + mk
	}
	c := &keyDocCache{}
	first, err := c.resolve(ctx, didKey(0))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.resolve(ctx, didKey(0))
	if err != nil || again != first {
		t.Fatalf("second resolution: %p, %v; want the cached %p", again, err, first)
	}
	if first.ID != didKey(0) {
		t.Fatalf("document of %s has id %s", didKey(0), first.ID)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.resolve(done, didKey(0)); err == nil {
		t.Fatal("a done context resolved a cached document")
	}
	if _, err := c.resolve(ctx, "did:key:zBad"); err == nil {
		t.Fatal("an invalid did:key resolved")
	}
	if _, ok := c.docs["did:key:zBad"]; ok {
		t.Fatal("an error was cached")
	}
	for i := range keyDocCacheEntries + 10 {
		if _, err := c.resolve(ctx, didKey(i)); err != nil {
			t.Fatal(err)
		}
		if n := len(c.docs); n > keyDocCacheEntries {
			t.Fatalf("%d documents cached, bound %d", n, keyDocCacheEntries)
		}
	}
}
