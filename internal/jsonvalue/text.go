package jsonvalue

import (
	"bytes"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// CheckText refuses, in the JSON text data (already parsed as JSON), what
// encoding/json and any processing after it would silently replace with
// U+FFFD: bytes that are not UTF-8 and \u escapes of lone UTF-16
// surrogates (RFC 8259 §8.2, I-JSON RFC 7493 §2.1). Replaced, documents of
// different bytes would read as one, and a signature over one would verify
// them all; the error says where the first such text is.
func CheckText(data []byte) error {
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return fmt.Errorf("byte 0x%02x at %s is not UTF-8", data[i], where(data, i))
	}
	// In valid JSON a backslash only starts an escape inside a string, so
	// the escapes are found without following the strings.
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\\')
		if j < 0 || i+j+1 >= len(data) {
			return nil
		}
		i += j
		if data[i+1] != 'u' {
			i += 2
			continue
		}
		r, ok := hexRune(data, i+2)
		if !ok {
			return nil // not JSON: the parser has said so
		}
		if !utf16.IsSurrogate(r) {
			i += 6
			continue
		}
		if r < 0xdc00 && i+12 <= len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
			if r2, ok := hexRune(data, i+8); ok && r2 >= 0xdc00 && r2 <= 0xdfff {
				i += 12
				continue
			}
		}
		return fmt.Errorf("the escape %s at %s is a lone UTF-16 surrogate", data[i:i+6], where(data, i))
	}
}

// hexRune reads the four hex digits of a \u escape at data[i:].
func hexRune(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// where is byte offset i of data as "line L, column C" (1-based, columns
// in bytes), as an editor shows it.
func where(data []byte, i int) string {
	line := 1 + bytes.Count(data[:i], []byte{'\n'})
	col := i + 1
	if k := bytes.LastIndexByte(data[:i], '\n'); k >= 0 {
		col = i - k
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}
