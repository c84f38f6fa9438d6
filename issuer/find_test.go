package issuer_test

import (
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/store"
)

func TestRecipientMatches(t *testing.T) {
	salted := store.Record{Recipient: ob3.IdentityHash("ann@example.edu", "s1"), RecipientSalt: "s1"}
	tests := []struct {
		name  string
		rec   store.Record
		email string
		want  bool
	}{
		{"salted hash", salted, "ann@example.edu", true},
		{"lower-cased", salted, "Ann@Example.edu", true},
		{"trimmed", salted, "  ann@example.edu\n", true},
		{"other address", salted, "bob@example.edu", false},
		{"empty", salted, "", false},
		{"same hash, other salt", store.Record{Recipient: salted.Recipient, RecipientSalt: "s2"}, "ann@example.edu", false},
		{"in the clear", store.Record{Recipient: "ann@example.edu"}, "ann@example.edu", true},
		{"hash without its salt", store.Record{Recipient: salted.Recipient}, "ann@example.edu", false},
		{"a DID", store.Record{Recipient: "did:example:ann"}, "ann@example.edu", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := issuer.RecipientMatches(&tt.rec, tt.email); got != tt.want {
				t.Errorf("RecipientMatches(%+v, %q) = %v, want %v", tt.rec, tt.email, got, tt.want)
			}
		})
	}
}
