package bake

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

const svgNamespace = "http://www.w3.org/2000/svg"

// svgCredential locates one credential element.
type svgCredential struct {
	start, end int // byte range of the whole element
	text       []byte
	verify     string
}

// svgScan is what one pass over an SVG document finds.
type svgScan struct {
	rootStart, rootEnd int    // byte range of the root start tag
	rootName           string // the root's qualified name as written
	selfClosing        bool
	// prefixNS is the namespace the root binds to the openbadges prefix,
	// if hasPrefix.
	prefixNS  string
	hasPrefix bool
	// unboundPrefix is set when an element uses the openbadges prefix
	// without any declaration: binding it on the root would turn such an
	// element into a credential element.
	unboundPrefix bool
	creds         []svgCredential
	// lookalike is the offset of the first element written
	// <openbadges:credential> in another namespace, -1 if none.
	lookalike int
}

func isCredentialName(n xml.Name) bool {
	return n.Local == "credential" && (n.Space == NamespaceOB || n.Space == NamespaceCLR)
}

// scanSVG reads svg with encoding/xml, which expands only the five
// predefined entities and never fetches anything. A DOCTYPE with an internal
// subset is refused before any entity in it could matter. It reads the
// whole document, so it finds every credential element; with extracting
// set it stops after the first one when the rest of the document cannot
// hold another (the word "credential" does not occur in it: XML names are
// literal, never made by entities).
func (l Limits) scanSVG(svg []byte, extracting bool) (*svgScan, error) {
	if err := l.checkImage("svg", svg); err != nil {
		return nil, err
	}
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	s := &svgScan{rootStart: -1, lookalike: -1}
	var (
		depth    int
		rootDone bool
		cur      *svgCredential
		curDepth int
	)
	for {
		start := int(d.InputOffset())
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: svg at byte %d: %w", ErrMalformedImage, start, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(t, []byte("ENTITY")) || bytes.IndexByte(t, '[') >= 0 {
				return nil, fmt.Errorf("%w: svg at byte %d: a DOCTYPE with an internal subset or entity declarations is not accepted", ErrMalformedImage, start)
			}
		case xml.StartElement:
			if t.Name.Space == "openbadges" {
				s.unboundPrefix = true
			}
			switch {
			case depth == 0 && rootDone:
				return nil, fmt.Errorf("%w: svg at byte %d: a second root element <%s>", ErrMalformedImage, start, t.Name.Local)
			case depth == 0:
				if t.Name.Local != "svg" || (t.Name.Space != svgNamespace && t.Name.Space != "") {
					return nil, fmt.Errorf("%w: root element is <%s> in namespace %q, not an svg element", ErrMalformedImage, t.Name.Local, t.Name.Space)
				}
				s.rootStart, s.rootEnd = start, int(d.InputOffset())
				s.selfClosing = bytes.HasSuffix(svg[:s.rootEnd], []byte("/>"))
				s.rootName = rawName(svg[start:])
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" && a.Name.Local == "openbadges" {
						s.hasPrefix, s.prefixNS = true, a.Value
					}
				}
			case !isCredentialName(t.Name) && t.Name.Local == "credential" && rawName(svg[start:]) == "openbadges:credential":
				// Written as a credential element, but in another
				// namespace: a reader that goes by the name as written
				// reads it.
				if s.lookalike < 0 {
					s.lookalike = start
				}
			case cur != nil && isCredentialName(t.Name):
				// A credential element inside another: a reader taking
				// the last element, or the text of every descendant,
				// would read another credential than this one.
				return nil, fmt.Errorf("svg credential elements at bytes %d and %d: %w", cur.start, start, ErrDuplicateCredential)
			case isCredentialName(t.Name):
				cur = &svgCredential{start: start}
				curDepth = depth
				for _, a := range t.Attr {
					if a.Name.Local == "verify" && (a.Name.Space == "" || a.Name.Space == t.Name.Space) {
						cur.verify = strings.TrimSpace(a.Value)
					}
				}
			}
			depth++
		case xml.EndElement:
			depth--
			if cur != nil && depth == curDepth {
				cur.end = int(d.InputOffset())
				s.creds = append(s.creds, *cur)
				cur = nil
				if extracting && len(s.creds) == 1 && !bytes.Contains(svg[d.InputOffset():], []byte("credential")) {
					return s, nil
				}
			}
			if depth == 0 {
				rootDone = true
			}
		case xml.CharData:
			switch {
			case cur != nil && depth == curDepth+1:
				if err := l.checkCredential(len(cur.text) + len(t)); err != nil {
					return nil, fmt.Errorf("svg credential element at byte %d: %w", cur.start, err)
				}
				cur.text = append(cur.text, t...)
			case depth == 0 && len(bytes.Trim(t, " \t\r\n\ufeff")) > 0:
				return nil, fmt.Errorf("%w: svg at byte %d: text outside the root element", ErrMalformedImage, start)
			}
		}
	}
	if s.rootStart < 0 {
		return nil, fmt.Errorf("%w: svg has no root element", ErrMalformedImage)
	}
	if !rootDone {
		return nil, fmt.Errorf("%w: svg root element is not closed (truncated?)", ErrMalformedImage)
	}
	return s, nil
}

