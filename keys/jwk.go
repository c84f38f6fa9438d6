package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// MaxJWKLen bounds the size of a JWK the parsers accept; a 4096-bit RSA
// private key in JWK form is about 3.2 KB.
const MaxJWKLen = 16 << 10

// JWK errors. A JWK error is a *JWKError naming the member; its Err wraps
// one of these or ErrUnsupportedKey, ErrKeyLength, ErrKeyMismatch,
// ErrInvalidKey.
var (
	// ErrMalformedJWK reports a JWK that is not a JSON object of the shape
	// RFC 7517/7518 prescribe: a duplicate member, a member of the wrong
	// JSON type, bad base64url, a member that belongs to another key type.
	ErrMalformedJWK = errors.New("malformed JWK")
	// ErrPrivateMember reports private key material ("d", "p", "k", ...) in
	// a JWK where only a public key may appear.
	ErrPrivateMember = errors.New("private key member in public JWK")
)

// JWKError reports a problem with one member of a JWK (Member is "" for the
// JWK as a whole).
type JWKError struct {
	Member string
	Err    error
}

func (e *JWKError) Error() string {
	if e.Member == "" {
		return "jwk: " + e.Err.Error()
	}
	return fmt.Sprintf("jwk member %q: %v", e.Member, e.Err)
}

// Unwrap returns the underlying error.
func (e *JWKError) Unwrap() error { return e.Err }

func jwkErr(member string, err error) error { return &JWKError{Member: member, Err: err} }

func jwkErrf(member string, sentinel error, format string, args ...any) error {
	return &JWKError{Member: member, Err: fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)}
}

// JWK is a parsed JSON Web Key (RFC 7517) holding a key of a supported
// Type.
type JWK struct {
	// Type is the key's type.
	Type Type
	// Public is the public key, always set.
	Public crypto.PublicKey
	// Private is the private key, or nil for a public JWK.
	Private crypto.PrivateKey
	// KeyID, Use and Alg are the optional "kid", "use" and "alg" members.
	KeyID, Use, Alg string
}

