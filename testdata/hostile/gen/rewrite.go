package gen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"

	"github.com/badgesmith/badgesmith/jsonld"
)

// IRI prefixes of the vocabularies the rewrites spell out.
const (
	credIRI   = "https://www.w3.org/2018/credentials#"
	schemaIRI = "https://schema.org/"
	xsdDate   = "http://www.w3.org/2001/XMLSchema#dateTime"
)

// fullIRIs maps the compacted terms a rewrite may spell as full IRIs to the
// IRI the bundled contexts (VC 1.1, VC 2.0 and OB 3.0) give them, and
// whether the term coerces its values to IRIs ("@id") or dates.
var fullIRIs = map[string]struct {
	iri    string
	coerce string
}{
	"validFrom":         {credIRI + "validFrom", xsdDate},
	"validUntil":        {credIRI + "validUntil", xsdDate},
	"issuanceDate":      {credIRI + "issuanceDate", xsdDate},
	"expirationDate":    {credIRI + "expirationDate", xsdDate},
	"credentialStatus":  {credIRI + "credentialStatus", "@id"},
	"credentialSubject": {credIRI + "credentialSubject", "@id"},
	"issuer":            {credIRI + "issuer", "@id"},
	"name":              {schemaIRI + "name", ""},
	"description":       {schemaIRI + "description", ""},
}

// dateTerms are the terms whose values the contexts type as xsd:dateTime.
var dateTerms = []string{"validFrom", "validUntil", "issuanceDate", "expirationDate"}

// Op is one JSON-LD-preserving rewrite of a node object: the document's
// RDF graph, and so any Data Integrity signature over it, is unchanged, but
// a reader of the raw JSON keys no longer finds the value where it looks.
type Op int

// Rewrites. Each applies to one key of one node object.
const (
	// OpFullIRI writes the key as its full IRI; a date becomes a value object
	// with @type xsd:dateTime and an IRI-valued string becomes {"@id": ...}.
	OpFullIRI Op = iota
	// OpValueObject writes a date as {"@value": ..., "@type": xsd:dateTime}
	// under its own term.
	OpValueObject
	// OpNest moves the key under "@nest".
	OpNest
	// OpNestArray moves the key under "@nest" given as a one-element array.
	OpNestArray
	// OpArray wraps a single value in a one-element array.
	OpArray
	// OpSingle unwraps a one-element array (never a @list or @context).
	OpSingle
	// OpKeyword writes "type" as "@type" and "id" as "@id", which the VC
	// contexts alias.
	OpKeyword
	numOps
)

var opNames = []string{"full-iri", "value-object", "nest", "nest-array", "array", "single", "keyword"}

func (o Op) String() string {
	if o >= 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return "op" + strconv.Itoa(int(o))
}

// Ops returns every rewrite.
func Ops() []Op {
	out := make([]Op, numOps)
	for i := range out {
		out[i] = Op(i)
	}
	return out
}

// Apply rewrites key of node with op and reports whether it changed
// anything (false when op does not apply to that key or value).
func Apply(node map[string]any, key string, op Op) bool {
	v, ok := node[key]
	if !ok || key == "@context" || key == "proof" || key == "@nest" {
		return false
	}
	switch op {
	case OpFullIRI:
		def, ok := fullIRIs[key]
		if !ok {
			return false
		}
		if _, taken := node[def.iri]; taken {
			return false
		}
		nv, ok := expandValue(v, def.coerce)
		if !ok {
			return false
		}
		delete(node, key)
		node[def.iri] = nv
	case OpValueObject:
		if !slices.Contains(dateTerms, key) {
			return false
		}
		nv, ok := expandValue(v, xsdDate)
		if !ok {
			return false
		}
		node[key] = nv
	case OpNest, OpNestArray:
		// A node's type selects its type-scoped context and its id names
		// it: neither may move into a nest.
		if key == "type" || key == "id" {
			return false
		}
		nest := map[string]any{}
		switch cur := node["@nest"].(type) {
		case nil:
		case map[string]any:
			nest = cur
		case []any:
			if len(cur) != 1 {
				return false
			}
			m, ok := cur[0].(map[string]any)
			if !ok {
				return false
			}
			nest = m
		default:
			return false
		}
		if _, taken := nest[key]; taken {
			return false
		}
		delete(node, key)
		nest[key] = v
		if op == OpNestArray {
			node["@nest"] = []any{nest}
		} else {
			node["@nest"] = nest
		}
	case OpArray:
		if _, isList := v.([]any); isList {
			return false
		}
		if m, ok := v.(map[string]any); ok && (m["@list"] != nil || m["@set"] != nil) {
			return false
		}
		if key == "id" || key == "@id" {
			return false
		}
		node[key] = []any{v}
	case OpSingle:
		list, ok := v.([]any)
		if !ok || len(list) != 1 {
			return false
		}
		if _, nested := list[0].([]any); nested {
			return false
		}
		node[key] = list[0]
	case OpKeyword:
		var kw string
		switch key {
		case "type":
			kw = "@type"
		case "id":
			kw = "@id"
		default:
			return false
		}
		if _, taken := node[kw]; taken {
			return false
		}
		delete(node, key)
		node[kw] = v
	default:
		return false
	}
	return true
}

