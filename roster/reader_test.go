package roster

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// readAll reads every row and line error of a roster.
func readAll(t testing.TB, data string, opts Options) ([]*Row, []*LineError, error) {
	t.Helper()
	rd, err := NewReader(strings.NewReader(data), opts)
	if err != nil {
		return nil, nil, err
	}
	var rows []*Row
	var bad []*LineError
	for {
		row, err := rd.Next()
		var le *LineError
		switch {
		case errors.Is(err, io.EOF):
			return rows, bad, nil
		case errors.As(err, &le):
			bad = append(bad, le)
		case err != nil:
			return rows, bad, err
		default:
			rows = append(rows, row)
		}
	}
}

func TestReadGood(t *testing.T) {
	m := Mapping{Key: "student_id", Email: "Email", Name: "Name", Evidence: "Portfolio",
		ActivityStartDate: "Start", ActivityEndDate: "End", CreditsEarned: "Credits",
		Results: map[string]string{"Final grade": "Grade"}, Achievement: map[string]string{"name": "Course"}}
	tests := []struct {
		name   string
		format Format
		data   string
		opts   Options
	}{
		{"csv", CSV, "\ufeffstudent_id,Email,Name,Portfolio,Start,End,Credits,Grade,Course\n" +
			"s1,ada@example.edu,Ada Lovelace,https://example.edu/p/1,2025-01-06,2025-05-30T12:00:00Z,3.5,A,\n" +
			"s2, bob@example.edu ,\"Bob, Jr.\",,,,,B,Advanced Widgets\n", Options{Mapping: m}},
		{"jsonl", JSONL, `{"student_id":"s1","Email":"ada@example.edu","Name":"Ada Lovelace","Portfolio":"https://example.edu/p/1","Start":"2025-01-06","End":"2025-05-30T12:00:00Z","Credits":3.5,"Grade":"A"}` + "\n\n" +
			`{"student_id":"s2","Email":" bob@example.edu ","Name":"Bob, Jr.","Grade":"B","Course":"Advanced Widgets"}`, Options{Mapping: m}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Format = tt.format
			rows, bad, err := readAll(t, tt.data, tt.opts)
			if err != nil || len(bad) > 0 {
				t.Fatalf("err = %v, line errors %v", err, bad)
			}
			if len(rows) != 2 {
				t.Fatalf("%d rows, want 2", len(rows))
			}
			a, b := rows[0], rows[1]
			if a.Key != "s1" || a.Email != "ada@example.edu" || a.Name != "Ada Lovelace" || a.Evidence != "https://example.edu/p/1" ||
				a.ActivityStartDate != "2025-01-06T00:00:00Z" || a.ActivityEndDate != "2025-05-30T12:00:00Z" ||
				!a.HasCredits || a.CreditsEarned != 3.5 || len(a.Results) != 1 || a.Results[0] != (Result{"Final grade", "A"}) ||
				a.Achievement != nil {
				t.Errorf("row 1 = %+v", a)
			}
			if b.Key != "s2" || b.Email != "bob@example.edu" || b.Name != "Bob, Jr." || b.HasCredits || b.Achievement["name"] != "Advanced Widgets" {
				t.Errorf("row 2 = %+v", b)
			}
			if tt.format == CSV && (a.Line != 2 || b.Line != 3) {
				t.Errorf("lines %d, %d; want 2, 3", a.Line, b.Line)
			}
			if tt.format == JSONL && (a.Line != 1 || b.Line != 3) {
				t.Errorf("lines %d, %d; want 1, 3", a.Line, b.Line)
			}
		})
	}
}

func TestAutoMapping(t *testing.T) {
	rows, bad, err := readAll(t, "Student ID,Email Address,Full Name\n42,x@example.org,X\n", Options{Format: CSV})
	if err != nil || len(bad) > 0 || len(rows) != 1 {
		t.Fatalf("rows %v, bad %v, err %v", rows, bad, err)
	}
	if rows[0].Key != "42" || rows[0].Email != "x@example.org" || rows[0].Name != "X" {
		t.Errorf("row = %+v", rows[0])
	}
}

