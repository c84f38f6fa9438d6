package issuer

import (
	"crypto"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
)

// Format is how an issuer signs a credential: with a Data Integrity proof
// of a cryptosuite, or as a JWT. The zero value means the default Data
// Integrity suite of the key's type (see DefaultSuite).
type Format string

// Formats.
const (
	EddsaRdfc2022        Format = Format(proof.EddsaRdfc2022)
	EddsaJcs2022         Format = Format(proof.EddsaJcs2022)
	Ed25519Signature2020 Format = Format(proof.Ed25519Signature2020)
	EcdsaRdfc2019        Format = Format(proof.EcdsaRdfc2019)
	// VCJWT is the OB 3.0 VC-JWT: a compact JWS whose payload is the
	// credential.
	VCJWT Format = vcjwt.FormatVCJWT
	// JOSE is VC-JOSE-COSE: a compact JWS (typ vc+jwt) whose payload is
	// the credential.
	JOSE Format = vcjwt.FormatJOSE
)

// IsJWT reports whether f is a JWT form rather than a Data Integrity suite.
func (f Format) IsJWT() bool { return f == VCJWT || f == JOSE }

// KeyType returns the key type the Data Integrity suite f needs, or ""
// for a JWT form (its algorithm follows the key) and for an unknown
// format.
func (f Format) KeyType() keys.Type {
	switch f {
	case EddsaRdfc2022, EddsaJcs2022, Ed25519Signature2020:
		return keys.Ed25519
	case EcdsaRdfc2019:
		return keys.P256
	}
	return ""
}

// DefaultSuite returns the Data Integrity suite a key of type t signs with
// when none is chosen: eddsa-rdfc-2022 for Ed25519, ecdsa-rdfc-2019 for
// P-256, and "" for RSA, which no suite uses (RSA keys sign JWTs only).
func DefaultSuite(t keys.Type) Format {
	switch t {
	case keys.Ed25519:
		return EddsaRdfc2022
	case keys.P256:
		return EcdsaRdfc2019
	}
	return ""
}

// KeyMismatchError reports a Data Integrity suite that the signing key's
// type cannot sign. It matches ErrInvalidInput.
type KeyMismatchError struct {
	// Format is the suite asked for.
	Format Format
	// Key is the signing key's type.
	Key keys.Type
	// Need is the key type Format needs, "" if no suite fits Key.
	Need keys.Type
}

func (e *KeyMismatchError) Error() string {
	if e.Need == "" {
		return fmt.Sprintf("key type %s: no Data Integrity suite signs with it; sign as %s or %s", e.Key, VCJWT, JOSE)
	}
	return fmt.Sprintf("suite %s needs a key of type %s, not %s", e.Format, e.Need, e.Key)
}

// Unwrap makes a KeyMismatchError match ErrInvalidInput.
func (e *KeyMismatchError) Unwrap() error { return ErrInvalidInput }

// ErrUnknownFormat reports a Format that is neither a supported Data
// Integrity suite nor a JWT form.
var ErrUnknownFormat = errors.New("unknown format")

// checkFormat returns f, or the default suite of t for a zero f, after
// checking that a key of type t signs it.
func checkFormat(f Format, t keys.Type) (Format, error) {
	if f == "" {
		f = DefaultSuite(t)
		if f == "" {
			return "", &KeyMismatchError{Key: t}
		}
	}
	if f.IsJWT() {
		return f, nil
	}
	need := f.KeyType()
	if need == "" {
		return "", fmt.Errorf("format %q: %w: want %s, %s, %s, %s, %s or %s", f, ErrUnknownFormat,
			EddsaRdfc2022, EddsaJcs2022, Ed25519Signature2020, EcdsaRdfc2019, VCJWT, JOSE)
	}
	if need != t {
		return "", &KeyMismatchError{Format: f, Key: t, Need: need}
	}
	return f, nil
}

// Identity is who a credential names as its issuer and which of the
// issuer's keys signed it.
type Identity struct {
	// ID is the issuer id, the controller of VerificationMethod (for a
	// DID, the DID).
	ID string
	// VerificationMethod is the URL of the signing key; its part before
	// '#' is ID.
	VerificationMethod string
}