// expandValue writes v (a string, an object, or an array of them) the way
// the term's coercion would have read it.
func expandValue(v any, coerce string) (any, bool) {
	if list, ok := v.([]any); ok {
		out := make([]any, len(list))
		for i, x := range list {
			nx, ok := expandValue(x, coerce)
			if !ok {
				return nil, false
			}
			out[i] = nx
		}
		return out, true
	}
	switch coerce {
	case xsdDate:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		return map[string]any{"@value": s, "@type": xsdDate}, true
	case "@id":
		switch t := v.(type) {
		case string:
			return map[string]any{"@id": t}, true
		case map[string]any:
			return t, true
		}
		return nil, false
	default:
		if _, ok := v.(string); !ok {
			return nil, false
		}
		return v, true
	}
}

// Step is one rewrite chosen by a fuzz input or a corpus case: Target names
// the node ("" the credential, "credentialStatus", "credentialSubject",
// "issuer"), Key the property, Op the rewrite.
type Step struct {
	Target string
	Key    string
	Op     Op
}

// Targets are the nodes a Step may address.
var Targets = []string{"", "credentialStatus", "credentialSubject", "issuer"}

// Keys are the properties a Step may address, in every target.
var Keys = []string{"validFrom", "validUntil", "issuanceDate", "expirationDate", "credentialStatus",
	"credentialSubject", "issuer", "name", "description", "type", "id", "statusPurpose", "statusListIndex",
	"statusListCredential"}

// node finds the node a step addresses, wherever earlier steps moved it.
func node(doc map[string]any, target string) map[string]any {
	if target == "" {
		return doc
	}
	v := lookup(doc, target)
	switch t := v.(type) {
	case map[string]any:
		return t
	case []any:
		if len(t) > 0 {
			m, _ := t[0].(map[string]any)
			return m
		}
	}
	return nil
}

// lookup finds key in doc under its term, its full IRI or @nest.
func lookup(doc map[string]any, key string) any {
	if v, ok := doc[key]; ok {
		return v
	}
	if def, ok := fullIRIs[key]; ok {
		if v, ok := doc[def.iri]; ok {
			return v
		}
	}
	switch n := doc["@nest"].(type) {
	case map[string]any:
		return lookup(n, key)
	case []any:
		for _, x := range n {
			if m, ok := x.(map[string]any); ok {
				if v := lookup(m, key); v != nil {
					return v
				}
			}
		}
	}
	return nil
}

// ApplySteps applies steps to doc in order and returns those that changed
// something.
func ApplySteps(doc map[string]any, steps []Step) []Step {
	var done []Step
	for _, s := range steps {
		n := node(doc, s.Target)
		if n == nil {
			continue
		}
		if Apply(n, s.Key, s.Op) {
			done = append(done, s)
		}
	}
	return done
}

// StepsFromBytes decodes fuzz input into steps: three bytes a step.
func StepsFromBytes(b []byte) []Step {
	var out []Step
	for i := 0; i+2 < len(b) && len(out) < 16; i += 3 {
		out = append(out, Step{
			Target: Targets[int(b[i])%len(Targets)],
			Key:    Keys[int(b[i+1])%len(Keys)],
			Op:     Op(int(b[i+2]) % int(numOps)),
		})
	}
	return out
}

// Canonical returns the RDFC-1.0 N-Quads of doc with the bundled contexts.
func Canonical(doc map[string]any) ([]byte, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var plain any
	if err := json.Unmarshal(b, &plain); err != nil {
		return nil, err
	}
	return jsonld.Canonicalize(context.Background(), plain, jsonld.CanonOptions{})
}

// SameGraph reports whether a and b, without their proofs, canonicalize to
// the same N-Quads (an error canonicalizing either is reported).
func SameGraph(a, b map[string]any) (bool, error) {
	ca, err := Canonical(withoutProof(a))
	if err != nil {
		return false, fmt.Errorf("canonicalizing the original: %w", err)
	}
	cb, err := Canonical(withoutProof(b))
	if err != nil {
		return false, fmt.Errorf("canonicalizing the rewrite: %w", err)
	}
	return bytes.Equal(ca, cb), nil
}

func withoutProof(d map[string]any) map[string]any {
	out := make(map[string]any, len(d))
	for k, v := range d {
		if k != "proof" {
			out[k] = v
		}
	}
	return out
}

// EncodeShuffled encodes v as JSON with every object's keys in an order
// drawn from r (sorted when r is nil): key order is another way to write
// the same graph.
func EncodeShuffled(v any, r *rand.Rand) []byte {
	var b bytes.Buffer
	encodeOrdered(&b, v, r)
	return b.Bytes()
}

func encodeOrdered(b *bytes.Buffer, v any, r *rand.Rand) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if r != nil {
			r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		}
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			encodeOrdered(b, t[k], r)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			encodeOrdered(b, x, r)
		}
		b.WriteByte(']')
	default:
		vb, _ := json.Marshal(t)
		b.Write(vb)
	}
}

// Clone deep-copies a decoded JSON value.
func Clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}
