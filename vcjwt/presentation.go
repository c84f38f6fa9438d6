package vcjwt

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// FormatVPJOSE is a W3C VC-JOSE-COSE presentation: the payload is the
// presentation itself and the header typ is "vp+jwt". A VCDM 1.1 VP-JWT
// (header typ "JWT", the presentation in the vp claim) has Format
// FormatVCJWT.
const FormatVPJOSE = "vp+jwt"

// authentication is the verification relationship a holder's key must be
// authorized for.
const authentication = "authentication"

// PresentationResult is a decoded JWT presentation.
type PresentationResult struct {
	// Presentation is the presentation: the payload without its JWT
	// claims, or for the VCDM 1.1 form the vp claim, its holder completed
	// from iss.
	Presentation map[string]any
	// Claims holds the registered JWT claims of the payload (iss, jti,
	// sub, nbf, exp, iat, aud) and nonce, as decoded.
	Claims map[string]any
	// Header is the protected header.
	Header map[string]any
	// Format is FormatVPJOSE or FormatVCJWT, from the header typ.
	Format string
	// Algorithm is the header alg.
	Algorithm string
	// KeyID is the verification method the signature was checked with:
	// the header kid made absolute against the holder id.
	KeyID string
	// Nonce and Audience are the nonce claim and the aud claim's values:
	// where a JWT presentation carries a verifier's challenge and domain.
	Nonce    string
	Audience []string
}

