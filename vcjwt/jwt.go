package vcjwt

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/internal/verdict"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/keys"
)

// JWT formats.
const (
	// FormatVCJWT is the Open Badges 3.0 VC-JWT (OB 3.0 §8.2): the payload
	// is the credential plus the claims iss, jti, sub, nbf and exp copied
	// from it, and the header typ is "JWT".
	FormatVCJWT = "vc-jwt"
	// FormatJOSE is W3C VC-JOSE-COSE: the payload is the credential itself,
	// the header typ is "vc+jwt" and cty "vc", and kid is required.
	FormatJOSE = "vc+jwt"
)

// DefaultMaxSize is the largest token Verify reads when
// VerifyOptions.MaxSize is zero.
const DefaultMaxSize = 1 << 20

// maxJWTHeaderLen bounds the decoded protected header; a header with an
// embedded 4096-bit RSA JWK is under 1 KB.
const maxJWTHeaderLen = 8 << 10

// JWT errors. Verify errors are *Error values wrapping one of these
// or, for a key that could not be fetched, the fetcher's error.
var (
	// ErrMalformed means the token is not a compact JWS carrying a JSON
	// credential: wrong number of segments, bad base64url, a header or
	// payload that is not a JSON object, an unsupported header (crit, b64,
	// an unknown typ), or over the size limit.
	ErrMalformed = fmt.Errorf("%w: malformed jwt", errMalformedProof)
	// ErrKeyType means the key is not one a JWT can be signed or checked
	// with: Ed25519 (EdDSA), P-256 (ES256) or RSA of 2048 to 8192 bits
	// (RS256).
	ErrKeyType = verdict.NewInvalid("key type does not match suite")
	// ErrInvalidSignature means the JWS signature does not verify with the
	// key the kid resolves to: the token was altered or signed by another
	// key.
	ErrInvalidSignature = verdict.NewInvalid("invalid signature")
	// ErrExpired means the token's exp has passed. It wraps
	// ErrInvalidSignature, as proof.ErrExpired does.
	ErrExpired = fmt.Errorf("%w: proof expired", ErrInvalidSignature)
	// ErrAlgorithm means the header alg is not one of RS256, ES256 and
	// EdDSA ("none" and the HMAC algorithms are never accepted), or does not
	// fit the issuer's key.
	ErrAlgorithm = verdict.NewInvalid("jwt algorithm not accepted")
	// ErrPrivateKeyInHeader means the header jwk carries private key
	// material: the issuer leaked its key, and the token is refused.
	ErrPrivateKeyInHeader = verdict.NewInvalid("private key in jwt header")
	// ErrHeaderKey means the header jwk is not the key the kid resolves to;
	// an embedded key alone is never trusted.
	ErrHeaderKey = verdict.NewInvalid("jwt header jwk is not the issuer's key")
	// ErrNoKeyID means the header has no kid, so no key controlled by the
	// issuer can be found.
	ErrNoKeyID = verdict.NewInconclusive("jwt header has no kid")
	// ErrUnboundHeaderKey means the header carries a jwk but no kid: the
	// embedded key names no verification method of the issuer, and an
	// embedded key alone is never trusted. It is not a verdict on the
	// token: it could not be checked.
	ErrUnboundHeaderKey = verdict.NewInconclusive("jwt header jwk names no verification method of the issuer; an embedded key alone is never trusted")
	// ErrClaimMismatch means a JWT claim (iss, jti, sub, nbf, exp) is
	// missing or differs from the credential property it must repeat.
	ErrClaimMismatch = verdict.NewInvalid("jwt claim does not match the credential")
	// ErrNotYetValid means the token's nbf is in the future.
	ErrNotYetValid = verdict.NewInvalid("jwt not yet valid")

	// errMalformedProof gives ErrMalformed the text it had as a proof
	// error ("malformed proof: malformed jwt"): a JWT's signature is its
	// proof, and the verifier's reports stay as they were.
	errMalformedProof = verdict.NewInvalid("malformed proof")
)

