package issuer

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// TestMarshalJSONCycleRedteam14: a credential map that contains itself
// (a library caller's mistake, which Validate takes from outside) gets
// encoding/json's error, as before the hand-written encoder, not a
// goroutine stack overflow, which no recover catches. The compact
// encoder bounds its own nesting as the indented one does.
func TestMarshalJSONCycleRedteam14(t *testing.T) {
	for _, indent := range []bool{false, true} {
		cyclic := map[string]any{"id": "urn:x"}
		cyclic["self"] = cyclic
		enc := marshalJSON
		if indent {
			enc = marshalIndentJSON
		}
		_, err := enc(cyclic)
		var uve *json.UnsupportedValueError
		if !errors.As(err, &uve) {
			t.Errorf("indent %v: error %v, want encoding/json's UnsupportedValueError", indent, err)
		}
	}
	cyclic := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}}
	cyclic["credentialSubject"] = map[string]any{"achievement": cyclic}
	if err := Validate(cyclic); err == nil {
		t.Error("Validate accepted a credential that contains itself")
	}

	// Deeper than maxEncodeDepth, without a cycle: encoding/json's bytes.
	var deep any = "x"
	for range maxEncodeDepth + 5 {
		deep = []any{map[string]any{"a": deep}}
	}
	got, err := marshalJSON(deep)
	want, werr := json.Marshal(deep)
	if err != nil || werr != nil || !bytes.Equal(got, want) {
		t.Errorf("deep value: %v, %v, equal %v", err, werr, bytes.Equal(got, want))
	}
}
