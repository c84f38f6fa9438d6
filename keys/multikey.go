package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"fmt"

	"github.com/mr-tron/base58"
)

// MaxMultikeyLen bounds the length of a Multikey string the decoders accept.
// The longest valid value (a legacy 66-byte Ed25519 secret body) is 92
// characters.
const MaxMultikeyLen = 128

// Multicodec headers (varint-encoded codes from the multicodec table).
var (
	ed25519PubHeader  = []byte{0xed, 0x01} // ed25519-pub, 0xed
	ed25519PrivHeader = []byte{0x80, 0x26} // ed25519-priv, 0x1300
	p256PubHeader     = []byte{0x80, 0x24} // p256-pub, 0x1200
	p256PrivHeader    = []byte{0x86, 0x26} // p256-priv, 0x1306
)

const (
	p256CompressedLen = 33
	p256ScalarLen     = 32
)

// EncodePublicMultikey returns the Multikey form of pub: "z6Mk..." for an
// Ed25519 key, "zDn..." (the 33-byte compressed point) for a P-256 key. RSA
// keys have no Multikey form here and give an error wrapping
// ErrUnsupportedKey.
func EncodePublicMultikey(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", fmt.Errorf("encoding ed25519 public key of %d bytes: %w", len(k), ErrKeyLength)
		}
		return encode(ed25519PubHeader, k), nil
	case *ecdsa.PublicKey:
		b, err := p256Bytes(k)
		if err != nil {
			return "", fmt.Errorf("encoding public key: %w", err)
		}
		return encode(p256PubHeader, compress(b)), nil
	default:
		return "", fmt.Errorf("encoding public key %T as multikey: %w", pub, ErrUnsupportedKey)
	}
}

// compress turns an uncompressed SEC 1 point (0x04 || X || Y) into the
// compressed form (0x02 or 0x03 by the parity of Y, then X).
func compress(uncompressed []byte) []byte {
	n := (len(uncompressed) - 1) / 2
	out := make([]byte, 1+n)
	out[0] = 0x02 | uncompressed[len(uncompressed)-1]&1
	copy(out[1:], uncompressed[1:1+n])
	return out
}

// DecodePublicMultikey parses a Multikey public key. It returns an
// ed25519.PublicKey or a P-256 *ecdsa.PublicKey, or an error wrapping
// ErrMultibase, ErrUnsupportedKey (another multicodec header), ErrKeyLength
// or ErrInvalidKey (a P-256 point not on the curve).
func DecodePublicMultikey(s string) (crypto.PublicKey, error) {
	raw, err := decode(s)
	if err != nil {
		return nil, fmt.Errorf("public key multibase %s: %w", quoteShort(s), err)
	}
	switch {
	case bytes.HasPrefix(raw, ed25519PubHeader):
		body := raw[len(ed25519PubHeader):]
		if len(body) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("public key multibase %s: ed25519 key of %d bytes: %w",
				quoteShort(s), len(body), ErrKeyLength)
		}
		return ed25519.PublicKey(body), nil
	case bytes.HasPrefix(raw, p256PubHeader):
		body := raw[len(p256PubHeader):]
		if len(body) != p256CompressedLen {
			return nil, fmt.Errorf("public key multibase %s: P-256 compressed point of %d bytes, want %d: %w",
				quoteShort(s), len(body), p256CompressedLen, ErrKeyLength)
		}
		pub, err := decompressP256(body)
		if err != nil {
			return nil, fmt.Errorf("public key multibase %s: %w", quoteShort(s), err)
		}
		return pub, nil
	default:
		return nil, fmt.Errorf("public key multibase %s: multicodec header %#x, want %#x (Ed25519) or %#x (P-256): %w",
			quoteShort(s), raw[:min(len(raw), 2)], ed25519PubHeader, p256PubHeader, ErrUnsupportedKey)
	}
}

