package verifier_test

import (
	"errors"
	"testing"

	"github.com/badgesmith/badgesmith/verifier"
)

func TestParseTrustList(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want error
	}{
		{"local", `{"trustList": {"name": "RIA members", "entries": [{"id": "did:web:ria.example", "name": "RIA", "roles": ["endorser"]}]}}`, nil},
		{"dcc legacy", `{"meta": {"created": "2022-10-27T17:57:31+00:00"}, "registry": {"did:key:z6Mk": {"name": "My University", "location": "Cambridge", "url": "https://u.example"}}}`, nil},
		{"neither", `{"issuers": []}`, verifier.ErrTrustList},
		{"both", `{"trustList": {"entries": []}, "registry": {}}`, verifier.ErrTrustList},
		{"entry without id", `{"trustList": {"entries": [{"name": "x"}]}}`, verifier.ErrTrustList},
		{"unknown role", `{"trustList": {"entries": [{"id": "did:x", "roles": ["judge"]}]}}`, verifier.ErrTrustList},
		{"window reversed", `{"trustList": {"entries": [{"id": "did:x", "validFrom": "2026-01-01T00:00:00Z", "validUntil": "2025-01-01T00:00:00Z"}]}}`, verifier.ErrTrustList},
		{"not json", `{"trustList": `, verifier.ErrTrustList},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := verifier.ParseTrustList("list.json", []byte(tt.src))
			if !errors.Is(err, tt.want) || (err == nil) != (l != nil) {
				t.Errorf("err %v, want %v", err, tt.want)
			}
		})
	}
}

func FuzzParseTrustList(f *testing.F) {
	f.Add([]byte(`{"trustList": {"name": "n", "entries": [{"id": "did:web:a.example", "roles": ["issuer", "endorser"]}]}}`))
	f.Add([]byte(`{"registry": {"did:key:z6Mk": {"name": "U", "url": "https://u.example"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := verifier.ParseTrustList("f", data)
		if err != nil && !errors.Is(err, verifier.ErrTrustList) {
			t.Fatalf("error %v does not wrap ErrTrustList", err)
		}
		if (err == nil) != (l != nil) {
			t.Fatalf("list %v with error %v", l, err)
		}
	})
}
