package keys

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// MaxPEMLen bounds the size of PEM input the parsers accept.
const MaxPEMLen = 32 << 10

// ErrMalformedPEM reports input that is not exactly one unencrypted PEM
// block of an expected type holding a well-formed key.
var ErrMalformedPEM = errors.New("malformed PEM")

// PEM block types.
const (
	pemPrivate      = "PRIVATE KEY"     // PKCS #8
	pemPublic       = "PUBLIC KEY"      // PKIX SubjectPublicKeyInfo
	pemECPrivate    = "EC PRIVATE KEY"  // SEC 1, what "openssl ecparam -genkey" writes
	pemRSAPrivate   = "RSA PRIVATE KEY" // PKCS #1, what older OpenSSL writes
	pemEncryptedKey = "ENCRYPTED PRIVATE KEY"
)

// EncodePrivatePEM returns priv as a PKCS #8 "PRIVATE KEY" PEM block.
// Handle the output as the secret it is.
func EncodePrivatePEM(priv crypto.PrivateKey) ([]byte, error) {
	if _, err := FromPrivate(priv); err != nil {
		return nil, fmt.Errorf("encoding private key PEM: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encoding private key PEM: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivate, Bytes: der}), nil
}

// EncodePublicPEM returns pub as a PKIX "PUBLIC KEY" PEM block.
func EncodePublicPEM(pub crypto.PublicKey) ([]byte, error) {
	if _, err := TypeOf(pub); err != nil {
		return nil, fmt.Errorf("encoding public key PEM: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding public key PEM: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublic, Bytes: der}), nil
}

// ParsePrivatePEM parses one PEM block holding a private key: PKCS #8
// ("PRIVATE KEY"), and for convenience the SEC 1 ("EC PRIVATE KEY") and
// PKCS #1 ("RSA PRIVATE KEY") forms OpenSSL writes. Encrypted keys, PEM
// headers, several blocks and text around the block are refused
// (ErrMalformedPEM); keys of other types or sizes give the errors of
// FromPrivate. Error messages never include key material.
func ParsePrivatePEM(data []byte) (crypto.PrivateKey, error) {
	block, err := onePEM(data)
	if err != nil {
		return nil, fmt.Errorf("private key PEM: %w", err)
	}
	var priv any
	switch block.Type {
	case pemPrivate:
		priv, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case pemECPrivate:
		priv, err = x509.ParseECPrivateKey(block.Bytes)
	case pemRSAPrivate:
		priv, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case pemEncryptedKey:
		return nil, fmt.Errorf("private key PEM: encrypted keys are not supported, decrypt with openssl pkcs8 first: %w", ErrMalformedPEM)
	case pemPublic:
		return nil, fmt.Errorf("private key PEM: block %q holds a public key: %w", block.Type, ErrMalformedPEM)
	default:
		return nil, fmt.Errorf("private key PEM: block type %s, want %q: %w", quoteShort(block.Type), pemPrivate, ErrMalformedPEM)
	}
	if err != nil {
		// x509 reports unknown algorithms and curves in err; wrap ours so
		// callers can branch.
		return nil, fmt.Errorf("private key PEM: %w: %w", ErrMalformedPEM, err)
	}
	kp, err := FromPrivate(priv)
	if err != nil {
		return nil, fmt.Errorf("private key PEM: %w", err)
	}
	return kp.Private, nil
}

// ParsePublicPEM parses one PKIX "PUBLIC KEY" PEM block holding an
// Ed25519, P-256 or RSA public key.
func ParsePublicPEM(data []byte) (crypto.PublicKey, error) {
	block, err := onePEM(data)
	if err != nil {
		return nil, fmt.Errorf("public key PEM: %w", err)
	}
	if block.Type != pemPublic {
		return nil, fmt.Errorf("public key PEM: block type %s, want %q: %w", quoteShort(block.Type), pemPublic, ErrMalformedPEM)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key PEM: %w: %w", ErrMalformedPEM, err)
	}
	if _, err := TypeOf(pub); err != nil {
		return nil, fmt.Errorf("public key PEM: %w", err)
	}
	return pub, nil
}

// onePEM decodes the single PEM block data must consist of.
func onePEM(data []byte) (*pem.Block, error) {
	if len(data) > MaxPEMLen {
		return nil, fmt.Errorf("%d bytes, more than %d: %w", len(data), MaxPEMLen, ErrMalformedPEM)
	}
	trimmed := bytes.TrimSpace(data)
	block, rest := pem.Decode(trimmed)
	if block == nil {
		return nil, fmt.Errorf("no PEM block: %w", ErrMalformedPEM)
	}
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN ")) {
		return nil, fmt.Errorf("text before the PEM block: %w", ErrMalformedPEM)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("data after the PEM block: %w", ErrMalformedPEM)
	}
	if len(block.Headers) != 0 {
		return nil, fmt.Errorf("PEM headers (an encrypted legacy key?) are not supported: %w", ErrMalformedPEM)
	}
	return block, nil
}
