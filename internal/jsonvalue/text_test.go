package jsonvalue

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// replacements counts U+FFFD in every string (member names included) of
// the decoded JSON value x.
func replacements(x any) int {
	switch t := x.(type) {
	case string:
		return strings.Count(t, "\uFFFD")
	case []any:
		n := 0
		for _, y := range t {
			n += replacements(y)
		}
		return n
	case map[string]any:
		n := 0
		for k, y := range t {
			n += strings.Count(k, "\uFFFD") + replacements(y)
		}
		return n
	}
	return 0
}

// writtenReplacements counts the U+FFFD the JSON text data writes itself:
// as UTF-8 or as a \ufffd escape (a backslash pair is skipped whole).
func writtenReplacements(data []byte) int {
	n := bytes.Count(data, []byte("\uFFFD"))
	for i := 0; i+1 < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] == 'u' && i+6 <= len(data) && strings.EqualFold(string(data[i+2:i+6]), "fffd") {
			n++
		}
		i++
	}
	return n
}

// FuzzCheckText holds CheckText to encoding/json: a JSON text passes
// exactly when decoding it produces no U+FFFD beyond those it writes, so
// it refuses every text the decoder would replace and nothing else.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{
		`{"a":"b"}`, `{"a":"\ufffd"}`, "{\"a\":\"\uFFFD\"}", `{"a":"\ud83d\ude00"}`,
		`{"a":"\ud800"}`, `{"a":"\udc00\ud800"}`, `{"a":"\\ud800"}`, `{"\ud800":1}`,
		"{\"a\":\"\xff\"}", "{\"a\":\"\xed\xa0\x80\"}", `["\uD83D\uDE00","\uD83Dx"]`,
		`{"a":"\\\ud800"}`, `{"a":"\ufffd\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		// Numbers as text: one beyond float64 is still valid JSON.
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("valid json does not decode: %v", err)
		}
		extra := replacements(v) - writtenReplacements(data)
		err := CheckText(data)
		if (err != nil) != (extra > 0) {
			t.Fatalf("CheckText(%q) = %v, but decoding replaced %d runes", data, err, extra)
		}
	})
}

// TestWhere: positions are the line and the byte column an editor shows.
func TestWhere(t *testing.T) {
	for _, tc := range []struct {
		data string
		i    int
		want string
	}{
		{"abc", 0, "line 1, column 1"},
		{"abc", 2, "line 1, column 3"},
		{"a\nbc", 2, "line 2, column 1"},
		{"a\nb\ncd", 5, "line 3, column 2"},
	} {
		if got := where([]byte(tc.data), tc.i); got != tc.want {
			t.Errorf("where(%q, %d) = %q, want %q", tc.data, tc.i, got, tc.want)
		}
	}
}
