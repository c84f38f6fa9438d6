package proof

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"

	"github.com/badgesmith/badgesmith/keys"
)

// sigAlg is a suite's signature algorithm. Each accepts exactly one key
// type, so a proof can never be checked with a key of another kind
// (algorithm confusion).
type sigAlg int

const (
	// algEd25519 is pure Ed25519 over the 64 bytes of hash data.
	algEd25519 sigAlg = iota
	// algP256 is ECDSA P-256 with SHA-256 over the 64 bytes of hash data,
	// the signature written as IEEE P1363 r||s (vc-di-ecdsa §3.3).
	algP256
)

// p256ScalarLen is the byte length of r and s in a P-256 signature.
const p256ScalarLen = 32

func (a sigAlg) String() string {
	if a == algP256 {
		return "P-256"
	}
	return "Ed25519"
}

// sign signs data with key, which must be of the algorithm's key type.
func (a sigAlg) sign(key crypto.PrivateKey, data []byte) ([]byte, error) {
	switch a {
	case algP256:
		priv, err := p256Private(key)
		if err != nil {
			return nil, err
		}
		digest := sha256.Sum256(data)
		r, s, err := ecdsa.Sign(rand.Reader, priv, digest[:])
		if err != nil {
			return nil, fmt.Errorf("ecdsa signing: %w", err)
		}
		sig := make([]byte, 2*p256ScalarLen)
		r.FillBytes(sig[:p256ScalarLen])
		s.FillBytes(sig[p256ScalarLen:])
		return sig, nil
	default:
		priv, err := ed25519Private(key)
		if err != nil {
			return nil, err
		}
		return ed25519.Sign(priv, data), nil
	}
}

// checkPrivate checks that key is a private key of the algorithm's type.
func (a sigAlg) checkPrivate(key crypto.PrivateKey) error {
	var err error
	if a == algP256 {
		_, err = p256Private(key)
	} else {
		_, err = ed25519Private(key)
	}
	return err
}

// public checks that key is a public key of the algorithm's type.
func (a sigAlg) public(key crypto.PublicKey) (crypto.PublicKey, error) {
	if a == algP256 {
		return p256Public(key)
	}
	return ed25519Public(key)
}

// verify reports whether sig is a valid signature of data by pub, which
// must have passed public.
func (a sigAlg) verify(pub crypto.PublicKey, data, sig []byte) bool {
	switch a {
	case algP256:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok || len(sig) != 2*p256ScalarLen {
			return false
		}
		digest := sha256.Sum256(data)
		r := new(big.Int).SetBytes(sig[:p256ScalarLen])
		s := new(big.Int).SetBytes(sig[p256ScalarLen:])
		return ecdsa.Verify(k, digest[:], r, s)
	default:
		k, ok := pub.(ed25519.PublicKey)
		return ok && ed25519.Verify(k, data, sig)
	}
}

func p256Private(key crypto.PrivateKey) (*ecdsa.PrivateKey, error) {
	if k, ok := key.(*ecdsa.PrivateKey); ok && k != nil && k.Curve == elliptic.P256() {
		return k, nil
	}
	return nil, fmt.Errorf("%w: ecdsa suites need a P-256 private key, got %s", ErrKeyType, keys.Describe(key))
}

func p256Public(key crypto.PublicKey) (*ecdsa.PublicKey, error) {
	if k, ok := key.(*ecdsa.PublicKey); ok && k != nil && k.Curve == elliptic.P256() {
		return k, nil
	}
	return nil, fmt.Errorf("%w: ecdsa suites need a P-256 public key, got %s", ErrKeyType, keys.Describe(key))
}
