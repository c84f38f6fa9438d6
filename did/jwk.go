package did

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/badgesmith/badgesmith/keys"
)

const jwkPrefix = "did:jwk:"

// ContextJWS2020 is the context of JsonWebKey2020 verification methods,
// which did:jwk documents use.
const ContextJWS2020 = "https://w3id.org/security/suites/jws-2020/v1"

// JWKFragment is the fragment of the one verification method of a did:jwk
// document.
const JWKFragment = "0"

// JWKFromPublic returns the did:jwk DID of pub: "did:jwk:" + base64url (no
// padding) of its public JWK, members in lexicographic order (keys.PublicJWK).
func JWKFromPublic(pub crypto.PublicKey) (string, error) {
	j, err := keys.PublicJWK(pub)
	if err != nil {
		return "", fmt.Errorf("did:jwk: %w", err)
	}
	return jwkPrefix + base64.RawURLEncoding.EncodeToString(j), nil
}

// ParseJWK parses a did:jwk DID (no path, query or fragment) and returns its
// public key. Errors wrap ErrUnsupportedMethod for another method;
// ErrInvalidDID for text that is not base64url of a public JWK, together
// with the *keys.JWKError (keys.ErrMalformedJWK, keys.ErrPrivateMember) if it
// decodes; and otherwise the *keys.JWKError of a key badgesmith cannot use
// (keys.ErrUnsupportedKey, keys.ErrKeyLength, keys.ErrInvalidKey).
func ParseJWK(s string) (crypto.PublicKey, error) {
	k, _, err := parseJWK(s)
	if err != nil {
		return nil, err
	}
	return k.Public, nil
}

// parseJWK returns the parsed key of a did:jwk DID and its JWK JSON.
func parseJWK(s string) (*keys.JWK, []byte, error) {
	method, id, err := split(s)
	if err != nil {
		return nil, nil, err
	}
	if method != "jwk" {
		return nil, nil, fmt.Errorf("%s: method %q: %w", quote(s), method, ErrUnsupportedMethod)
	}
	// The method-specific id is base64url only ([A-Za-z0-9_-]+, did:jwk
	// spec "DID Format"); Go's decoder would also skip line breaks and
	// accept padding.
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, nil, fmt.Errorf("%s: method-specific id: byte %q at %d is not base64url: %w", quote(s), c, i, ErrInvalidDID)
		}
	}
	data, err := base64.RawURLEncoding.Strict().DecodeString(id)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: method-specific id: base64url: %w: %w", quote(s), err, ErrInvalidDID)
	}
	k, err := keys.ParsePublicJWK(data)
	if errors.Is(err, keys.ErrMalformedJWK) || errors.Is(err, keys.ErrPrivateMember) {
		// Not a public JWK at all, or one the method forbids: the DID
		// itself is bad, not merely a key badgesmith cannot use.
		return nil, nil, fmt.Errorf("%s: %w: %w", quote(s), ErrInvalidDID, err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", quote(s), err)
	}
	return k, data, nil
}

// JWKDocument returns the DID document of a did:jwk DID, built offline as
// the did:jwk method specification prescribes: one JsonWebKey2020
// verification method, DID#0, controlled by the DID, whose publicKeyJwk is
// the decoded JWK as given. A JWK with "use":"enc" is listed under
// keyAgreement only; any other under authentication, assertionMethod,
// capabilityInvocation and capabilityDelegation, and also keyAgreement when
// "use" is absent.
func JWKDocument(did string) (*Document, error) {
	k, data, err := parseJWK(did)
	if err != nil {
		return nil, err
	}
	var jwk map[string]any
	if err := json.Unmarshal(data, &jwk); err != nil {
		// parseJWK has accepted it as one JSON object.
		return nil, fmt.Errorf("%s: %w: %w", quote(did), ErrInvalidDID, err)
	}
	vmID := did + "#" + JWKFragment
	d := &Document{
		Context: []any{ContextDIDv1, ContextJWS2020},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID:           vmID,
			Type:         TypeJsonWebKey2020,
			Controller:   did,
			PublicKeyJwk: jwk,
		}},
	}
	if k.Use != "enc" {
		d.Authentication = []any{vmID}
		d.AssertionMethod = []any{vmID}
		d.CapabilityInvocation = []any{vmID}
		d.CapabilityDelegation = []any{vmID}
	}
	if k.Use != "sig" {
		d.KeyAgreement = []any{vmID}
	}
	return d, nil
}

// isJWK reports whether s names the did:jwk method, for dispatch.
func isJWK(s string) bool { return strings.HasPrefix(s, jwkPrefix) }
