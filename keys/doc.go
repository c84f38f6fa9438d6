// Package keys holds badgesmith's signing keys: generation, the Multikey
// text encoding, and an on-disk keyring.
//
// The encodings follow W3C Controlled Identifiers 1.0 (REC 2025-05-15),
// section "Multikey" (https://www.w3.org/TR/cid-1.0/#Multikey), as profiled by
// W3C Data Integrity EdDSA Cryptosuites 1.0:
//
//   - an Ed25519 public key is "z" + base58btc(0xed 0x01 || 32-byte key),
//     which always starts "z6Mk";
//   - an Ed25519 secret key is "z" + base58btc(0x80 0x26 || 32-byte seed),
//     which always starts "z3u2".
//
// Caveats: only Ed25519 is implemented. DecodeSecretMultikey also accepts the
// legacy Digital Bazaar body of 0x80 0x26 followed by the 64-byte seed||public
// key (used by the 1EdTech OB 3.0 test vector) after checking that the public
// half belongs to the seed; EncodeSecretMultikey always writes the 32-byte
// form. Decoders reject inputs longer than MaxMultikeyLen before decoding, so
// hostile input cannot make base58 decoding quadratic.
//
// The keyring (OpenRing) keeps one JSON file per key, mode 0600, in a
// directory of mode 0700 (an existing directory is tightened to 0700); it
// refuses a key file that group or others can read, the way ssh refuses an
// exposed private key.
package keys
