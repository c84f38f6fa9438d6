package ob3

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// onePass decodes data in one hand-written pass into the generic values
// encoding/json builds (objects map[string]any, arrays []any, numbers
// json.Number) and, when plain, also into the values json.Unmarshal gives
// an any (numbers float64), sharing with the first every subtree that
// holds no number. It reports false, leaving the verdict and any error to
// the decoders after it (decodeFast, then decodeTokens, which locates every
// problem), for anything that is not plainly acceptable: invalid JSON,
// trailing data, nesting past fastMaxDepth, a repeated key (whatever
// rejectDup says: the token decoder knows which value stays), invalid
// UTF-8 or a lone surrogate in a string (which encoding/json replaces),
// and, when plain, a number beyond float64 (plainOK false, v still set).
//
// Every string is a substring of one copy of data, so the document costs
// one allocation for all its text: a string kept from it keeps the whole
// text, at most ParseOptions.MaxSize bytes, alive.
func onePass(data []byte, plain bool) (v, p any, plainOK, ok bool) {
	// Stacks deep enough for a typical credential: growing them from
	// empty would cost several allocations of each.
	d := passDecoder{text: string(data), raw: data, plain: plain, plainOK: true, members: make([]passMember, 0, 24), items: make([]any, 0, 8)}
	d.space()
	v, p, _, ok = d.value(0)
	if !ok {
		return nil, nil, false, false
	}
	d.space()
	if d.i != len(d.text) {
		return nil, nil, false, false
	}
	if !plain || !d.plainOK {
		p = nil
	}
	return v, p, plain && d.plainOK, true
}

// passDecoder is onePass's state. members and items are stacks of the
// members and items of the objects and arrays being read, so that each
// object and array is allocated once, at its final size. numbers is a
// stack of the plain forms that differ (the values that hold a number),
// kept apart as most values have none.
type passDecoder struct {
	text    string
	raw     []byte // the bytes of text, read a word at a time
	i       int
	plain   bool
	plainOK bool
	members []passMember
	items   []any
	numbers []passNumber
	// slab is where the next arrays' elements are carved from: one
	// allocation for the elements of many small arrays.
	slab []any
}

// slabItems is how many array elements one slab holds; a longer array has
// its own allocation.
const slabItems = 32

// elems returns a slice of n elements with no spare capacity, so that an
// append by its user copies it rather than writing into the next array.
func (d *passDecoder) elems(n int) []any {
	if n > slabItems {
		return make([]any, n)
	}
	if n > len(d.slab) {
		d.slab = make([]any, slabItems)
	}
	a := d.slab[:n:n]
	d.slab = d.slab[n:]
	return a
}

type passMember struct {
	key string
	v   any
}

// passNumber is the plain form p of the member or item at index at of
// its stack, for one that holds a number.
type passNumber struct {
	at int
	p  any
}

