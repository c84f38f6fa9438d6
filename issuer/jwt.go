package issuer

import (
	"context"
	"errors"
	"fmt"

	"github.com/badgesmith/badgesmith/proof"
)

// signJWT signs an already built credential as a JWT in the Signer's
// format (VCJWT or JOSE), the algorithm following the key (EdDSA, ES256 or
// RS256), and verifies the token before returning it.
func (is *Issuer) signJWT(ctx context.Context, cred map[string]any) (*Credential, error) {
	s := is.cfg.Signer
	tok, err := proof.SignJWT(ctx, cred, s.key, proof.JWTOptions{
		Format: string(s.format),
		KeyID:  s.identity.VerificationMethod,
		Now:    is.cfg.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("signing credential as %s: %w", s.format, err)
	}
	res, err := proof.VerifyJWT(ctx, tok, proof.JWTVerifyOptions{Keys: ownKey{s, s.identity.VerificationMethod}, Now: is.cfg.Now})
	// A validity window that excludes now (a future validFrom, say) is the
	// request's business; the self-check is about the signature and claims.
	if err != nil && !errors.Is(err, proof.ErrExpired) && !errors.Is(err, proof.ErrNotYetValid) {
		return nil, fmt.Errorf("self-check of signed %s: %w", s.format, err)
	}
	if res == nil {
		return nil, fmt.Errorf("self-check of signed %s: no result", s.format)
	}
	id, _ := cred["id"].(string)
	return &Credential{ID: id, Format: s.format, Token: tok, Document: res.Credential}, nil
}
