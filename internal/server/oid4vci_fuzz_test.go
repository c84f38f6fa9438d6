package server

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/verifier"
)

// FuzzKeyProof feeds arbitrary credential request proofs to the parser
// and checker of key proofs: none may panic, and every refusal is an
// invalid_proof error, never a server error. Without a valid signature
// nothing is accepted.
func FuzzKeyProof(f *testing.F) {
	for _, s := range []string{
		`{"jwt":["eyJhbGciOiJFZERTQSIsInR5cCI6Im9wZW5pZDR2Y2ktcHJvb2Yrand0Iiwia2lkIjoiZGlkOmtleTp6Nk1raGFYZ0JaRHZvdERrTDUyNTdmYWl6dGlHaUMyUXRLTEdwYm5uRUd0YTJkb0sjejZNa2hhWGdCWkR2b3REa0w1MjU3ZmFpenRpR2lDMlF0S0xHcGJubkVHdGEyZG9LIn0.eyJhdWQiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwiaWF0IjoxLCJub25jZSI6Im4ifQ.c2ln"]}`,
		`{"jwt":["eyJhbGciOiJub25lIn0.e30."]}`,
		`{"jwt":["a.b.c"]}`, `{"jwt":[]}`, `{"ldp_vp":[{}]}`, `null`, `{}`, "\xff",
	} {
		f.Add([]byte(s))
	}
	base, _ := url.Parse("https://issuer.example")
	s := &Server{base: base, opts: Options{Verifier: verifier.Options{Resolver: did.MultiResolver{}}}}
	now := time.Unix(1, 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := oneJWTProof(data)
		if err == nil {
			_, _, err = s.verifyProof(t.Context(), tok, now)
		}
		var oe *oidError
		if err == nil || !errors.As(err, &oe) || oe.code != "invalid_proof" || oe.status != 400 {
			t.Errorf("%q: %v, want an invalid_proof refusal", data, err)
		}
	})
}
