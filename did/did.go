package did

import (
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/badgesmith/badgesmith/internal/verdict"
	"github.com/badgesmith/badgesmith/keys"
)

// Errors callers branch on. Errors from this package wrap one of them, or an
// error from package keys, and name the DID or verification method.
var (
	// ErrInvalidDID reports text that is not a well-formed DID.
	ErrInvalidDID = verdict.NewInvalid("invalid DID")
	// ErrUnsupportedMethod reports a DID method this resolver does not handle.
	ErrUnsupportedMethod = verdict.NewInconclusive("unsupported DID method")
	// ErrMethodNotFound reports a verification method the document does not
	// contain.
	ErrMethodNotFound = verdict.NewInvalid("verification method not found")
	// ErrNotAuthorized reports a verification method that exists but is not
	// listed under the verification relationship asked for.
	ErrNotAuthorized = verdict.NewInvalid("verification method not authorized for relationship")
	// ErrInvalidMethod reports a verification method that is malformed: a
	// controller other than the document, an unknown type, or an unusable
	// key.
	ErrInvalidMethod = verdict.NewInvalid("invalid verification method")
	// ErrMethodRevoked reports a verification method whose revoked time
	// has come: it must not be used to check anything any more.
	ErrMethodRevoked = verdict.NewInvalid("verification method revoked")
	// ErrMethodExpired reports a verification method whose expires time has
	// passed.
	ErrMethodExpired = verdict.NewInvalid("verification method expired")
	// ErrInvalidDocument reports a DID document that is malformed or whose id
	// is not the DID that was resolved.
	ErrInvalidDocument = errors.New("invalid DID document")
)

// MaxLen bounds the length of a DID or DID URL this package parses.
const MaxLen = 2048

const keyPrefix = "did:key:"

// KeyFromPublic returns the did:key DID of pub: did:key:z6Mk... for an
// Ed25519 key, did:key:zDn... for a P-256 key. RSA keys give an error
// wrapping keys.ErrUnsupportedKey; use JWKFromPublic.
func KeyFromPublic(pub crypto.PublicKey) (string, error) {
	mk, err := keys.EncodePublicMultikey(pub)
	if err != nil {
		return "", fmt.Errorf("did:key: %w", err)
	}
	return keyPrefix + mk, nil
}

// ParseKey parses a did:key DID (no path, query or fragment) and returns its
// public key. It returns an error wrapping ErrUnsupportedMethod for another
// method, ErrInvalidDID for malformed text, or an error from package keys
// (keys.ErrUnsupportedKey, keys.ErrKeyLength, keys.ErrInvalidKey) for a key
// badgesmith cannot use.
func ParseKey(s string) (crypto.PublicKey, error) {
	method, id, err := split(s)
	if err != nil {
		return nil, err
	}
	if method != "key" {
		return nil, fmt.Errorf("%s: method %q: %w", quote(s), method, ErrUnsupportedMethod)
	}
	// The did:key draft allows an optional version segment
	// (did:key:<version>:<mb-value>) that no deployed key uses; refusing it
	// keeps one spelling per key.
	if strings.ContainsAny(id, ":/?#") {
		return nil, fmt.Errorf("%s: method-specific id must be a single Multikey value: %w", quote(s), ErrInvalidDID)
	}
	pub, err := keys.DecodePublicMultikey(id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", quote(s), err)
	}
	return pub, nil
}

// SplitURL splits a DID URL into the DID and the fragment (without '#'),
// e.g. "did:key:z6Mk...#z6Mk..." into "did:key:z6Mk..." and "z6Mk...". It
// returns an error wrapping ErrInvalidDID if the part before '#' is not a
// bare DID (paths and queries are not supported).
func SplitURL(u string) (did, fragment string, err error) {
	did, fragment, _ = strings.Cut(u, "#")
	if _, _, err := split(did); err != nil {
		return "", "", err
	}
	if strings.ContainsAny(did, "/?") {
		return "", "", fmt.Errorf("%s: DID URL paths and queries are not supported: %w", quote(u), ErrInvalidDID)
	}
	return did, fragment, nil
}

// split checks the DID syntax of DID Core 1.0 section 3.1 loosely (enough
// to pick the method and refuse garbage) and returns the method name and the
// method-specific id.
func split(s string) (method, id string, err error) {
	if len(s) > MaxLen {
		return "", "", fmt.Errorf("DID of %d bytes, more than %d: %w", len(s), MaxLen, ErrInvalidDID)
	}
	rest, ok := strings.CutPrefix(s, "did:")
	if !ok {
		return "", "", fmt.Errorf("%s: want prefix \"did:\": %w", quote(s), ErrInvalidDID)
	}
	method, id, ok = strings.Cut(rest, ":")
	if !ok || method == "" || id == "" {
		return "", "", fmt.Errorf("%s: want did:<method>:<id>: %w", quote(s), ErrInvalidDID)
	}
	for i := 0; i < len(method); i++ {
		c := method[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return "", "", fmt.Errorf("%s: method name %q: %w", quote(s), method, ErrInvalidDID)
		}
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f {
			return "", "", fmt.Errorf("%s: control, space or non-ASCII byte in id: %w", quote(s), ErrInvalidDID)
		}
	}
	return method, id, nil
}

// quote quotes a DID for an error message, cut short so an oversized input
// does not flood logs.
func quote(s string) string {
	const limit = 128
	if len(s) > limit {
		return fmt.Sprintf("%q...", s[:limit])
	}
	return fmt.Sprintf("%q", s)
}
