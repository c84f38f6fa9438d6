package proof

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/contexts"
)

// ErrJCS means a value has no RFC 8785 canonical form: a number that is not
// finite or out of the IEEE 754 double range, a string that is not valid
// UTF-8, a Go type that is not a JSON value, or nesting deeper than
// maxJCSDepth.
var ErrJCS = errors.New("no JSON canonicalization scheme form")

// maxJCSDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxJCSDepth = 512

// CanonicalJSON returns the RFC 8785 JSON Canonicalization Scheme (JCS) form
// of v, a JSON value as encoding/json decodes it into an any
// (map[string]any, []any, string, float64 or json.Number, bool, nil); Go
// integers are accepted too. Object members are sorted by the UTF-16 code
// units of their names, numbers are written as ECMAScript writes a double,
// and strings are escaped as JSON.stringify escapes them. Errors wrap ErrJCS
// and name the JSON path.
func CanonicalJSON(v any) ([]byte, error) {
	var b strings.Builder
	if err := writeJCS(&b, v, "$", 0); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func writeJCS(b *strings.Builder, v any, path string, depth int) error {
	if depth > maxJCSDepth {
		return fmt.Errorf("%s: %w: nested more than %d levels", path, ErrJCS, maxJCSDepth)
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
			return fmt.Errorf("%s: %w: number %.40q is not an IEEE 754 double", path, ErrJCS, string(t))
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
		return fmt.Errorf("%s: %w: %T is not a JSON value", path, ErrJCS, v)
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
	if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError || r2 != utf8.RuneError {
		return []uint16{uint16(r1), uint16(r2)}
	}
	return []uint16{uint16(r)}
}

// writeJCSString writes s as ECMAScript's JSON.stringify does: only '"',
// '\\' and control characters are escaped, the short escapes where JSON has
// them and \u00xx with lower-case hex otherwise.
func writeJCSString(b *strings.Builder, s, path string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: %w: string is not valid UTF-8", path, ErrJCS)
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
		return fmt.Errorf("%s: %w: %v is not a finite number", path, ErrJCS, f)
	}
	if f == 0 {
		b.WriteByte('0') // also for -0
		return nil
	}
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
	return nil
}

// canonical returns the suite's canonical form of a document or proof
// configuration: RFC 8785 JCS or RDFC-1.0 N-Quads.
func (s suite) canonical(ctx context.Context, v map[string]any, loader ld.DocumentLoader) ([]byte, error) {
	if s.jcs {
		return CanonicalJSON(v)
	}
	return contexts.Canonicalize(ctx, v, contexts.CanonOptions{Loader: loader})
}

// documentHash is SHA-256 of the suite's canonical form of doc, which must
// not carry its proof.
func (s suite) documentHash(ctx context.Context, doc map[string]any, loader ld.DocumentLoader) ([]byte, error) {
	canon, err := s.canonical(ctx, doc, loader)
	if err != nil {
		return nil, fmt.Errorf("canonicalizing document: %w", err)
	}
	h := sha256.Sum256(canon)
	return h[:], nil
}

// hashData is SHA-256(canon(proofConfig)) || docHash, the 64 bytes every
// suite signs (proof hash first).
func (s suite) hashData(ctx context.Context, proofConfig map[string]any, docHash []byte, loader ld.DocumentLoader) ([]byte, error) {
	canon, err := s.canonical(ctx, proofConfig, loader)
	if err != nil {
		return nil, fmt.Errorf("canonicalizing proof options: %w", err)
	}
	ph := sha256.Sum256(canon)
	out := make([]byte, 0, 64)
	out = append(out, ph[:]...)
	return append(out, docHash...), nil
}

// contextPrefix reports whether the document @context docCtx starts with
// every entry of the proof @context proofCtx, in order (eddsa-jcs-2022
// verification step 4.1). Both may be a single value or an array.
func contextPrefix(docCtx, proofCtx any) bool {
	asList := func(v any) []any {
		if l, ok := v.([]any); ok {
			return l
		}
		return []any{v}
	}
	d, p := asList(docCtx), asList(proofCtx)
	if len(p) > len(d) {
		return false
	}
	for i := range p {
		a, err1 := CanonicalJSON(p[i])
		b, err2 := CanonicalJSON(d[i])
		if err1 != nil || err2 != nil || string(a) != string(b) {
			return false
		}
	}
	return true
}