// rawName returns the qualified name of the start tag at the beginning of b.
func rawName(b []byte) string {
	b = b[1:]
	i := bytes.IndexAny(b, " \t\r\n/>")
	if i < 0 {
		i = len(b)
	}
	return string(b[:i])
}

// ExtractSVG returns the credential in the credential element of svg in
// the Open Badges 3.0 (or CLR 2.0) namespace: its text content (a JSON
// credential, usually in CDATA) or, when that is empty, its verify attribute
// (a compact JWS). It returns ErrNotBaked when there is no such element and
// ErrDuplicateCredential when there is more than one.
func (l Limits) ExtractSVG(svg []byte) ([]byte, error) {
	s, err := l.scanSVG(svg, true)
	if err != nil {
		return nil, err
	}
	switch len(s.creds) {
	case 0:
		return nil, ErrNotBaked
	case 1:
	default:
		return nil, fmt.Errorf("svg credential elements at bytes %d and %d: %w", s.creds[0].start, s.creds[1].start, ErrDuplicateCredential)
	}
	c := s.creds[0]
	if s.lookalike >= 0 {
		return nil, fmt.Errorf("svg credential element at byte %d and an <openbadges:credential> of another namespace at byte %d: %w", c.start, s.lookalike, ErrDuplicateCredential)
	}
	if t := bytes.TrimSpace(c.text); len(t) > 0 {
		if c.verify != "" {
			// Two credentials in one element: readers differ on which
			// comes first.
			return nil, fmt.Errorf("svg credential element at byte %d has both text and a verify attribute: %w", c.start, ErrDuplicateCredential)
		}
		return t, nil
	}
	if c.verify != "" {
		if err := l.checkCredential(len(c.verify)); err != nil {
			return nil, fmt.Errorf("svg credential element at byte %d: verify attribute: %w", c.start, err)
		}
		return []byte(c.verify), nil
	}
	return nil, fmt.Errorf("%w: svg credential element at byte %d is empty", ErrMalformedImage, c.start)
}

// SVG returns a copy of svg with cred baked in: the root element binds
// xmlns:openbadges to NamespaceOB and its first child becomes an
// <openbadges:credential> element, holding a JSON credential in CDATA or a
// compact JWS in the verify attribute. Existing credential elements are
// removed, so baking again replaces the credential. The rest of the
// document is kept byte for byte.
func (l Limits) SVG(svg, cred []byte) ([]byte, error) {
	text, f, err := l.credential(cred)
	if err != nil {
		return nil, err
	}
	if f == FormatJSON {
		if r, ok := firstNonXMLChar(text); !ok {
			return nil, fmt.Errorf("%w: json credential holds %U, which xml cannot carry", ErrInvalidCredential, r)
		}
	}
	s, err := l.scanSVG(svg, false)
	if err != nil {
		return nil, err
	}
	if s.hasPrefix && s.prefixNS != NamespaceOB {
		return nil, fmt.Errorf("%w: the root svg element binds the prefix openbadges to %q, not %s", ErrMalformedImage, s.prefixNS, NamespaceOB)
	}
	if !s.hasPrefix && s.unboundPrefix {
		return nil, fmt.Errorf("%w: the svg uses the prefix openbadges without declaring it; binding it would add credential elements", ErrMalformedImage)
	}
	elem := credentialElement(text, f)
	out := make([]byte, 0, len(svg)+len(elem)+len(NamespaceOB)+len(s.rootName)+32)
	nameEnd := s.rootStart + 1 + len(s.rootName)
	out = append(out, svg[:nameEnd]...)
	if !s.hasPrefix {
		out = append(out, ` xmlns:openbadges="`+NamespaceOB+`"`...)
	}
	if s.selfClosing {
		out = append(out, svg[nameEnd:s.rootEnd-2]...)
		out = append(out, '>')
		out = append(out, elem...)
		out = append(out, "</"+s.rootName+">"...)
		return append(out, svg[s.rootEnd:]...), nil
	}
	out = append(out, svg[nameEnd:s.rootEnd]...)
	out = append(out, elem...)
	pos := s.rootEnd
	for _, c := range s.creds {
		out = append(out, svg[pos:c.start]...)
		pos = c.end
	}
	return append(out, svg[pos:]...), nil
}

// credentialElement writes the credential element for text of format f.
func credentialElement(text []byte, f Format) []byte {
	var b bytes.Buffer
	if f == FormatJWS {
		// A compact JWS is base64url and dots only: nothing to escape.
		b.WriteString(`<openbadges:credential verify="`)
		b.Write(text)
		b.WriteString(`"></openbadges:credential>`)
		return b.Bytes()
	}
	b.WriteString("<openbadges:credential><![CDATA[")
	// "]]>" would end the section early; end it between "]]" and ">" and
	// open a new one, which readers join back into the same text.
	b.Write(bytes.ReplaceAll(text, []byte("]]>"), []byte("]]]]><![CDATA[>")))
	b.WriteString("]]></openbadges:credential>")
	return b.Bytes()
}

// firstNonXMLChar reports the first rune of b outside the XML 1.0 Char
// production, or ok when there is none. b is valid UTF-8.
func firstNonXMLChar(b []byte) (rune, bool) {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20, r == 0xFFFE, r == 0xFFFF:
			return r, false
		}
	}
	return 0, true
}
