package issuer_test

import (
	"errors"
	"testing"

	"github.com/badgesmith/badgesmith/internal/emailtable"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/proof"
)

// TestRecipientEmailRuleTable builds a credential for every address of
// the shared email table (internal/emailtable): the issuer accepts
// exactly the addresses the one rule (ob3.CheckEmail) accepts.
func TestRecipientEmailRuleTable(t *testing.T) {
	tab, err := emailtable.Load()
	if err != nil {
		t.Fatal(err)
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