// KeyFetcher returns the public key of a verification method, checking that
// its controller authorizes it for purpose ("assertionMethod" here). It is
// proof.KeyFetcher's method set, so one fetcher serves both packages.
type KeyFetcher interface {
	PublicKey(ctx context.Context, verificationMethod, purpose string) (crypto.PublicKey, error)
}

// assertionMethod is the verification relationship a credential's key
// must be authorized for.
const assertionMethod = "assertionMethod"

// Error locates a problem in a JWT: Field is "header.<member>",
// "payload.<claim>", "signature", or "" for the token as a whole.
type Error struct {
	// Field names the header member or claim.
	Field string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field == "" {
		return "jwt: " + e.Err.Error()
	}
	return "jwt " + e.Field + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// JSONPath returns Field, for callers that report where a problem lies.
func (e *Error) JSONPath() string { return e.Field }

func jwtErr(field string, err error) error { return &Error{Field: field, Err: err} }

// Options configures Sign.
type Options struct {
	// Format is FormatVCJWT or FormatJOSE. If empty, FormatVCJWT.
	Format string
	// KeyID is the verification method URL of the key, written as the
	// header kid (required).
	KeyID string
	// Now gives the iat claim. If nil, time.Now is used.
	Now func() time.Time
}

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// Keys resolves the header kid, a verification method, to the issuer's
	// public key for assertionMethod (required).
	Keys KeyFetcher
	// Now returns the current time, compared with nbf and exp. If nil,
	// time.Now is used.
	Now func() time.Time
	// ClockSkew is tolerated on nbf and exp. If zero, none.
	ClockSkew time.Duration
	// MaxSize bounds the token size in bytes. If zero, DefaultMaxSize.
	MaxSize int64
}

// Result is a decoded JWT credential.
type Result struct {
	// Credential is the credential: the payload without its JWT claims, or
	// for the VCDM 1.1 form the vc claim, completed from the claims it may
	// leave out.
	Credential map[string]any
	// Claims holds the registered JWT claims of the payload (iss, jti, sub,
	// nbf, exp, iat, aud) as decoded.
	Claims map[string]any
	// Header is the protected header.
	Header map[string]any
	// Format is FormatVCJWT or FormatJOSE, from the header typ.
	Format string
	// Algorithm is the header alg.
	Algorithm string
	// KeyID is the verification method the signature was checked with: the
	// header kid made absolute against the issuer id.
	KeyID string
	// VC11 reports that the credential came from the payload's vc claim
	// (the VCDM 1.1 JWT encoding).
	VC11 bool
}

// registeredClaims are the JWT claims that are not credential properties.
var registeredClaims = []string{"iss", "sub", "jti", "nbf", "exp", "iat", "aud"}

