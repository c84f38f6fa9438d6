package verifier

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/badgesmith/badgesmith/keys"
)

// TestKeyCacheAcrossIssuersRedteam24: a key cached for one did:key
// issuer's verification method binds for no other issuer naming that
// method, nor for a fragment of its own, and a done context gets what it
// got before the key was cached.
func TestKeyCacheAcrossIssuersRedteam24(t *testing.T) {
	ctx := context.Background()
	didKey := func(b byte) string {
		seed := make([]byte, ed25519.SeedSize)
		seed[0] = b
		mk, err := keys.EncodePublicMultikey(ed25519.NewKeyFromSeed(seed).Public())
		if err != nil {
			t.Fatal(err)
		}
		return "did:key:" + mk
	}
	a, b := didKey(1), didKey(2)
	vmA := a + "#" + a[len("did:key:"):]
	done, cancel := context.WithCancel(ctx)
	cancel()

	fresh, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	uncachedDone := (&keyBinder{v: fresh, issuer: a}).bind(done, vmA)

	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	bind := func(ctx context.Context, issuer, vm string) *boundKey {
		return (&keyBinder{v: v, issuer: issuer}).bind(ctx, vm)
	}
	if k := bind(ctx, a, vmA); !k.bound() {
		t.Fatalf("binding %s: %v", vmA, k.err)
	}
	if _, ok := v.keyDocs.keys[vmA]; !ok {
		t.Fatal("the key was not cached, so nothing below tests the cache")
	}
	for _, tc := range []struct {
		name, issuer, vm string
	}{
		{"other issuer names the cached method", b, vmA},
		{"other issuer, cached method without fragment", b, a},
		{"same issuer, other fragment", a, a + "#" + b[len("did:key:"):]},
		{"same issuer, method of the other key", a, b + "#" + b[len("did:key:"):]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := bind(ctx, tc.issuer, tc.vm)
			if k.bound() || !errors.Is(k.err, ErrKeyRefused) {
				t.Fatalf("binding %s for issuer %s: bound %v, err %v; want a refusal", tc.vm, tc.issuer, k.bound(), k.err)
			}
		})
	}
	cachedDone := bind(done, a, vmA)
	if cachedDone.bound() || uncachedDone.bound() || cachedDone.err == nil || uncachedDone.err == nil ||
		cachedDone.err.Error() != uncachedDone.err.Error() {
		t.Fatalf("done context: %v with the key cached, %v without", cachedDone.err, uncachedDone.err)
	}
}
