// Package jcs implements the RFC 8785 JSON Canonicalization Scheme: the
// byte form eddsa-jcs-2022 signs and the form JSON-LD gives @json literals in
// RDF. Object members are sorted by the UTF-16 code units of their names,
// numbers are written as ECMAScript writes a double, and strings are escaped
// as JSON.stringify escapes them.
package jcs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrNoForm means a value has no RFC 8785 canonical form: a number that is not
// finite or out of the IEEE 754 double range, a string that is not valid
// UTF-8, a Go type that is not a JSON value, or nesting deeper than
// MaxDepth.
var ErrNoForm = errors.New("no JSON canonicalization scheme form")

// MaxDepth bounds nesting so that hostile input cannot exhaust the stack.
const MaxDepth = 512

// Marshal returns the RFC 8785 JSON Canonicalization Scheme (JCS) form
// of v, a JSON value as encoding/json decodes it into an any
// (map[string]any, []any, string, float64 or json.Number, bool, nil); Go
// integers are accepted too. Object members are sorted by the UTF-16 code
// units of their names, numbers are written as ECMAScript writes a double,
// and strings are escaped as JSON.stringify escapes them. Errors wrap ErrNoForm
// and name the JSON path.
func Marshal(v any) ([]byte, error) {
	var b strings.Builder
	if err := writeJCS(&b, v, "$", 0); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func writeJCS(b *strings.Builder, v any, path string, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%s: %w: nested more than %d levels", path, ErrNoForm, MaxDepth)
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case string:
		return writeJCSString(b, t, path)
	case float64:
		return writeJCSNumber(b, t, path)
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return fmt.Errorf("%s: %w: number %.40q is not an IEEE 754 double", path, ErrNoForm, string(t))
		}
		return writeJCSNumber(b, f, path)
	case int:
		return writeJCSNumber(b, float64(t), path)
	case int64:
		return writeJCSNumber(b, float64(t), path)
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJCS(b, e, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		names := make([]string, 0, len(t))
		for k := range t {
			names = append(names, k)
		}
		slices.SortFunc(names, compareUTF16)
		b.WriteByte('{')
		for i, k := range names {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJCSString(b, k, path); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := writeJCS(b, t[k], path+"."+k, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("%s: %w: %T is not a JSON value", path, ErrNoForm, v)
	}
	return nil
}

// compareUTF16 orders strings by their UTF-16 code units (RFC 8785 §3.2.3),
// which differs from byte order for characters above U+FFFF against those
// from U+E000 to U+FFFF.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := utf16Units(ra), utf16Units(rb)
			for i := 0; i < len(ua) && i < len(ub); i++ {
				if ua[i] != ub[i] {
					return int(ua[i]) - int(ub[i])
				}
			}
			return len(ua) - len(ub)
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

func utf16Units(r rune) []uint16 {
	return utf16.AppendRune(nil, r)
}

// writeJCSString writes s as ECMAScript's JSON.stringify does: only '"',
// '\\' and control characters are escaped, the short escapes where JSON has
// them and \u00xx with lower-case hex otherwise.
func writeJCSString(b *strings.Builder, s, path string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: %w: string is not valid UTF-8", path, ErrNoForm)
	}
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
	return nil
}

// writeJCSNumber writes f as ECMAScript's Number::toString does (ECMA-262
// §6.1.6.1.20), which RFC 8785 §3.2.2.3 adopts: the shortest digits that
// round-trip, in plain notation for decimal exponents from -6 to 20 and in
// exponent notation otherwise.
func writeJCSNumber(b *strings.Builder, f float64, path string) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%s: %w: %v is not a finite number", path, ErrNoForm, f)
	}
	b.WriteString(FormatNumber(f))
	return nil
}

// FormatNumber writes a finite f as ECMAScript's Number::toString does
// (ES2015 7.1.12.1), the number form of JCS and of JSON-LD's @json
// literals: the shortest digits that round-trip, in plain notation for
// exponents from -7 to 20 and e-notation outside. -0 is "0".
func FormatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	if f < 0 {
		b.WriteByte('-')
		f = -f
	}
	// 'e' with precision -1 gives the shortest round-trip digits d.ddde±x.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expText, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expText)
	k := len(digits)
	n := exp + 1 // the value is 0.digits × 10^n
	switch {
	case k <= n && n <= 21:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", n-k))
	case 0 < n && n <= 21:
		b.WriteString(digits[:n])
		b.WriteByte('.')
		b.WriteString(digits[n:])
	case -6 < n && n <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -n))
		b.WriteString(digits)
	default:
		b.WriteByte(digits[0])
		if k > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if n-1 >= 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.Itoa(n - 1))
	}
	return b.String()
}
