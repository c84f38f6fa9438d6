package verifier

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// FuzzAppendJSON: appendJSON writes what json.Marshal writes, for any
// JSON document decoded into an any and for any string, valid UTF-8 or
// not.
func FuzzAppendJSON(f *testing.F) {
	for _, s := range []string{
		`{"b":[1,2.5,-0,1e21,1e-7,123456789012345678901234567890,0.000001,null,true,false],"a":{"<&>":"\u2028\u2029\b\f\n\r\t\u0001\u007f\"\\"}}`,
		`[{"é":"日本","z":{},"y":[]},"\ud800",-1.5e-300,5e-324,1.7976931348623157e308]`,
		`"plain"`, `0`, `{"":""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v := range []any{string(data), decodeAny(data)} {
			want, werr := json.Marshal(v)
			got, err := appendJSON([]byte("x"), v)
			if (err != nil) != (werr != nil) || err == nil && !bytes.Equal(got, append([]byte("x"), want...)) {
				t.Fatalf("appendJSON(%#v) = %q, %v; json.Marshal gives %q, %v", v, got, err, want, werr)
			}
		}
	})
}

// decodeAny decodes data as json.Unmarshal into an any; nil when it is
// not JSON.
func decodeAny(data []byte) any {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	return v
}

// TestAppendJSONOther: values a JSON decoder never gives are written by
// json.Marshal, its errors included.
func TestAppendJSONOther(t *testing.T) {
	for _, v := range []any{
		map[string]any(nil), []any(nil), json.Number("12.50"), 3, map[string]any{"n": math.NaN()}, []any{math.Inf(1)}, struct{ A int }{1},
	} {
		want, werr := json.Marshal(v)
		got, err := appendJSON(nil, v)
		if (err != nil) != (werr != nil) || err == nil && !bytes.Equal(got, want) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("appendJSON(%#v) = %q, %v; json.Marshal gives %q, %v", v, got, err, want, werr)
		}
	}
}
