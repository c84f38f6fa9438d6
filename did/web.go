package did

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// This file is the did:web syntax: parsing and formatting a did:web DID
// and mapping it to the URL of its document. Fetching the document is
// WebResolver's (webresolver.go).

// ErrIPHost reports a did:web DID whose host is an IP address, which the
// did:web method forbids (the TLS certificate must name the domain).
var ErrIPHost = errors.New("did:web host is an IP address")

// WebError reports a did:web DID that ParseWeb refuses. It wraps
// ErrInvalidDID, plus ErrIPHost for an IP-literal host.
type WebError struct {
	// DID is the text that was parsed.
	DID string
	// Field names the part at fault: "did", "host", "port" or "path".
	Field string
	// Reason says what is wrong with it.
	Reason string
	// Err is ErrInvalidDID or ErrIPHost.
	Err error
}

func (e *WebError) Error() string {
	return fmt.Sprintf("did:web %s: %s: %s", quote(e.DID), e.Field, e.Reason)
}

// Unwrap returns ErrInvalidDID, and ErrIPHost when that is the cause.
func (e *WebError) Unwrap() []error {
	if e.Err == nil || errors.Is(e.Err, ErrInvalidDID) {
		return []error{ErrInvalidDID}
	}
	return []error{e.Err, ErrInvalidDID}
}

const (
	webPrefix   = "did:web:"
	maxHostLen  = 253
	maxLabelLen = 63
	portSep     = "%3a" // compared case-insensitively
	wellKnown   = "/.well-known"
	didJSON     = "/did.json"
)

// Web is a parsed did:web DID (W3C CCG "did:web Method Specification").
type Web struct {
	// DID is the DID as given.
	DID string
	// Host is the domain name, without the port.
	Host string
	// Port is the TCP port, or 0 for the https default.
	Port int
	// Path holds the percent-decoded path segments; empty for a DID whose
	// document lives under /.well-known.
	Path []string
	// URL is where the DID document is served:
	// https://host[:port]/seg.../did.json or
	// https://host[:port]/.well-known/did.json.
	URL string
}

// Domain returns the DID's host, port and path in the form
// host[:port][/seg...] that FormatWeb takes.
func (w *Web) Domain() string {
	var b strings.Builder
	b.WriteString(w.Host)
	if w.Port != 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(w.Port))
	}
	for _, s := range w.Path {
		b.WriteByte('/')
		b.WriteString(s)
	}
	return b.String()
}

// ParseWeb parses a did:web DID (no path, query or fragment) and maps it to
// the URL of its document: ':' separates path segments, the port's colon is
// percent-encoded (%3A), and a DID without a path is served from
// /.well-known. It refuses IP-literal hosts, empty, "." and ".." segments,
// segments that decode to a slash, backslash or control byte, malformed
// percent-encoding, and DIDs longer than MaxLen. Errors are *WebError and
// wrap ErrInvalidDID, or ErrUnsupportedMethod for another method.
func ParseWeb(s string) (*Web, error) {
	fail := func(field, format string, args ...any) (*Web, error) {
		return nil, &WebError{DID: s, Field: field, Reason: fmt.Sprintf(format, args...), Err: ErrInvalidDID}
	}
	if len(s) > MaxLen {
		return fail("did", "%d bytes, more than %d", len(s), MaxLen)
	}
	method, id, err := split(s)
	if err != nil {
		return fail("did", "want did:web:<host>[%%3A<port>][:<segment>...] in printable ASCII")
	}
	if method != "web" {
		return nil, fmt.Errorf("%s: method %q: %w", quote(s), method, ErrUnsupportedMethod)
	}
	if i := strings.IndexAny(id, "/?#"); i >= 0 {
		return fail("did", "%q not allowed: a DID URL is not a DID", id[i])
	}
	segs := strings.Split(id, ":")
	hostPort := segs[0]
	w := &Web{DID: s}
	host := hostPort
	if i := indexFold(hostPort, portSep); i >= 0 {
		host = hostPort[:i]
		p := hostPort[i+len(portSep):]
		port, ok := parsePort(p)
		if !ok {
			return fail("port", "%q is not a port number from 1 to 65535 without leading zeros", p)
		}
		w.Port = port
	}
	if err := checkHost(host); err != nil {
		if errors.Is(err, ErrIPHost) {
			return nil, &WebError{DID: s, Field: "host", Reason: err.Error(), Err: ErrIPHost}
		}
		return fail("host", "%v", err)
	}
	w.Host = host
	for i, raw := range segs[1:] {
		dec, err := decodeSegment(raw)
		if err != nil {
			return fail("path", "segment %d %q: %v", i+1, raw, err)
		}
		w.Path = append(w.Path, dec)
	}
	var u strings.Builder
	u.WriteString("https://")
	u.WriteString(host)
	if w.Port != 0 {
		u.WriteByte(':')
		u.WriteString(strconv.Itoa(w.Port))
	}
	if len(w.Path) == 0 {
		u.WriteString(wellKnown)
	}
	for _, dec := range w.Path {
		u.WriteByte('/')
		// Re-escaping the decoded segment gives one spelling per segment
		// and keeps reserved characters from changing the URL's shape.
		u.WriteString(url.PathEscape(dec))
	}
	u.WriteString(didJSON)
	w.URL = u.String()
	return w, nil
}

