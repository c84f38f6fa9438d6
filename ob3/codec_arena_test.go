package ob3

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestEncode: the typed copy's encoder writes what json.Marshal writes,
// byte for byte, or fails where it fails, and what it carves has no spare
// capacity to append into a neighbour.
func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		v    any
		// foreign: not a type the decoders build, so json.Marshal
		// writes it, into an array it shares with nothing
		foreign bool
	}{
		{"null", nil, false},
		{"true", true, false},
		{"false", false, false},
		{"plain string", "https://example.edu/a?b=c#d", false},
		{"empty string", "", false},
		{"non-ASCII", "Zoë Ångström, 東京", false},
		{"quote", `say "hi"`, false},
		{"backslash", `a\b`, false},
		{"newline", "a\nb", false},
		{"html", "<b>&</b>", false},
		{"line separator", "a\u2028b", false},
		{"paragraph separator", "a\u2029b", false},
		{"invalid UTF-8", "a\xffb", false},
		{"number", json.Number("-12.5e+3"), false},
		{"zero", json.Number("0"), false},
		{"empty number", json.Number(""), false},
		{"malformed number", json.Number("01"), false},
		{"float64", 1.5, false},
		{"other type", 3, true},
		{"array", []any{"a", json.Number("1"), nil, true, []any{}}, false},
		{"object sorted", map[string]any{"z": "1", "a": []any{"x"}, "m": map[string]any{}}, false},
		{"many keys", func() any {
			m := map[string]any{}
			for _, k := range "qwertyuiopasdfghjklzxcvbnm" {
				m[string(k)] = string(k)
			}
			return m
		}(), false},
		{"escaped key", map[string]any{"a<b": "x"}, false},
		{"nested float", []any{"a", map[string]any{"k": 2.5}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(tt.v)
			var a typedArena
			enc, encOK := a.encode(tt.v)
			if encOK != (err == nil) || encOK && !bytes.Equal(enc, want) {
				t.Fatalf("encode gave %s, %v; json.Marshal %s, %v", enc, encOK, want, err)
			}
			if encOK && !tt.foreign && len(enc) != cap(enc) {
				t.Fatalf("encode left spare capacity: len %d, cap %d", len(enc), cap(enc))
			}
		})
	}
}

// TestArenaCarving: values carved from one arena do not overlap, and
// appending to one leaves the next alone.
func TestArenaCarving(t *testing.T) {
	var a typedArena
	var raws []json.RawMessage
	var types []Types
	for i := range 200 {
		s := string(rune('a' + i%26))
		r, ok := a.encode(s)
		if !ok {
			t.Fatal("encode refused a plain string")
		}
		raws = append(raws, r)
		ty := a.types(1 + i%3)
		for j := range ty {
			ty[j] = s
		}
		types = append(types, ty)
	}
	_ = append(raws[0], 'x')
	_ = append(types[0], "x")
	for i := range raws {
		s := string(rune('a' + i%26))
		if string(raws[i]) != `"`+s+`"` {
			t.Fatalf("raw %d = %s", i, raws[i])
		}
		if len(types[i]) != 1+i%3 {
			t.Fatalf("types %d has %d elements", i, len(types[i]))
		}
		for _, e := range types[i] {
			if e != s {
				t.Fatalf("types %d = %q", i, types[i])
			}
		}
	}
}

// FuzzEncodeDocument: for any document the decoders accept, the typed
// copy's encoder writes what json.Marshal writes.
func FuzzEncodeDocument(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"a":"<>","b":[1,2.5e3,"\u2028"],"c":{"z":null,"y":true}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeStrict(data, false)
		if err != nil {
			return
		}
		var a typedArena
		got, ok := a.encode(v)
		want, err := json.Marshal(v)
		if ok != (err == nil) || ok && !bytes.Equal(got, want) {
			t.Fatalf("encode wrote %s, %v; json.Marshal %s, %v", got, ok, want, err)
		}
	})
}

// FuzzEncode: the typed copy's encoder writes exactly json.Marshal's
// bytes, or its verdict, for any string, json.Number spelling and key,
// including what no decoder builds (invalid UTF-8, a malformed number),
// alone and inside an object and an array.
func FuzzEncode(f *testing.F) {
	for _, seed := range [][3]string{
		{"a<b", "1e5", "k"}, {"\u2028", "-0", "\xff"}, {"&", "1E+2", "a>"}, {"\x7f\xc3\xa9", "-0.0e-0", "\u2029"},
		{"\xed\xa0\x80", "", "\x00"}, {"\ufffd", "01", ""}, {`\"`, "1.", "é"}, {"\xf4\x90\x80\x80", "-", "\t"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, s, num, key string) {
		for _, v := range []any{
			s, json.Number(num),
			map[string]any{key: s, s: json.Number(num), "z": []any{}},
			[]any{s, key, json.Number(num), nil, true, map[string]any{}},
		} {
			var a typedArena
			got, ok := a.encode(v)
			want, err := json.Marshal(v)
			if ok != (err == nil) || ok && !bytes.Equal(got, want) {
				t.Fatalf("%#v: encode %q, %v; json.Marshal %q, %v", v, got, ok, want, err)
			}
		}
	})
}
