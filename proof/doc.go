// Package proof secures JSON credentials with Data Integrity proofs and
// checks them.
//
// It implements W3C Verifiable Credential Data Integrity 1.0
// (https://www.w3.org/TR/vc-data-integrity/) with the eddsa-rdfc-2022
// cryptosuite of Data Integrity EdDSA Cryptosuites v1.0
// (https://www.w3.org/TR/vc-di-eddsa/), and the legacy Ed25519Signature2020
// suite (https://w3c-ccg.github.io/di-eddsa-2020/) that Open Badges 3.0
// verifiers still meet. Both hash SHA-256(canonical proof options) followed
// by SHA-256(canonical document without its proof), canonical meaning RDF
// Dataset Canonicalization (RDFC-1.0) N-Quads, sign the 64 bytes with pure
// Ed25519 and write the signature as multibase base58btc ('z').
//
// Canonicalization runs through contexts.Canonicalize in safe mode: a
// document that JSON-LD processing would silently change, or that
// implementations canonicalize differently, is neither signed nor accepted
// (contexts.ErrDataLoss). Contexts come from the injected loader only; the
// package never fetches one.
//
// Caveats: proof chains (previousProof) are not checked as chains, domain and
// challenge are carried but not compared, and eddsa-jcs-2022 is not
// implemented (such proofs fail with ErrUnknownSuite).
package proof
