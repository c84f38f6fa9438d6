// Package verifier is badgesmith's standalone verifier for Open Badges 3.0
// credentials (W3C VC Data Model 2.0 and 1.1 based), following the
// verification algorithm of OB 3.0 §9.1: parse, JSON-LD context and type
// checks, JSON Schema, Data Integrity proof, issuer binding of the signing
// key, validity window, and credential status.
//
// It treats its input as hostile: documents are size-bounded, JSON-LD
// contexts are served only from the bundled set (never fetched), undefined
// terms are rejected, and the proof's claimed suite never chooses a different
// algorithm than the resolved key supports. It never imports the issuer.
//
// A signing key is the issuer's only if it is the key a did:key or did:jwk
// issuer id encodes, if it is listed under assertionMethod (not revoked,
// not expired, controlled by the document) in the document the issuer id
// resolves to (a DID document, or a Controlled Identifiers 1.0 document
// fetched from the https issuer id without cross-origin redirects), or if
// the operator pinned it for that issuer (Options.PinnedKeys,
// ParsePinnedKeys). A key the credential names itself, in a verification
// method fragment or a JWT header jwk, is never trusted on its own: such a
// credential could not be checked (ErrKeyNotBound). Binding is a step of
// its own, between reading the proofs (proof.ParseSet, vcjwt.Prepare) and
// verifying them: it judges each proof's verification method, resolving a
// document only for a method whose controller is the issuer id, and the
// signatures are then checked with only the keys it bound, so a malformed
// proof or another party's method makes the verifier fetch nothing. See
// keybinding.go.
//
// VerifyPresentation verifies a verifiable presentation (VC Data Model 2.0
// §4.13, or 1.1): a Data Integrity proof with proof purpose authentication
// and the caller's challenge and domain (VC Data Integrity 1.0 §2.1), or a
// VC-JOSE-COSE vp+jwt / VCDM 1.1 VP-JWT with nonce and aud, by a key the
// holder's document lists under authentication; then each embedded
// credential with Verify. See presentation.go.
//
// Verify returns one CheckResult per check. A *VerificationError means the
// credential is invalid; any other error means it could not be checked.
package verifier
