package display

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
		bidi           bool
	}{
		{"plain", "Intro to CS", "Intro to CS", false},
		{"non-latin", "Überblick 数学 🎓", "Überblick 数学 🎓", false},
		{"backslash kept", `C:\badges\a.json`, `C:\badges\a.json`, false},
		{"empty", "", "", false},
		{"ansi erase line", "x\x1b[2K\rVALID", `x\x1b[2K\x0dVALID`, false},
		{"newline and tab", "a\nb\tc", `a\x0ab\x09c`, false},
		{"nul and bell", "a\x00\x07", `a\x00\x07`, false},
		{"del", "a\x7fb", `a\x7fb`, false},
		{"c1 csi", "a\u009b2Kb", `a\u009b2Kb`, false},
		{"c1 nel", "a\u0085b", `a\u0085b`, false},
		{"rlo override", "evil\u202egnp.exe", `evil\u202egnp.exe`, true},
		{"lre pdf", "\u202aa\u202c", `\u202aa\u202c`, true},
		{"isolates", "\u2066a\u2069\u2067\u2068", `\u2066a\u2069\u2067\u2068`, true},
		{"marks", "\u200ea\u200f\u061c", `\u200ea\u200f\u061c`, true},
		{"line separator", "a\u2028b\u2029", `a\u2028b\u2029`, false},
		{"invalid utf8", "a\xffb\xc3", `a\xffb\xc3`, false},
		{"zero width joiner kept", "👩\u200d💻", "👩\u200d💻", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := String(tt.in)
			if got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if HasBidi(tt.in) != tt.bidi {
				t.Errorf("HasBidi(%q) = %v, want %v", tt.in, !tt.bidi, tt.bidi)
			}
			if !safe(got, false) {
				t.Errorf("String(%q) = %q still holds a control character", tt.in, got)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"lines kept", "first\n\tsecond", "first\n\tsecond"},
		{"escape still escaped", "a\x1b[31m\nb\r", "a\\x1b[31m\nb\\x0d"},
		{"bidi escaped", "x\u202ey", `x\u202ey`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"plain", map[string]any{"name": "Intro 数学"}, `{"name":"Intro 数学"}`},
		{"c0 by encoding/json", "a\x1b[2K\r", `"a\u001b[2K\r"`},
		{"c1 and del", "a\u009b2K\x7f", `"a\u009b2K\u007f"`},
		{"bidi", "x\u202ey\u2066", `"x\u202ey\u2066"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := JSON(raw)
			if string(got) != tt.want {
				t.Errorf("JSON(%s) = %s, want %s", raw, got, tt.want)
			}
			var back any
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("JSON output does not decode: %v", err)
			}
			if !reflect.DeepEqual(back, roundTrip(t, tt.in)) {
				t.Errorf("value changed: %#v, want %#v", back, tt.in)
			}
			if !safe(string(got), true) {
				t.Errorf("JSON output %q still holds a control character", got)
			}
		})
	}
}

func roundTrip(t *testing.T, v any) any {
	raw, _ := json.Marshal(v)
	var back any
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// safe reports whether s holds nothing String escapes (with keepLines,
// nothing Text escapes).
func safe(s string, keepLines bool) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if needsEscape(r, n, keepLines) {
			return false
		}
		i += n
	}
	return true
}

// FuzzString: the result never holds a character a terminal acts on, and
// text without one comes back unchanged.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2K", "\u202e", "\xff", "a\u0085\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := String(s)
		if !safe(got, false) {
			t.Fatalf("String(%q) = %q", s, got)
		}
		if safe(s, false) && got != s {
			t.Fatalf("String changed safe text %q to %q", s, got)
		}
		if txt := Text(s); !safe(txt, true) {
			t.Fatalf("Text(%q) = %q", s, txt)
		}
		raw, _ := json.Marshal(s)
		js := JSON(raw)
		var back string
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatalf("JSON(%s) = %s does not decode: %v", raw, js, err)
		}
		var want string
		_ = json.Unmarshal(raw, &want)
		if back != want || !safe(string(js), false) {
			t.Fatalf("JSON(%s) = %s", raw, js)
		}
	})
}
