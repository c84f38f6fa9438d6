package keys

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
)

// Type names a key algorithm.
type Type string

// Ed25519 is the EdDSA signature algorithm over edwards25519 (RFC 8032),
// the only type badgesmith signs with today.
const Ed25519 Type = "Ed25519"

// Errors callers branch on. Errors from this package wrap one of them and
// name the offending value or file.
var (
	// ErrUnsupportedKey reports a key type or multicodec header this package
	// does not handle.
	ErrUnsupportedKey = errors.New("unsupported key type")
	// ErrKeyLength reports a key whose byte length is wrong for its type.
	ErrKeyLength = errors.New("wrong key length")
	// ErrMultibase reports text that is not base58btc multibase ("z...").
	ErrMultibase = errors.New("not a base58btc multibase value")
	// ErrKeyMismatch reports a secret key whose public half, or whose stored
	// public key, does not belong to it.
	ErrKeyMismatch = errors.New("public key does not match secret key")
)

// KeyPair is a key pair of one Type. For Ed25519, Public is an
// ed25519.PublicKey and Private an ed25519.PrivateKey.
type KeyPair struct {
	Type    Type
	Public  crypto.PublicKey
	Private crypto.PrivateKey
}

// Generate creates a new key pair of type t, reading randomness from rand.
// If rand is nil, crypto/rand is used.
func Generate(t Type, r io.Reader) (*KeyPair, error) {
	switch t {
	case Ed25519:
		if r == nil {
			r = rand.Reader
		}
		pub, priv, err := ed25519.GenerateKey(r)
		if err != nil {
			return nil, fmt.Errorf("generating %s key: %w", t, err)
		}
		return &KeyPair{Type: Ed25519, Public: pub, Private: priv}, nil
	default:
		return nil, fmt.Errorf("generating %q key: %w", t, ErrUnsupportedKey)
	}
}

// FromPrivate returns the key pair of a private key.
func FromPrivate(priv crypto.PrivateKey) (*KeyPair, error) {
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("ed25519 private key of %d bytes: %w", len(k), ErrKeyLength)
		}
		return &KeyPair{Type: Ed25519, Public: k.Public(), Private: k}, nil
	default:
		return nil, fmt.Errorf("private key %T: %w", priv, ErrUnsupportedKey)
	}
}

// String describes the pair by its type and public key only, so that a key
// pair that ends up in a log line or %v never shows its secret.
func (k *KeyPair) String() string {
	if k == nil {
		return "<nil>"
	}
	pub, err := EncodePublicMultikey(k.Public)
	if err != nil {
		return fmt.Sprintf("%s key pair", k.Type)
	}
	return fmt.Sprintf("%s key pair %s", k.Type, pub)
}

// GoString is String, for %#v.
func (k *KeyPair) GoString() string { return k.String() }