// FormatWeb returns the did:web DID for a domain in the form
// host[:port][/seg...], e.g. "example.edu:8443/issuers/cs" gives
// "did:web:example.edu%3A8443:issuers:cs". Path segments are
// percent-encoded where the DID syntax requires it. The result is checked
// with ParseWeb.
func FormatWeb(domain string) (string, error) {
	hostPort, path, _ := strings.Cut(domain, "/")
	host, port, hasPort := strings.Cut(hostPort, ":")
	var b strings.Builder
	b.WriteString(webPrefix)
	b.WriteString(host)
	if hasPort {
		if _, ok := parsePort(port); !ok {
			return "", fmt.Errorf("domain %q: port %q is not a number from 1 to 65535 without leading zeros: %w", domain, port, ErrInvalidDID)
		}
		b.WriteString("%3A")
		b.WriteString(port)
	}
	if path != "" {
		for seg := range strings.SplitSeq(strings.TrimSuffix(path, "/"), "/") {
			b.WriteByte(':')
			b.WriteString(escapeIDChars(seg))
		}
	}
	s := b.String()
	if _, err := ParseWeb(s); err != nil {
		return "", fmt.Errorf("domain %q: %w", domain, err)
	}
	return s, nil
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func parsePort(p string) (int, bool) {
	if len(p) == 0 || len(p) > 5 || p[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, false
	}
	return n, true
}

// checkHost accepts a DNS name of letters, digits and hyphens (RFC 1123
// labels) and refuses anything a URL parser or resolver would take as an IP
// address.
func checkHost(h string) error {
	if h == "" {
		return errors.New("empty host")
	}
	if len(h) > maxHostLen {
		return fmt.Errorf("host of %d bytes, more than %d", len(h), maxHostLen)
	}
	if _, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return fmt.Errorf("%q: %w", h, ErrIPHost)
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" {
			return fmt.Errorf("%q has an empty label", h)
		}
		if len(l) > maxLabelLen {
			return fmt.Errorf("%q has a label longer than %d bytes", h, maxLabelLen)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("%q has a label starting or ending with '-'", h)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return fmt.Errorf("%q: byte %q not allowed in a host name", h, c)
			}
		}
	}
	// WHATWG URL parsers and inet_aton read a host whose last label is a
	// number (decimal, octal or 0x hex), such as "127.1" or "2130706433", as
	// an IPv4 address.
	if numeric(labels[len(labels)-1]) {
		return fmt.Errorf("%q reads as an IPv4 address: %w", h, ErrIPHost)
	}
	return nil
}

func numeric(l string) bool {
	digits := l
	if len(l) >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X') {
		digits = l[2:]
		for i := 0; i < len(digits); i++ {
			c := digits[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// decodeSegment percent-decodes one path segment of the method-specific id,
// whose characters are DID Core idchars (ALPHA / DIGIT / "." / "-" / "_" /
// pct-encoded), and refuses segments that would change the URL's path
// structure.
func decodeSegment(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("empty segment")
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%':
			if i+2 >= len(raw) || !ishex(raw[i+1]) || !ishex(raw[i+2]) {
				return "", errors.New("malformed percent-encoding")
			}
			b.WriteByte(unhex(raw[i+1])<<4 | unhex(raw[i+2]))
			i += 2
		case idchar(c):
			b.WriteByte(c)
		default:
			return "", fmt.Errorf("byte %q not allowed in a DID", c)
		}
	}
	dec := b.String()
	switch {
	case dec == "." || dec == "..":
		return "", errors.New("dot segment")
	case strings.ContainsAny(dec, "/\\"):
		return "", errors.New("decodes to a slash or backslash")
	}
	for i := 0; i < len(dec); i++ {
		if dec[i] < ' ' || dec[i] == 0x7f {
			return "", errors.New("decodes to a control byte")
		}
	}
	return dec, nil
}

func idchar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_'
}

func escapeIDChars(s string) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if idchar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