// ParsePresentation decodes a compact JWS presentation WITHOUT verifying
// it: the structure, the size (maxSize, or DefaultMaxSize if zero) and the
// typ header, and that the payload is a presentation.
func ParsePresentation(token string, maxSize int64) (*PresentationResult, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if int64(len(token)) > maxSize {
		return nil, jwtErr("", fmt.Errorf("%w: token is %d bytes, over the %d-byte limit", ErrMalformed, len(token), maxSize))
	}
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return nil, jwtErr("", fmt.Errorf("%w: %d segments, a compact JWS has 3", ErrMalformed, len(parts)))
	}
	if len(parts[0]) > base64.RawURLEncoding.EncodedLen(maxJWTHeaderLen) {
		return nil, jwtErr("header", fmt.Errorf("%w: over %d bytes", ErrMalformed, maxJWTHeaderLen))
	}
	res := &PresentationResult{}
	if err := decodeSegment(parts[0], &res.Header); err != nil {
		return nil, jwtErr("header", err)
	}
	res.Algorithm, _ = res.Header["alg"].(string)
	typ, err := optString(res.Header, "typ")
	if err != nil {
		return nil, err
	}
	switch strings.TrimPrefix(strings.ToLower(typ), "application/") {
	case "", "jwt":
		res.Format = FormatVCJWT
	case FormatVPJOSE:
		res.Format = FormatVPJOSE
	default:
		return nil, jwtErr("header.typ", fmt.Errorf("%w: %.40q, want JWT or %s", ErrMalformed, typ, FormatVPJOSE))
	}
	if cty, err := optString(res.Header, "cty"); err != nil {
		return nil, err
	} else if c := strings.TrimPrefix(strings.ToLower(cty), "application/"); c != "" && c != "vp" {
		return nil, jwtErr("header.cty", fmt.Errorf("%w: %.40q, want vp", ErrMalformed, cty))
	}
	if res.KeyID, err = optString(res.Header, "kid"); err != nil {
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

func (res *PresentationResult) readPayload(payload map[string]any) error {
	res.Claims = map[string]any{}
	for _, c := range append(registeredClaims, "nonce") {
		if v, ok := payload[c]; ok {
			res.Claims[c] = v
		}
	}
	if raw, ok := res.Claims["nonce"]; ok {
		s, isString := raw.(string)
		if !isString {
			return jwtErr("payload.nonce", fmt.Errorf("%w: not a string", ErrMalformed))
		}
		res.Nonce = s
	}
	switch aud := res.Claims["aud"].(type) {
	case nil:
	case string:
		res.Audience = []string{aud}
	case []any:
		for _, a := range aud {
			s, ok := a.(string)
			if !ok {
				return jwtErr("payload.aud", fmt.Errorf("%w: not a string or an array of strings", ErrMalformed))
			}
			res.Audience = append(res.Audience, s)
		}
	default:
		return jwtErr("payload.aud", fmt.Errorf("%w: not a string or an array of strings", ErrMalformed))
	}
	vp, nested := payload["vp"]
	_, hasCtx := payload["@context"]
	switch {
	case res.Format == FormatVPJOSE && (nested || payload["vc"] != nil):
		return jwtErr("payload.vp", fmt.Errorf("%w: vp and vc claims are not allowed in a %s", ErrMalformed, FormatVPJOSE))
	case nested && !hasCtx:
		m, ok := vp.(map[string]any)
		if !ok {
			return jwtErr("payload.vp", fmt.Errorf("%w: not an object", ErrMalformed))
		}
		res.Presentation = m
		if _, ok := m["holder"]; !ok {
			if s, ok := res.Claims["iss"].(string); ok {
				m["holder"] = s
			}
		}
	default:
		res.Presentation = make(map[string]any, len(payload))
		for k, v := range payload {
			if _, claim := res.Claims[k]; !claim {
				res.Presentation[k] = v
			}
		}
	}
	if _, ok := res.Presentation["@context"]; !ok {
		return jwtErr("payload", fmt.Errorf("%w: not a presentation (no @context)", ErrMalformed))
	}
	return nil
}

// holderOf is the presentation's holder id.
func holderOf(vp map[string]any) string {
	switch h := vp["holder"].(type) {
	case string:
		return h
	case map[string]any:
		s, _ := h["id"].(string)
		return s
	}
	return ""
}

// VerifyPresentation verifies a compact JWS presentation, a
// VC-JOSE-COSE vp+jwt or a VCDM 1.1 VP-JWT: the structure and size, the
// header policy of Verify, the signature with the key the kid resolves
// to for authentication (relative kids are taken against the holder;
// without a kid only a did:jwk holder's #0 key is tried), that any
// header jwk is that key, that iss, when present, is the holder, and that
// the token is within nbf and exp. Comparing nonce and aud with a
// verifier's challenge and domain is the caller's: they are in the
// result.
//
// Errors are *Error values, classified as Verify's are. For ErrExpired
// and ErrNotYetValid the result is returned with the error.
func VerifyPresentation(ctx context.Context, token string, opts VerifyOptions) (*PresentationResult, error) {
	if opts.Keys == nil {
		return nil, errors.New("verifying jwt presentation: no key fetcher")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	res, err := ParsePresentation(token, opts.MaxSize)
	if err != nil {
		return nil, err
	}
	header := &Result{Header: res.Header, Algorithm: res.Algorithm}
	if err := header.checkHeader(); err != nil {
		return nil, err
	}
	token = strings.TrimSpace(token)
	if strings.HasSuffix(token, ".") {
		return nil, jwtErr("signature", fmt.Errorf("%w: empty", ErrMalformed))
	}
	holder := holderOf(res.Presentation)
	if iss, ok := res.Claims["iss"]; ok && iss != holder {
		return nil, jwtErr("payload.iss", fmt.Errorf("%w: %.80q, the presentation's holder is %.80q", ErrClaimMismatch, fmt.Sprint(iss), holder))
	}
	kid := res.KeyID
	switch {
	case kid == "" && strings.HasPrefix(holder, "did:jwk:"):
		kid = holder + "#0"
	case kid == "" && res.Header["jwk"] != nil:
		return nil, jwtErr("header.jwk", ErrUnboundHeaderKey)
	case kid == "":
		return nil, jwtErr("header.kid", ErrNoKeyID)
	case strings.HasPrefix(kid, "#") && holder != "":
		kid = holder + kid
	}
	res.KeyID = kid
	if err := verifySignature(ctx, opts.Keys, token, kid, res.Algorithm, res.Header, authentication); err != nil {
		return nil, err
	}
	times := &Result{Claims: res.Claims}
	if err := times.checkTimes(now(), opts.ClockSkew); err != nil {
		return res, err
	}
	return res, nil
}
