package issuer

import "testing"

// TestValidateCycleRedteam14: a credential map that contains itself (a
// library caller's mistake, which Validate takes from outside) is refused
// with an error, not a goroutine stack overflow, which no recover catches.
// internal/jsonvalue's TestMarshalCycle holds the encoder to it.
func TestValidateCycleRedteam14(t *testing.T) {
	cyclic := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}}
	cyclic["credentialSubject"] = map[string]any{"achievement": cyclic}
	if err := Validate(cyclic); err == nil {
		t.Error("Validate accepted a credential that contains itself")
	}
}
