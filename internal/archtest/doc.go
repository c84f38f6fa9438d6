// Package archtest holds the test that enforces badgesmith's dependency
// rules (DESIGN.md): leaves import none of ours, the verifier never imports
// the issuer or the store, and only the CLI imports cobra.
package archtest
