// Package keys holds badgesmith's signing keys: generation, the Multikey,
// JWK and PEM encodings, and an on-disk keyring with per-issuer key
// rotation.
//
// Key types are Ed25519, P-256 (ECDSA) and RSA with 2048-, 3072- or
// 4096-bit moduli, held in the standard library's types.
//
// The Multikey encodings follow W3C Controlled Identifiers 1.0 (REC
// 2025-05-15), section "Multikey" (https://www.w3.org/TR/cid-1.0/#Multikey),
// as profiled by W3C Data Integrity EdDSA and ECDSA Cryptosuites 1.0:
//
//   - an Ed25519 public key is "z" + base58btc(0xed 0x01 || 32-byte key),
//     which always starts "z6Mk";
//   - an Ed25519 secret key is "z" + base58btc(0x80 0x26 || 32-byte seed),
//     which always starts "z3u2";
//   - a P-256 public key is "z" + base58btc(0x80 0x24 || 33-byte compressed
//     point), which always starts "zDn";
//   - a P-256 secret key is "z" + base58btc(0x86 0x26 || 32-byte scalar),
//     which always starts "z42t".
//
// RSA keys have no Multikey form here. JWKs follow RFC 7517 and RFC 7518
// (OKP per RFC 8037, "crv":"Ed25519"; EC "crv":"P-256"; RSA), thumbprints
// RFC 7638 (SHA-256). PEM is PKCS #8 for private keys (SEC 1 and PKCS #1 are
// also read) and PKIX for public keys.
//
// Caveats: DecodeSecretMultikey also accepts the legacy Digital Bazaar
// Ed25519 body of 0x80 0x26 followed by the 64-byte seed||public key (used by
// the 1EdTech OB 3.0 test vector) after checking that the public half belongs
// to the seed; EncodeSecretMultikey always writes the 32-byte form. Decoders
// bound their input (MaxMultikeyLen, MaxJWKLen, MaxPEMLen) before decoding.
// The JWK parser refuses duplicate members, members of another key type,
// non-canonical base64url, an "alg" that does not fit the key, multi-prime
// and prime-less RSA private keys, and RSA moduli outside 2048..4096 bits;
// it ignores members it does not know, as RFC 7517 requires. Ed25519 points
// are not checked to lie on the curve at parse time; P-256 points are.
// Since Go 1.26 ECDSA and RSA generation ignore the io.Reader given to
// Generate.
//
// The keyring (OpenRing) keeps one JSON file per key, mode 0600, in a
// directory of mode 0700 (an existing directory is tightened to 0700); it
// refuses a key file that group or others can read, the way ssh refuses an
// exposed private key. Keys belong to an issuer group with one active key;
// Rotate adds a new active key and retires the old one, which stays in the
// ring so credentials it signed keep verifying. Key files written before
// groups existed load as the active key of a group of their own name.
package keys