// Sign signs cred, a credential without a JWT proof, as a compact JWS.
// The algorithm follows the key: EdDSA for an ed25519.PrivateKey, ES256 for
// a P-256 *ecdsa.PrivateKey, RS256 for an *rsa.PrivateKey of at least 2048
// bits (others wrap ErrKeyType). Data Integrity proofs already in cred are
// kept. cred is not modified.
func Sign(ctx context.Context, cred map[string]any, key crypto.PrivateKey, opts Options) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	format := opts.Format
	if format == "" {
		format = FormatVCJWT
	}
	if format != FormatVCJWT && format != FormatJOSE {
		return "", fmt.Errorf("signing jwt: format %q: want %s or %s", format, FormatVCJWT, FormatJOSE)
	}
	if opts.KeyID == "" {
		return "", errors.New("signing jwt: key id required")
	}
	alg, err := algForPrivate(key)
	if err != nil {
		return "", fmt.Errorf("signing jwt: %w", err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if _, ok := cred["@context"]; !ok {
		return "", fmt.Errorf("signing jwt: credential @context: %w: missing", ErrMalformed)
	}
	for _, c := range append(registeredClaims, "vc", "vp") {
		if _, ok := cred[c]; ok {
			return "", fmt.Errorf("signing jwt: credential member %q: %w: reserved for the jwt claim", c, ErrMalformed)
		}
	}
	payload := make(map[string]any, len(cred)+6)
	for k, v := range cred {
		payload[k] = v
	}
	payload["iat"] = now().Unix()
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.KeyIDKey, opts.KeyID); err != nil {
		return "", fmt.Errorf("signing jwt: header kid: %w", err)
	}
	switch format {
	case FormatVCJWT:
		want, err := expectedClaims(cred, false)
		if err != nil {
			return "", fmt.Errorf("signing jwt: %w", err)
		}
		if want["iss"] == nil {
			return "", fmt.Errorf("signing jwt: credential issuer id: %w: required for the iss claim", ErrMalformed)
		}
		for k, v := range want {
			if v != nil {
				payload[k] = v
			}
		}
		err = hdr.Set(jws.TypeKey, "JWT")
		if err != nil {
			return "", fmt.Errorf("signing jwt: header typ: %w", err)
		}
	case FormatJOSE:
		if err := hdr.Set(jws.TypeKey, FormatJOSE); err != nil {
			return "", fmt.Errorf("signing jwt: header typ: %w", err)
		}
		if err := hdr.Set(jws.ContentTypeKey, "vc"); err != nil {
			return "", fmt.Errorf("signing jwt: header cty: %w", err)
		}
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("signing jwt: encoding payload: %w", err)
	}
	tok, err := jws.Sign(body, jws.WithKey(alg, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("signing jwt: %w", err)
	}
	return string(tok), nil
}

func algForPrivate(key crypto.PrivateKey) (jwa.SignatureAlgorithm, error) {
	switch k := key.(type) {
	case ed25519.PrivateKey:
		if len(k) == ed25519.PrivateKeySize {
			return jwa.EdDSA(), nil
		}
	case *ecdsa.PrivateKey:
		if k != nil && k.Curve == elliptic.P256() {
			return jwa.ES256(), nil
		}
	case *rsa.PrivateKey:
		if k != nil && k.N != nil && k.N.BitLen() >= keys.MinRSABits {
			return jwa.RS256(), nil
		}
	}
	return jwa.SignatureAlgorithm{}, fmt.Errorf("%w: jwt signing takes an Ed25519, P-256 or RSA (2048 bits or more) private key, got %s", ErrKeyType, keys.Describe(key))
}

// Parse decodes a compact JWS credential WITHOUT verifying it: it checks
// the structure, the size (maxSize, or DefaultMaxSize if zero), the typ
// and cty headers and that the payload is a credential, but neither the
// header policy (alg, jwk, crit) nor the signature nor the claims. Use it to
// read a token before Verify, never to trust one.
func Parse(token string, maxSize int64) (*Result, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if int64(len(token)) > maxSize {
		return nil, jwtErr("", fmt.Errorf("%w: token is %d bytes, over the %d-byte limit", ErrMalformed, len(token), maxSize))
	}
	token = strings.TrimSpace(token)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, jwtErr("", fmt.Errorf("%w: %d segments, a compact JWS has 3", ErrMalformed, len(parts)))
	}
	if len(parts[0]) > base64.RawURLEncoding.EncodedLen(maxJWTHeaderLen) {
		return nil, jwtErr("header", fmt.Errorf("%w: over %d bytes", ErrMalformed, maxJWTHeaderLen))
	}
	res := &Result{}
	if err := decodeSegment(parts[0], &res.Header); err != nil {
		return nil, jwtErr("header", err)
	}
	if err := res.readHeader(); err != nil {
		return nil, err
	}
	var payload map[string]any
	if err := decodeSegment(parts[1], &payload); err != nil {
		return nil, jwtErr("payload", err)
	}
	if err := res.readPayload(payload); err != nil {
		return nil, err
	}
	return res, nil
}

