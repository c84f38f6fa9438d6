package rdfc

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrSyntax is wrapped by ParseNQuads errors.
var ErrSyntax = errors.New("n-quads syntax error")

// MaxNQuadsSize bounds the input ParseNQuads accepts.
const MaxNQuadsSize = 16 << 20

// ParseNQuads parses an N-Quads document (https://www.w3.org/TR/n-quads/).
// Blank node predicates (generalized RDF) are refused.
func ParseNQuads(data []byte) ([]Quad, error) {
	if len(data) > MaxNQuadsSize {
		return nil, fmt.Errorf("%w: document of %d bytes exceeds %d", ErrSyntax, len(data), MaxNQuadsSize)
	}
	// One quad per line, as canonical N-Quads have it.
	quads := make([]Quad, 0, bytes.Count(data, []byte{'\n'})+1)
	line := 0
	// One copy of the whole text: every line and term is a substring of
	// it, so parsing stays linear in the input.
	rest := string(data)
	for len(rest) > 0 {
		line++
		// The line ends at the first '\n' or '\r' (IndexByte twice is
		// much faster than IndexAny).
		end := strings.IndexByte(rest, '\n')
		seg := rest
		if end >= 0 {
			seg = rest[:end]
		}
		if r := strings.IndexByte(seg, '\r'); r >= 0 {
			end = r
		}
		var l string
		if end < 0 {
			l, rest = rest, ""
		} else {
			l, rest = rest[:end], rest[end+1:]
		}
		p := &lineParser{s: l}
		q, ok, err := p.quad()
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrSyntax, line, err)
		}
		if ok {
			quads = append(quads, q)
		}
	}
	return quads, nil
}

type lineParser struct {
	s string
	i int
}

func (p *lineParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *lineParser) eol() bool {
	p.ws()
	return p.i >= len(p.s) || p.s[p.i] == '#'
}

func (p *lineParser) quad() (Quad, bool, error) {
	if p.eol() {
		return Quad{}, false, nil
	}
	var q Quad
	var err error
	if q.Subject, err = p.term(false); err != nil {
		return q, false, err
	}
	if q.Subject.Kind == Literal {
		return q, false, errors.New("literal subject")
	}
	p.ws()
	if q.Predicate, err = p.term(false); err != nil {
		return q, false, err
	}
	if q.Predicate.Kind != IRI {
		return q, false, errors.New("predicate must be an IRI")
	}
	p.ws()
	if q.Object, err = p.term(true); err != nil {
		return q, false, err
	}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] != '.' {
		if q.Graph, err = p.term(false); err != nil {
			return q, false, err
		}
		if q.Graph.Kind == Literal {
			return q, false, errors.New("literal graph name")
		}
		p.ws()
	}
	if p.i >= len(p.s) || p.s[p.i] != '.' {
		return q, false, errors.New("missing '.'")
	}
	p.i++
	if !p.eol() {
		return q, false, fmt.Errorf("unexpected %q after '.'", p.s[p.i:])
	}
	return q, true, nil
}

