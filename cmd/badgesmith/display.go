package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/badgesmith/badgesmith/internal/display"
)

// shown escapes text taken from input (a name, an id, a file name, a
// reason) for human-readable output, so that it cannot drive the terminal;
// see package display. --json output is encoded by encoding/json instead.
func shown(s string) string { return display.String(s) }

// bidiFields escapes the fields of one report and remembers which of them
// held bidirectional formatting characters, for one warning line.
type bidiFields []string

// field returns v escaped, noting what if v held bidi characters.
func (b *bidiFields) field(what, v string) string {
	if display.HasBidi(v) && !contains(*b, what) {
		*b = append(*b, what)
	}
	return display.String(v)
}

// warn prints the warning line, if any field needed one.
func (b bidiFields) warn(w io.Writer, indent string) {
	if len(b) > 0 {
		fmt.Fprintf(w, "%swarning: %s %s\n", indent, strings.Join(b, ", "), display.BidiWarning)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
