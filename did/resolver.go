package did

import (
	"context"
	"crypto"
	"fmt"
	"time"
)

// Resolver resolves a DID (without fragment) to its DID document.
// Implementations return an error wrapping ErrUnsupportedMethod for a method
// they do not handle, so resolvers can be chained.
type Resolver interface {
	Resolve(ctx context.Context, did string) (*Document, error)
}

// KeyResolver resolves did:key and did:jwk DIDs offline. Its zero value is
// ready to use.
type KeyResolver struct{}

var _ Resolver = KeyResolver{}

// Resolve returns the did:key or did:jwk document of did. Other methods
// give an error wrapping ErrUnsupportedMethod.
func (KeyResolver) Resolve(ctx context.Context, did string) (*Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("resolving %s: %w", quote(did), err)
	}
	// The document builders' errors already name the DID.
	if isJWK(did) {
		return JWKDocument(did)
	}
	return KeyDocument(did)
}

// Fetcher finds the public key of a verification method by resolving its
// DID. It has the shape of proof.KeyFetcher.
type Fetcher struct {
	// Resolver resolves the DID part of a verification method URL. If nil,
	// KeyResolver is used.
	Resolver Resolver
	// Now returns the time at which a method's revoked and expires times
	// are judged. If nil, time.Now is used.
	Now func() time.Time
}

// PublicKey resolves verificationMethod (a DID URL, DID#fragment) and
// returns its key if the DID document authorizes it for purpose, a
// verification relationship such as "assertionMethod" (the default when
// empty).
func (f Fetcher) PublicKey(ctx context.Context, verificationMethod, purpose string) (crypto.PublicKey, error) {
	if purpose == "" {
		purpose = AssertionMethod
	}
	d, _, err := SplitURL(verificationMethod)
	if err != nil {
		return nil, err
	}
	r := f.Resolver
	if r == nil {
		r = KeyResolver{}
	}
	doc, err := r.Resolve(ctx, d)
	if err != nil {
		return nil, err
	}
	if doc.ID != d {
		return nil, fmt.Errorf("resolving %s: document id is %s: %w", quote(d), quote(doc.ID), ErrInvalidDocument)
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	_, pub, err := doc.KeyAt(verificationMethod, purpose, now())
	if err != nil {
		return nil, err
	}
	return pub, nil
}
