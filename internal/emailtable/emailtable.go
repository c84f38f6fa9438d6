// Package emailtable is the one table of email addresses that the tests
// of every caller of ob3.CheckEmail (ob3, roster, issuer) judge, so that
// the callers of the one email rule cannot drift apart again.
package emailtable

import (
	_ "embed"
	"encoding/json"
	"errors"
)

//go:embed emails.json
var data []byte

// Table lists addresses the rule accepts and addresses it refuses.
type Table struct {
	Valid   []string `json:"valid"`
	Invalid []string `json:"invalid"`
}

// Load returns the table.
func Load() (Table, error) {
	var t Table
	if err := json.Unmarshal(data, &t); err != nil {
		return Table{}, err
	}
	if len(t.Valid) == 0 || len(t.Invalid) == 0 {
		return Table{}, errors.New("email table: a list is empty")
	}
	return t, nil
}
