package jsonvalue

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestCloneIsDeepAndEqual(t *testing.T) {
	tests := []string{
		`null`, `1.5`, `"s"`, `true`, `[]`, `{}`,
		`{"a":[1,{"b":"c"},[null,false]],"d":{"e":{"f":[]}}}`,
		`[{"x":[{"y":1}]}]`,
	}
	for _, src := range tests {
		var v any
		if err := json.Unmarshal([]byte(src), &v); err != nil {
			t.Fatal(err)
		}
		c := Clone(v)
		if !reflect.DeepEqual(c, v) {
			t.Errorf("%s: clone %v differs", src, c)
		}
		mutate(c)
		var orig any
		if err := json.Unmarshal([]byte(src), &orig); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v, orig) {
			t.Errorf("%s: changing the clone changed the original to %v", src, v)
		}
	}
}

// mutate changes every map and slice inside v.
func mutate(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			mutate(e)
			t[k+"!"] = "added"
		}
		t["new"] = 1
	case []any:
		for i, e := range t {
			mutate(e)
			t[i] = "replaced"
		}
	}
}

func TestCloneObjectNil(t *testing.T) {
	if CloneObject(nil) != nil {
		t.Error("CloneObject(nil) is not nil")
	}
	if m, ok := Clone(map[string]any(nil)).(map[string]any); !ok || m != nil {
		t.Errorf("Clone of a nil map = %#v, want a nil map", Clone(map[string]any(nil)))
	}
}
