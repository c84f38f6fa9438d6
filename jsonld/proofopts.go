package jsonld

import (
	"fmt"
	"io"
	"strings"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/rdfc"
)

// This file is Canonicalize's shortcut for the one document every Data
// Integrity signature and verification canonicalizes besides the
// credential: the proof options (a DataIntegrityProof without its
// proofValue, with the credential's @context). In their common shape,
// every context a bundled one after the VC 2.0 context, every key one of
// the DataIntegrityProof terms with a string value, the statements are
// known in advance: one blank node (so _:c14n0, whatever its hash) and one
// statement per key, in an order fixed by the predicates. They are written
// directly, with the work counted as the fast path would count it.
// Anything else, and any input the checks would refuse, is left to the
// fast path, which decides as it always has; TestFastPathMatchesDefault,
// TestProofOptionsShortcut and FuzzProofOptions hold the output equal to
// the default path's.

// proofOptionsContexts are the contexts that may follow the VC 2.0 context
// in proof options written directly: none of them defines a term the
// options use (the VC 2.0 context protects DataIntegrityProof, type and
// the DataIntegrityProof scoped terms), nor did, urn, http or https, the
// schemes of the IRIs written directly. Some lists of them are no valid
// context (two OB 3.0 versions redefine each other's protected terms):
// a list is written directly only once it has been processed without
// error, as the fast path processes it.
var proofOptionsContexts = [...]string{
	contexts.OBv3p0, contexts.OBv3p0_3_0_2, contexts.OBv3p0_3_0_1,
	contexts.OBv3p0Unversioned, contexts.OBv3p0UnversionedAlias,
	contexts.OBExtensions, contexts.CLRv2p0, contexts.CLRv2p0Unversioned,
}

// proofOption is one key of the proof options written directly: its
// predicate, and how its string value becomes the object.
type proofOption struct {
	key, predicate string
	// kind: 'l' a plain literal, 't' a literal of datatype, 'i' an IRI,
	// 'p' a proof purpose, 'y' the type (DataIntegrityProof only).
	kind     byte
	datatype string
}

const secNS = "https://w3id.org/security#"

// proofOptionKeys are in the order of their statements in the canonical
// form: every statement has subject _:c14n0 and a predicate of its own,
// so the predicates alone order them.
var proofOptionKeys = [...]proofOption{
	{key: "created", predicate: "http://purl.org/dc/terms/created", kind: 't', datatype: xsdDateTime},
	{key: "type", predicate: rdfType, kind: 'y'},
	{key: "challenge", predicate: secNS + "challenge", kind: 'l'},
	{key: "cryptosuite", predicate: secNS + "cryptosuite", kind: 't', datatype: secNS + "cryptosuiteString"},
	{key: "domain", predicate: secNS + "domain", kind: 'l'},
	{key: "expires", predicate: secNS + "expiration", kind: 't', datatype: xsdDateTime},
	{key: "nonce", predicate: secNS + "nonce", kind: 'l'},
	{key: "previousProof", predicate: secNS + "previousProof", kind: 'i'},
	{key: "proofPurpose", predicate: secNS + "proofPurpose", kind: 'p'},
	{key: "verificationMethod", predicate: secNS + "verificationMethod", kind: 'i'},
}

const xsdDateTime = "http://www.w3.org/2001/XMLSchema#dateTime"

// proofPurposeIRI is what a proofPurpose value expands to in the
// DataIntegrityProof term's scoped context, "" for any other value.
func proofPurposeIRI(v string) string {
	switch v {
	case "assertionMethod":
		return secNS + "assertionMethod"
	case "authentication":
		return secNS + "authenticationMethod"
	case "capabilityDelegation":
		return secNS + "capabilityDelegationMethod"
	case "capabilityInvocation":
		return secNS + "capabilityInvocationMethod"
	case "keyAgreement":
		return secNS + "keyAgreementMethod"
	}
	return ""
}

// directIRI reports whether v is an IRI the options may name directly: an
// absolute IRI of a scheme no allowed context defines as a term (so it is
// no compact IRI), that safe mode accepts as it is.
func directIRI(v string) bool {
	for _, scheme := range [...]string{"did:", "urn:", "https://", "http://"} {
		if strings.HasPrefix(v, scheme) {
			return checkIRI(v) == nil
		}
	}
	return false
}

// proofOptionsTerm is the bundled context VC 2.0, the first of the options'
// @context.
const proofOptionsTerm = contexts.CredentialsV2

