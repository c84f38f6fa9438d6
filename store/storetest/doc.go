// Package storetest is the conformance suite every store.Store backend must
// pass: Run from the backend's tests, under -race. It checks the contract
// written on store.Store: idempotent and conflicting writes, every filter,
// random non-repeating index allocation with rollover, concurrent writers,
// final revocation, reversible suspension, the Bitstring Status List bit
// order (W3C Bitstring Status List v1.0: index 0 is the most significant bit
// of byte 0), the audit trail and context cancellation.
//
// Bench holds the shared benchmarks, so backends compare on equal work.
package storetest
