package verifier

import (
	"errors"
	"slices"
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

func TestEntityID(t *testing.T) {
	tests := []struct{ id, entity, did string }{
		{"https://poly.example/issuer", "https://poly.example/issuer", ""},
		{"did:web:poly.example", "https://poly.example", "did:web:poly.example"},
		{"did:web:localhost%3A8443:org:cs", "https://localhost:8443/org/cs", "did:web:localhost%3A8443:org:cs"},
		{"did:web:a.example%2Fevil", "", ""},
		{"did:web:", "", ""},
		{"did:web:a.example::x", "", ""},
		{"did:key:z6Mk", "", ""},
		{"http://poly.example", "", ""},
	}
	for _, tt := range tests {
		entity, did, err := entityID(tt.id)
		if entity != tt.entity || did != tt.did || (err == nil) != (tt.entity != "") {
			t.Errorf("entityID(%q) = %q, %q, %v; want %q, %q", tt.id, entity, did, err, tt.entity, tt.did)
		}
	}
	if slices.Equal(roleTypes(RoleIssuer), roleTypes(RoleEndorser)) {
		t.Error("issuers and endorsers are recognised by the same metadata")
	}
}