// KeyIdentity returns the identity a key has by itself: its did:key DID
// and method for Ed25519 and P-256 keys, its did:jwk DID and method for
// RSA keys (which have no Multikey form).
func KeyIdentity(pub crypto.PublicKey) (Identity, error) {
	if id, err := did.KeyFromPublic(pub); err == nil {
		mk, err := keys.EncodePublicMultikey(pub)
		if err != nil {
			return Identity{}, err
		}
		return Identity{ID: id, VerificationMethod: id + "#" + mk}, nil
	}
	id, err := did.JWKFromPublic(pub)
	if err != nil {
		return Identity{}, err
	}
	return Identity{ID: id, VerificationMethod: id + "#" + did.JWKFragment}, nil
}

// WebIdentity returns the identity of the did:web DID of domain
// (host[:port][/path], as did.FormatWeb reads it) signing with the key
// whose fragment in its DID document is fragment: the values the DID
// document that "badgesmith did web" writes publishes.
func WebIdentity(domain, fragment string) (Identity, error) {
	if fragment == "" || strings.ContainsAny(fragment, "#/?") {
		return Identity{}, fmt.Errorf("verification method fragment %q: %w: want a non-empty fragment without '#', '/' or '?'", fragment, ErrInvalidInput)
	}
	id, err := did.FormatWeb(domain)
	if err != nil {
		return Identity{}, err
	}
	return Identity{ID: id, VerificationMethod: id + "#" + fragment}, nil
}

// Signer is a private key with the identity it signs as and the format it
// signs in, checked once: the key can sign the format, and the identity
// names it. Build one with NewSigner or RingSigner; the zero value is not
// usable.
type Signer struct {
	key      crypto.PrivateKey
	pub      crypto.PublicKey
	keyType  keys.Type
	identity Identity
	format   Format
	// fragment is the key's verification method fragment in a did:web
	// document (for a bare key, its identity's fragment): what it signs as under another did:web
	// identity of its issuer (a status list for credentials a retired key
	// of the group signed, say).
	fragment string
	// group holds the fragments of every key of the keyring group (nil for
	// a bare key).
	group []string
	// inactive, if not nil, says why a keyring key may not sign
	// credentials (see Config.ListsOnly).
	inactive error
}

// SignerOptions are the choices of NewSigner.
type SignerOptions struct {
	// Identity is what the signer signs as. If zero, KeyIdentity of the
	// key.
	Identity Identity
	// Format is how it signs. If zero, DefaultSuite of the key's type.
	Format Format
}

// NewSigner returns the signer of key with opts. It refuses (with an error
// matching ErrInvalidInput) a key type the format cannot use and an
// identity whose verification method is not under its id.
func NewSigner(key crypto.PrivateKey, opts SignerOptions) (*Signer, error) {
	if key == nil {
		return nil, fmt.Errorf("key: %w: required", ErrInvalidInput)
	}
	kp, err := keys.FromPrivate(key)
	if err != nil {
		return nil, fmt.Errorf("key: %w: %w", ErrInvalidInput, err)
	}
	format, err := checkFormat(opts.Format, kp.Type)
	if err != nil {
		return nil, err
	}
	id := opts.Identity
	if id == (Identity{}) {
		if id, err = KeyIdentity(kp.Public); err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
	}
	if id.ID == "" {
		return nil, fmt.Errorf("issuer id: %w: required", ErrInvalidInput)
	}
	if base, _, _ := strings.Cut(id.VerificationMethod, "#"); base != id.ID {
		return nil, fmt.Errorf("verification method %q: %w: its controller must be the issuer %s", id.VerificationMethod, ErrInvalidInput, id.ID)
	}
	_, fragment, _ := strings.Cut(id.VerificationMethod, "#")
	return &Signer{key: kp.Private, pub: kp.Public, keyType: kp.Type, identity: id, format: format, fragment: fragment}, nil
}

