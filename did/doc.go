// Package did models DID documents and resolves DIDs to them.
//
// It implements:
//   - the did:key method (W3C CCG "The did:key Method" v0.9 draft,
//     https://w3c-ccg.github.io/did-method-key/) for Ed25519 and P-256 keys:
//     the method-specific identifier is the Multikey form of the public key
//     (z6Mk..., zDn...), and the document lists one Multikey verification
//     method, DID#<multikey>, under authentication, assertionMethod,
//     capabilityInvocation and capabilityDelegation;
//   - the did:jwk method (https://github.com/quartzjer/did-jwk/blob/main/spec.md)
//     for Ed25519, P-256 and RSA keys: the identifier is base64url of the
//     public JWK, and the document lists one JsonWebKey2020 method, DID#0,
//     under the relationships its "use" member allows;
//   - the did:web method (W3C CCG "did:web Method Specification"): ParseWeb
//     and FormatWeb map a DID to the https URL of its document (web.go), and
//     WebResolver fetches it over an injected HTTP client, refusing
//     cross-origin redirects, oversized documents and relative references,
//     and caches it (webresolver.go); ResolveURL does the same for a
//     controlled identifier document at an https URL;
//   - document builders for publishing (builders.go): MultikeyMethod and
//     JWKMethod make the verification methods, NewDocument the document
//     that lists them under assertionMethod and authentication;
//   - verification method retrieval as in W3C Controlled Identifiers 1.0,
//     section 3.3 (https://www.w3.org/TR/cid-1.0/#retrieve-verification-method):
//     the method's id must be exactly the requested URL, the method must be
//     listed under the requested relationship, its controller must be the
//     document's id, and it must be neither revoked nor expired (section
//     2.2, revoked and expires) at the time the caller gives (KeyAt,
//     AssertionKeyAt; Key and AssertionKey judge at the wall clock).
//
// Caveats: did:key documents are built offline and carry no keyAgreement
// (X25519) method, since badgesmith only signs; the optional
// enableExperimentalPublicKeyTypes and publicKeyFormat options are not
// offered. Ed25519 points are not checked to lie on the curve at parse time;
// signature verification rejects invalid points. Decoded methods are
// Multikey and Ed25519VerificationKey2020 (publicKeyMultibase) and
// JsonWebKey2020 and JsonWebKey (publicKeyJwk, parsed strictly by package
// keys); a method carrying both key forms is refused. JWKFromPublic writes
// the JWK's members sorted, so it may name a key with another DID than a
// tool that orders them differently; both resolve to the same key.
package did
