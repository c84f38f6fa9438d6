package verifier

import (
	"bytes"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/badgesmith/badgesmith/keys"
)

// PinnedKey is a public key an operator trusts for one issuer without
// resolving anything: a proof or VC-JWT whose verification method it
// answers for is checked with Key, and the issuer check reports "key …
// pinned locally for issuer …". Pins are consulted before any document is
// fetched, and only for the credential's own issuer id.
type PinnedKey struct {
	// Issuer is the issuer id (issuer.id) the key is pinned for, compared
	// byte for byte (required).
	Issuer string
	// Key is the public key: an ed25519.PublicKey, a P-256
	// *ecdsa.PublicKey or an *rsa.PublicKey (required).
	Key crypto.PublicKey
	// VerificationMethod is the one verification method URL (proof
	// verificationMethod, or JWT kid made absolute against the issuer id)
	// the key answers for, compared byte for byte. If empty, the key
	// answers for Issuer#<its Multikey> (the 1EdTech form that names the
	// key in the fragment), so an RSA key needs it.
	VerificationMethod string
}

// ErrPinnedKeys reports a pinned key, or a pinned keys file, that is not
// usable.
var ErrPinnedKeys = errors.New("invalid pinned key")

// MaxPinnedKeysSize bounds the pinned keys file ParsePinnedKeys reads.
const MaxPinnedKeysSize = 1 << 20

// pin is a validated PinnedKey.
type pin struct {
	issuer string
	vm     string
	key    crypto.PublicKey
}

// newPins validates pinned keys for New.
func newPins(pinned []PinnedKey) ([]pin, error) {
	out := make([]pin, 0, len(pinned))
	seen := make(map[[2]string]bool, len(pinned))
	for i, p := range pinned {
		if p.Issuer == "" {
			return nil, fmt.Errorf("pinned key %d: issuer: missing: %w", i, ErrPinnedKeys)
		}
		if p.Key == nil {
			return nil, fmt.Errorf("pinned key %d (issuer %s): key: missing: %w", i, p.Issuer, ErrPinnedKeys)
		}
		if _, err := keys.TypeOf(p.Key); err != nil {
			return nil, fmt.Errorf("pinned key %d (issuer %s): %w: %w", i, p.Issuer, ErrPinnedKeys, err)
		}
		vm := p.VerificationMethod
		if vm == "" {
			mk, err := keys.EncodePublicMultikey(p.Key)
			if err != nil {
				return nil, fmt.Errorf("pinned key %d (issuer %s): verification method: needed for a key with no Multikey form: %w: %w", i, p.Issuer, ErrPinnedKeys, err)
			}
			vm = p.Issuer + "#" + mk
		}
		k := [2]string{p.Issuer, vm}
		if seen[k] {
			return nil, fmt.Errorf("pinned key %d: issuer %s, verification method %s pinned twice: %w", i, p.Issuer, vm, ErrPinnedKeys)
		}
		seen[k] = true
		out = append(out, pin{issuer: p.Issuer, vm: vm, key: p.Key})
	}
	return out, nil
}

// pinnedKey returns the pin for vm under issuer, or nil.
func (v *Verifier) pinnedKey(issuer, vm string) *pin {
	for i := range v.pins {
		if p := &v.pins[i]; p.issuer == issuer && p.vm == vm {
			return p
		}
	}
	return nil
}

// pinnedKeysFile is the JSON form ParsePinnedKeys reads.
type pinnedKeysFile struct {
	PinnedKeys []pinnedKeyJSON `json:"pinnedKeys"`
}

type pinnedKeyJSON struct {
	Issuer             string          `json:"issuer"`
	VerificationMethod string          `json:"verificationMethod"`
	PublicKeyMultibase string          `json:"publicKeyMultibase"`
	PublicKeyJwk       json.RawMessage `json:"publicKeyJwk"`
}

// ParsePinnedKeys reads a pinned keys file, a JSON object of at most
// MaxPinnedKeysSize bytes:
//
//	{"pinnedKeys": [
//	  {"issuer": "https://example.edu/issuers/565049",
//	   "publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"},
//	  {"issuer": "urn:uuid:8c5a…",
//	   "verificationMethod": "urn:uuid:8c5a…#key-1",
//	   "publicKeyJwk": {"kty": "EC", "crv": "P-256", "x": "…", "y": "…"}}
//	]}
//
// Each entry names the issuer id, exactly one of publicKeyMultibase (an
// Ed25519 or P-256 Multikey) and publicKeyJwk (a public JWK: Ed25519,
// P-256 or RSA), and optionally the verification method (see PinnedKey).
// Unknown members, private key members and trailing data are refused.
// Errors wrap ErrPinnedKeys and name the entry and member.
func ParsePinnedKeys(data []byte) ([]PinnedKey, error) {
	if len(data) > MaxPinnedKeysSize {
		return nil, fmt.Errorf("pinned keys: %d bytes, more than %d: %w", len(data), MaxPinnedKeysSize, ErrPinnedKeys)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f pinnedKeysFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("pinned keys: %w: %w", ErrPinnedKeys, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("pinned keys: data after the JSON object: %w", ErrPinnedKeys)
	}
	if f.PinnedKeys == nil {
		return nil, fmt.Errorf("pinned keys: pinnedKeys: missing: %w", ErrPinnedKeys)
	}
	out := make([]PinnedKey, 0, len(f.PinnedKeys))
	for i, e := range f.PinnedKeys {
		path := fmt.Sprintf("pinnedKeys[%d]", i)
		if e.Issuer == "" {
			return nil, fmt.Errorf("%s.issuer: missing: %w", path, ErrPinnedKeys)
		}
		hasJWK := len(e.PublicKeyJwk) > 0 && !bytes.Equal(bytes.TrimSpace(e.PublicKeyJwk), []byte("null"))
		var pub crypto.PublicKey
		switch {
		case e.PublicKeyMultibase != "" && hasJWK:
			return nil, fmt.Errorf("%s: publicKeyMultibase and publicKeyJwk both given: %w", path, ErrPinnedKeys)
		case e.PublicKeyMultibase != "":
			k, err := keys.DecodePublicMultikey(e.PublicKeyMultibase)
			if err != nil {
				return nil, fmt.Errorf("%s.publicKeyMultibase: %w: %w", path, ErrPinnedKeys, err)
			}
			pub = k
		case hasJWK:
			k, err := keys.ParsePublicJWK(e.PublicKeyJwk)
			if err != nil {
				return nil, fmt.Errorf("%s.publicKeyJwk: %w: %w", path, ErrPinnedKeys, err)
			}
			pub = k.Public
		default:
			return nil, fmt.Errorf("%s: publicKeyMultibase or publicKeyJwk: missing: %w", path, ErrPinnedKeys)
		}
		out = append(out, PinnedKey{Issuer: e.Issuer, Key: pub, VerificationMethod: e.VerificationMethod})
	}
	if _, err := newPins(out); err != nil {
		return nil, err
	}
	return out, nil
}