func decodeSegment(seg string, dst *map[string]any) error {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return fmt.Errorf("%w: not unpadded base64url: %w", ErrMalformed, err)
	}
	if err := checkDuplicateMembers(raw); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%w: not json: %w", ErrMalformed, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: data after the json object", ErrMalformed)
	}
	if *dst == nil {
		return fmt.Errorf("%w: not a json object", ErrMalformed)
	}
	// A credential or presentation inside is re-encoded from the decoded
	// value and verified under its own signature: text the decoder
	// replaced with U+FFFD would verify as the text its issuer signed.
	if err := jsonvalue.CheckText(raw); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// privateJWKMembers are the JWK members (RFC 7518 §6) that hold secrets.
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// checkHeader enforces the header policy: the alg allow-list, no private
// key material, no extensions that would change what the signature means.
func (res *Result) checkHeader() error {
	h := res.Header
	switch res.Algorithm {
	case "RS256", "ES256", "EdDSA":
	default:
		return jwtErr("header.alg", fmt.Errorf("%w: %.40q, want RS256, ES256 or EdDSA", ErrAlgorithm, fmt.Sprint(h["alg"])))
	}
	if raw, ok := h["jwk"]; ok {
		jwk, ok := raw.(map[string]any)
		if !ok {
			return jwtErr("header.jwk", fmt.Errorf("%w: not an object", ErrMalformed))
		}
		for _, m := range privateJWKMembers {
			if _, ok := jwk[m]; ok {
				return jwtErr("header.jwk."+m, ErrPrivateKeyInHeader)
			}
		}
	}
	for _, m := range []string{"crit", "b64"} {
		if _, ok := h[m]; ok {
			return jwtErr("header."+m, fmt.Errorf("%w: not supported", ErrMalformed))
		}
	}
	return nil
}

// readHeader reads what decoding needs: alg (checked later, by
// checkHeader), typ and cty, which decide the format, and kid.
func (res *Result) readHeader() error {
	h := res.Header
	res.Algorithm, _ = h["alg"].(string)
	typ, err := optString(h, "typ")
	if err != nil {
		return err
	}
	switch strings.TrimPrefix(strings.ToLower(typ), "application/") {
	case "", "jwt":
		res.Format = FormatVCJWT
	case FormatJOSE:
		res.Format = FormatJOSE
	default:
		return jwtErr("header.typ", fmt.Errorf("%w: %.40q, want JWT or %s", ErrMalformed, typ, FormatJOSE))
	}
	cty, err := optString(h, "cty")
	if err != nil {
		return err
	}
	switch c := strings.TrimPrefix(strings.ToLower(cty), "application/"); {
	case c == "":
	case res.Format == FormatJOSE && c != "vc":
		return jwtErr("header.cty", fmt.Errorf("%w: %.40q, want vc", ErrMalformed, cty))
	case c == "jwt":
		return jwtErr("header.cty", fmt.Errorf("%w: nested jwts are not supported", ErrMalformed))
	}
	kid, err := optString(h, "kid")
	if err != nil {
		return err
	}
	res.KeyID = kid
	return nil
}

func optString(h map[string]any, member string) (string, error) {
	raw, ok := h[member]
	if !ok {
		return "", nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", jwtErr("header."+member, fmt.Errorf("%w: not a string", ErrMalformed))
	}
	return s, nil
}

func (res *Result) readPayload(payload map[string]any) error {
	res.Claims = map[string]any{}
	for _, c := range registeredClaims {
		if v, ok := payload[c]; ok {
			res.Claims[c] = v
		}
	}
	vc, nested := payload["vc"]
	_, hasCtx := payload["@context"]
	if res.Format == FormatJOSE {
		for _, c := range []string{"vc", "vp"} {
			if _, ok := payload[c]; ok {
				return jwtErr("payload."+c, fmt.Errorf("%w: %s claims are not allowed in a %s", ErrMalformed, c, FormatJOSE))
			}
		}
	}
	if nested && !hasCtx {
		m, ok := vc.(map[string]any)
		if !ok {
			return jwtErr("payload.vc", fmt.Errorf("%w: not an object", ErrMalformed))
		}
		// The payload was decoded for this call alone, so the vc claim
		// can be completed in place.
		res.Credential = m
		res.VC11 = true
		res.completeVC11()
	} else {
		res.Credential = make(map[string]any, len(payload))
		for k, v := range payload {
			if _, claim := res.Claims[k]; !claim {
				res.Credential[k] = v
			}
		}
	}
	if _, ok := res.Credential["@context"]; !ok {
		return jwtErr("payload", fmt.Errorf("%w: not a credential (no @context)", ErrMalformed))
	}
	return nil
}

