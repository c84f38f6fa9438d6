package roster

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/badgesmith/badgesmith/issuer"
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

// FuzzRequests maps arbitrary CSV rows to batch items: it must never
// panic; a bad row is an *issuer.RowError whose line does not go
// backwards; every item carries its row's line and key, and its request
// either builds or is refused as invalid input.
func FuzzRequests(f *testing.F) {
	f.Add([]byte("email,name,grade,level\na@example.org,A,A,Expert\nb@example.org,,C,Novice\n"))
	f.Add([]byte("email,grade\nc@example.org,Z\n"))
	q, err := NewRequests(RequestOptions{Achievement: testAchievement(),
		Mapping: Mapping{Email: "email", Name: "name", Results: map[string]string{"grade": "grade", "rubric": "level"}}})
	if err != nil {
		f.Fatal(err)
	}
	is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "X"}, Signer: testSigner(f)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(bytes.NewReader(data), Options{Format: CSV, Mapping: q.opts.Mapping, MaxRecordBytes: 4096, MaxRows: 100})
		if err != nil {
			return
		}
		items, last := q.Items(rd), 0
		for range 200 {
			it, err := items.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *issuer.RowError
			if errors.As(err, &re) {
				if re.Line < last {
					t.Fatalf("line %d after line %d", re.Line, last)
				}
				last = re.Line
				continue
			}
			if err != nil {
				return
			}
			if it.Line < last || it.Key == "" {
				t.Fatalf("item %+v after line %d", it, last)
			}
			last = it.Line
			if _, err := is.Build(it.Request); err != nil && !errors.Is(err, issuer.ErrInvalidInput) {
				t.Fatalf("line %d: build: %v", it.Line, err)
			}
		}
	})
}