// decompressP256 parses a 33-byte compressed P-256 point.
func decompressP256(b []byte) (*ecdsa.PublicKey, error) {
	if b[0] != 0x02 && b[0] != 0x03 {
		return nil, fmt.Errorf("P-256 point prefix %#x, want 0x02 or 0x03: %w", b[0], ErrInvalidKey)
	}
	x, y := elliptic.UnmarshalCompressed(elliptic.P256(), b)
	if x == nil {
		return nil, fmt.Errorf("P-256 point not on the curve: %w", ErrInvalidKey)
	}
	unc := make([]byte, 1+2*p256ScalarLen)
	unc[0] = 0x04
	x.FillBytes(unc[1 : 1+p256ScalarLen])
	y.FillBytes(unc[1+p256ScalarLen:])
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), unc)
	if err != nil {
		return nil, fmt.Errorf("P-256 point: %w: %w", ErrInvalidKey, err)
	}
	return pub, nil
}

// EncodeSecretMultikey returns the Multikey form of priv: "z3u2..." (the
// 32-byte seed) for an Ed25519 key, "z42t..." (the 32-byte scalar) for a
// P-256 key.
func EncodeSecretMultikey(priv crypto.PrivateKey) (string, error) {
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return "", fmt.Errorf("encoding ed25519 secret key of %d bytes: %w", len(k), ErrKeyLength)
		}
		return encode(ed25519PrivHeader, k.Seed()), nil
	case *ecdsa.PrivateKey:
		if err := checkP256Private(k); err != nil {
			return "", fmt.Errorf("encoding secret key: %w", err)
		}
		d, err := k.Bytes()
		if err != nil {
			return "", fmt.Errorf("encoding secret key: %w: %w", ErrInvalidKey, err)
		}
		return encode(p256PrivHeader, d), nil
	default:
		return "", fmt.Errorf("encoding secret key %T as multikey: %w", priv, ErrUnsupportedKey)
	}
}

// DecodeSecretMultikey parses a Multikey secret key into an
// ed25519.PrivateKey or a P-256 *ecdsa.PrivateKey. For Ed25519 it accepts
// besides the 32-byte seed the legacy 64-byte seed||public body, and then
// returns an error wrapping ErrKeyMismatch if the public half does not belong
// to the seed. Error messages never include the secret.
func DecodeSecretMultikey(s string) (crypto.PrivateKey, error) {
	raw, err := decode(s)
	if err != nil {
		return nil, fmt.Errorf("secret key multibase: %w", err)
	}
	switch {
	case bytes.HasPrefix(raw, ed25519PrivHeader):
		body := raw[len(ed25519PrivHeader):]
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
	case bytes.HasPrefix(raw, p256PrivHeader):
		body := raw[len(p256PrivHeader):]
		if len(body) != p256ScalarLen {
			return nil, fmt.Errorf("secret key multibase: P-256 scalar of %d bytes, want %d: %w", len(body), p256ScalarLen, ErrKeyLength)
		}
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), body)
		if err != nil {
			// The parser's message does not contain the scalar.
			return nil, fmt.Errorf("secret key multibase: P-256 scalar: %w: %w", ErrInvalidKey, err)
		}
		return priv, nil
	default:
		return nil, fmt.Errorf("secret key multibase: multicodec header %#x, want %#x (Ed25519) or %#x (P-256): %w",
			raw[:min(len(raw), 2)], ed25519PrivHeader, p256PrivHeader, ErrUnsupportedKey)
	}
}

func encode(header, key []byte) string {
	buf := make([]byte, 0, len(header)+len(key))
	buf = append(buf, header...)
	buf = append(buf, key...)
	return "z" + base58.Encode(buf)
}

// decode checks the multibase prefix and returns the decoded bytes,
// multicodec header included. The error never quotes s, since s may be a
// secret.
func decode(s string) ([]byte, error) {
	if len(s) > MaxMultikeyLen {
		return nil, fmt.Errorf("%d characters, more than %d: %w", len(s), MaxMultikeyLen, ErrKeyLength)
	}
	if len(s) < 2 || s[0] != 'z' {
		return nil, fmt.Errorf("want prefix 'z' (base58btc): %w", ErrMultibase)
	}
	raw, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("base58btc: %w: %w", err, ErrMultibase)
	}
	return raw, nil
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
