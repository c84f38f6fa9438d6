// Package testkit holds badgesmith's shared test fixtures, so that every
// package's tests build them one way:
//
//   - deterministic keys (Ed25519, P-256, RSA-2048) from a seed byte, with their
//     did:key DID, verification method id (DID#Multikey) and Multikey
//     where the key type has one, and the 1EdTech OB 3.0 test vector key;
//   - a static key fetcher (the shape of proof.KeyFetcher and
//     vcjwt.KeyFetcher) bound to one explicit issuer id, answering only for
//     the verification methods it was given;
//   - golden files behind one -update flag, registered here once;
//   - reading a JSON fixture, and crafting a compact JWS by hand.
//
// Only _test.go files import testkit (internal/archtest enforces it): a
// static key is trusted nowhere outside tests. testkit imports keys and
// did only, so that the in-package tests of proof, vcjwt and status may use
// it without an import cycle.
package testkit
