// Package archtest holds the test that enforces badgesmith's dependency
// rules (DESIGN.md): leaves (contexts, keys, ob3, ...) import none of our
// concept packages, jsonld reads contexts, proof and vcjwt sign over keys
// and jsonld without importing each other, the verifier never imports the
// issuer or the store, and only the CLI imports cobra. It also type-checks
// the module to find a status.Purpose (or another type named in
// unboxable) stored as an interface value, which the JSON-LD processor
// refuses at run time.
package archtest
