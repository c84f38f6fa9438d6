package status

import (
	"errors"
	"strings"
	"testing"
)

func TestRevocationList(t *testing.T) {
	rl, err := ParseRevocationList([]byte(readFixture(t, "revocation/list.json")))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"revoked true", "urn:uuid:a63a60be-f4af-491c-87fc-2c8fd3007a58", true},
		{"revoked absent", "urn:uuid:0b4a2a7f-2b10-4b1e-9d47-8b14e3a1c6a2", true},
		{"revoked false", "urn:uuid:5c9e1a3b-7f2d-4e8a-b6c1-d2e3f4a5b6c7", false},
		{"not listed", "urn:uuid:00000000-0000-0000-0000-000000000000", false},
		{"empty id", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rl.IsRevoked(tt.id); got != tt.want {
				t.Fatalf("IsRevoked(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
	if len(rl.Items) != 3 {
		t.Errorf("Items = %d, want 3", len(rl.Items))
	}
	var nilList *RevocationList
	if nilList.IsRevoked("x") {
		t.Error("nil list revokes")
	}
}

func TestParseRevocationList(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		revoked []string
		wantErr error
	}{
		{"no revokedCredential", `{"id":"https://e.com/r"}`, nil, nil},
		{"null revokedCredential", `{"revokedCredential":null}`, nil, nil},
		{"empty array", `{"revokedCredential":[]}`, nil, nil},
		{"extra fields ignored", `{"revokedCredential":[{"id":"a","revocationReason":"x","extra":{}}]}`, []string{"a"}, nil},
		{"duplicate: any revoking item wins", `{"revokedCredential":[{"id":"a","revoked":false},{"id":"a"}]}`, []string{"a"}, nil},
		{"revoked null is absent", `{"revokedCredential":[{"id":"a","revoked":null}]}`, []string{"a"}, nil},
		{"not JSON", `revoked`, nil, ErrMalformed},
		{"array body", `[]`, nil, ErrMalformed},
		{"null body", `null`, nil, ErrMalformed},
		{"revokedCredential object", `{"revokedCredential":{"id":"a"}}`, nil, ErrMalformed},
		{"item not object", `{"revokedCredential":["a"]}`, nil, ErrMalformed},
		{"item without id", `{"revokedCredential":[{"revoked":true}]}`, nil, ErrMalformed},
		{"revoked string", `{"revokedCredential":[{"id":"a","revoked":"true"}]}`, nil, ErrMalformed},
		{"too large", `{"x":"` + strings.Repeat("a", MaxRevocationListBytes) + `"}`, nil, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rl, err := ParseRevocationList([]byte(tt.body))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			for _, id := range tt.revoked {
				if !rl.IsRevoked(id) {
					t.Errorf("IsRevoked(%q) = false", id)
				}
			}
		})
	}
}
