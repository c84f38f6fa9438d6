package jsonvalue

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Marshal is json.Marshal(v) and MarshalIndent json.MarshalIndent(v, "",
// "  "), byte for byte: encoding/json reaches every value of a
// map[string]any through reflection and, indenting, writes the document
// twice (compact, then re-indented), which costs a batch row about a tenth
// of its time and a verifier's re-encoding of an embedded credential
// thousands of allocations. They write the values encoding/json decodes
// into an any (maps, slices, strings, float64 or json.Number, bool, nil)
// directly and hand anything else (another type, a NaN, an invalid
// json.Number, nesting past maxEncodeDepth) to encoding/json for the whole
// document, so the bytes and the errors stay encoding/json's.
func Marshal(v any) ([]byte, error) {
	if b, ok := appendValue(make([]byte, 0, 4096), v, -1, 0); ok {
		return b, nil
	}
	return json.Marshal(v)
}

// MarshalIndent is json.MarshalIndent(v, "", "  "), byte for byte: see
// Marshal.
func MarshalIndent(v any) ([]byte, error) {
	if b, ok := appendValue(make([]byte, 0, 8192), v, 0, 0); ok {
		return b, nil
	}
	return json.MarshalIndent(v, "", "  ")
}

// Append appends v's JSON as json.Marshal writes it to dst, for a caller
// that keeps its own buffer. It reports false, with dst's new bytes
// undefined, for a value it leaves to encoding/json (see Marshal).
func Append(dst []byte, v any) ([]byte, bool) {
	return appendValue(dst, v, -1, 0)
}

// maxEncodeDepth bounds the nesting appendValue follows itself; deeper
// documents (none the issuer builds) go to encoding/json, which has its
// own bound.
const maxEncodeDepth = 200

// appendValue appends v's JSON to dst, compact if depth < 0, else
// indented by two spaces per level from depth; level is v's nesting, which
// maxEncodeDepth bounds in both forms (a map holding itself would
// otherwise overflow the stack where encoding/json reports the cycle). It
// reports false for a value it leaves to encoding/json.
func appendValue(dst []byte, v any, depth, level int) ([]byte, bool) {
	switch t := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return appendString(dst, t), true
	case bool:
		return strconv.AppendBool(dst, t), true
	case float64:
		return appendFloat(dst, t)
	case json.Number:
		if t == "" {
			return append(dst, '0'), true // encoding/json's zero Number
		}
		if !validNumber(string(t)) {
			return dst, false
		}
		return append(dst, t...), true
	case map[string]any:
		return appendObject(dst, t, depth, level)
	case []any:
		return appendArray(dst, t, depth, level)
	}
	return dst, false
}

func appendObject(dst []byte, m map[string]any, depth, level int) ([]byte, bool) {
	if m == nil {
		return append(dst, "null"...), true
	}
	if len(m) == 0 {
		return append(dst, "{}"...), true
	}
	if level >= maxEncodeDepth {
		return dst, false
	}
	var keyBuf [32]string
	keys := keyBuf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	inner := depth
	if depth >= 0 {
		inner++
	}
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = newline(dst, inner)
		dst = appendString(dst, k)
		dst = append(dst, ':')
		if depth >= 0 {
			dst = append(dst, ' ')
		}
		var ok bool
		if dst, ok = appendValue(dst, m[k], inner, level+1); !ok {
			return dst, false
		}
	}
	dst = newline(dst, depth)
	return append(dst, '}'), true
}

func appendArray(dst []byte, a []any, depth, level int) ([]byte, bool) {
	if a == nil {
		return append(dst, "null"...), true
	}
	if len(a) == 0 {
		return append(dst, "[]"...), true
	}
	if level >= maxEncodeDepth {
		return dst, false
	}
	dst = append(dst, '[')
	inner := depth
	if depth >= 0 {
		inner++
	}
	for i, e := range a {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = newline(dst, inner)
		var ok bool
		if dst, ok = appendValue(dst, e, inner, level+1); !ok {
			return dst, false
		}
	}
	dst = newline(dst, depth)
	return append(dst, ']'), true
}

// newline starts a line indented depth levels; nothing when compact.
func newline(dst []byte, depth int) []byte {
	if depth < 0 {
		return dst
	}
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, "  "...)
	}
	return dst
}

// appendFloat writes f as encoding/json does: the shortest form that
// reads back, in exponent form only for very small and very large
// magnitudes, with a one-digit negative exponent not zero-padded.
func appendFloat(dst []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, true
}

const hexDigits = "0123456789abcdef"

// appendString writes s quoted as encoding/json does with HTML escaping
// (its default): <, > and & as \u00XX, control characters escaped,
// invalid UTF-8 as \ufffd, and U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// validNumber reports whether s is a JSON number literal, as encoding/json
// requires of a json.Number it writes.
func validNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return s == ""
}
