package rdfc

import "strings"

// Kind says what an RDF term is.
type Kind uint8

// Term kinds. The zero Kind is the default graph, so a Quad whose Graph is
// the zero Term is in the default graph.
const (
	DefaultGraph Kind = iota
	IRI
	BlankNode
	Literal
)

// Well-known datatype IRIs.
const (
	XSDString     = "http://www.w3.org/2001/XMLSchema#string"
	RDFLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
)

// Term is an RDF term. For IRI, Value is the IRI; for BlankNode, Value is
// the label without "_:"; for Literal, Value is the lexical form, Datatype
// the datatype IRI (empty means xsd:string, or rdf:langString when Language
// is set) and Language the language tag.
type Term struct {
	Kind     Kind
	Value    string
	Datatype string
	Language string
}

// Quad is an RDF quad; Graph is the zero Term for the default graph.
type Quad struct {
	Subject, Predicate, Object, Graph Term
}

// NewIRI returns an IRI term.
func NewIRI(iri string) Term { return Term{Kind: IRI, Value: iri} }

// NewBlankNode returns a blank node term; label has no "_:" prefix.
func NewBlankNode(label string) Term { return Term{Kind: BlankNode, Value: label} }

// NewLiteral returns a literal term. An empty datatype means xsd:string
// (rdf:langString when lang is not empty).
func NewLiteral(value, datatype, lang string) Term {
	return Term{Kind: Literal, Value: value, Datatype: datatype, Language: lang}
}

// isNormal reports whether normalize would return t unchanged.
func (t Term) isNormal() bool {
	if t.Kind != Literal {
		return t.Datatype == "" && t.Language == ""
	}
	if t.Language != "" {
		return t.Datatype == RDFLangString
	}
	return t.Datatype != ""
}

// normalize gives literals one spelling of their datatype, so that equal
// terms compare equal.
func (t Term) normalize() Term {
	if t.Kind != Literal {
		return Term{Kind: t.Kind, Value: t.Value}
	}
	switch {
	case t.Language != "":
		t.Datatype = RDFLangString
	case t.Datatype == "":
		t.Datatype = XSDString
	}
	return t
}

const hexUpper = "0123456789ABCDEF"

// appendIRI writes <iri>, escaping what the reference implementation
// escapes; a valid IRI contains none of these characters.
func appendIRI(b []byte, iri string) []byte {
	b = append(b, '<')
	// Most IRIs need no escape: one scan finds out, one append copies.
	i := 0
	for i < len(iri) && iriPlain[iri[i]] {
		i++
	}
	if i == len(iri) {
		b = append(b, iri...)
		return append(b, '>')
	}
	start := 0
	for ; i < len(iri); i++ {
		c := iri[i]
		if iriPlain[c] {
			continue
		}
		b = append(b, iri[start:i]...)
		start = i + 1
		b = append(b, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&0xf])
	}
	b = append(b, iri[start:]...)
	return append(b, '>')
}

// iriPlain marks the bytes appendIRI writes as they are: all but the
// controls, space and <>"{}|^`\ (written as UCHAR).
var iriPlain = func() (t [256]bool) {
	for c := 0x21; c < 256; c++ {
		t[c] = strings.IndexByte(`<>"{}|^`+"`"+`\\`, byte(c)) < 0
	}
	return t
}()

// appendString writes a literal's lexical form in quotes with the escapes
// RDFC-1.0 prescribes for canonical N-Quads: ECHAR for \b \t \n \f \r \" \\,
// UCHAR (upper-case hex) for the other controls and U+007F, nothing else.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	i := 0
	for i < len(s) && stringPlain[s[i]] {
		i++
	}
	if i == len(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	start := 0
	for ; i < len(s); i++ {
		c := s[i]
		if stringPlain[c] {
			continue
		}
		b = append(b, s[start:i]...)
		start = i + 1
		switch c {
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		default:
			b = append(b, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&0xf])
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// stringPlain marks the bytes appendString writes as they are: all but
// the controls, U+007F, '"' and '\\'.
var stringPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\' && c != 0x7f
	}
	return t
}()

// appendTerm writes t in canonical N-Quads form; label, when not nil,
// replaces blank node labels.
func appendTerm(b []byte, t Term, label func(string) string) []byte {
	switch t.Kind {
	case IRI:
		return appendIRI(b, t.Value)
	case BlankNode:
		b = append(b, '_', ':')
		if label != nil {
			return append(b, label(t.Value)...)
		}
		return append(b, t.Value...)
	case Literal:
		b = appendString(b, t.Value)
		switch {
		case t.Language != "":
			b = append(b, '@')
			b = append(b, t.Language...)
		case t.Datatype != "" && t.Datatype != XSDString:
			b = append(b, '^', '^')
			b = appendIRI(b, t.Datatype)
		}
	}
	return b
}

// AppendQuad appends q as one canonical N-Quads line (ending in "\n").
func AppendQuad(b []byte, q Quad) []byte {
	return appendQuad(b, q, nil)
}

func appendQuad(b []byte, q Quad, label func(string) string) []byte {
	b = appendTerm(b, q.Subject, label)
	b = append(b, ' ')
	b = appendTerm(b, q.Predicate, label)
	b = append(b, ' ')
	b = appendTerm(b, q.Object, label)
	if q.Graph.Kind != DefaultGraph {
		b = append(b, ' ')
		b = appendTerm(b, q.Graph, label)
	}
	return append(b, ' ', '.', '\n')
}
