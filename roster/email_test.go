package roster

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/internal/emailtable"
)

// TestEmailRuleTable reads every address of the shared email table
// (internal/emailtable) through the reader: the roster accepts exactly
// the addresses the one rule (ob3.CheckEmail) accepts.
func TestEmailRuleTable(t *testing.T) {
	tab, err := emailtable.Load()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	all := append(append([]string(nil), tab.Valid...), tab.Invalid...)
	for i, s := range all {
		line, err := json.Marshal(map[string]string{"id": fmt.Sprint(i), "email": s})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	rows, bad, err := readAll(t, b.String(), Options{Format: JSONL, Mapping: Mapping{Key: "id", Email: "email"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Email)
	}
	if strings.Join(got, "\n") != strings.Join(tab.Valid, "\n") {
		t.Errorf("accepted %q, want %q", got, tab.Valid)
	}
	if len(bad) != len(tab.Invalid) {
		t.Fatalf("%d line errors, want %d: %v", len(bad), len(tab.Invalid), bad)
	}
	for i, le := range bad {
		if le.Field != FieldEmail || !errors.Is(le, ErrInvalidValue) {
			t.Errorf("%q: %v (field %q), want an invalid email value", tab.Invalid[i], le, le.Field)
		}
	}
}
