package verifier

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzCheckJWSText: checkJWSText is checkText on a token's payload, for
// any token, whatever its segments hold.
func FuzzCheckJWSText(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `{"a":"\ud83d\ude00"}`} {
		f.Add("eyJhbGciOiJFZERTQSJ9", []byte(s), "c2ln")
	}
	f.Fuzz(func(t *testing.T, header string, payload []byte, sig string) {
		tok := header + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + sig
		got, want := checkJWSText(tok), checkText(payload)
		if header != "" && !strings.Contains(header, ".") && (got != nil) != (want != nil) {
			t.Fatalf("checkJWSText(%q) = %v, checkText of its payload %v", tok, got, want)
		}
	})
}
