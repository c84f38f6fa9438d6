package verifier

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCheckDuplicateMembers(t *testing.T) {
	for _, tc := range []struct {
		in, at string // at is "" when there is no duplicate
	}{
		{`{"a":1,"b":{"c":[1,{"d":2}]}}`, ""},
		{`{"a":1,"a":2}`, "a"},
		{`{"a":{"b":1,"b":2}}`, "a.b"},
		{`{"a":[{"x":1},{"y":1,"y":2}]}`, "a[1].y"},
		{`{"a":[[1,2],{"z":1,"\u007a":2}]}`, "a[1].z"},
		{`[{"a":1},{"a":1}]`, ""},
		{`{"a":1,"b":[],"c":{},"a":3}`, "a"},
		{`{"a":`, ""},
	} {
		err := checkDuplicateMembers([]byte(tc.in))
		switch {
		case tc.at == "" && err != nil:
			t.Errorf("%s: %v, want none", tc.in, err)
		case tc.at != "" && (!errors.Is(err, errDuplicateMember) || !strings.HasSuffix(err.Error(), " at "+tc.at)):
			t.Errorf("%s: %v, want a duplicate at %s", tc.in, err, tc.at)
		}
	}
}

// FuzzCheckDuplicateMembers: never panics, and a document encoding/json
// wrote (from a map, so without duplicates) passes.
func FuzzCheckDuplicateMembers(f *testing.F) {
	f.Add([]byte(`{"a":[{"b":1,"c":{"d":[]}}],"e":"f"}`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = checkDuplicateMembers(data)
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			return
		}
		if err := checkDuplicateMembers(out); err != nil {
			t.Fatalf("re-encoded %s: %v", out, err)
		}
	})
}