// canonicalizeProofOptions writes doc's canonical form when doc is proof
// options in the common shape (see the top of the file); done is false,
// with nothing counted, for anything else.
func (l *Loader) canonicalizeProofOptions(doc any, b *budget, w io.Writer, qs *canonQuads) (_ []byte, done bool, _ error) {
	m, ok := doc.(map[string]any)
	if !ok || len(m) < 2 || len(m) > len(proofOptionKeys)+1 {
		return nil, false, nil
	}
	if t, _ := m["type"].(string); t != "DataIntegrityProof" {
		return nil, false, nil
	}
	nctx, ok := l.proofOptionsContext(m["@context"])
	if !ok {
		return nil, false, nil
	}
	// The bounds the other paths would check: the @context array's
	// length, the depth of the object and its values, the statements and
	// the hash of the one blank node. Near any of them, they decide.
	if nctx > b.lim.MaxValuesPerProperty || b.lim.MaxDepth < 3 || b.lim.MaxHashCalls < 1 || b.work.Quads+len(m) > b.lim.MaxQuads {
		return nil, false, nil
	}
	var objects [len(proofOptionKeys)]rdfc.Term
	n := 0
	for i := range proofOptionKeys {
		o := &proofOptionKeys[i]
		raw, present := m[o.key]
		if !present {
			continue
		}
		v, ok := raw.(string)
		if !ok {
			return nil, false, nil
		}
		var obj rdfc.Term
		switch o.kind {
		case 'l', 't':
			if checkLiteral(v) != nil {
				return nil, false, nil
			}
			dt := o.datatype
			if dt == "" {
				dt = xsdString
			}
			obj = rdfc.NewLiteral(v, dt, "")
		case 'i':
			if !directIRI(v) {
				return nil, false, nil
			}
			obj = rdfc.NewIRI(v)
		case 'p':
			iri := proofPurposeIRI(v)
			if iri == "" {
				return nil, false, nil
			}
			obj = rdfc.NewIRI(iri)
		case 'y':
			obj = rdfc.NewIRI(secNS + "DataIntegrityProof")
		}
		objects[i] = obj
		n++
	}
	if n != len(m)-1 {
		// A key the options do not know (or an "id", which makes the
		// subject no blank node).
		return nil, false, nil
	}

	// The work the fast path counts: a statement per key, one hash for
	// the lone blank node.
	for range n {
		if err := b.quad(); err != nil {
			return nil, true, err
		}
	}
	b.work.HashCalls++
	l.processed.fast.Add(1)

	subject := rdfc.NewBlankNode("c14n0")
	// Sized for the statements (escapes aside), so it is made once.
	size := 0
	for i := range proofOptionKeys {
		if o := objects[i]; o.Kind != rdfc.DefaultGraph {
			size += len("_:c14n0 <> <> ^^<> .\n") + len(proofOptionKeys[i].predicate) + len(o.Value) + len(o.Datatype)
		}
	}
	out := make([]byte, 0, size)
	if qs != nil {
		qs.quads, qs.set = make([]rdfc.Quad, 0, n), true
	}
	for i := range proofOptionKeys {
		obj := objects[i]
		if obj.Kind == rdfc.DefaultGraph {
			continue
		}
		q := rdfc.Quad{Subject: subject, Predicate: rdfc.NewIRI(proofOptionKeys[i].predicate), Object: obj}
		out = rdfc.AppendQuad(out, q)
		if qs != nil {
			if obj.Datatype == xsdString {
				q.Object.Datatype = ""
			}
			qs.quads = append(qs.quads, q)
		}
	}
	if w != nil {
		if _, err := w.Write(out); err != nil {
			return nil, true, fmt.Errorf("writing canonical n-quads: %w", err)
		}
		return nil, true, nil
	}
	return out, true, nil
}

// proofOptionsContext reports whether the @context value c is the VC 2.0
// context alone or followed by contexts of proofOptionsContexts, each the
// bundled document at its URL; n is the number of entries.
func (l *Loader) proofOptionsContext(c any) (n int, ok bool) {
	switch t := c.(type) {
	case string:
		return 1, t == proofOptionsTerm && l.servesBundled(t)
	case []any:
		if len(t) == 0 || t[0] != proofOptionsTerm || !l.servesBundled(proofOptionsTerm) {
			return 0, false
		}
		for _, e := range t[1:] {
			u, _ := e.(string)
			known := false
			for _, k := range proofOptionsContexts {
				if u == k {
					known = true
					break
				}
			}
			if !known || !l.servesBundled(u) {
				return 0, false
			}
		}
		urls, ok := l.bundledURLs(t)
		if !ok {
			return 0, false
		}
		// The fast path's processing of the list at the top of a
		// document, from the same cache.
		if _, err := l.derive(l.processed.expand.rootCtx().revert(), nil, deriveEmbedded, urls, t); err != nil {
			return 0, false
		}
		return len(t), true
	}
	return 0, false
}

// servesBundled reports whether l serves the bundled context document at
// url, not one put there with With.
func (l *Loader) servesBundled(url string) bool {
	b, err := bundled()
	if err != nil {
		return false
	}
	if l == b {
		return true
	}
	mine, err1 := l.LoadDocument(url)
	theirs, err2 := b.LoadDocument(url)
	return err1 == nil && err2 == nil && mine == theirs
}
