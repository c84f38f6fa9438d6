// Package display makes text taken from outside input safe to show to a
// person: on a terminal, in a log, or (later) on a web page. A credential's
// name, an issuer's name, a file name or a reason can carry ANSI escape
// sequences that move the cursor or erase a line ("INVALID" overwritten with
// "VALID"), and bidirectional formatting characters that make text read in
// another order than it is stored. String escapes them all, visibly and
// reversibly; HasBidi tells the caller to warn about the second kind.
//
// Machine output keeps its exact values: JSON escapes the same characters
// as \u escapes inside its strings (see JSON), which decode back to the
// very same text.
package display

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// BidiWarning is the warning callers print beside text that contained
// bidirectional formatting characters.
const BidiWarning = "contains bidirectional control characters (shown escaped)"

// String returns s with every character a terminal could act on escaped:
// the C0 controls (tab and line feed included) and DEL as \xNN, the C1
// controls, the bidirectional formatting characters and the line and
// paragraph separators as \uNNNN, and bytes that are not UTF-8 as \xNN.
// Everything else, backslashes included, is returned as it is, so text
// without such characters is unchanged.
func String(s string) string { return escape(s, false) }

// Text is String for text that may span lines, such as an error message:
// it keeps line feeds and tabs and escapes everything else String does.
func Text(s string) string { return escape(s, true) }

func escape(s string, keepLines bool) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if needsEscape(r, n, keepLines) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r, n, keepLines) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r, n, keepLines):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// needsEscape reports whether the rune r, n bytes long, must be escaped.
func needsEscape(r rune, n int, keepLines bool) bool {
	switch {
	case r == utf8.RuneError && n == 1:
		return true // not UTF-8
	case r == '\n' || r == '\t':
		return !keepLines
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == '\u2028' || r == '\u2029':
		return true // line and paragraph separators
	}
	return IsBidi(r)
}

// IsBidi reports whether r is a bidirectional formatting character: the
// embeddings and overrides U+202A to U+202E, the isolates U+2066 to
// U+2069, and the marks U+200E, U+200F and U+061C.
func IsBidi(r rune) bool {
	switch {
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u200e' || r == '\u200f' || r == '\u061c':
		return true
	}
	return false
}

// HasBidi reports whether s contains a bidirectional formatting character
// (see IsBidi), which String shows escaped and callers should flag.
func HasBidi(s string) bool {
	return strings.IndexFunc(s, IsBidi) >= 0
}

// JSON returns encoded JSON with every character String would escape
// written as a \uNNNN escape: encoding/json escapes the C0 controls but
// leaves DEL, the C1 controls and the bidirectional formatting characters
// raw. In valid JSON such characters can only stand inside strings, where
// the escape decodes to the same character, so the value is unchanged.
// data must be valid UTF-8 JSON, as encoding/json writes it.
func JSON(data []byte) []byte {
	i := 0
	for i < len(data) {
		r, n := utf8.DecodeRune(data[i:])
		if jsonEscape(r) {
			break
		}
		i += n
	}
	if i == len(data) {
		return data
	}
	out := make([]byte, 0, len(data)+16)
	out = append(out, data[:i]...)
	for i < len(data) {
		r, n := utf8.DecodeRune(data[i:])
		if jsonEscape(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, data[i:i+n]...)
		}
		i += n
	}
	return out
}

// jsonEscape reports whether JSON escapes r: what String escapes, apart
// from the C0 controls (never raw in encoded JSON, and the white space
// between tokens) and bytes that are not UTF-8.
func jsonEscape(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' || IsBidi(r)
}