// completeVC11 restores the properties a VCDM 1.1 JWT may move from the vc
// claim into registered claims (VCDM 1.1 §6.3.1 JWT decoding).
func (res *Result) completeVC11() {
	c := res.Credential
	if _, ok := c["issuer"]; !ok {
		if s, ok := res.Claims["iss"].(string); ok {
			c["issuer"] = s
		}
	}
	if _, ok := c["id"]; !ok {
		if s, ok := res.Claims["jti"].(string); ok {
			c["id"] = s
		}
	}
	for claim, prop := range map[string]string{"nbf": "issuanceDate", "exp": "expirationDate"} {
		if _, ok := c[prop]; ok {
			continue
		}
		if f, ok := res.Claims[claim].(float64); ok && f >= 0 && f < 1<<40 {
			c[prop] = time.Unix(int64(f), 0).UTC().Format(time.RFC3339)
		}
	}
	if sub, ok := c["credentialSubject"].(map[string]any); ok {
		if _, ok := sub["id"]; !ok {
			if s, ok := res.Claims["sub"].(string); ok {
				sub["id"] = s
			}
		}
	}
}

// Prepare reads a compact JWS credential as Verify does before it asks for
// a key: Parse, the header policy, a signature present, and the key id
// resolved as Verify resolves it (Result.KeyID: relative kids taken
// against issuer.id, a did:jwk issuer's #0 without one). It verifies
// nothing: it is the step before verification, for a caller that must
// judge the key id (whose key it is, whether to fetch it) before any key
// is asked for. Its error is the one Verify gives the same token, and
// Verify asks for the key of Result.KeyID exactly when Prepare succeeds.
func Prepare(token string, maxSize int64) (*Result, error) {
	res, err := Parse(token, maxSize)
	if err != nil {
		return nil, err
	}
	if err := res.checkHeader(); err != nil {
		return nil, err
	}
	token = strings.TrimSpace(token)
	if strings.HasSuffix(token, ".") {
		return nil, jwtErr("signature", fmt.Errorf("%w: empty", ErrMalformed))
	}
	issuer := issuerOf(res.Credential)
	kid := res.KeyID
	switch {
	case kid == "" && strings.HasPrefix(issuer, "did:jwk:"):
		kid = issuer + "#0"
	case kid == "" && res.Header["jwk"] != nil:
		return nil, jwtErr("header.jwk", ErrUnboundHeaderKey)
	case kid == "":
		return nil, jwtErr("header.kid", ErrNoKeyID)
	case strings.HasPrefix(kid, "#") && issuer != "":
		kid = issuer + kid
	}
	res.KeyID = kid
	return res, nil
}

