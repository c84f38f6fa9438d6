// Package rdfc implements RDF Dataset Canonicalization (RDFC-1.0,
// https://www.w3.org/TR/rdf-canon/) and the canonical N-Quads form it
// produces.
//
// It is a leaf package: it knows nothing of JSON-LD. contexts turns a JSON-LD
// document into quads and hands them here; the W3C RDFC-1.0 test suite and a
// differential test against json-gold's URDNA2015 keep the two in step.
// Canonicalize returns the canonical document, CanonicalizeTo writes it
// (to a hash, say) and CanonicalizeQuads also returns its statements as
// terms. A run's working memory is pooled and reused by later runs.
//
// Caveats: the input is treated as a set (duplicate quads are dropped, as
// RDFC-1.0 requires); IRIs are written with the characters the reference
// JavaScript implementation escapes (controls, space, <>"{}|^`\) as \uXXXX;
// the work spent on blank nodes that look alike is bounded (Options), so a
// "poison" dataset fails with ErrWorkLimit instead of running for hours, and
// a caller can cap the hash computations (Options.MaxHashCalls, counted in
// Options.HashCalls) and cancel a run through its context.
package rdfc
