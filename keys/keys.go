package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/badgesmith/badgesmith/internal/verdict"
)

// Type names a key algorithm and, for RSA, its modulus size.
type Type string

// Key types. Ed25519 is what Data Integrity eddsa-rdfc-2022 signs with; P-256
// is for ES256 and the ECDSA cryptosuites, RSA for RS256 VC-JWTs (the
// algorithm the OB 3.0 VC-JWT profile names as the minimum). Package keys
// only holds them; which ones a signer accepts is up to it.
const (
	// Ed25519 is EdDSA over edwards25519 (RFC 8032).
	Ed25519 Type = "Ed25519"
	// P256 is ECDSA over NIST P-256 (FIPS 186-5), a.k.a. secp256r1.
	P256 Type = "P-256"
	// RSA2048 is an RSA key with a 2048-bit modulus, the smallest accepted.
	RSA2048 Type = "RSA-2048"
	// RSA3072 is an RSA key with a 3072-bit modulus.
	RSA3072 Type = "RSA-3072"
	// RSA4096 is an RSA key with a 4096-bit modulus, the largest accepted.
	RSA4096 Type = "RSA-4096"
)

// Types lists every key type, in the order a user is offered them.
func Types() []Type { return []Type{Ed25519, P256, RSA2048, RSA3072, RSA4096} }

// ParseType parses a key type name case-insensitively, accepting the
// spellings "ed25519", "p256", "p-256", "rsa2048", "rsa-2048" and so on.
// It returns an error wrapping ErrUnsupportedKey for anything else.
func ParseType(s string) (Type, error) {
	norm := strings.ToLower(strings.ReplaceAll(s, "-", ""))
	for _, t := range Types() {
		if norm == strings.ToLower(strings.ReplaceAll(string(t), "-", "")) {
			return t, nil
		}
	}
	return "", fmt.Errorf("key type %s: %w", quoteShort(s), ErrUnsupportedKey)
}

// IsRSA reports whether t is one of the RSA types.
func (t Type) IsRSA() bool { return t == RSA2048 || t == RSA3072 || t == RSA4096 }

// rsaBits returns the modulus size of an RSA type, or 0.
func (t Type) rsaBits() int {
	switch t {
	case RSA2048:
		return 2048
	case RSA3072:
		return 3072
	case RSA4096:
		return 4096
	}
	return 0
}

// MinRSABits and MaxRSABits bound the RSA moduli this package accepts:
// smaller keys are too weak, larger ones let hostile input make key
// validation and signature checks expensive.
const (
	MinRSABits = 2048
	MaxRSABits = 4096
)

// Errors callers branch on. Errors from this package wrap one of them and
// name the offending value, member or file.
var (
	// ErrUnsupportedKey reports a key type, curve, algorithm or multicodec
	// header this package does not handle.
	ErrUnsupportedKey = verdict.NewInvalid("unsupported key type")
	// ErrKeyLength reports a key whose byte length is wrong for its type, or
	// an RSA modulus outside MinRSABits..MaxRSABits or of a size that is no
	// Type.
	ErrKeyLength = verdict.NewInvalid("wrong key length")
	// ErrMultibase reports text that is not base58btc multibase ("z...").
	ErrMultibase = errors.New("not a base58btc multibase value")
	// ErrKeyMismatch reports a secret key whose public half, or whose stored
	// public key, does not belong to it.
	ErrKeyMismatch = errors.New("public key does not match secret key")
	// ErrInvalidKey reports key material that is malformed: a point not on
	// the curve, a scalar out of range, an RSA key that fails validation.
	ErrInvalidKey = errors.New("invalid key")
)

// KeyPair is a key pair of one Type, held in the standard library's types:
// for Ed25519, Public is an ed25519.PublicKey and Private an
// ed25519.PrivateKey; for P256, *ecdsa.PublicKey and *ecdsa.PrivateKey; for
// the RSA types, *rsa.PublicKey and *rsa.PrivateKey.
type KeyPair struct {
	Type    Type
	Public  crypto.PublicKey
	Private crypto.PrivateKey
}

