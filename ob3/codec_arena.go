package ob3

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// typedArena is where one typed copy carves its small values from: the
// Extra members and raw messages re-encoded, and the Types lists, each
// family from a few shared blocks instead of an allocation per value.
// Every carved slice has no spare capacity, so an append by its user
// copies it rather than writing over its neighbour.
type typedArena struct {
	// raw is the block re-encoded values are carved from; scratch is where
	// each is written first, so a block holds only finished values.
	raw, scratch []byte
	strs         []string
	// rawBlocks and strsBlocks count the blocks taken: each is twice the
	// last, up to a limit, so a small credential takes little and a large
	// one few blocks.
	rawBlocks, strsBlocks int
}

// Block sizes: the first blocks hold a typical credential's few small
// values; a value over a quarter of the largest block has an allocation
// of its own.
const (
	arenaRawFirst  = 128
	arenaRawMax    = 4096
	arenaStrsFirst = 16
	arenaStrsMax   = 64
)

// blockSize is the size of block number n (from 0), doubling from first
// up to max.
func blockSize(n, first, max int) int {
	if n >= 8 {
		return max
	}
	return min(first<<n, max)
}

// encode returns v encoded as json.Marshal encodes it, and false when
// json.Marshal would fail.
func (a *typedArena) encode(v any) (json.RawMessage, bool) {
	var lit string
	switch x := v.(type) {
	case map[string]any, []any:
		// Written first to scratch, kept for the next value, as the
		// size is only known once written.
		out, ok := appendJSON(a.scratch[:0], v)
		if !ok {
			return marshal(v)
		}
		a.scratch = out
		return append(a.alloc(len(out)), out...), true
	case string:
		// A scalar is written in place: its size is known.
		if !plainString(x) {
			return marshal(v)
		}
		return appendQuoted(a.alloc(len(x)+2), x), true
	case json.Number:
		if !validNumber(string(x)) {
			return marshal(v)
		}
		lit = string(x)
	case bool:
		lit = "false"
		if x {
			lit = "true"
		}
	case nil:
		lit = "null"
	default:
		return marshal(v)
	}
	return append(a.alloc(len(lit)), lit...), true
}

// marshal is json.Marshal, for the values appendJSON leaves to it
// (escapes, float64, anything else).
func marshal(v any) (json.RawMessage, bool) {
	b, err := json.Marshal(v)
	return b, err == nil
}

// alloc returns an empty slice with room for n bytes and no more, carved
// from a block or, if large, allocated alone.
func (a *typedArena) alloc(n int) []byte {
	if n > cap(a.raw)-len(a.raw) {
		size := blockSize(a.rawBlocks, arenaRawFirst, arenaRawMax)
		if n > size/4 {
			return make([]byte, 0, n)
		}
		a.raw = make([]byte, 0, size)
		a.rawBlocks++
	}
	start := len(a.raw)
	a.raw = a.raw[:start+n]
	return a.raw[start : start : start+n]
}

// types returns a Types of n elements for the caller to fill. Zero
// elements give an empty list, not nil, as json.Unmarshal decodes [] (a
// carve from no block yet would be nil).
func (a *typedArena) types(n int) Types {
	if n == 0 {
		return Types{}
	}
	if n > len(a.strs) {
		size := blockSize(a.strsBlocks, arenaStrsFirst, arenaStrsMax)
		if n > size/4 {
			return make(Types, n)
		}
		a.strs = make([]string, size)
		a.strsBlocks++
	}
	t := a.strs[:n:n]
	a.strs = a.strs[n:]
	return t
}

// appendJSON appends v, a generic JSON value as the decoders build it,
// encoded as json.Marshal encodes it: compact, object keys sorted. It
// reports false, leaving dst's new bytes undefined, for what it does not
// write the same way for certain: a string json.Marshal escapes, a
// float64, a malformed json.Number, any other type.
func appendJSON(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case bool:
		if x {
			return append(dst, "true"...), true
		}
		return append(dst, "false"...), true
	case string:
		return appendJSONString(dst, x)
	case json.Number:
		if !validNumber(string(x)) {
			return dst, false
		}
		return append(dst, x...), true
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendJSON(dst, e); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case map[string]any:
		var buf [16]string
		keys := buf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendJSONString(dst, k); !ok {
				return dst, false
			}
			dst = append(dst, ':')
			if dst, ok = appendJSON(dst, x[k]); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	}
	return dst, false
}

// appendJSONString appends s quoted, if json.Marshal writes it without
// escapes (see plainString).
func appendJSONString(dst []byte, s string) ([]byte, bool) {
	if !plainString(s) {
		return dst, false
	}
	return appendQuoted(dst, s), true
}

func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// plainString reports whether json.Marshal writes s without escapes: no
// control character, quote, backslash or HTML character (<, >, &, which
// it escapes), valid UTF-8 without U+2028 or U+2029.
func plainString(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s) && !strings.ContainsRune(s, '\u2028') && !strings.ContainsRune(s, '\u2029')
}

// validNumber reports whether s follows JSON's number grammar, which
// json.Marshal checks a json.Number against.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > j
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}
