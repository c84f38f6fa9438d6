// Package contexts ships the JSON-LD contexts badgesmith needs, embedded in the
// binary, and an offline ld.DocumentLoader over them. It processes nothing:
// expansion, safe mode and canonicalization are package jsonld's.
//
// The bundle covers W3C VC Data Model 2.0 (and 1.1 for legacy credentials),
// 1EdTech Open Badges 3.0 (contexts 3.0.3, 3.0.2, 3.0.1, the unversioned
// original and extensions.json), 1EdTech CLR 2.0 (2.0.1 and unversioned),
// W3C VC Data Integrity 1.0 (data-integrity v2 and v1, multikey, jwk), the
// Ed25519Signature2020 suite, W3C Bitstring Status List 1.0 and the legacy
// StatusList2021, and W3C Controlled Identifiers 1.0. The URL constants in
// urls.go name them.
//
// Each context is taken from the npm package that publishes it, at an exact
// version, by the script sync.sh in this directory, which records each file's
// URL, source and SHA-256 in manifest.json and fails when a file no longer
// matches. No package publishes the CLR, Controlled Identifiers or JWK
// contexts, so those are written from their specifications' term definitions;
// package jsonld's tests prove that every bundled context expands, and
// canonicalizes, exactly like the published reference copy for a probe using
// every term.
//
// The loader never touches the network: a URL that is not bundled is an error
// wrapping ErrNotBundled that names the URL. Contexts are parsed once per
// process and shared by every Loader, so callers must treat loaded documents
// as read-only.
//
// Caveat: which bytes purl.imsglobal.org serves for OB 3.0.3, extensions.json
// and CLR 2.0.1 is unconfirmed; the 1EdTech validator's copy of 3.0.3 adds the
// top-level terms jti and endorsementJwt, which this bundle does not define.
package contexts
