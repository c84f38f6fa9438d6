package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/vcjwt"
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
	parsed, err := vcjwt.Parse(tok, v.maxSize)
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
	explainFrom(ctx).credential(v, cred)

	vcdm1 := v.checkContext(r, cred)
	typeAt := r.reserve(CheckType)
	schemaAt := r.reserve(CheckSchema)
	p, timeErr := v.checkJWTProof(ctx, r, tok, cred)
	r.res.Checks[typeAt], r.res.OpenBadge = typeCheck(p, cred)
	r.res.Checks[schemaAt] = v.schemaCheck(data, doc, p.schemas)
	v.checkIssuer(r, p.issuerView(cred), p.binding)
	explainFrom(ctx).key(p.binding)
	if timeErr != nil {
		r.fail(CheckValidity, pathOf(timeErr), timeErr.Error())
	} else {
		v.checkValidity(r, p, vcdm1, nil, nil)
	}
	v.checkStatus(ctx, r, p)
	v.checkCatalogue(ctx, r, p)
	v.checkCLR(ctx, r, cred, p)
	r.describe(p)
	v.checkEndorsements(ctx, r, cred, p)
	v.recogniseIssuer(ctx, r, p)
	return v.finish(r)
}

// checkJWTProof verifies the JWS. It returns what it established and, for
// a token whose signature and claims hold but whose nbf or exp excludes
// now, that error for the validity check. The claims are the signed
// payload's credential read as JSON-LD in safe mode: the statements the
// signature covers, whatever JSON shape carries them.
func (v *Verifier) checkJWTProof(ctx context.Context, r *report, tok string, cred map[string]any) (*proven, error) {
	p := &proven{}
	binder := &keyBinder{v: v, issuer: issuerID(cred)}
	// Read the token up to its key id, bind that method, then verify with
	// only the key bound: a token that does not read causes no fetch.
	if pre, err := vcjwt.Prepare(tok, v.maxSize); err == nil {
		binder.bindMethod(ctx, pre.KeyID, did.AssertionMethod)
	}
	res, err := vcjwt.Verify(ctx, tok, vcjwt.VerifyOptions{Keys: binder.keys(), Now: v.now, ClockSkew: v.skew, MaxSize: v.maxSize})
	r.res.Work.Proofs++
	var timeErr error
	var kid string
	if res != nil {
		kid = res.KeyID
		p.binding = binder.binding(kid)
	}
	if p.binding == nil {
		p.binding = binder.failure()
	}
	switch {
	case err == nil, res != nil && (errors.Is(err, vcjwt.ErrExpired) || errors.Is(err, vcjwt.ErrNotYetValid)):
		timeErr = err
	case p.binding != nil && p.binding.err != nil && !bindingUndecided(p.binding.err):
		r.fail(CheckProof, "header.kid", fmt.Sprintf("signing key not accepted: %v", p.binding.err))
		v.readUnverified(ctx, p, cred)
		return p, nil
	case isInvalidProof(err):
		r.fail(CheckProof, pathOf(err), err.Error())
		v.readUnverified(ctx, p, cred)
		return p, nil
	default:
		r.undecided(CheckProof, err)
		v.readUnverified(ctx, p, cred)
		return p, nil
	}
	b := budgetFrom(ctx)
	var work jsonld.Work
	nq, err := jsonld.Canonicalize(ctx, cred, jsonld.CanonOptions{Loader: v.loader, Limits: b.limits.canon(), Work: &work})
	b.addCanon(work)
	switch {
	case err != nil && isInvalidProof(err):
		r.fail(CheckProof, pathOf(err), "the signed credential is not well-formed JSON-LD: "+err.Error())
		return p, timeErr
	case err != nil:
		r.undecided(CheckProof, fmt.Errorf("reading the signed credential as JSON-LD: %w", err))
		return p, timeErr
	}
	c, g, err := credentialClaims(nq)
	if err == nil {
		err = g.isDocument(c, cred)
	}
	if err != nil {
		p.claimsErr = err
	} else {
		p.setClaims(c, g, true)
	}
	switch {
	case p.claims == nil:
		r.fail(CheckProof, pathOf(p.claimsErr), "the signed credential does not read as one credential: "+p.claimsErr.Error())
		return p, timeErr
	case p.claims.Issuer != binder.issuer:
		p.claims.Verified = false
		r.fail(CheckProof, "issuer", fmt.Sprintf("the signed issuer %q is not %q, whose key signed", p.claims.Issuer, binder.issuer))
		return p, timeErr
	}
	explainFrom(ctx).jwt(tok, res, nq, p.binding)
	r.pass(CheckProof, fmt.Sprintf("%s %s signature by %s is valid and its claims match the credential", res.Format, res.Algorithm, res.KeyID))
	return p, timeErr
}
