package did

import (
	"crypto"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/badgesmith/badgesmith/keys"
)

// This file builds the documents an issuer publishes (did:web, or a
// controlled identifier document): its verification methods and the
// document that lists them.

// MultikeyMethod returns the Multikey verification method of pub for the
// document of controller: id controller#fragment, controller controller.
func MultikeyMethod(controller, fragment string, pub crypto.PublicKey) (VerificationMethod, error) {
	if err := checkFragment(controller, fragment); err != nil {
		return VerificationMethod{}, err
	}
	mk, err := keys.EncodePublicMultikey(pub)
	if err != nil {
		return VerificationMethod{}, fmt.Errorf("verification method %s#%s: %w", controller, fragment, err)
	}
	return VerificationMethod{
		ID:                 controller + "#" + fragment,
		Type:               TypeMultikey,
		Controller:         controller,
		PublicKeyMultibase: mk,
	}, nil
}

// JWKMethod returns the JsonWebKey verification method (Controlled
// Identifiers 1.0 section 2.2.3) of pub for the document of controller: id
// controller#fragment, controller controller, publicKeyJwk the public JWK
// with its required members only (keys.PublicJWK). Documents carry RSA
// keys this way, having no Multikey form for them; P-256 and Ed25519 keys
// are accepted too. A document listing one needs the JWK context
// (https://w3id.org/security/jwk/v1) beside those NewDocument writes.
// Errors wrap ErrInvalidMethod for a bad fragment, or keys.ErrUnsupportedKey.
func JWKMethod(controller, fragment string, pub crypto.PublicKey) (VerificationMethod, error) {
	if err := checkFragment(controller, fragment); err != nil {
		return VerificationMethod{}, err
	}
	data, err := keys.PublicJWK(pub)
	if err != nil {
		return VerificationMethod{}, fmt.Errorf("verification method %s#%s: %w", controller, fragment, err)
	}
	var jwk map[string]any
	if err := json.Unmarshal(data, &jwk); err != nil {
		return VerificationMethod{}, fmt.Errorf("verification method %s#%s: publicKeyJwk: %w", controller, fragment, err)
	}
	return VerificationMethod{
		ID:           controller + "#" + fragment,
		Type:         TypeJsonWebKey,
		Controller:   controller,
		PublicKeyJwk: jwk,
	}, nil
}

// checkFragment refuses a fragment that would not make controller#fragment
// one verification method URL.
func checkFragment(controller, fragment string) error {
	if fragment == "" || strings.ContainsAny(fragment, "#/?") {
		return fmt.Errorf("verification method of %s: fragment %q: want a non-empty fragment without '#', '/' or '?': %w", quote(controller), fragment, ErrInvalidMethod)
	}
	return nil
}

// NewDocument returns the document of id for publishing: methods under
// verificationMethod, each referenced from assertionMethod (credential
// proofs) and authentication, and the DID and Multikey contexts. Every
// method must belong to id (id#fragment, controlled by id); NewDocument
// does not reorder them.
func NewDocument(id string, methods []VerificationMethod) (*Document, error) {
	if len(methods) == 0 {
		return nil, fmt.Errorf("document %s: no verification methods: %w", quote(id), ErrInvalidDocument)
	}
	d := &Document{
		Context:            []any{ContextDIDv1, ContextMultikeyV1},
		ID:                 id,
		VerificationMethod: append([]VerificationMethod(nil), methods...),
	}
	seen := make(map[string]bool, len(methods))
	for _, vm := range methods {
		base, frag, _ := strings.Cut(vm.ID, "#")
		if base != id || frag == "" || vm.Controller != id {
			return nil, fmt.Errorf("document %s: verification method %s (controller %s) does not belong to it: %w", quote(id), quote(vm.ID), quote(vm.Controller), ErrInvalidMethod)
		}
		if seen[vm.ID] {
			return nil, fmt.Errorf("document %s: verification method %s listed twice: %w", quote(id), quote(vm.ID), ErrInvalidDocument)
		}
		seen[vm.ID] = true
		d.AssertionMethod = append(d.AssertionMethod, vm.ID)
		d.Authentication = append(d.Authentication, vm.ID)
	}
	return d, nil
}
