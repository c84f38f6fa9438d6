package keys

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"fmt"

	"github.com/mr-tron/base58"
)

// MaxMultikeyLen bounds the length of a Multikey string the decoders accept.
// The longest valid value (a legacy 66-byte secret body) is 92 characters.
const MaxMultikeyLen = 128

// Multicodec headers (varint-encoded codes from the multicodec table).
var (
	ed25519PubHeader  = []byte{0xed, 0x01} // ed25519-pub, 0xed
	ed25519PrivHeader = []byte{0x80, 0x26} // ed25519-priv, 0x1300
)

// EncodePublicMultikey returns the Multikey form of pub, "z6Mk..." for an
// Ed25519 key.
func EncodePublicMultikey(pub crypto.PublicKey) (string, error) {
	k, ok := pub.(ed25519.PublicKey)
	if !ok {
		return "", fmt.Errorf("encoding public key %T: %w", pub, ErrUnsupportedKey)
	}
	if len(k) != ed25519.PublicKeySize {
		return "", fmt.Errorf("encoding ed25519 public key of %d bytes: %w", len(k), ErrKeyLength)
	}
	return encode(ed25519PubHeader, k), nil
}

// DecodePublicMultikey parses a Multikey public key. It returns an
// ed25519.PublicKey, or an error wrapping ErrMultibase, ErrUnsupportedKey or
// ErrKeyLength.
func DecodePublicMultikey(s string) (crypto.PublicKey, error) {
	body, err := decode(s, ed25519PubHeader)
	if err != nil {
		return nil, fmt.Errorf("public key multibase %s: %w", quoteShort(s), err)
	}
	if len(body) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key multibase %s: ed25519 key of %d bytes: %w",
			quoteShort(s), len(body), ErrKeyLength)
	}
	return ed25519.PublicKey(body), nil
}

// EncodeSecretMultikey returns the Multikey form of priv, "z3u2..." (the
// 32-byte seed) for an Ed25519 key.
func EncodeSecretMultikey(priv crypto.PrivateKey) (string, error) {
	k, ok := priv.(ed25519.PrivateKey)
	if !ok {
		return "", fmt.Errorf("encoding secret key %T: %w", priv, ErrUnsupportedKey)
	}
	if len(k) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("encoding ed25519 secret key of %d bytes: %w", len(k), ErrKeyLength)
	}
	return encode(ed25519PrivHeader, k.Seed()), nil
}

// DecodeSecretMultikey parses a Multikey secret key into an
// ed25519.PrivateKey. Besides the 32-byte seed it accepts the legacy 64-byte
// seed||public body, and then returns an error wrapping ErrKeyMismatch if the
// public half does not belong to the seed. Error messages never include the
// secret.
func DecodeSecretMultikey(s string) (crypto.PrivateKey, error) {
	body, err := decode(s, ed25519PrivHeader)
	if err != nil {
		return nil, fmt.Errorf("secret key multibase: %w", err)
	}
	switch len(body) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(body), nil
	case ed25519.PrivateKeySize:
		priv := ed25519.NewKeyFromSeed(body[:ed25519.SeedSize])
		if !bytes.Equal(priv[ed25519.SeedSize:], body[ed25519.SeedSize:]) {
			return nil, fmt.Errorf("secret key multibase: legacy 64-byte body: %w", ErrKeyMismatch)
		}
		return priv, nil
	default:
		return nil, fmt.Errorf("secret key multibase: ed25519 key of %d bytes: %w", len(body), ErrKeyLength)
	}
}

func encode(header, key []byte) string {
	buf := make([]byte, 0, len(header)+len(key))
	buf = append(buf, header...)
	buf = append(buf, key...)
	return "z" + base58.Encode(buf)
}

// decode checks the multibase prefix and the multicodec header and returns
// the key bytes that follow the header. The error never quotes s, since s may
// be a secret.
func decode(s string, header []byte) ([]byte, error) {
	if len(s) > MaxMultikeyLen {
		return nil, fmt.Errorf("%d characters, more than %d: %w", len(s), MaxMultikeyLen, ErrKeyLength)
	}
	if len(s) < 2 || s[0] != 'z' {
		return nil, fmt.Errorf("want prefix 'z' (base58btc): %w", ErrMultibase)
	}
	raw, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("base58btc: %v: %w", err, ErrMultibase)
	}
	if len(raw) < len(header) || !bytes.Equal(raw[:len(header)], header) {
		n := min(len(raw), 2)
		return nil, fmt.Errorf("multicodec header %#x, want %#x: %w", raw[:n], header, ErrUnsupportedKey)
	}
	return raw[len(header):], nil
}

// quoteShort quotes a public value for an error message, cut short so an
// oversized input does not flood logs.
func quoteShort(s string) string {
	const limit = 64
	if len(s) > limit {
		return fmt.Sprintf("%q...", s[:limit])
	}
	return fmt.Sprintf("%q", s)
}
