package issuer

import (
	"encoding/json"
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
	return groupDocument(ring, name, id)
}

// CIDDocument returns the Controlled Identifiers 1.0 document to publish
// at issuerURL, an https URL, for the issuer whose keyring key (or group)
// is name: as WebDocument, with id issuerURL, each key the method
// issuerURL#fragment (see URLIdentity) controlled by it, under
// assertionMethod and authentication, and the CID context first.
func CIDDocument(ring *keys.Ring, name, issuerURL string) (*did.Document, []keys.Entry, error) {
	if _, err := URLIdentity(issuerURL, "x"); err != nil {
		return nil, nil, err
	}
	doc, entries, err := groupDocument(ring, name, issuerURL)
	if err != nil {
		return nil, nil, err
	}
	doc.Context = append([]any{contexts.CIDV1}, doc.Context[1:]...)
	return doc, entries, nil
}

// groupDocument is the controller document of id listing every key of
// name's group.
func groupDocument(ring *keys.Ring, name, id string) (*did.Document, []keys.Entry, error) {
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

// ProfileDocument returns the one document an https issuer publishes at
// its id: its OB 3.0 Profile (profile's members) that is also its
// Controlled Identifiers 1.0 document (cid's id, contexts, verification
// methods and relationships), so that a verifier resolving the issuer's
// key and a reader of the issuer's Profile find what they need at the
// same URL. The members cid defines win over the profile's.
func ProfileDocument(profile map[string]any, cid *did.Document) (map[string]any, error) {
	data, err := json.Marshal(cid)
	if err != nil {
		return nil, fmt.Errorf("issuer document: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("issuer document: %w", err)
	}
	for k, v := range profile {
		if _, ok := doc[k]; !ok && k != "@context" {
			doc[k] = v
		}
	}
	if _, ok := doc["type"]; !ok {
		doc["type"] = []any{"Profile"}
	}
	// The OB context defines the Profile's terms; the CID context (first)
	// the document's.
	ctx, _ := doc["@context"].([]any)
	doc["@context"] = append(ctx, contexts.OBv3p0)
	return doc, nil
}
