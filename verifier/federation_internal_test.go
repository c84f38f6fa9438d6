package verifier

import (
	"errors"
	"testing"
)

func FuzzParseEntityStatement(f *testing.F) {
	f.Add([]byte("eyJhbGciOiJFZERTQSIsImtpZCI6ImsiLCJ0eXAiOiJlbnRpdHktc3RhdGVtZW50K2p3dCJ9.eyJpc3MiOiJodHRwczovL2EiLCJzdWIiOiJodHRwczovL2EiLCJpYXQiOjEsImV4cCI6Mn0.c2ln"))
	f.Add([]byte("eyJhbGciOiJub25lIn0.e30."))
	f.Add([]byte("a.b.c"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := parseEntityStatement(data)
		if err != nil && !errors.Is(err, ErrEntityStatement) {
			t.Fatalf("error %v does not wrap ErrEntityStatement", err)
		}
		if err == nil && (st.Issuer == "" || st.Subject == "" || st.alg == "none" || !st.expires.After(st.issuedAt)) {
			t.Fatalf("accepted %+v", st)
		}
	})
}
