// Package jsonld reads JSON-LD documents the way Data Integrity proofs
// need them read: JSON-LD 1.1 expansion (W3C JSON-LD 1.1 Processing
// Algorithms and API, section 5.1) and the Deserialize JSON-LD to RDF
// algorithm (section 8.5, toRDF) for the subset credentials use, a safe
// mode that refuses documents whose processing would lose data, and
// Canonicalize, which returns the W3C RDF Dataset Canonicalization
// (RDFC-1.0) N-Quads of a document through package rdfc. @json literals
// are written in their RFC 8785 form through package jcs. Contexts come
// only from the injected ld.DocumentLoader, normally a *Loader over the
// bundled contexts of package contexts; nothing is fetched.
//
// Most documents never reach those steps: for a document whose contexts
// are bundled URLs, a fast path (fast.go) walks the decoded JSON once and
// emits the RDF statements directly, with the processed contexts of the
// Loader and the safe-mode checks made as each term is built; anything it
// does not cover, and any document the checks would refuse, it leaves to
// the default path below, which then decides and reports as always. A
// differential test over every JSON-LD document of the repository and the
// shared test vectors, and FuzzFastPath, hold the two paths to the same
// output, errors and work counts. Before it, the proof options of a Data
// Integrity signature in their common shape (proofopts.go: a
// DataIntegrityProof with string values, the VC 2.0 context first) are
// written out directly, one blank node and a statement per key;
// TestProofOptionsShortcut and FuzzProofOptions hold them to the same
// three. CanonicalizeTo writes the canonical form to a writer (a hash)
// instead of returning it; CanonicalizeQuads also returns the canonical
// statements as rdfc terms, as rdfc.ParseNQuads would read them.
//
// Expansion and active contexts are badgesmith's own (expand.go,
// activectx.go) for documents whose @context is a list of loader URLs,
// with every processed context, scoped ones included, cached in the
// Loader; anything outside that subset (embedded context objects, @graph,
// @list, @reverse, @nest, ...) is expanded by github.com/piprate/json-gold,
// with the document's context cached when it is a list of loader URLs.
// Differential tests hold the two expansions, and the two RDF conversions,
// equal. CanonOptions.Reference runs json-gold alone (its expansion, toRDF
// and URDNA2015) and CanonOptions.Unsafe also turns safe mode off.
//
// Where it differs from json-gold and jsonld.js: json-gold (v0.9.1) and
// the reference JavaScript stack (jsonld.js with RDFC-1.0) disagree on
// several inputs (../shared/spec/CANONICALIZATION-PITFALLS.md): json-gold
// keeps relative and space-bearing IRIs that jsonld.js drops, drops long,
// non-ASCII or badly percent-encoded IRIs that jsonld.js keeps, writes raw
// control characters and '|', '{', '}', '^' where RDFC-1.0 escapes them,
// formats xsd:float numbers differently, and writes an error text as an
// @json literal that is an array or a string. Canonicalize follows
// RDFC-1.0 and jsonld.js: where badgesmith can produce the reference form
// it does (numbers written the way jsonld.js writes them, @json literals
// in their JCS form, N-Quads escaped as RDFC-1.0 says); otherwise safe
// mode refuses the document with a *DataLossError naming the JSON path
// (errors.Is(err, ErrDataLoss)): a property or type that would be
// dropped, a term no context defines, a relative IRI, an IRI jsonld.js
// drops, a blank node graph too symmetric to canonicalize within bounds.
// json-gold compares every pair of a property's values in its node map;
// this package de-duplicates them by hash. A document that is not valid JSON-LD is refused with an error
// wrapping ErrMalformed; a context the loader does not serve wraps
// contexts.ErrNotBundled.
//
// Canonicalize bounds its work per document (CanonOptions.Limits: RDF
// statements, blank node hash calls, values per property, nesting, type
// arrays, embedded context keys, nodes left to json-gold), refusing a
// document past a bound with a *WorkError wrapping ErrTooMuchWork, counts
// it (CanonOptions.Work), and stops once its context is done. Every step
// is linear or n log n in the document's size.
//
// Caveats: only expansion and toRDF are implemented (no compaction,
// framing or fromRDF), in JSON-LD 1.1 processing mode; anything the own
// expander does not cover costs a json-gold expansion, not an error.
package jsonld