// RingOptions are the choices of RingSigner.
type RingOptions struct {
	// Web, if set, is the did:web domain (host[:port][/path]) to sign as,
	// with the key's fragment (see WebIdentity). If empty, the key signs
	// as its did:key (did:jwk for RSA).
	Web string
	// URL, if set, is an https issuer URL to sign as instead, with the
	// key's fragment (URL#fragment): the Controlled Identifiers 1.0
	// document CIDDocument makes must be published at URL. Not with Web.
	URL string
	// Format is how it signs. If zero, DefaultSuite of the key's type.
	Format Format
}

// URLIdentity returns the identity of the https issuer URL rawURL
// signing with the key whose fragment in its controlled identifier
// document is fragment.
func URLIdentity(rawURL, fragment string) (Identity, error) {
	if fragment == "" || strings.ContainsAny(fragment, "#/?") {
		return Identity{}, fmt.Errorf("verification method fragment %q: %w: want a non-empty fragment without '#', '/' or '?'", fragment, ErrInvalidInput)
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || strings.Contains(rawURL, "#") {
		return Identity{}, fmt.Errorf("issuer url %q: %w: want an https URL without user, query or fragment", rawURL, ErrInvalidInput)
	}
	return Identity{ID: rawURL, VerificationMethod: rawURL + "#" + fragment}, nil
}

// InactiveKeyError reports a keyring key that is not the active key of
// its issuer group: a retired key, or an older key an interrupted rotation
// left active. Such a key stays published so that what it signed keeps
// verifying, but it never signs a credential again, whatever identity it
// would use: the issuer's DID document still lists it, so nothing
// downstream would notice a credential signed after retirement.
type InactiveKeyError struct {
	// Key and Issuer name the key and its group.
	Key, Issuer string
	// Active names the group's active key.
	Active string
	// Retired is true for a retired key.
	Retired bool
}

func (e *InactiveKeyError) Error() string {
	if e.Retired {
		return fmt.Sprintf("key %s is retired; the active key of issuer %s is %s", e.Key, e.Issuer, e.Active)
	}
	return fmt.Sprintf("key %s is not the active key of issuer %s; the active key is %s", e.Key, e.Issuer, e.Active)
}

// RingSigner returns the signer of the keyring key called name, with
// opts. The key must be the active key of its issuer group for New to
// accept the signer for issuing (InactiveKeyError); a retired key may
// still sign its issuer's status lists (Config.ListsOnly).
func RingSigner(ring *keys.Ring, name string, opts RingOptions) (*Signer, error) {
	e, err := ring.Get(name)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", name, err)
	}
	var id Identity
	switch {
	case opts.Web != "" && opts.URL != "":
		return nil, fmt.Errorf("key %q: %w: a did:web domain or an issuer URL, not both", name, ErrInvalidInput)
	case opts.Web != "":
		if id, err = WebIdentity(opts.Web, e.Fragment); err != nil {
			return nil, err
		}
	case opts.URL != "":
		if id, err = URLIdentity(opts.URL, e.Fragment); err != nil {
			return nil, err
		}
	}
	s, err := NewSigner(e.KeyPair.Private, SignerOptions{Identity: id, Format: opts.Format})
	if err != nil {
		return nil, err
	}
	s.fragment = e.Fragment
	group, err := ring.Group(e.Issuer)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", e.Name, err)
	}
	for _, g := range group {
		s.group = append(s.group, g.Fragment)
	}
	active, err := ring.Active(e.Issuer)
	switch {
	case errors.Is(err, keys.ErrNoActiveKey):
		s.inactive = fmt.Errorf("key %s: %w", e.Name, err)
	case err != nil:
		return nil, fmt.Errorf("key %s: %w", e.Name, err)
	case active.Name != e.Name:
		s.inactive = &InactiveKeyError{Key: e.Name, Issuer: e.Issuer, Active: active.Name, Retired: e.Status == keys.StatusRetired}
	}
	return s, nil
}

// Identity returns what s signs as.
func (s *Signer) Identity() Identity { return s.identity }

// Format returns how s signs.
func (s *Signer) Format() Format { return s.format }

// Public returns the public key of s.
func (s *Signer) Public() crypto.PublicKey { return s.pub }

// KeyType returns the type of the key of s.
func (s *Signer) KeyType() keys.Type { return s.keyType }