func (d *passDecoder) space() {
	for d.i < len(d.text) {
		switch d.text[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value reads one value at d.i. p is its plain form, num whether that
// differs from v (the value holds a number).
func (d *passDecoder) value(depth int) (v, p any, num, ok bool) {
	if d.i >= len(d.text) {
		return nil, nil, false, false
	}
	switch c := d.text[d.i]; {
	case c == '{':
		if depth >= fastMaxDepth {
			return nil, nil, false, false
		}
		return d.object(depth)
	case c == '[':
		if depth >= fastMaxDepth {
			return nil, nil, false, false
		}
		return d.array(depth)
	case c == '"':
		s, ok := d.str()
		// One conversion to any: each allocates the string's header,
		// except for the vocabulary boxed once in the binary.
		x := boxString(s)
		return x, x, false, ok
	case c == 't':
		if len(d.text)-d.i >= 4 && d.text[d.i:d.i+4] == "true" {
			d.i += 4
			return true, true, false, true
		}
	case c == 'f':
		if len(d.text)-d.i >= 5 && d.text[d.i:d.i+5] == "false" {
			d.i += 5
			return false, false, false, true
		}
	case c == 'n':
		if len(d.text)-d.i >= 4 && d.text[d.i:d.i+4] == "null" {
			d.i += 4
			return nil, nil, false, true
		}
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return nil, nil, false, false
}

func (d *passDecoder) object(depth int) (v, p any, num, ok bool) {
	d.i++ // {
	// The stacks are truncated on success only: a failure ends the decode.
	mark, numMark := len(d.members), len(d.numbers)
	d.space()
	if d.i < len(d.text) && d.text[d.i] == '}' {
		d.i++
		m := map[string]any{}
		return m, m, false, true
	}
	for {
		if d.i >= len(d.text) || d.text[d.i] != '"' {
			return nil, nil, false, false
		}
		key, ok := d.str()
		if !ok {
			return nil, nil, false, false
		}
		d.space()
		if d.i >= len(d.text) || d.text[d.i] != ':' {
			return nil, nil, false, false
		}
		d.i++
		d.space()
		cv, cp, cnum, ok := d.value(depth + 1)
		if !ok {
			return nil, nil, false, false
		}
		if cnum {
			d.numbers = append(d.numbers, passNumber{at: len(d.members), p: cp})
			num = true
		}
		d.members = append(d.members, passMember{key: key, v: cv})
		more, ok := d.separator('}')
		if !ok {
			return nil, nil, false, false
		}
		if !more {
			break
		}
	}
	members := d.members[mark:]
	d.members = d.members[:mark]
	m := make(map[string]any, len(members))
	for _, e := range members {
		m[e.key] = e.v
	}
	if len(m) != len(members) {
		return nil, nil, false, false // a repeated key
	}
	if !num {
		return m, m, false, true
	}
	pm := make(map[string]any, len(members))
	for _, e := range members {
		pm[e.key] = e.v
	}
	for _, n := range d.numbers[numMark:] {
		pm[members[n.at-mark].key] = n.p
	}
	d.numbers = d.numbers[:numMark]
	return m, pm, true, true
}

// separator reads what follows a member or an item: a comma (more to
// come) or the closing bracket of the container, which it consumes.
func (d *passDecoder) separator(closing byte) (more, ok bool) {
	d.space()
	if d.i >= len(d.text) {
		return false, false
	}
	switch d.text[d.i] {
	case ',':
		d.i++
		d.space()
		return true, true
	case closing:
		d.i++
		return false, true
	}
	return false, false
}

func (d *passDecoder) array(depth int) (v, p any, num, ok bool) {
	d.i++ // [
	mark, numMark := len(d.items), len(d.numbers)
	d.space()
	if d.i < len(d.text) && d.text[d.i] == ']' {
		d.i++
		// One conversion to any: each allocates the slice's header.
		var x any = []any{}
		return x, x, false, true
	}
	for {
		cv, cp, cnum, ok := d.value(depth + 1)
		if !ok {
			return nil, nil, false, false
		}
		if cnum {
			d.numbers = append(d.numbers, passNumber{at: len(d.items), p: cp})
			num = true
		}
		d.items = append(d.items, cv)
		more, ok := d.separator(']')
		if !ok {
			return nil, nil, false, false
		}
		if !more {
			break
		}
	}
	items := d.items[mark:]
	d.items = d.items[:mark]
	a := d.elems(len(items))
	copy(a, items)
	if !num {
		var x any = a
		return x, x, false, true
	}
	pa := d.elems(len(items))
	copy(pa, items)
	for _, n := range d.numbers[numMark:] {
		pa[n.at-mark] = n.p
	}
	d.numbers = d.numbers[:numMark]
	return a, pa, true, true
}

// number reads a number with JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?
// ([eE][+-]?[0-9]+)?.
func (d *passDecoder) number() (v, p any, num, ok bool) {
	start := d.i
	t := d.text
	i := d.i
	if t[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		return i > j
	}
	switch {
	case i < len(t) && t[i] == '0':
		i++
	case !digits():
		return nil, nil, false, false
	}
	if i < len(t) && t[i] == '.' {
		i++
		if !digits() {
			return nil, nil, false, false
		}
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		if !digits() {
			return nil, nil, false, false
		}
	}
	d.i = i
	n := json.Number(t[start:i])
	if !d.plain {
		return n, n, false, true
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		// Out of float64's range: json.Unmarshal refuses it.
		d.plainOK = false
	}
	return n, f, true, true
}

// str reads a string at d.i (its opening quote). A string without escapes
// is a substring of the text.
func (d *passDecoder) str() (string, bool) {
	t := d.text
	start := d.i + 1
	// The closing quote is found by IndexByte, which reads many bytes at
	// a time; the bytes before it are checked eight at a time, and one by
	// one from the first word that holds a byte to look at. A backslash
	// means escapes, which escaped reads from the start (the quote found
	// may be escaped).
	n := strings.IndexByte(t[start:], '"')
	if n < 0 {
		return "", false
	}
	s := t[start : start+n]
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if wordSpecial(binary.LittleEndian.Uint64(d.raw[start+i:])) {
			break
		}
	}
	ascii := true
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && !utf8.ValidString(s) {
		return "", false
	}
	d.i = start + n + 1
	return s, true
}

// wordSpecial reports whether one of the eight bytes of x is a control
// character (below 0x20), a byte of a multi-byte rune (0x80 up) or a
// backslash: the classic tests for a byte below n, (x-n*lo)&^x&hi, and
// for a zero byte, on x and on x with every backslash turned to zero.
func wordSpecial(x uint64) bool {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
	)
	b := x ^ (lo * '\\')
	return ((x-lo*0x20)&^x|x|(b-lo)&^b)&hi != 0
}

// escaped reads, from start (just past the opening quote), a string with
// escapes.
func (d *passDecoder) escaped(start int) (string, bool) {
	t := d.text
	buf := make([]byte, 0, 32)
	i := start
	for i < len(t) {
		c := t[i]
		switch {
		case c == '"':
			if !utf8.Valid(buf) {
				return "", false
			}
			d.i = i + 1
			return string(buf), true
		case c < 0x20:
			return "", false
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(t) {
			return "", false
		}
		switch e := t[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(t, i+2)
			if !ok {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// Only a high surrogate followed by a low one makes a
				// rune; encoding/json replaces any other.
				if i+1 >= len(t) || t[i] != '\\' || t[i+1] != 'u' {
					return "", false
				}
				r2, ok := hex4(t, i+2)
				if !ok {
					return "", false
				}
				dec := utf16.DecodeRune(r, r2)
				if dec == utf8.RuneError {
					return "", false
				}
				r = dec
				i += 6
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return "", false
}

// hex4 reads four hex digits at t[i:].
func hex4(t string, i int) (rune, bool) {
	if i+4 > len(t) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(t[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// boxString returns s as an any. The type names, contexts and proof
// values nearly every credential repeats come from constants, which the
// compiler boxes once in the binary; any other string costs an
// allocation.
func boxString(s string) any {
	switch s {
	case "VerifiableCredential":
		return "VerifiableCredential"
	case "OpenBadgeCredential":
		return "OpenBadgeCredential"
	case "EndorsementCredential":
		return "EndorsementCredential"
	case "ClrCredential":
		return "ClrCredential"
	case "AchievementSubject":
		return "AchievementSubject"
	case "EndorsementSubject":
		return "EndorsementSubject"
	case "ClrSubject":
		return "ClrSubject"
	case "Achievement":
		return "Achievement"
	case "Profile":
		return "Profile"
	case "Image":
		return "Image"
	case "Address":
		return "Address"
	case "Evidence":
		return "Evidence"
	case "Alignment":
		return "Alignment"
	case "Criteria":
		return "Criteria"
	case "Result":
		return "Result"
	case "ResultDescription":
		return "ResultDescription"
	case "RubricCriterionLevel":
		return "RubricCriterionLevel"
	case "IdentityObject":
		return "IdentityObject"
	case "identityHash":
		return "identityHash"
	case "BitstringStatusListEntry":
		return "BitstringStatusListEntry"
	case "revocation":
		return "revocation"
	case "1EdTechJsonSchemaValidator2019":
		return "1EdTechJsonSchemaValidator2019"
	case "DataIntegrityProof":
		return "DataIntegrityProof"
	case "eddsa-rdfc-2022":
		return "eddsa-rdfc-2022"
	case "assertionMethod":
		return "assertionMethod"
	case "https://www.w3.org/ns/credentials/v2":
		return "https://www.w3.org/ns/credentials/v2"
	case "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json":
		return "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	case "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json":
		return "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
	}
	return s
}
