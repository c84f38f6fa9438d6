package issuer

import (
	"fmt"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
)

// WebDocument returns the DID document to publish for the did:web DID of
// domain (host[:port][/path]) as the issuer whose keyring key (or group)
// is name, and the keys it lists, in group order: every key of the
// group, active and retired, as the verification method DID#fragment
// (see WebIdentity) under assertionMethod and authentication. Retired keys
// stay listed so the credentials they signed keep verifying after a
// rotation. Ed25519 and P-256 keys are Multikey methods; RSA keys, which
// have no Multikey form, JsonWebKey methods (and the document gets the
// JWK context).
func WebDocument(ring *keys.Ring, name, domain string) (*did.Document, []keys.Entry, error) {
	id, err := did.FormatWeb(domain)
	if err != nil {
		return nil, nil, err
	}
	group, err := ring.IssuerOf(name)
	if err != nil {
		return nil, nil, err
	}
	entries, err := ring.Group(group)
	if err != nil {
		return nil, nil, err
	}
	methods := make([]did.VerificationMethod, 0, len(entries))
	jwk := false
	for i := range entries {
		e := &entries[i]
		var vm did.VerificationMethod
		if e.KeyPair.Type.IsRSA() {
			vm, err = did.JWKMethod(id, e.Fragment, e.KeyPair.Public)
			jwk = true
		} else {
			vm, err = did.MultikeyMethod(id, e.Fragment, e.KeyPair.Public)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("key %s: %w", e.Name, err)
		}
		methods = append(methods, vm)
	}
	doc, err := did.NewDocument(id, methods)
	if err != nil {
		return nil, nil, err
	}
	if jwk {
		doc.Context = append(doc.Context, contexts.JWKV1)
	}
	return doc, entries, nil
}