// TestLineErrors checks that every bad row is reported with its line and
// field and that the rows around it are still read.
func TestLineErrors(t *testing.T) {
	m := Mapping{Key: "id", Email: "email", DID: "did", Evidence: "ev", ActivityStartDate: "start", ActivityEndDate: "end", CreditsEarned: "credits"}
	const head = "id,email,did,ev,start,end,credits\n"
	const good = "g1,good@example.org,,,,,\n"
	tests := []struct {
		name      string
		format    Format
		data      string
		wantLine  int
		wantField string
		want      error
	}{
		{"bad email", CSV, head + good + "2,not-an-email,,,,,\n", 3, "email", ErrInvalidValue},
		{"email with space", CSV, head + good + "2,a b@example.org,,,,,\n", 3, "email", ErrInvalidValue},
		{"no recipient", CSV, head + good + "2,,,,,,\n", 3, "email", ErrRequired},
		{"duplicate key", CSV, head + good + "g1,other@example.org,,,,,\n", 3, "key", ErrDuplicateKey},
		{"empty key", CSV, head + good + ",x@example.org,,,,,\n", 3, "key", ErrRequired},
		{"non-UTF-8", CSV, head + good + "2,\xff@example.org,,,,,\n", 3, "email", ErrNotUTF8},
		{"ragged short", CSV, head + good + "2,x@example.org\n", 3, "", ErrRagged},
		{"ragged long", CSV, head + good + "2,x@example.org,,,,,,,\n", 3, "", ErrRagged},
		{"bare quote", CSV, head + good + "2,x\"y@example.org,,,,,\n", 3, "", ErrMalformed},
		{"bad did", CSV, head + good + "2,,did:Bad Method:x,,,,\n", 3, "did", ErrInvalidValue},
		{"relative evidence", CSV, head + good + "2,x@example.org,,/work/1,,,\n", 3, "evidence", ErrInvalidValue},
		{"bad date", CSV, head + good + "2,x@example.org,,,May 5th,,\n", 3, "activityStartDate", ErrInvalidValue},
		{"end before start", CSV, head + good + "2,x@example.org,,,2025-05-01,2025-04-01,\n", 3, "activityEndDate", ErrInvalidValue},
		{"negative credits", CSV, head + good + "2,x@example.org,,,,,-1\n", 3, "creditsEarned", ErrInvalidValue},
		{"nan credits", CSV, head + good + "2,x@example.org,,,,,NaN\n", 3, "creditsEarned", ErrInvalidValue},
		{"control character", CSV, head + good + "2,\"x@example.org\x07\",,,,,\n", 3, "email", ErrInvalidValue},
		{"multi-line record counts lines", CSV, "id,email,did,ev,start,end,credits,note\ng1,good@example.org,,,,,,\"two\nlines\"\n3,bad,,,,,,\n", 4, "email", ErrInvalidValue},
		{"newline in a mapped value", CSV, head + good + "\"2\nx\",x@example.org,,,,,\n", 3, "key", ErrInvalidValue},
		{"jsonl bad email", JSONL, `{"id":"1","email":"ok@example.org"}` + "\n" + `{"id":"2","email":"nope"}`, 2, "email", ErrInvalidValue},
		{"jsonl not an object", JSONL, `{"id":"1","email":"ok@example.org"}` + "\n[1,2]\n", 2, "", ErrMalformed},
		{"jsonl malformed", JSONL, `{"id":"1","email":"ok@example.org"}` + "\n" + `{"id":"2",` + "\n", 2, "", ErrMalformed},
		{"jsonl trailing data", JSONL, `{"id":"1","email":"ok@example.org"}` + "\n" + `{"id":"2","email":"x@example.org"} {}`, 2, "", ErrMalformed},
		{"jsonl non-UTF-8", JSONL, `{"id":"1","email":"ok@example.org"}` + "\n" + "{\"id\":\"2\",\"email\":\"\xfe@example.org\"}", 2, "", ErrNotUTF8},
		{"jsonl object value", JSONL, `{"id":"1","email":"ok@example.org"}` + "\n" + `{"id":"2","email":{"a":1}}`, 2, "email", ErrInvalidValue},
		{"jsonl duplicate key", JSONL, `{"id":"1","email":"ok@example.org"}` + "\n" + `{"id":1,"email":"x@example.org"}`, 2, "key", ErrDuplicateKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := readAll(t, tt.data, Options{Format: tt.format, Mapping: m})
			if err != nil {
				t.Fatalf("fatal error %v, want a line error", err)
			}
			if len(bad) != 1 {
				t.Fatalf("line errors %v, want one", bad)
			}
			le := bad[0]
			if le.Line != tt.wantLine || le.Field != tt.wantField || !errors.Is(le, tt.want) {
				t.Errorf("got %v (line %d, field %q), want line %d, field %q, %v", le, le.Line, le.Field, tt.wantLine, tt.wantField, tt.want)
			}
			if le.Raw == "" && !errors.Is(le, ErrMalformed) {
				t.Errorf("line error has no raw record")
			}
			if len(rows) != 1 {
				t.Errorf("%d good rows, want 1", len(rows))
			}
		})
	}
}

