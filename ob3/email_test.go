package ob3

import (
	"bytes"
	"errors"
	"testing"

	"github.com/badgesmith/badgesmith/internal/emailtable"
)

func TestCheckEmailTable(t *testing.T) {
	tab, err := emailtable.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range tab.Valid {
		if err := CheckEmail(s); err != nil {
			t.Errorf("CheckEmail(%q) = %v, want nil", s, err)
		}
		if _, err := NewIdentityObject(s, bytes.NewReader(make([]byte, 16))); err != nil {
			t.Errorf("NewIdentityObject(%q) = %v, want nil", s, err)
		}
	}
	for _, s := range tab.Invalid {
		err := CheckEmail(s)
		if !errors.Is(err, ErrInvalidEmail) {
			t.Errorf("CheckEmail(%q) = %v, want ErrInvalidEmail", s, err)
		}
		if _, err := NewIdentityObject(s, bytes.NewReader(make([]byte, 16))); !errors.Is(err, ErrInvalidEmail) {
			t.Errorf("NewIdentityObject(%q) = %v, want ErrInvalidEmail", s, err)
		}
	}
}
