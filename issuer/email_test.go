package issuer_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/proof"
)

// TestRecipientEmailRuleTable builds a credential for every address of
// ob3's shared email table: the issuer accepts exactly the addresses the
// one rule (ob3.CheckEmail) accepts.
func TestRecipientEmailRuleTable(t *testing.T) {
	data, err := os.ReadFile("../ob3/testdata/emails.json")
	if err != nil {
		t.Fatal(err)
	}
	var tab struct{ Valid, Invalid []string }
	if err := json.Unmarshal(data, &tab); err != nil {
		t.Fatal(err)
	}
	if len(tab.Valid) == 0 || len(tab.Invalid) == 0 {
		t.Fatal("empty email table")
	}
	is, _, _ := newIssuer(t, proof.EddsaRdfc2022)
	build := func(email string) error {
		_, err := is.Build(issuer.Request{Achievement: readJSON(t, "achievement.json"), RecipientEmail: email})
		return err
	}
	for _, s := range tab.Valid {
		if err := build(s); err != nil {
			t.Errorf("%q: %v, want accepted", s, err)
		}
	}
	for _, s := range tab.Invalid {
		if err := build(s); !errors.Is(err, issuer.ErrInvalidInput) || !errors.Is(err, ob3.ErrInvalidEmail) {
			t.Errorf("%q: %v, want ErrInvalidInput and ob3.ErrInvalidEmail", s, err)
		}
	}
}
