package jcs

import (
	"errors"
	"math"
	"testing"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"sorted keys by utf-16", map[string]any{"\uffff": 2.0, "😀": 1.0, "a": nil}, `{"a":null,"😀":1,"` + "\uffff" + `":2}`},
		{"numbers", []any{1e21, 1e-7, math.Copysign(0, -1), 4.5, 123456789012345680000.0}, `[1e+21,1e-7,0,4.5,123456789012345680000]`},
		{"escapes", "\"\\\b\f\n\r\t\u0001\u007f", "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\u007f\""},
		{"nested", map[string]any{"b": []any{true, false}, "a": map[string]any{}}, `{"a":{},"b":[true,false]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.in)
			if err != nil || string(got) != tt.want {
				t.Fatalf("Marshal = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestMarshalRefuses(t *testing.T) {
	for _, in := range []any{math.NaN(), math.Inf(1), "\xff", struct{}{}} {
		if _, err := Marshal(in); !errors.Is(err, ErrNoForm) {
			t.Errorf("Marshal(%#v) err = %v, want ErrNoForm", in, err)
		}
	}
}
