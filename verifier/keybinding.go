package verifier

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
)

// boundKey is what the key fetcher learned about the verification method.
type boundKey struct {
	vm         string
	controller string
	err        error // a binding failure, reported by the issuer check
}

// keyFetcher resolves verification methods for proof.Verify, enforcing that
// the key is controlled by the credential's issuer and authorised for
// assertions.
type keyFetcher struct {
	v      *Verifier
	issuer string
	seen   *boundKey
}

// errNotIssuerKey marks a verification method whose controller is not the issuer.
var errNotIssuerKey = errors.New("verification method is not controlled by the issuer")

func (f *keyFetcher) PublicKey(ctx context.Context, vm, purpose string) (crypto.PublicKey, error) {
	base, frag, _ := strings.Cut(vm, "#")
	f.seen.vm = vm
	f.seen.controller = base
	if f.issuer == "" || base != f.issuer {
		f.seen.err = fmt.Errorf("%w: %s is controlled by %s, issuer is %q", errNotIssuerKey, vm, base, f.issuer)
		return nil, f.seen.err
	}
	var resolve func(context.Context, string) (*did.Document, error)
	switch {
	case strings.HasPrefix(base, "did:"):
		resolve = f.v.resolver.Resolve
	case strings.HasPrefix(base, "https://") && !keyInFragment(frag):
		// A controlled identifier document (CID 1.0 §3.3) at the URL.
		resolve = f.v.web.ResolveURL
	}
	if resolve != nil {
		doc, err := resolve(ctx, base)
		if err != nil {
			return nil, fmt.Errorf("resolving %s: %w", base, err)
		}
		_, pub, err := doc.AssertionKey(vm)
		if err != nil {
			if errors.Is(err, did.ErrNotAuthorized) {
				f.seen.err = err
			}
			return nil, fmt.Errorf("verification method %s: %w", vm, err)
		}
		return pub, nil
	}
	// The OB 3.0 key-in-fragment form: <issuer.id>#z6Mk… names the key
	// itself, so it is read without fetching anything.
	if strings.HasPrefix(frag, "z") {
		pub, err := keys.DecodePublicMultikey(frag)
		if err != nil {
			return nil, fmt.Errorf("verification method %s: %w", vm, err)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("verification method %s: %w", vm, errUnsupportedVM)
}

var errUnsupportedVM = errors.New("only did and https verification methods and the <issuer>#<multikey> form are supported")

// keyInFragment reports whether a verification method fragment is a public
// Multikey, the 1EdTech form read without fetching.
func keyInFragment(frag string) bool {
	_, err := keys.DecodePublicMultikey(frag)
	return err == nil
}

func (v *Verifier) checkIssuer(r *report, cred map[string]any, seen *boundKey) {
	iss := issuerID(cred)
	switch {
	case iss == "":
		r.fail(CheckIssuer, "issuer", "issuer id is missing")
	case seen == nil || seen.vm == "":
		r.skip(CheckIssuer, "no verification method was reached")
	case seen.err != nil:
		r.fail(CheckIssuer, "proof.verificationMethod", seen.err.Error())
	default:
		r.pass(CheckIssuer, fmt.Sprintf("key %s is controlled by issuer %s and authorised for assertions", seen.vm, iss))
	}
}