func TestFatalErrors(t *testing.T) {
	m := Mapping{Email: "email", Name: "name"}
	tests := []struct {
		name string
		data string
		opts Options
		want error
	}{
		{"missing column", "email,fullname\nx@example.org,X\n", Options{Format: CSV, Mapping: m}, ErrMissingColumn},
		{"empty roster", "", Options{Format: CSV, Mapping: m}, ErrMissingColumn},
		{"no recipient column", "a,b\n1,2\n", Options{Format: CSV}, ErrMissingColumn},
		{"duplicate header", "email,name,email\n", Options{Format: CSV, Mapping: m}, ErrMalformed},
		{"mapping without recipient", "email\n", Options{Format: CSV, Mapping: Mapping{Name: "email"}}, ErrInvalidMapping},
		{"too many rows", "email\na@example.org\nb@example.org\nc@example.org\n", Options{Format: CSV, Mapping: Mapping{Email: "email"}, MaxRows: 2}, ErrTooManyRows},
		{"csv record too long", "email\n" + strings.Repeat("a", 1<<20) + "\n", Options{Format: CSV, Mapping: Mapping{Email: "email"}, MaxRecordBytes: 1024}, ErrTooLong},
		{"jsonl line too long", `{"email":"` + strings.Repeat("a", 1<<20) + `"}`, Options{Format: JSONL, MaxRecordBytes: 1024}, ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, tt.data, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var le *LineError
			if errors.As(err, &le) {
				t.Errorf("fatal error is a *LineError: %v", err)
			}
		})
	}
}