func (p *lineParser) term(literalOK bool) (Term, error) {
	if p.i >= len(p.s) {
		return Term{}, errors.New("unexpected end of line")
	}
	switch {
	case p.s[p.i] == '<':
		v, err := p.iri()
		return Term{Kind: IRI, Value: v}, err
	case strings.HasPrefix(p.s[p.i:], "_:"):
		p.i += 2
		start := p.i
		for p.i < len(p.s) && !strings.ContainsRune(" \t<\"", rune(p.s[p.i])) {
			p.i++
		}
		label := strings.TrimSuffix(p.s[start:p.i], ".")
		p.i = start + len(label)
		if label == "" || !utf8.ValidString(label) {
			return Term{}, errors.New("bad blank node label")
		}
		return Term{Kind: BlankNode, Value: label}, nil
	case p.s[p.i] == '"' && literalOK:
		v, err := p.str()
		if err != nil {
			return Term{}, err
		}
		t := Term{Kind: Literal, Value: v}
		switch {
		case strings.HasPrefix(p.s[p.i:], "^^"):
			p.i += 2
			if p.i >= len(p.s) || p.s[p.i] != '<' {
				return Term{}, errors.New("datatype must be an IRI")
			}
			if t.Datatype, err = p.iri(); err != nil {
				return Term{}, err
			}
		case p.i < len(p.s) && p.s[p.i] == '@':
			p.i++
			start := p.i
			for p.i < len(p.s) && (isAlnum(p.s[p.i]) || p.s[p.i] == '-') {
				p.i++
			}
			if p.i == start {
				return Term{}, errors.New("empty language tag")
			}
			t.Language = p.s[start:p.i]
		}
		return t, nil
	}
	return Term{}, fmt.Errorf("unexpected %q", p.s[p.i:min(len(p.s), p.i+10)])
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *lineParser) iri() (string, error) {
	p.i++ // '<'
	// Fast path: an IRI with no escape is a substring of the line.
	if n := strings.IndexByte(p.s[p.i:], '>'); n >= 0 {
		v := p.s[p.i : p.i+n]
		plain := true
		for j := 0; j < len(v); j++ {
			if iriNotPlain[v[j]] {
				plain = false
				break
			}
		}
		if plain {
			if !utf8.ValidString(v) {
				return "", errors.New("IRI is not valid utf-8")
			}
			p.i += n + 1
			return v, nil
		}
	}
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '>':
			p.i++
			v := b.String()
			if !utf8.ValidString(v) {
				return "", errors.New("IRI is not valid utf-8")
			}
			return v, nil
		case c == '\\':
			r, err := p.uchar()
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
		case c <= 0x20 || strings.IndexByte(`<"{}|^`+"`", c) >= 0:
			return "", fmt.Errorf("character %q not allowed in an IRI", c)
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", errors.New("unterminated IRI")
}

// iriNotPlain marks the bytes that end iri's fast path: what an IRIREF may
// not contain raw (controls, space, <"{}|^`) and the backslash of an
// escape. A table, because the check runs on every byte of every IRI.
var iriNotPlain = func() (t [256]bool) {
	for c := 0; c <= 0x20; c++ {
		t[c] = true
	}
	for _, c := range []byte(`<"{}|^` + "`\\") {
		t[c] = true
	}
	return t
}()

// uchar reads \uXXXX or \UXXXXXXXX at p.i.
func (p *lineParser) uchar() (rune, error) {
	if p.i+1 >= len(p.s) {
		return 0, errors.New("bad escape")
	}
	n := 0
	switch p.s[p.i+1] {
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return 0, fmt.Errorf("bad escape \\%c", p.s[p.i+1])
	}
	if p.i+2+n > len(p.s) {
		return 0, errors.New("short unicode escape")
	}
	v, err := strconv.ParseUint(p.s[p.i+2:p.i+2+n], 16, 32)
	if err != nil || v > utf8.MaxRune || (v >= 0xd800 && v <= 0xdfff) {
		return 0, fmt.Errorf("bad unicode escape %q", p.s[p.i:p.i+2+n])
	}
	p.i += 2 + n
	return rune(v), nil
}

func (p *lineParser) str() (string, error) {
	p.i++ // '"'
	// Fast path: a literal with no escape is a substring of the line.
	// (A line holds no '\r' or '\n': ParseNQuads ends lines there.)
	if n := strings.IndexByte(p.s[p.i:], '"'); n >= 0 && strings.IndexByte(p.s[p.i:p.i+n], '\\') < 0 {
		v := p.s[p.i : p.i+n]
		if !utf8.ValidString(v) {
			return "", errors.New("literal is not valid utf-8")
		}
		p.i += n + 1
		return v, nil
	}
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '"':
			p.i++
			v := b.String()
			if !utf8.ValidString(v) {
				return "", errors.New("literal is not valid utf-8")
			}
			return v, nil
		case '\\':
			if p.i+1 >= len(p.s) {
				return "", errors.New("bad escape")
			}
			esc := map[byte]byte{'t': '\t', 'b': '\b', 'n': '\n', 'r': '\r', 'f': '\f', '"': '"', '\'': '\'', '\\': '\\'}
			if e, ok := esc[p.s[p.i+1]]; ok {
				b.WriteByte(e)
				p.i += 2
				continue
			}
			r, err := p.uchar()
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", errors.New("unterminated literal")
}
