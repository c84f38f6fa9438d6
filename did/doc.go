// Package did models DID documents and resolves DIDs to them.
//
// It implements:
//   - the did:key method (W3C CCG "The did:key Method" v0.9 draft,
//     https://w3c-ccg.github.io/did-method-key/) for Ed25519 keys only: the
//     method-specific identifier is the Multikey form of the public key
//     (z6Mk...), and the document lists one Multikey verification method,
//     DID#z6Mk..., under authentication, assertionMethod,
//     capabilityInvocation and capabilityDelegation;
//   - verification method retrieval as in W3C Controlled Identifiers 1.0,
//     section 3.3 (https://www.w3.org/TR/cid-1.0/#retrieve-verification-method):
//     the method must be listed under the requested relationship and its
//     controller must be the document's id.
//
// Caveats: did:key documents are built offline and carry no keyAgreement
// (X25519) method, since badgesmith only signs; the optional
// enableExperimentalPublicKeyTypes and publicKeyFormat options are not
// offered. Ed25519 points are not checked to lie on the curve at parse time;
// signature verification rejects invalid points. Only Multikey and
// Ed25519VerificationKey2020 methods with publicKeyMultibase are decoded;
// publicKeyJwk is carried but not decoded yet.
package did