// Generate creates a new key pair of type t. For Ed25519 it reads the seed
// from r, or from crypto/rand if r is nil; since Go 1.26 the standard library
// ignores r for ECDSA and RSA and always uses a secure source.
func Generate(t Type, r io.Reader) (*KeyPair, error) {
	if r == nil {
		r = rand.Reader
	}
	var priv crypto.PrivateKey
	switch {
	case t == Ed25519:
		_, k, err := ed25519.GenerateKey(r)
		if err != nil {
			return nil, fmt.Errorf("generating %s key: %w", t, err)
		}
		priv = k
	case t == P256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), r)
		if err != nil {
			return nil, fmt.Errorf("generating %s key: %w", t, err)
		}
		priv = k
	case t.IsRSA():
		k, err := rsa.GenerateKey(r, t.rsaBits())
		if err != nil {
			return nil, fmt.Errorf("generating %s key: %w", t, err)
		}
		priv = k
	default:
		return nil, fmt.Errorf("generating %s key: %w", quoteShort(string(t)), ErrUnsupportedKey)
	}
	return FromPrivate(priv)
}

// FromPrivate returns the key pair of a private key: an ed25519.PrivateKey,
// a P-256 *ecdsa.PrivateKey, or an *rsa.PrivateKey of 2048, 3072 or 4096
// bits. It validates the key.
func FromPrivate(priv crypto.PrivateKey) (*KeyPair, error) {
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("ed25519 private key of %d bytes: %w", len(k), ErrKeyLength)
		}
		pub := k.Public().(ed25519.PublicKey)
		if !pub.Equal(ed25519.NewKeyFromSeed(k.Seed()).Public()) {
			return nil, fmt.Errorf("ed25519 private key: %w", ErrKeyMismatch)
		}
		return &KeyPair{Type: Ed25519, Public: pub, Private: k}, nil
	case *ecdsa.PrivateKey:
		if err := checkP256Private(k); err != nil {
			return nil, err
		}
		return &KeyPair{Type: P256, Public: &k.PublicKey, Private: k}, nil
	case *rsa.PrivateKey:
		t, err := checkRSAPrivate(k)
		if err != nil {
			return nil, err
		}
		return &KeyPair{Type: t, Public: &k.PublicKey, Private: k}, nil
	default:
		return nil, fmt.Errorf("private key %T: %w", priv, ErrUnsupportedKey)
	}
}

// TypeOf returns the Type of a public key, validating it: an
// ed25519.PublicKey, a P-256 *ecdsa.PublicKey or an *rsa.PublicKey of a
// supported size.
func TypeOf(pub crypto.PublicKey) (Type, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", fmt.Errorf("ed25519 public key of %d bytes: %w", len(k), ErrKeyLength)
		}
		return Ed25519, nil
	case *ecdsa.PublicKey:
		if _, err := p256Bytes(k); err != nil {
			return "", err
		}
		return P256, nil
	case *rsa.PublicKey:
		return checkRSAPublic(k)
	default:
		return "", fmt.Errorf("public key %T: %w", pub, ErrUnsupportedKey)
	}
}

// PublicOf returns the public key of a supported private key.
func PublicOf(priv crypto.PrivateKey) (crypto.PublicKey, error) {
	kp, err := FromPrivate(priv)
	if err != nil {
		return nil, err
	}
	return kp.Public, nil
}

// p256Bytes returns the uncompressed SEC 1 encoding of a P-256 public key,
// checking the curve and that the point is on it.
func p256Bytes(k *ecdsa.PublicKey) ([]byte, error) {
	if k == nil || k.Curve == nil {
		return nil, fmt.Errorf("ecdsa public key without a curve: %w", ErrInvalidKey)
	}
	if k.Curve != elliptic.P256() {
		return nil, fmt.Errorf("ecdsa curve %s: %w", k.Curve.Params().Name, ErrUnsupportedKey)
	}
	b, err := k.Bytes()
	if err != nil {
		return nil, fmt.Errorf("P-256 public key: %w: %w", ErrInvalidKey, err)
	}
	// Round-tripping through the parser checks the point is on the curve,
	// which Bytes alone does not promise for hand-built keys.
	if _, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), b); err != nil {
		return nil, fmt.Errorf("P-256 public key: %w: %w", ErrInvalidKey, err)
	}
	return b, nil
}

