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
// Verify returns one CheckResult per check. A *VerificationError means the
// credential is invalid; any other error means it could not be checked.
package verifier
