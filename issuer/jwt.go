package issuer

import (
	"context"
	"errors"
	"fmt"

	"github.com/badgesmith/badgesmith/vcjwt"
)

// signJWT signs an already built credential as a JWT in the Signer's
// format (VCJWT or JOSE), the algorithm following the key (EdDSA, ES256 or
// RS256), and verifies the token before returning it.
func (is *Issuer) signJWT(ctx context.Context, cred map[string]any) (*Credential, error) {
	s := is.cfg.Signer
	tok, err := vcjwt.Sign(ctx, cred, s.key, vcjwt.Options{
		Format: string(s.format),
		KeyID:  s.identity.VerificationMethod,
		Now:    is.cfg.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("signing credential as %s: %w", s.format, err)
	}
	res, err := vcjwt.Verify(ctx, tok, vcjwt.VerifyOptions{Keys: ownKey{s, s.identity.VerificationMethod}, Now: is.cfg.Now})
	// A validity window that excludes now (a future validFrom, say) is the
	// request's business; the self-check is about the signature and claims.
	if err != nil && !errors.Is(err, vcjwt.ErrExpired) && !errors.Is(err, vcjwt.ErrNotYetValid) {
		return nil, fmt.Errorf("self-check of signed %s: %w", s.format, err)
	}
	if res == nil {
		return nil, fmt.Errorf("self-check of signed %s: no result", s.format)
	}
	id, _ := cred["id"].(string)
	return &Credential{ID: id, Format: s.format, Token: tok, Document: res.Credential}, nil
}
