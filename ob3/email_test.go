package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// emailTable is the shared table in testdata/emails.json.
type emailTable struct {
	Valid   []string `json:"valid"`
	Invalid []string `json:"invalid"`
}

func readEmailTable(t *testing.T) emailTable {
	t.Helper()
	data, err := os.ReadFile("testdata/emails.json")
	if err != nil {
		t.Fatal(err)
	}
	var tab emailTable
	if err := json.Unmarshal(data, &tab); err != nil {
		t.Fatal(err)
	}
	if len(tab.Valid) == 0 || len(tab.Invalid) == 0 {
		t.Fatal("empty email table")
	}
	return tab
}

func TestCheckEmailTable(t *testing.T) {
	tab := readEmailTable(t)
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
