package issuer

import (
	"context"
	"errors"
	"fmt"

	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/vcjwt"
)

// JWT is a credential issued as a compact JWS.
type JWT struct {
	// ID is the credential id.
	ID string
	// Token is the compact JWS, without a trailing newline.
	Token string
	// Credential is the credential the token carries, as a JSON object.
	Credential map[string]any
}

// IssueJWT builds the credential for req and signs it as a JWT in format,
// vcjwt.FormatVCJWT (the OB 3.0 VC-JWT) or vcjwt.FormatJOSE (VC-JOSE-COSE),
// with the key and verification method of the Issuer's Config; the
// algorithm follows the key (EdDSA, ES256 or RS256). The token is verified
// again before it is returned.
//
// With a Store, the credential gets its status entries and is recorded
// (format store.FormatJWT, hashing the token's bytes) before it is
// returned, undelivered until Delivered, in the order Issue describes; a
// retry of an undelivered request is handled as Issue handles it.
func (is *Issuer) IssueJWT(ctx context.Context, req Request, format string) (*JWT, error) {
	if is.cfg.Store == nil {
		cred, err := is.Build(req)
		if err != nil {
			return nil, err
		}
		return is.SignJWT(ctx, cred, format)
	}
	cred, refs, err := is.prepare(ctx, req)
	if err != nil {
		return nil, err
	}
	tok, err := is.SignJWT(ctx, cred, format)
	if err != nil {
		return nil, err
	}
	if err := is.RecordIssued(ctx, cred, []byte(tok.Token), store.FormatJWT, refs); err != nil {
		return nil, err
	}
	return tok, nil
}

// SignJWT signs an already built credential as a JWT in format (see
// IssueJWT) and verifies the token before returning it.
func (is *Issuer) SignJWT(ctx context.Context, cred map[string]any, format string) (*JWT, error) {
	if format != vcjwt.FormatVCJWT && format != vcjwt.FormatJOSE {
		return nil, fmt.Errorf("jwt format %q: %w: want %s or %s", format, ErrInvalidInput, vcjwt.FormatVCJWT, vcjwt.FormatJOSE)
	}
	tok, err := vcjwt.Sign(ctx, cred, is.cfg.Key, vcjwt.Options{
		Format: format,
		KeyID:  is.cfg.VerificationMethod,
		Now:    is.cfg.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("signing credential as %s: %w", format, err)
	}
	res, err := vcjwt.Verify(ctx, tok, vcjwt.VerifyOptions{Keys: ownKey{is}, Now: is.cfg.Now})
	// A validity window that excludes now (a future validFrom, say) is the
	// request's business; the self-check is about the signature and claims.
	if err != nil && !errors.Is(err, vcjwt.ErrExpired) && !errors.Is(err, vcjwt.ErrNotYetValid) {
		return nil, fmt.Errorf("self-check of signed %s: %w", format, err)
	}
	if res == nil {
		return nil, fmt.Errorf("self-check of signed %s: no result", format)
	}
	id, _ := cred["id"].(string)
	return &JWT{ID: id, Token: tok, Credential: res.Credential}, nil
}
