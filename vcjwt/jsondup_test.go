package vcjwt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCheckDuplicateMembers(t *testing.T) {
	tests := []struct {
		name, in string
		wantPath string // "" means accepted
	}{
		{"plain", `{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}`, ""},
		{"same name in sibling objects", `{"x":{"id":1},"y":{"id":2}}`, ""},
		{"arrays of scalars", `{"a":[1,1,"a","a",null,true]}`, ""},
		{"empty object and array", `{"a":{},"b":[],"c":[[],{}]}`, ""},
		{"top level", `{"exp":1,"iss":"a","exp":2}`, `"exp" at exp`},
		{"nested", `{"vc":{"credentialSubject":{"name":"a","name":"b"}}}`, `"name" at vc.credentialSubject.name`},
		{"after a nested object", `{"a":{"b":1},"a":2}`, `"a" at a`},
		{"in an array element", `{"list":[{"id":1},{"id":2,"id":3}]}`, `"id" at list[1].id`},
		{"in nested arrays", `{"l":[[1],[{"k":1,"k":2}]]}`, `"k" at l[1][0].k`},
		{"escaped spelling", `{"alg":"EdDSA","\u0061lg":"none"}`, `"alg" at alg`},
		{"malformed left to the decoder", `{"a":1,"b"`, ""},
		{"not json", `nonsense`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkDuplicateMembers([]byte(tt.in))
			if tt.wantPath == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrDuplicateMember) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrDuplicateMember", err)
			}
			if !strings.Contains(err.Error(), tt.wantPath) {
				t.Errorf("err %q does not name %s", err, tt.wantPath)
			}
		})
	}
}

// rawToken signs a header and payload given as JSON text, so they can hold
// what encoding/json never writes: a repeated member.
func rawToken(header, payload string, sign func([]byte) []byte) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	return input + "." + b64(sign([]byte(input)))
}

// TestVerifyJWTRefusesDuplicateMembers: a correctly signed token whose
// payload or header repeats a member is refused, naming the member, where
// encoding/json alone would keep the last value.
func TestVerifyJWTRefusesDuplicateMembers(t *testing.T) {
	ks := testJWTKeys(t)
	header := `{"alg":"EdDSA","typ":"JWT","kid":"` + jwtKID + `"}`
	payload, err := json.Marshal(obPayload())
	if err != nil {
		t.Fatal(err)
	}
	// The name appears twice: the first (signed-over, read by other
	// verifiers) says one thing, the last another.
	dupName := string(bytes.Replace(payload, []byte(`"name":"Example Badge"`), []byte(`"name":"Example Badge","name":"Brain Surgery"`), 1))
	dupExp := string(bytes.Replace(payload, []byte(`"exp":`), []byte(`"exp":1,"exp":`), 1))
	dupSubject := string(bytes.Replace(payload, []byte(`"id":"did:example:learner"`), []byte(`"id":"did:example:learner","id":"did:example:mallory"`), 1))
	tests := []struct {
		name, header, payload string
		want                  string // JSON path named, "" for a valid token
	}{
		{"valid", header, string(payload), ""},
		{"payload name", header, dupName, "payload"},
		{"payload exp claim", header, dupExp, `"exp" at exp`},
		{"payload subject id", header, dupSubject, "credentialSubject.id"},
		{"header alg", `{"alg":"EdDSA","typ":"JWT","alg":"EdDSA","kid":"` + jwtKID + `"}`, string(payload), `"alg" at alg`},
		{"header kid", `{"alg":"EdDSA","typ":"JWT","kid":"did:example:other#k","kid":"` + jwtKID + `"}`, string(payload), `"kid" at kid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.payload == string(payload) && tt.name != "valid" && tt.header == header {
				t.Fatal("test payload was not modified")
			}
			tok := rawToken(tt.header, tt.payload, edSigner(ks.ed))
			_, err := Verify(context.Background(), tok, VerifyOptions{Keys: oneKey(ks.ed.Public()), Now: fixedNow})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("valid token refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrDuplicateMember) {
				t.Fatalf("err = %v, want ErrDuplicateMember", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %q does not name %s", err, tt.want)
			}
			if _, err := Parse(tok, 0); !errors.Is(err, ErrDuplicateMember) {
				t.Errorf("Parse err = %v, want ErrDuplicateMember", err)
			}
		})
	}
}

// FuzzCheckDuplicateMembers: the check never panics, never refuses what
// decodes to the same value when re-encoded (no duplicates can survive
// encoding/json), and refuses only valid JSON that really repeats a name.
func FuzzCheckDuplicateMembers(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"a":2}`, `{"a":[{"b":1,"b":2}]}`, `[1,{"x":{}}]`, `{"\u0061":1,"a":2}`, `{"a"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		err := checkDuplicateMembers(raw)
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		again, _ := json.Marshal(v)
		if err := checkDuplicateMembers(again); err != nil {
			t.Fatalf("re-encoded JSON refused: %s: %v", again, err)
		}
		if err != nil && len(again) == len(raw) && bytes.Equal(again, raw) {
			t.Fatalf("canonical JSON refused: %s: %v", raw, err)
		}
	})
}

func BenchmarkCheckDuplicateMembers(b *testing.B) {
	payload, err := json.Marshal(obPayload())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if err := checkDuplicateMembers(payload); err != nil {
			b.Fatal(err)
		}
	}
}