// members of each key type (RFC 7518 section 6) and which are private.
var (
	typeMembers = map[string][]string{
		"OKP": {"crv", "x", "d"},
		"EC":  {"crv", "x", "y", "d"},
		"RSA": {"n", "e", "d", "p", "q", "dp", "dq", "qi", "oth"},
		"oct": {"k"},
	}
	privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
	// algorithms each key type may announce; a key announcing another is
	// refused rather than used for something it was not made for.
	typeAlgs = map[Type][]string{
		Ed25519: {"EdDSA", "Ed25519"},
		P256:    {"ES256"},
		RSA2048: {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"},
	}
)

// ParseJWK parses a public or private JWK: an OKP Ed25519, EC P-256 or RSA
// (2048 to 4096 bits, two primes) key. Parsing is strict: duplicate members,
// members of another key type, padded or non-canonical base64url, RSA
// integers with leading zeros, an "alg" that does not fit the key, and a
// private half that does not match the public one are refused. Members it
// does not know are ignored, as RFC 7517 section 4 requires. Errors are
// *JWKError.
func ParseJWK(data []byte) (*JWK, error) {
	return parseJWK(data, false)
}

// ParsePublicJWK is ParseJWK for places where only a public key may appear
// (a DID document, a did:jwk DID, a JWT header): private members give an
// error wrapping ErrPrivateMember.
func ParsePublicJWK(data []byte) (*JWK, error) {
	return parseJWK(data, true)
}

func parseJWK(data []byte, publicOnly bool) (*JWK, error) {
	if len(data) > MaxJWKLen {
		return nil, jwkErrf("", ErrMalformedJWK, "%d bytes, more than %d", len(data), MaxJWKLen)
	}
	m, err := jwkMembers(data)
	if err != nil {
		return nil, err
	}
	kty, err := m.str("kty", true)
	if err != nil {
		return nil, err
	}
	own, known := typeMembers[kty]
	if !known {
		return nil, jwkErrf("kty", ErrUnsupportedKey, "key type %s", quoteShort(kty))
	}
	if publicOnly {
		for _, name := range privateMembers {
			if _, ok := m[name]; ok {
				return nil, jwkErrf(name, ErrPrivateMember, "private key material")
			}
		}
	}
	for _, list := range typeMembers {
		for _, name := range list {
			if _, ok := m[name]; ok && !contains(own, name) {
				return nil, jwkErrf(name, ErrMalformedJWK, "not a member of a %s key", kty)
			}
		}
	}
	k := &JWK{}
	if k.KeyID, err = m.str("kid", false); err != nil {
		return nil, err
	}
	if k.Use, err = m.str("use", false); err != nil {
		return nil, err
	}
	if k.Use != "" && k.Use != "sig" && k.Use != "enc" {
		return nil, jwkErrf("use", ErrUnsupportedKey, "value %s, want \"sig\" or \"enc\"", quoteShort(k.Use))
	}
	if k.Alg, err = m.str("alg", false); err != nil {
		return nil, err
	}
	if err := m.keyOps(); err != nil {
		return nil, err
	}
	switch kty {
	case "OKP":
		err = m.okp(k)
	case "EC":
		err = m.ec(k)
	case "RSA":
		err = m.rsa(k)
	default: // "oct"
		return nil, jwkErrf("kty", ErrUnsupportedKey, "symmetric key")
	}
	if err != nil {
		return nil, err
	}
	if k.Alg != "" {
		algType := k.Type
		if algType.IsRSA() {
			algType = RSA2048
		}
		if !contains(typeAlgs[algType], k.Alg) {
			return nil, jwkErrf("alg", ErrUnsupportedKey, "algorithm %s for a %s key", quoteShort(k.Alg), k.Type)
		}
	}
	return k, nil
}

// jwkObject is a JWK's members, undecoded.
type jwkObject map[string]json.RawMessage

// jwkMembers splits a JSON object into its members, refusing duplicates
// (RFC 7517 section 4 lets a parser refuse them; accepting the last one
// would let two parsers see different keys) and trailing data.
func jwkMembers(data []byte) (jwkObject, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, jwkErrf("", ErrMalformedJWK, "%v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, jwkErrf("", ErrMalformedJWK, "want a JSON object")
	}
	m := jwkObject{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jwkErrf("", ErrMalformedJWK, "%v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, jwkErrf("", ErrMalformedJWK, "want a member name")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jwkErrf(name, ErrMalformedJWK, "%v", err)
		}
		if _, dup := m[name]; dup {
			return nil, jwkErrf(name, ErrMalformedJWK, "duplicate member")
		}
		m[name] = raw
	}
	if _, err := dec.Token(); err != nil {
		return nil, jwkErrf("", ErrMalformedJWK, "%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, jwkErrf("", ErrMalformedJWK, "trailing data after the JSON object")
	}
	return m, nil
}

// str returns a string member, "" if it is absent and optional.
func (m jwkObject) str(name string, required bool) (string, error) {
	raw, ok := m[name]
	if !ok {
		if required {
			return "", jwkErrf(name, ErrMalformedJWK, "missing")
		}
		return "", nil
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' {
		return "", jwkErrf(name, ErrMalformedJWK, "want a string")
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", jwkErrf(name, ErrMalformedJWK, "%v", err)
	}
	return s, nil
}

// bytes returns a base64url member decoded. RFC 7515 base64url has no
// padding and no line breaks; Go's decoder skips line breaks, so they are
// refused here.
func (m jwkObject) bytes(name string, required bool) ([]byte, bool, error) {
	if _, ok := m[name]; !ok {
		if required {
			return nil, false, jwkErrf(name, ErrMalformedJWK, "missing")
		}
		return nil, false, nil
	}
	s, err := m.str(name, true)
	if err != nil {
		return nil, false, err
	}
	if strings.ContainsAny(s, "\r\n") {
		return nil, false, jwkErrf(name, ErrMalformedJWK, "line break in base64url")
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, false, jwkErrf(name, ErrMalformedJWK, "base64url: %v", err)
	}
	return b, true, nil
}

// fixed returns a base64url member of exactly n bytes.
func (m jwkObject) fixed(name string, n int, required bool) ([]byte, bool, error) {
	b, ok, err := m.bytes(name, required)
	if err != nil || !ok {
		return nil, ok, err
	}
	if len(b) != n {
		return nil, false, jwkErrf(name, ErrKeyLength, "%d bytes, want %d", len(b), n)
	}
	return b, true, nil
}

// uint returns a Base64urlUInt member (RFC 7518 section 2): big-endian,
// minimal length.
func (m jwkObject) uint(name string, required bool) (*big.Int, bool, error) {
	b, ok, err := m.bytes(name, required)
	if err != nil || !ok {
		return nil, ok, err
	}
	if len(b) == 0 {
		return nil, false, jwkErrf(name, ErrMalformedJWK, "empty integer")
	}
	if b[0] == 0 {
		return nil, false, jwkErrf(name, ErrMalformedJWK, "integer with a leading zero octet")
	}
	return new(big.Int).SetBytes(b), true, nil
}

func (m jwkObject) keyOps() error {
	raw, ok := m["key_ops"]
	if !ok {
		return nil
	}
	var ops []string
	if len(raw) == 0 || raw[0] != '[' {
		return jwkErrf("key_ops", ErrMalformedJWK, "want an array of strings")
	}
	if err := json.Unmarshal(raw, &ops); err != nil {
		return jwkErrf("key_ops", ErrMalformedJWK, "want an array of strings")
	}
	seen := map[string]bool{}
	for _, op := range ops {
		if seen[op] {
			return jwkErrf("key_ops", ErrMalformedJWK, "duplicate operation %s", quoteShort(op))
		}
		seen[op] = true
	}
	return nil
}

func (m jwkObject) crv(want string) error {
	crv, err := m.str("crv", true)
	if err != nil {
		return err
	}
	if crv != want {
		return jwkErrf("crv", ErrUnsupportedKey, "curve %s, want %q", quoteShort(crv), want)
	}
	return nil
}

func (m jwkObject) okp(k *JWK) error {
	if err := m.crv("Ed25519"); err != nil {
		return err
	}
	x, _, err := m.fixed("x", ed25519.PublicKeySize, true)
	if err != nil {
		return err
	}
	k.Type, k.Public = Ed25519, ed25519.PublicKey(x)
	d, ok, err := m.fixed("d", ed25519.SeedSize, false)
	if err != nil || !ok {
		return err
	}
	priv := ed25519.NewKeyFromSeed(d)
	if !k.Public.(ed25519.PublicKey).Equal(priv.Public()) {
		return jwkErr("x", ErrKeyMismatch)
	}
	k.Private = priv
	return nil
}

func (m jwkObject) ec(k *JWK) error {
	if err := m.crv("P-256"); err != nil {
		return err
	}
	x, _, err := m.fixed("x", p256ScalarLen, true)
	if err != nil {
		return err
	}
	y, _, err := m.fixed("y", p256ScalarLen, true)
	if err != nil {
		return err
	}
	unc := append(append([]byte{0x04}, x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), unc)
	if err != nil {
		return jwkErrf("x", ErrInvalidKey, "point not on P-256: %v", err)
	}
	k.Type, k.Public = P256, pub
	d, ok, err := m.fixed("d", p256ScalarLen, false)
	if err != nil || !ok {
		return err
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		return jwkErrf("d", ErrInvalidKey, "scalar out of range")
	}
	if !priv.PublicKey.Equal(pub) {
		return jwkErr("x", ErrKeyMismatch)
	}
	k.Private = priv
	return nil
}

func (m jwkObject) rsa(k *JWK) error {
	n, _, err := m.uint("n", true)
	if err != nil {
		return err
	}
	if n.BitLen() > MaxRSABits {
		return jwkErrf("n", ErrKeyLength, "rsa modulus of %d bits, more than %d", n.BitLen(), MaxRSABits)
	}
	e, _, err := m.uint("e", true)
	if err != nil {
		return err
	}
	if !e.IsInt64() || e.Int64() > 1<<31-1 {
		return jwkErrf("e", ErrInvalidKey, "public exponent too large")
	}
	if e.Int64() < 3 || e.Bit(0) == 0 {
		return jwkErrf("e", ErrInvalidKey, "public exponent %d", e.Int64())
	}
	pub := &rsa.PublicKey{N: n, E: int(e.Int64())}
	t, err := checkRSAPublic(pub)
	if err != nil {
		return jwkErr("n", err)
	}
	k.Type, k.Public = t, pub
	d, hasD, err := m.uint("d", false)
	if err != nil {
		return err
	}
	if _, ok := m["oth"]; ok {
		return jwkErrf("oth", ErrUnsupportedKey, "multi-prime RSA key")
	}
	crt := []string{"p", "q", "dp", "dq", "qi"}
	vals := make([]*big.Int, len(crt))
	present := 0
	for i, name := range crt {
		v, ok, err := m.uint(name, false)
		if err != nil {
			return err
		}
		if ok {
			vals[i] = v
			present++
		}
	}
	switch {
	case !hasD && present == 0:
		return nil
	case !hasD:
		return jwkErrf("d", ErrMalformedJWK, "missing while CRT members are present")
	case present == 0:
		return jwkErrf("p", ErrUnsupportedKey, "rsa private key without its primes")
	case present != len(crt):
		for i, name := range crt {
			if vals[i] == nil {
				return jwkErrf(name, ErrMalformedJWK, "missing (RFC 7518 section 6.3.2 requires all of p, q, dp, dq, qi)")
			}
		}
	}
	for i, v := range vals {
		if v.Cmp(n) >= 0 {
			return jwkErrf(crt[i], ErrInvalidKey, "not smaller than the modulus")
		}
	}
	if d.Cmp(n) >= 0 {
		return jwkErrf("d", ErrInvalidKey, "not smaller than the modulus")
	}
	priv := &rsa.PrivateKey{PublicKey: *pub, D: d, Primes: []*big.Int{vals[0], vals[1]}}
	if err := priv.Validate(); err != nil {
		return jwkErrf("d", ErrKeyMismatch, "%v", err)
	}
	dp, dq, qi := crtValues(priv)
	//nolint:gosec // G602: len(vals) == len(crt) == 5 and i <= 2
	for i, want := range []*big.Int{dp, dq, qi} {
		if want == nil || vals[2+i].Cmp(want) != 0 {
			return jwkErrf(crt[2+i], ErrKeyMismatch, "CRT value does not match the key")
		}
	}
	priv.Precompute()
	k.Private = priv
	return nil
}

// crtValues computes d mod (p-1), d mod (q-1) and q^-1 mod p.
func crtValues(k *rsa.PrivateKey) (dp, dq, qi *big.Int) {
	one := big.NewInt(1)
	p, q := k.Primes[0], k.Primes[1]
	dp = new(big.Int).Mod(k.D, new(big.Int).Sub(p, one))
	dq = new(big.Int).Mod(k.D, new(big.Int).Sub(q, one))
	qi = new(big.Int).ModInverse(q, p)
	return dp, dq, qi
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// publicMembers returns the required members of pub's JWK (RFC 7638
// section 3.2), which are also what PublicJWK writes.
func publicMembers(pub crypto.PublicKey) (map[string]string, error) {
	t, err := TypeOf(pub)
	if err != nil {
		return nil, err
	}
	switch t {
	case Ed25519:
		return map[string]string{"kty": "OKP", "crv": "Ed25519", "x": b64(pub.(ed25519.PublicKey))}, nil
	case P256:
		b, err := p256Bytes(pub.(*ecdsa.PublicKey))
		if err != nil {
			return nil, err
		}
		return map[string]string{"kty": "EC", "crv": "P-256", "x": b64(b[1:33]), "y": b64(b[33:])}, nil
	default:
		k := pub.(*rsa.PublicKey)
		return map[string]string{"kty": "RSA", "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}, nil
	}
}

// PublicJWK returns the JWK of a public key with its required members
// only, in lexicographic order and without whitespace (so the output is
// also its RFC 7638 thumbprint input).
func PublicJWK(pub crypto.PublicKey) ([]byte, error) {
	m, err := publicMembers(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding public JWK: %w", err)
	}
	// encoding/json sorts map keys, and base64url needs no escaping.
	return json.Marshal(m)
}

// PrivateJWK returns the JWK of a private key, public and private members
// in lexicographic order. Handle the output as the secret it is.
func PrivateJWK(priv crypto.PrivateKey) ([]byte, error) {
	kp, err := FromPrivate(priv)
	if err != nil {
		return nil, fmt.Errorf("encoding private JWK: %w", err)
	}
	m, err := publicMembers(kp.Public)
	if err != nil {
		return nil, fmt.Errorf("encoding private JWK: %w", err)
	}
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		m["d"] = b64(k.Seed())
	case *ecdsa.PrivateKey:
		d, err := k.Bytes()
		if err != nil {
			return nil, fmt.Errorf("encoding private JWK: %w: %w", ErrInvalidKey, err)
		}
		m["d"] = b64(d)
	case *rsa.PrivateKey:
		dp, dq, qi := crtValues(k)
		m["d"] = b64(k.D.Bytes())
		m["p"] = b64(k.Primes[0].Bytes())
		m["q"] = b64(k.Primes[1].Bytes())
		m["dp"] = b64(dp.Bytes())
		m["dq"] = b64(dq.Bytes())
		m["qi"] = b64(qi.Bytes())
	}
	return json.Marshal(m)
}

// Thumbprint returns the RFC 7638 JWK thumbprint of pub: base64url (no
// padding) of the SHA-256 of its required JWK members, usable as a key id.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	j, err := PublicJWK(pub)
	if err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}
	sum := sha256.Sum256(j)
	return b64(sum[:]), nil
}
