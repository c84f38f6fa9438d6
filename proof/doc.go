// Package proof secures JSON credentials with Data Integrity proofs, and
// checks them. Credentials secured as JWTs are package vcjwt's.
//
// It implements W3C Verifiable Credential Data Integrity 1.0
// (https://www.w3.org/TR/vc-data-integrity/) with the eddsa-rdfc-2022 and
// eddsa-jcs-2022 cryptosuites of Data Integrity EdDSA Cryptosuites v1.0
// (https://www.w3.org/TR/vc-di-eddsa/), ecdsa-rdfc-2019 of Data Integrity
// ECDSA Cryptosuites v1.0 (https://www.w3.org/TR/vc-di-ecdsa/, P-256 only),
// and the legacy Ed25519Signature2020 suite
// (https://w3c-ccg.github.io/di-eddsa-2020/) that Open Badges 3.0 verifiers
// still meet. All hash SHA-256(canonical proof options) followed by
// SHA-256(canonical document without its proof) and write the signature as
// multibase base58btc ('z'). Canonical means RDF Dataset Canonicalization
// (RDFC-1.0) N-Quads, or for eddsa-jcs-2022 the RFC 8785 JSON
// Canonicalization Scheme (CanonicalJSON), whose proofs carry the
// document's @context. The eddsa suites sign with pure Ed25519, ecdsa-rdfc-2019
// with ECDSA P-256 and SHA-256, the signature as IEEE P1363 r||s. Each suite
// accepts exactly one key type (ErrKeyType otherwise).
//
// RDF canonicalization runs through jsonld.Canonicalize in safe mode: a
// document that JSON-LD processing would silently change, or that
// implementations canonicalize differently, is neither signed nor accepted
// (jsonld.ErrDataLoss). Contexts come from the injected loader only; the
// package never fetches one.
//
// Caveats: domain and
// challenge are carried but not compared, and ecdsa-rdfc-2019 with P-384 and
// the selective-disclosure suites are not implemented (ErrUnknownSuite).
package proof
