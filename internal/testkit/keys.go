package testkit

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
)

// Key is a deterministic test key pair with its did:key identity (an RSA
// key has none: DID, Multikey, VM and SecretMultikey are empty).
type Key struct {
	// KeyPair is the key pair: Private is an ed25519.PrivateKey, a P-256
	// *ecdsa.PrivateKey or an *rsa.PrivateKey, Public the matching public
	// key.
	keys.KeyPair
	// DID is the key's did:key DID (did:key:z6Mk… or did:key:zDn…).
	DID string
	// Multikey is the public key's Multikey encoding.
	Multikey string
	// VM is the verification method id DID#Multikey, the form did:key
	// resolution and the 1EdTech examples use.
	VM string
	// SecretMultikey is the private key's Multikey encoding, for signers
	// outside Go (the interop tests' sign.mjs).
	SecretMultikey string
}

// Seed returns the 32-byte seed the seed byte b stands for: b, b+1, …,
// b+31 (wrapping), the sequence the tests' counting readers produced
// before testkit, so the same seed byte still gives the same key.
func Seed(b byte) []byte {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = b + byte(i)
	}
	return s
}

// Ed25519 returns the Ed25519 key whose seed is Seed(b).
func Ed25519(t testing.TB, b byte) Key {
	t.Helper()
	return Ed25519FromSeed(t, Seed(b))
}

// Ed25519FromSeed returns the Ed25519 key of a 32-byte seed, such as a
// published test vector's.
func Ed25519FromSeed(t testing.TB, seed []byte) Key {
	t.Helper()
	if len(seed) != ed25519.SeedSize {
		t.Fatalf("testkit: ed25519 seed of %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	return fromPrivate(t, ed25519.NewKeyFromSeed(seed))
}

// P256 returns the P-256 key whose private scalar is Seed(b) read as a
// big-endian integer. Seed(b) is always below the group order (its first
// byte is at most 0xff and its second then 0x00, while the order begins
// 0xffffffff) and never zero, so every b gives a valid key. ecdsa.GenerateKey
// cannot be seeded (since Go 1.26 it ignores its reader), hence the raw
// scalar.
func P256(t testing.TB, b byte) Key {
	t.Helper()
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), Seed(b))
	if err != nil {
		t.Fatalf("testkit: P-256 key of seed %d: %v", b, err)
	}
	return fromPrivate(t, priv)
}

// Of returns the key of type typ (Ed25519, P256 or RSA2048) of the seed
// byte b, for tests that run over key types.
func Of(t testing.TB, typ keys.Type, b byte) Key {
	t.Helper()
	switch typ {
	case keys.Ed25519:
		return Ed25519(t, b)
	case keys.P256:
		return P256(t, b)
	case keys.RSA2048:
		return RSA(t, b)
	}
	t.Fatalf("testkit: no deterministic %s keys", typ)
	return Key{}
}

// fromPrivate completes a Key from its private key.
func fromPrivate(t testing.TB, priv any) Key {
	t.Helper()
	kp, err := keys.FromPrivate(priv)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	id, err := did.KeyFromPublic(kp.Public)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	mk, err := keys.EncodePublicMultikey(kp.Public)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	sec, err := keys.EncodeSecretMultikey(kp.Private)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	return Key{KeyPair: *kp, DID: id, Multikey: mk, VM: id + "#" + mk, SecretMultikey: sec}
}

// Ed25519Private returns the private key as an ed25519.PrivateKey, failing
// t for another key type.
func (k Key) Ed25519Private(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	priv, ok := k.Private.(ed25519.PrivateKey)
	if !ok {
		t.Fatalf("testkit: %s is a %s key, not Ed25519", k.DID, k.Type)
	}
	return priv
}

// Method returns the key as the verification method k.VM, for a Fetcher.
func (k Key) Method() Method { return Method{ID: k.VM, Key: k.Public} }

// Fetcher returns a key fetcher bound to the issuer k.DID that answers for
// k.VM only.
func (k Key) Fetcher(t testing.TB) *Fetcher {
	t.Helper()
	return NewFetcher(t, k.DID, k.Method())
}

// OBVectorSeed is the hex Ed25519 seed of the 1EdTech Open Badges 3.0 test
// vector (../shared/spec/test-vectors/README.md); its Multikey is
// z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi.
const OBVectorSeed = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"

// OBVector returns the key of the 1EdTech Open Badges 3.0 test vector.
func OBVector(t testing.TB) Key {
	t.Helper()
	seed, err := hex.DecodeString(OBVectorSeed)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	return Ed25519FromSeed(t, seed)
}

// ControllerDocument returns the JSON of the controller document of id
// that lists pub as the Multikey method id#fragment under assertionMethod:
// what a did:web or https issuer serves for one signing key.
func ControllerDocument(t testing.TB, id, fragment string, pub crypto.PublicKey) []byte {
	t.Helper()
	vm, err := did.MultikeyMethod(id, fragment, pub)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	doc, err := did.NewDocument(id, []did.VerificationMethod{vm})
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	return b
}

// Counter is a deterministic stand-in for crypto/rand, for the ids and
// salts a test pins in golden output: it reads b, b+1, b+2, … (wrapping).
// Seed(b) is its first 32 bytes. Not safe for concurrent use.
type Counter struct{ next byte }

// NewCounter returns a Counter that starts at b.
func NewCounter(b byte) *Counter { return &Counter{next: b} }

// Read fills p with the next bytes of the count; it never fails.
func (c *Counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.next
		c.next++
	}
	return len(p), nil
}
