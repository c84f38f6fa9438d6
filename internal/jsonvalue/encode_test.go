package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// sameAsEncodingJSON fails t unless Marshal, MarshalIndent and Append give
// encoding/json's bytes for v, or fail where it fails.
func sameAsEncodingJSON(t *testing.T, v any) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want func(any) ([]byte, error)
	}{
		{"compact", Marshal, json.Marshal},
		{"indented", MarshalIndent, func(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }},
		{"appended", appendOrMarshal, json.Marshal},
	} {
		got, gerr := c.got(v)
		want, werr := c.want(v)
		if (gerr != nil) != (werr != nil) || !bytes.Equal(got, want) {
			t.Errorf("%s %#v:\n got %q, %v\nwant %q, %v", c.name, v, got, gerr, want, werr)
		}
	}
}

// appendOrMarshal is Append behind a prefix it must keep, falling back to
// json.Marshal as its callers do.
func appendOrMarshal(v any) ([]byte, error) {
	const prefix = "prefix:"
	b, ok := Append([]byte(prefix), v)
	if !ok {
		return json.Marshal(v)
	}
	if !bytes.HasPrefix(b, []byte(prefix)) {
		return nil, errors.New("append lost the prefix")
	}
	return b[len(prefix):], nil
}

func TestMarshalJSONMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"null", nil},
		{"empty object", map[string]any{}},
		{"nil object", map[string]any(nil)},
		{"empty array", []any{}},
		{"nil array", []any(nil)},
		{"nested empties", map[string]any{"a": map[string]any{}, "b": []any{}, "c": []any{map[string]any{}}}},
		{"keys sorted by bytes", map[string]any{"b": 1.0, "a": 2.0, "B": 3.0, "é": 4.0, "@context": 5.0, "aa": true}},
		{"html and controls", map[string]any{"<k&>": "a<b>&c\"d\\e\nf\rg\th\bi\fj\x00k\x1fl\x7f"}},
		{"invalid utf-8", []any{"a\xffb", "\xc3", "ok é ü 日本"}},
		{"line separators", []any{"a\u2028b\u2029c"}},
		{"floats", []any{0.0, math.Copysign(0, -1), 1.0, -1.5, 0.1, 5.0, 1e20, 1e21, 1e-6, 1e-7, 1.5e-9, 123456789.125, 1e300, -2.5e-300, math.MaxFloat64, math.SmallestNonzeroFloat64}},
		{"numbers", []any{json.Number("5"), json.Number("-0.5e+10"), json.Number(""), json.Number("1E5"), json.Number("0.0")}},
		{"invalid number", []any{json.Number("01")}},
		{"invalid number 2", []any{json.Number("1.")}},
		{"invalid number 3", []any{json.Number("abc")}},
		{"nan", []any{math.NaN()}},
		{"inf", map[string]any{"x": math.Inf(1)}},
		{"other types", map[string]any{"i": 3, "s": []string{"a"}, "m": map[string]string{"k": "v"}}},
		{"bools", []any{true, false, nil}},
		{"deep", deep(250)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { sameAsEncodingJSON(t, tc.v) })
	}
}

func deep(n int) any {
	var v any = "x"
	for i := range n {
		if i%2 == 0 {
			v = []any{v}
		} else {
			v = map[string]any{"k": v}
		}
	}
	return v
}

// TestMarshalJSONCredentials compares on the golden credential and the
// bench's inputs.
func TestMarshalJSONCredentials(t *testing.T) {
	for _, p := range []string{"../../issuer/testdata/sample-credential.golden.json", "../../testdata/achievement.json", "../../testdata/issuer.json", "../../testdata/bench/ob-150.json", "../../testdata/bench/clr-10.json"} {
		data, err := os.ReadFile(filepath.FromSlash(p))
		if err != nil {
			t.Fatal(err)
		}
		for _, useNumber := range []bool{false, true} {
			dec := json.NewDecoder(bytes.NewReader(data))
			if useNumber {
				dec.UseNumber()
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			sameAsEncodingJSON(t, v)
		}
	}
}

func FuzzMarshalJSON(f *testing.F) {
	f.Add([]byte(`{"a":[1,2.5,-0,1e21,1e-7,"<&>\u2028"],"b":{"c":null,"d":true,"":{}}}`))
	f.Add([]byte(`["\u0000\ud800", "\t", 123456789012345678901234567890]`))
	f.Add([]byte(`{"b":[1,2.5,-0,1e21,1e-7,0.000001,null,true,false],"a":{"<&>":"\u2028\u2029\b\f\n\r\t\u0001\u007f\"\\"}}`))
	f.Add([]byte(`[{"é":"日本","z":{},"y":[]},"\ud800",-1.5e-300,5e-324,1.7976931348623157e308]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, useNumber := range []bool{false, true} {
			dec := json.NewDecoder(bytes.NewReader(data))
			if useNumber {
				dec.UseNumber()
			}
			var v any
			if dec.Decode(&v) != nil {
				return
			}
			sameAsEncodingJSON(t, v)
		}
		// Strings as they come, valid UTF-8 or not.
		sameAsEncodingJSON(t, map[string]any{string(data): string(data)})
	})
}

// TestMarshalCycle: a map that contains itself (a library caller's
// mistake) gets encoding/json's error, not a goroutine stack overflow,
// which no recover catches: both forms bound their own nesting.
func TestMarshalCycle(t *testing.T) {
	for _, indent := range []bool{false, true} {
		cyclic := map[string]any{"id": "urn:x"}
		cyclic["self"] = cyclic
		enc := Marshal
		if indent {
			enc = MarshalIndent
		}
		_, err := enc(cyclic)
		var uve *json.UnsupportedValueError
		if !errors.As(err, &uve) {
			t.Errorf("indent %v: error %v, want encoding/json's UnsupportedValueError", indent, err)
		}
		if _, ok := Append(nil, cyclic); ok {
			t.Error("Append wrote a map that contains itself")
		}
	}

	// Deeper than maxEncodeDepth, without a cycle: encoding/json's bytes.
	var deep any = "x"
	for range maxEncodeDepth + 5 {
		deep = []any{map[string]any{"a": deep}}
	}
	got, err := Marshal(deep)
	want, werr := json.Marshal(deep)
	if err != nil || werr != nil || !bytes.Equal(got, want) {
		t.Errorf("deep value: %v, %v, equal %v", err, werr, bytes.Equal(got, want))
	}
}
