package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/proof"
)

// looksLikeJWS reports whether data, once trimmed, has the shape of a
// compact JWS: three base64url segments separated by dots. JSON never does,
// since it starts with '{' or '['.
func looksLikeJWS(data []byte) bool {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Count(data, []byte{'.'}) != 2 {
		return false
	}
	for _, c := range data {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// verifyJWT runs the same eight checks as Verify on a JWT credential (an OB
// 3.0 VC-JWT, its VCDM 1.1 form with a vc claim, or a VC-JOSE-COSE vc+jwt):
// the proof check is the JWS signature by a key the kid names and the issuer
// controls, plus the claims repeating the credential; the validity check
// also honours nbf and exp.
func (v *Verifier) verifyJWT(ctx context.Context, token []byte) (*Result, error) {
	r := &report{res: &Result{}}
	tok := string(bytes.TrimSpace(token))
	parsed, err := proof.ParseJWT(tok, v.maxSize)
	if err != nil {
		r.fail(CheckParse, pathOf(err), err.Error())
		r.skipRest(CheckParse, "token could not be parsed")
		return v.finish(r)
	}
	cred := parsed.Credential
	data, err := json.Marshal(cred)
	if err != nil {
		r.fail(CheckParse, "payload", fmt.Sprintf("re-encoding the credential: %v", err))
		r.skipRest(CheckParse, "token could not be parsed")
		return v.finish(r)
	}
	doc, err := ob3.ParseDocument(data, ob3.ParseOptions{MaxSize: v.maxSize})
	if err != nil {
		r.fail(CheckParse, pathOf(err), err.Error())
		r.skipRest(CheckParse, "token could not be parsed")
		return v.finish(r)
	}
	form := parsed.Format
	if parsed.VC11 {
		form += " (VCDM 1.1 vc claim)"
	}
	r.pass(CheckParse, fmt.Sprintf("compact JWS %s, %s, %d bytes", form, parsed.Algorithm, len(tok)))
	r.res.CredentialID, _ = cred["id"].(string)
	r.res.Issuer = issuerID(cred)
	r.res.Name = displayName(cred)

	vcdm1 := v.checkContext(r, cred)
	v.checkType(r, cred)
	v.checkSchema(r, data, doc)
	seen, timeErr := v.checkJWTProof(ctx, r, tok, cred)
	v.checkIssuer(r, cred, seen)
	if timeErr != nil {
		r.fail(CheckValidity, pathOf(timeErr), timeErr.Error())
	} else {
		v.checkValidity(r, cred, vcdm1)
	}
	v.checkStatus(ctx, r, cred)
	return v.finish(r)
}

// checkJWTProof verifies the JWS. It returns what the key fetcher saw and,
// for a token whose signature and claims hold but whose nbf or exp
// excludes now, that error for the validity check.
func (v *Verifier) checkJWTProof(ctx context.Context, r *report, tok string, cred map[string]any) (*boundKey, error) {
	fetch := &keyFetcher{v: v, issuer: issuerID(cred)}
	res, err := proof.VerifyJWT(ctx, tok, proof.JWTVerifyOptions{Keys: fetch, Now: v.now, ClockSkew: v.skew, MaxSize: v.maxSize})
	verified := err == nil || res != nil && (errors.Is(err, proof.ErrExpired) || errors.Is(err, proof.ErrNotYetValid))
	seen := fetch.failure()
	if verified {
		seen = fetch.binding(res.KeyID)
	}
	var timeErr error
	switch {
	case verified:
		r.pass(CheckProof, fmt.Sprintf("%s %s signature by %s is valid and its claims match the credential", res.Format, res.Algorithm, res.KeyID))
		timeErr = err
	case seen.refused():
		r.fail(CheckProof, "header.kid", fmt.Sprintf("signing key not accepted: %v", seen.err))
	case isInvalidJWT(err):
		r.fail(CheckProof, pathOf(err), err.Error())
	default:
		r.undecided(CheckProof, err)
	}
	return seen, timeErr
}

func isInvalidJWT(err error) bool {
	if isInvalidProof(err) {
		return true
	}
	for _, target := range []error{proof.ErrAlgorithm, proof.ErrPrivateKeyInHeader, proof.ErrHeaderKey,
		proof.ErrNoKeyID, proof.ErrClaimMismatch} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