// Verify verifies a compact JWS credential: the structure and size, the
// header (see Parse), the signature with the key the kid resolves to
// (relative kids are taken against issuer.id; without a kid only a did:jwk
// issuer's #0 key is tried), that the algorithm fits that key, that any
// header jwk is that very key, that the claims repeat the credential, and
// that the token is within nbf and exp. A header jwk is never a key source:
// the key always comes from opts.Keys.
//
// Errors are *Error values wrapping ErrMalformed, ErrAlgorithm,
// ErrPrivateKeyInHeader, ErrHeaderKey, ErrNoKeyID, ErrKeyType,
// ErrInvalidSignature, ErrClaimMismatch, ErrExpired or ErrNotYetValid when
// the token is bad; any other cause (the key fetcher failing,
// ErrUnboundHeaderKey) means it could not be checked. For ErrExpired and
// ErrNotYetValid, found only once the signature and claims check out, the
// result is returned with the error.
func Verify(ctx context.Context, token string, opts VerifyOptions) (*Result, error) {
	if opts.Keys == nil {
		return nil, errors.New("verifying jwt: no key fetcher")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	res, err := Prepare(token, opts.MaxSize)
	if err != nil {
		return nil, err
	}
	token = strings.TrimSpace(token)
	if err := verifySignature(ctx, opts.Keys, token, res.KeyID, res.Algorithm, res.Header, assertionMethod); err != nil {
		return nil, err
	}
	if err := res.checkClaims(); err != nil {
		return nil, err
	}
	if err := res.checkTimes(now(), opts.ClockSkew); err != nil {
		return res, err
	}
	return res, nil
}

func issuerOf(cred map[string]any) string {
	switch iss := cred["issuer"].(type) {
	case string:
		return iss
	case map[string]any:
		s, _ := iss["id"].(string)
		return s
	}
	return ""
}

// algForPublic checks that the header alg fits the resolved key, so that a
// token can never be checked under an algorithm its key was not made for.
func algForPublic(alg string, key crypto.PublicKey) (jwa.SignatureAlgorithm, error) {
	switch k := key.(type) {
	case ed25519.PublicKey:
		if alg == "EdDSA" && len(k) == ed25519.PublicKeySize {
			return jwa.EdDSA(), nil
		}
	case *ecdsa.PublicKey:
		if alg == "ES256" && k != nil && k.Curve == elliptic.P256() {
			return jwa.ES256(), nil
		}
	case *rsa.PublicKey:
		if alg == "RS256" && k != nil && k.N != nil {
			if b := k.N.BitLen(); b < keys.MinRSABits || b > keys.MaxRSABits {
				return jwa.SignatureAlgorithm{}, fmt.Errorf("%w: rsa key of %d bits", ErrKeyType, b)
			}
			return jwa.RS256(), nil
		}
	default:
		return jwa.SignatureAlgorithm{}, fmt.Errorf("%w: %s key for %s", ErrKeyType, keys.Describe(key), alg)
	}
	return jwa.SignatureAlgorithm{}, fmt.Errorf("%w: %s does not fit the issuer's %s key", ErrAlgorithm, alg, keys.Describe(key))
}

// sameKey checks that an embedded header jwk is the resolved key.
func sameKey(raw any, key crypto.PublicKey) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	jwk, err := keys.ParsePublicJWK(b)
	if err != nil {
		// The header jwk is untrusted token input: its keys.Err* cause is
		// kept out of the chain, so that no caller mistakes it for a
		// problem with the issuer's resolved key.
		if errors.Is(err, keys.ErrPrivateMember) {
			return fmt.Errorf("%w: %v", ErrPrivateKeyInHeader, err) //nolint:errorlint // untrusted header jwk: keep keys errors out of the chain
		}
		return fmt.Errorf("%w: %v", ErrHeaderKey, err) //nolint:errorlint // untrusted header jwk: keep keys errors out of the chain
	}
	eq, ok := jwk.Public.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !eq.Equal(key) {
		return ErrHeaderKey
	}
	return nil
}

// expectedClaims returns the claims an OB VC-JWT of cred carries: iss, jti,
// sub, nbf, exp, nil where the credential has no such property.
func expectedClaims(cred map[string]any, vc11 bool) (map[string]any, error) {
	want := map[string]any{"iss": nil, "jti": nil, "sub": nil, "nbf": nil, "exp": nil}
	if s := issuerOf(cred); s != "" {
		want["iss"] = s
	}
	if s, ok := cred["id"].(string); ok {
		want["jti"] = s
	}
	subj := cred["credentialSubject"]
	if l, ok := subj.([]any); ok && len(l) == 1 {
		subj = l[0]
	}
	if m, ok := subj.(map[string]any); ok {
		if s, ok := m["id"].(string); ok {
			want["sub"] = s
		}
	}
	from, until := "validFrom", "validUntil"
	if vc11 {
		from, until = "issuanceDate", "expirationDate"
	}
	for claim, prop := range map[string]string{"nbf": from, "exp": until} {
		raw, ok := cred[prop]
		if !ok {
			continue
		}
		s, _ := raw.(string)
		t, err := jsonld.ParseDateTimeStamp(s)
		if err != nil {
			return nil, fmt.Errorf("credential %s: %w: %w", prop, ErrMalformed, err)
		}
		want[claim] = t.Unix()
	}
	return want, nil
}