func checkP256Private(k *ecdsa.PrivateKey) error {
	if k == nil {
		return fmt.Errorf("nil ecdsa private key: %w", ErrInvalidKey)
	}
	if _, err := p256Bytes(&k.PublicKey); err != nil {
		return err
	}
	d, err := k.Bytes()
	if err != nil {
		return fmt.Errorf("P-256 private key: %w: %w", ErrInvalidKey, err)
	}
	fresh, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		return fmt.Errorf("P-256 private key: %w: %w", ErrInvalidKey, err)
	}
	if !fresh.PublicKey.Equal(&k.PublicKey) {
		return fmt.Errorf("P-256 private key: %w", ErrKeyMismatch)
	}
	return nil
}

func checkRSAPublic(k *rsa.PublicKey) (Type, error) {
	if k == nil || k.N == nil {
		return "", fmt.Errorf("rsa public key without modulus: %w", ErrInvalidKey)
	}
	bits := k.N.BitLen()
	if bits < MinRSABits || bits > MaxRSABits {
		return "", fmt.Errorf("rsa modulus of %d bits, want %d to %d: %w", bits, MinRSABits, MaxRSABits, ErrKeyLength)
	}
	var t Type
	for _, c := range []Type{RSA2048, RSA3072, RSA4096} {
		if c.rsaBits() == bits {
			t = c
		}
	}
	if t == "" {
		return "", fmt.Errorf("rsa modulus of %d bits, want 2048, 3072 or 4096: %w", bits, ErrKeyLength)
	}
	if k.N.Bit(0) == 0 {
		return "", fmt.Errorf("rsa modulus is even: %w", ErrInvalidKey)
	}
	// Go's rsa package accepts exponents up to 2^31-1; an even or tiny
	// exponent is no RSA key.
	if k.E < 3 || k.E&1 == 0 || k.E > 1<<31-1 {
		return "", fmt.Errorf("rsa public exponent %d: %w", k.E, ErrInvalidKey)
	}
	return t, nil
}

func checkRSAPrivate(k *rsa.PrivateKey) (Type, error) {
	if k == nil {
		return "", fmt.Errorf("nil rsa private key: %w", ErrInvalidKey)
	}
	t, err := checkRSAPublic(&k.PublicKey)
	if err != nil {
		return "", err
	}
	if len(k.Primes) != 2 {
		return "", fmt.Errorf("rsa private key with %d primes, want 2: %w", len(k.Primes), ErrUnsupportedKey)
	}
	if err := k.Validate(); err != nil {
		return "", fmt.Errorf("rsa private key: %w: %w", ErrInvalidKey, err)
	}
	return t, nil
}

// String describes the pair by its type and public key only, so that a key
// pair that ends up in a log line or %v never shows its secret.
func (k *KeyPair) String() string {
	if k == nil {
		return "<nil>"
	}
	if pub, err := EncodePublicMultikey(k.Public); err == nil {
		return fmt.Sprintf("%s key pair %s", k.Type, pub)
	}
	if tp, err := Thumbprint(k.Public); err == nil {
		return fmt.Sprintf("%s key pair %s", k.Type, tp)
	}
	return fmt.Sprintf("%s key pair", k.Type)
}

// GoString is String, for %#v.
func (k *KeyPair) GoString() string { return k.String() }

// Describe names a key's type and, for ECDSA, its curve, for error
// messages about a key that does not fit.
func Describe(key any) string {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		if k != nil && k.Curve != nil {
			return "ECDSA " + k.Curve.Params().Name
		}
	case *ecdsa.PublicKey:
		if k != nil && k.Curve != nil {
			return "ECDSA " + k.Curve.Params().Name
		}
	}
	return fmt.Sprintf("%T", key)
}
