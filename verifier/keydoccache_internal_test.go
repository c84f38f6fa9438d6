package verifier

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"reflect"
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

// TestKeyDocCacheKeys: the key of a did:key issuer is bound once per
// verification method and then served from the cache, with the binding
// the document gives; a method the document refuses, and a done context,
// are never served from it.
func TestKeyDocCacheKeys(t *testing.T) {
	ctx := context.Background()
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keys.EncodePublicMultikey(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public())
	if err != nil {
		t.Fatal(err)
	}
	issuer := "did:key:" + mk
	vm := issuer + "#" + mk
	bind := func(ctx context.Context, vm string) *boundKey {
		return (&keyBinder{v: v, issuer: issuer}).bind(ctx, vm)
	}
	first := bind(ctx, vm)
	if !first.bound() {
		t.Fatalf("first binding: %v", first.err)
	}
	if _, ok := v.keyDocs.keys[vm]; !ok {
		t.Fatal("the bound key was not cached")
	}
	again := bind(ctx, vm)
	if !again.bound() || !reflect.DeepEqual(again, first) {
		t.Fatalf("cached binding %+v, want %+v", again, first)
	}
	wrong := issuer + "#other"
	if b := bind(ctx, wrong); b.err == nil || !errors.Is(b.err, ErrKeyRefused) {
		t.Fatalf("binding of %s: %v, want a refusal", wrong, b.err)
	}
	if _, ok := v.keyDocs.keys[wrong]; ok {
		t.Fatal("a refused method was cached")
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if b := bind(done, vm); b.err == nil {
		t.Fatal("a done context bound a cached key")
	}
}
