package did

import (
	"context"
	"fmt"
)

// MultiResolver routes each DID to the resolver of its method: did:key and
// did:jwk to Key, did:web to Web. Other methods give an error wrapping
// ErrUnsupportedMethod. Its zero value resolves the offline methods only.
type MultiResolver struct {
	// Key resolves the offline methods, did:key and did:jwk. If nil,
	// KeyResolver{}.
	Key Resolver
	// Web resolves did:web, usually a *WebResolver. If nil, did:web is
	// unsupported, so a resolver built without a client never reaches the
	// network.
	Web Resolver
}

var _ Resolver = MultiResolver{}

// Resolve resolves did with the resolver of its method.
func (m MultiResolver) Resolve(ctx context.Context, did string) (*Document, error) {
	method, _, err := split(did)
	if err != nil {
		return nil, err
	}
	var r Resolver
	switch method {
	case "key", "jwk":
		r = m.Key
		if r == nil {
			r = KeyResolver{}
		}
	case "web":
		r = m.Web
	}
	if r == nil {
		return nil, fmt.Errorf("resolving %s: method %q: %w", quote(did), method, ErrUnsupportedMethod)
	}
	return r.Resolve(ctx, did)
}