// checkClaims compares the registered claims with the credential. In an OB
// VC-JWT every claim whose property exists must be present; in VC-JOSE-COSE
// the claims are optional, but those present must agree.
func (res *Result) checkClaims() error {
	want, err := expectedClaims(res.Credential, res.VC11)
	if err != nil {
		return jwtErr("payload", err)
	}
	for _, claim := range []string{"iss", "jti", "sub", "nbf", "exp"} {
		w := want[claim]
		got, present := res.Claims[claim]
		field := "payload." + claim
		switch {
		case !present && w != nil && res.Format == FormatVCJWT:
			return jwtErr(field, fmt.Errorf("%w: missing, the credential has %v", ErrClaimMismatch, w))
		case !present:
		case w == nil:
			return jwtErr(field, fmt.Errorf("%w: present, but the credential has no %s", ErrClaimMismatch, claimProperty(claim, res.VC11)))
		case claim == "nbf" || claim == "exp":
			f, ok := got.(float64)
			if !ok || math.Floor(f) != float64(w.(int64)) {
				return jwtErr(field, fmt.Errorf("%w: %v, the credential's %s is %d", ErrClaimMismatch, got, claimProperty(claim, res.VC11), w))
			}
		default:
			if s, ok := got.(string); !ok || s != w.(string) {
				return jwtErr(field, fmt.Errorf("%w: %.80q, the credential's %s is %.80q", ErrClaimMismatch, fmt.Sprint(got), claimProperty(claim, res.VC11), w))
			}
		}
	}
	return nil
}

func claimProperty(claim string, vc11 bool) string {
	switch claim {
	case "iss":
		return "issuer id"
	case "jti":
		return "id"
	case "sub":
		return "credentialSubject.id"
	case "nbf":
		if vc11 {
			return "issuanceDate"
		}
		return "validFrom"
	}
	if vc11 {
		return "expirationDate"
	}
	return "validUntil"
}

func (res *Result) checkTimes(now time.Time, skew time.Duration) error {
	if f, ok := res.Claims["exp"].(float64); ok {
		exp := time.Unix(int64(f), 0)
		if !now.Add(-skew).Before(exp) {
			return jwtErr("payload.exp", &timeError{ErrExpired, fmt.Sprintf("token expired at %s", exp.UTC().Format(time.RFC3339))})
		}
	}
	if f, ok := res.Claims["nbf"].(float64); ok {
		nbf := time.Unix(int64(f), 0)
		if now.Add(skew).Before(nbf) {
			return jwtErr("payload.nbf", &timeError{ErrNotYetValid, fmt.Sprintf("token not valid before %s", nbf.UTC().Format(time.RFC3339))})
		}
	}
	return nil
}

// timeError is ErrExpired or ErrNotYetValid with a message of its own, as
// ErrExpired's text speaks of Data Integrity proofs.
type timeError struct {
	sentinel error
	msg      string
}

func (e *timeError) Error() string { return e.msg }
func (e *timeError) Unwrap() error { return e.sentinel }

// verifySignature checks token's signature (header alg and header) with
// the key kid names under relationship: the key fetched, the alg fitting
// it, a header jwk the same key, then the JWS itself. Credentials and
// presentations share it, each with its own relationship.
func verifySignature(ctx context.Context, keys KeyFetcher, token, kid, algorithm string, header map[string]any, relationship string) error {
	key, err := keys.PublicKey(ctx, kid, relationship)
	if err != nil {
		return jwtErr("header.kid", fmt.Errorf("fetching key %s: %w", kid, err))
	}
	alg, err := algForPublic(algorithm, key)
	if err != nil {
		return jwtErr("header.alg", err)
	}
	if raw, ok := header["jwk"]; ok {
		if err := sameKey(raw, key); err != nil {
			return jwtErr("header.jwk", err)
		}
	}
	if _, err := jws.VerifyCompactFast(key, []byte(token), alg); err != nil {
		return jwtErr("signature", fmt.Errorf("%w: the %s signature does not verify with %s", ErrInvalidSignature, algorithm, kid))
	}
	return nil
}
