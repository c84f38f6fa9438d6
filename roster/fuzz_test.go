package roster

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzRoster reads arbitrary bytes as a CSV and as a JSON Lines roster:
// it must never panic, every bad row must be a *LineError with a line
// number that does not go backwards, and every row it accepts must carry a
// key, a recipient and valid UTF-8.
func FuzzRoster(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, p := range seeds {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("email,name\na@example.org,A\n\"b@example.org\",\"B\nC\"\n"))
	f.Add([]byte(`{"email":"a@example.org","credits":3}` + "\n" + `{"did":"did:key:z6Mk"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := Mapping{Email: "email", DID: "did", Name: "name", CreditsEarned: "credits", ActivityStartDate: "start",
			Results: map[string]string{"grade": "grade"}}
		for _, format := range []Format{CSV, JSONL} {
			rd, err := NewReader(bytes.NewReader(data), Options{Format: format, Mapping: m, MaxRecordBytes: 4096, MaxRows: 1000})
			if err != nil {
				continue
			}
			last := 0
			for range 2000 {
				row, err := rd.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				var le *LineError
				if errors.As(err, &le) {
					if le.Line < last {
						t.Fatalf("%s: line %d after line %d", format, le.Line, last)
					}
					last = le.Line
					continue
				}
				if err != nil {
					break
				}
				if row.Line < last || row.Key == "" || (row.Email == "" && row.DID == "") {
					t.Fatalf("%s: bad row %+v after line %d", format, row, last)
				}
				last = row.Line
				for _, s := range []string{row.Key, row.Email, row.DID, row.Name} {
					if !utf8.ValidString(s) {
						t.Fatalf("%s: row with invalid UTF-8 %q", format, s)
					}
				}
			}
		}
	})
}