func TestMappingParse(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantErr bool
	}{
		{"good", `{"key":"sid","email":"mail","results":{"grade":"g"},"achievement":{"name":"course"}}`, false},
		{"unknown field", `{"email":"mail","emial":"x"}`, true},
		{"bad override", `{"email":"mail","achievement":{"id":"x"}}`, true},
		{"no recipient", `{"name":"n"}`, true},
		{"trailing", `{"email":"m"} {}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMapping([]byte(tt.data))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidMapping) {
				t.Errorf("err = %v, want ErrInvalidMapping", err)
			}
		})
	}
	var m Mapping
	for _, kv := range [][2]string{{"email", "E"}, {"result:Final", "G"}, {"achievement.description", "D"}} {
		if err := m.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if m.Email != "E" || m.Results["Final"] != "G" || m.Achievement["description"] != "D" {
		t.Errorf("mapping after Set = %+v", m)
	}
	for _, kv := range [][2]string{{"mail", "E"}, {"achievement.id", "X"}, {"email", ""}, {"result:", "x"}} {
		if err := m.Set(kv[0], kv[1]); !errors.Is(err, ErrInvalidMapping) {
			t.Errorf("Set(%q, %q) = %v, want ErrInvalidMapping", kv[0], kv[1], err)
		}
	}
}

// endless is a roster of n bytes generated on the fly: a header, then
// rows with distinct keys, or a single line that never ends.
type endless struct {
	n, off   int64
	oneLine  bool
	row      int
	pending  []byte
	consumed int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.off >= e.n {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && e.off < e.n {
		if len(e.pending) == 0 {
			switch {
			case e.off == 0:
				e.pending = []byte("email,name\n")
			case e.oneLine:
				e.pending = []byte(strings.Repeat("x", 4096))
			default:
				e.row++
				e.pending = fmt.Appendf(nil, "learner%d@example.org,Learner %d\n", e.row, e.row)
			}
		}
		c := copy(p[n:], e.pending)
		if int64(c) > e.n-e.off {
			c = int(e.n - e.off)
		}
		e.pending = e.pending[c:]
		n += c
		e.off += int64(c)
	}
	e.consumed += int64(n)
	return n, nil
}

// TestHugeRoster streams 2 GB rosters generated on the fly: one that is a
// single endless line is refused after one record's budget, one of
// well-formed rows stops at MaxRows; neither reads far nor holds much.
func TestHugeRoster(t *testing.T) {
	const twoGB = 2 << 30
	t.Run("one endless line", func(t *testing.T) {
		src := &endless{n: twoGB, oneLine: true}
		rd, err := NewReader(src, Options{Format: CSV, Mapping: Mapping{Email: "email"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rd.Next(); !errors.Is(err, ErrTooLong) {
			t.Fatalf("Next = %v, want ErrTooLong", err)
		}
		if src.consumed > 4*DefaultMaxRecordBytes {
			t.Errorf("read %d bytes of an endless line, want at most %d", src.consumed, 4*DefaultMaxRecordBytes)
		}
	})
	t.Run("many rows", func(t *testing.T) {
		const maxRows = 100_000
		src := &endless{n: twoGB}
		rd, err := NewReader(src, Options{Format: CSV, MaxRows: maxRows})
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		n := 0
		for {
			_, err := rd.Next()
			if err != nil {
				if !errors.Is(err, ErrTooManyRows) {
					t.Fatalf("after %d rows: %v, want ErrTooManyRows", n, err)
				}
				break
			}
			n++
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if n != maxRows {
			t.Errorf("%d rows before ErrTooManyRows, want %d", n, maxRows)
		}
		if src.consumed > 10<<20 {
			t.Errorf("read %d bytes for %d rows", src.consumed, n)
		}
		// The key set is the only thing that grows: ~50 bytes a row.
		if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 200*maxRows {
			t.Errorf("heap grew %d bytes over %d rows, more than 200 a row", grown, maxRows)
		}
		runtime.KeepAlive(rd)
	})
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{"a.csv": CSV, "B.JSONL": JSONL, "c.ndjson": JSONL} {
		if got, err := FormatOf(name); err != nil || got != want {
			t.Errorf("FormatOf(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := FormatOf("roster.xlsx"); err == nil {
		t.Errorf("FormatOf(roster.xlsx) succeeded")
	}
}

// TestMissingNames checks that a row with an empty name, in a roster with
// a name column, is an error unless AllowMissingNames, and then marked.
func TestMissingNames(t *testing.T) {
	const csvData = "email,name\na@example.edu,Ann\nb@example.edu,\nc@example.edu,  \n"
	tests := []struct {
		name    string
		data    string
		opts    Options
		rows    int
		errs    []int // lines refused
		missing []int // lines accepted with MissingName
	}{
		{"csv refused", csvData, Options{Format: CSV}, 1, []int{3, 4}, nil},
		{"csv allowed", csvData, Options{Format: CSV, AllowMissingNames: true}, 3, nil, []int{3, 4}},
		{"csv without a name column", "email\na@example.edu\n", Options{Format: CSV}, 1, nil, nil},
		{"csv explicit mapping", "mail,full\na@example.edu,\n", Options{Format: CSV, Mapping: Mapping{Email: "mail", Name: "full"}}, 0, []int{2}, nil},
		{"jsonl automatic mapping", `{"email":"a@example.edu"}` + "\n", Options{Format: JSONL}, 1, nil, nil},
		{"jsonl mapped name", `{"email":"a@example.edu"}` + "\n", Options{Format: JSONL, Mapping: Mapping{Email: "email", Name: "name"}}, 0, []int{1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, lerrs, err := readAll(t, tt.data, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tt.rows {
				t.Errorf("%d rows, want %d", len(rows), tt.rows)
			}
			var errLines []int
			for _, le := range lerrs {
				if le.Field != FieldName || !errors.Is(le, ErrRequired) || !strings.Contains(le.Error(), "--allow-missing-names") {
					t.Errorf("line error %v, want a name ErrRequired", le)
				}
				errLines = append(errLines, le.Line)
			}
			if !slices.Equal(errLines, tt.errs) {
				t.Errorf("refused lines %v, want %v", errLines, tt.errs)
			}
			var missing []int
			for _, r := range rows {
				if r.MissingName {
					missing = append(missing, r.Line)
				}
			}
			if !slices.Equal(missing, tt.missing) {
				t.Errorf("lines marked MissingName %v, want %v", missing, tt.missing)
			}
		})
	}
}
