// Package vcjwt secures a credential as a compact JWS, and checks one.
//
// It implements the Open Badges 3.0 VC-JWT
// (https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof: typ JWT, the claims
// iss, jti, sub, nbf and exp repeating the credential; its VCDM 1.1 form
// with a vc claim is read too) and W3C Securing Verifiable Credentials
// using JOSE and COSE (https://www.w3.org/TR/vc-jose-cose/: typ vc+jwt,
// cty vc, the payload the credential itself), with jwx. Only RS256, ES256
// and EdDSA are accepted, each with its own key type; the key comes from
// the kid through the injected KeyFetcher, never from an embedded jwk
// alone. Sign writes FormatVCJWT or FormatJOSE; Verify checks the
// structure, header policy, signature, claims and times, and Parse
// decodes a token without trusting it. VerifyPresentation and
// ParsePresentation do the same for a presentation (typ vp+jwt, or JWT
// with a vp claim), its key fetched for authentication.
//
// Errors are *Error values naming the header member or claim at fault
// (Error.JSONPath) and wrapping a sentinel whose internal/verdict kind says
// whether the token is bad (ErrMalformed, ErrAlgorithm, ErrInvalidSignature,
// ...) or could not be checked (ErrNoKeyID, ErrUnboundHeaderKey, a key
// fetcher's error).
//
// Caveats: header members other than alg, typ, cty, kid and jwk are
// ignored except crit and b64, which are refused; nested JWTs, JWE,
// COSE and SD-JWT are not implemented; a member name repeated in the
// header or payload is refused (ErrDuplicateMember), where other readers
// keep the first or the last value.
package vcjwt
