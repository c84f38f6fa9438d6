package roster

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/badgesmith/badgesmith/ob3"
)

// Errors a LineError or a reading error wraps, for errors.Is.
var (
	// ErrMissingColumn means a mapped column is not in the header.
	ErrMissingColumn = errors.New("missing column")
	// ErrRagged means a CSV record has a different number of fields from
	// the header.
	ErrRagged = errors.New("wrong number of fields")
	// ErrNotUTF8 means a value is not valid UTF-8.
	ErrNotUTF8 = errors.New("not valid UTF-8")
	// ErrMalformed means the record is not well-formed CSV or JSON.
	ErrMalformed = errors.New("malformed record")
	// ErrRequired means a required value is empty.
	ErrRequired = errors.New("required")
	// ErrInvalidValue means a value does not have its field's syntax.
	ErrInvalidValue = errors.New("invalid value")
	// ErrDuplicateKey means the row's key was already used by an earlier
	// row.
	ErrDuplicateKey = errors.New("duplicate row key")
	// ErrTooLong means a record is over Options.MaxRecordBytes.
	ErrTooLong = errors.New("record too long")
	// ErrTooManyRows means the roster has more than Options.MaxRows rows.
	ErrTooManyRows = errors.New("too many rows")
	// ErrInvalidMapping means a mapping is unusable.
	ErrInvalidMapping = errors.New("invalid mapping")
)

// Defaults for Options' zero values.
const (
	// DefaultMaxRows bounds the rows of one roster.
	DefaultMaxRows = 2_000_000
	// DefaultMaxRecordBytes bounds one record (a CSV record or a JSON line).
	DefaultMaxRecordBytes = 64 << 10
)

// Value bounds, in bytes.
const (
	maxKey   = 256
	maxValue = 4096
)

// Format is a roster's encoding.
type Format int

// The roster formats.
const (
	CSV Format = iota + 1
	JSONL
)

// String returns "csv" or "jsonl".
func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case JSONL:
		return "jsonl"
	}
	return "unknown"
}

// FormatOf chooses the format by the file name's extension: .csv, or
// .jsonl / .ndjson.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV, nil
	case ".jsonl", ".ndjson":
		return JSONL, nil
	}
	return 0, fmt.Errorf("roster %s: %w: want a .csv, .jsonl or .ndjson file", name, ErrInvalidMapping)
}

// Options configures a Reader.
type Options struct {
	// Format is the roster's encoding. Required.
	Format Format
	// Mapping says which column holds which field. If zero, AutoMapping of
	// the CSV header (for JSON Lines, the field names themselves: "email",
	// "did", "name", ...).
	Mapping Mapping
	// MaxRows bounds the number of rows. If zero, DefaultMaxRows.
	MaxRows int
	// MaxRecordBytes bounds one record. If zero, DefaultMaxRecordBytes.
	MaxRecordBytes int
	// AllowMissingNames accepts a row whose name is empty although the
	// roster has a name column, marking it Row.MissingName; without it
	// such a row is an ErrRequired LineError, so a badge is not issued
	// nameless by mistake. (JSON Lines read with the automatic mapping
	// have no name column: a row without "name" is fine there.)
	AllowMissingNames bool
}

// Result is one result of a row, for a result description of the
// achievement.
type Result struct {
	// Description is the result description's id or name, as mapped.
	Description string
	// Value is the learner's result.
	Value string
}

// Row is one valid roster row. Empty strings are absent values.
type Row struct {
	// Line is the line the row starts on.
	Line int
	// Key identifies the row within the batch.
	Key string
	// Email is the recipient's email address.
	Email string
	// DID is the recipient's DID.
	DID string
	// Name is the recipient's name.
	Name string
	// MissingName is set when the roster has a name column, this row's
	// name is empty and Options.AllowMissingNames let it through.
	MissingName bool
	// Evidence is an absolute http(s) URL.
	Evidence string
	// ActivityStartDate and ActivityEndDate are RFC 3339 date-times in UTC.
	ActivityStartDate string
	// ActivityEndDate is the end of the activity.
	ActivityEndDate string
	// CreditsEarned is the credits earned, if HasCredits.
	CreditsEarned float64
	// HasCredits reports whether CreditsEarned was given.
	HasCredits bool
	// Results are the row's non-empty results, in the mapping's order of
	// descriptions.
	Results []Result
	// Achievement holds the row's non-empty achievement overrides by field.
	Achievement map[string]string
}

// LineError is a bad row: Next returns it and reading goes on.
type LineError struct {
	// Line is the line the record starts on.
	Line int
	// Field is the field at fault, or "" for the whole record.
	Field string
	// Err is the cause; it wraps one of this package's sentinels.
	Err error
	// Raw is the record as read (a CSV record re-encoded, or the JSON
	// line), for a rejects file. It may be cut short.
	Raw string
}

func (e *LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Reader reads a roster row by row.
type Reader struct {
	opts    Options
	mapping Mapping
	cols    []mapped
	budget  *budgetReader
	// CSV
	csv    *csv.Reader
	header []string
	index  []int // per cols entry, the header position
	// JSONL
	br   *bufio.Reader
	line int
	buf  []byte

	// optionalName is set when the name column comes from the automatic
	// JSON Lines mapping, which maps "name" whether or not rows have it.
	optionalName bool

	rows    int
	seen    map[[16]byte]int
	lastErr error
}

// NewReader returns a Reader over r; for CSV it reads the header, and a
// mapped column missing from it is ErrMissingColumn.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = DefaultMaxRecordBytes
	}
	rd := &Reader{opts: opts, mapping: opts.Mapping, seen: map[[16]byte]int{}}
	// The budget covers one record plus what the buffered readers read
	// ahead of it.
	rd.budget = &budgetReader{r: r, limit: int64(opts.MaxRecordBytes) + readAhead}
	switch opts.Format {
	case CSV:
		return rd, rd.readHeader()
	case JSONL:
		rd.br = bufio.NewReaderSize(rd.budget, readAhead)
		rd.optionalName = rd.mapping.IsZero()
		if rd.mapping.IsZero() {
			rd.mapping = Mapping{Email: FieldEmail, Name: FieldName, DID: FieldDID,
				Evidence: FieldEvidence, ActivityStartDate: FieldActivityStartDate,
				ActivityEndDate: FieldActivityEndDate, CreditsEarned: FieldCreditsEarned}
		}
		if err := rd.mapping.Validate(); err != nil {
			return nil, err
		}
		rd.cols = rd.mapping.columns()
		return rd, nil
	}
	return nil, fmt.Errorf("roster: %w: unknown format %d", ErrInvalidMapping, opts.Format)
}

// readAhead is the buffer size of the line readers.
const readAhead = 16 << 10

// Mapping returns the mapping in use (after AutoMapping).
func (rd *Reader) Mapping() Mapping { return rd.mapping }

func (rd *Reader) readHeader() error {
	rd.csv = csv.NewReader(bufio.NewReaderSize(rd.budget, readAhead))
	rd.csv.FieldsPerRecord = -1
	rd.csv.ReuseRecord = true
	rd.budget.reset()
	rec, err := rd.csv.Read()
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("line 1: header: %w: empty roster", ErrMissingColumn)
	case errors.Is(err, errBudget):
		return fmt.Errorf("line 1: header: %w: over %d bytes", ErrTooLong, rd.opts.MaxRecordBytes)
	case err != nil:
		return fmt.Errorf("line 1: header: %w: %w", ErrMalformed, err)
	}
	rd.header = make([]string, len(rec))
	pos := map[string]int{}
	for i, h := range rec {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.TrimSpace(h)
		if !utf8.ValidString(h) {
			return fmt.Errorf("line 1: header column %d: %w", i+1, ErrNotUTF8)
		}
		if h == "" {
			return fmt.Errorf("line 1: header column %d: %w: empty column name", i+1, ErrMalformed)
		}
		if _, dup := pos[h]; dup {
			return fmt.Errorf("line 1: header column %d: %w: column %q appears twice", i+1, ErrMalformed, h)
		}
		pos[h] = i
		rd.header[i] = h
	}
	if rd.mapping.IsZero() {
		rd.mapping = AutoMapping(rd.header)
		if rd.mapping.Email == "" && rd.mapping.DID == "" {
			return fmt.Errorf("line 1: header: %w: no email or did column among %q; map one", ErrMissingColumn, rd.header)
		}
	}
	if err := rd.mapping.Validate(); err != nil {
		return err
	}
	rd.cols = rd.mapping.columns()
	rd.index = make([]int, len(rd.cols))
	for i, c := range rd.cols {
		p, ok := pos[c.column]
		if !ok {
			return fmt.Errorf("line 1: header: %s: %w: no column %q", c.field, ErrMissingColumn, c.column)
		}
		rd.index[i] = p
	}
	return nil
}

// Next returns the next valid row. A bad row is a *LineError, and Next may
// be called again; io.EOF ends the roster; any other error is fatal.
func (rd *Reader) Next() (*Row, error) {
	if rd.lastErr != nil {
		return nil, rd.lastErr
	}
	var (
		row *Row
		err error
	)
	if rd.csv != nil {
		row, err = rd.nextCSV()
	} else {
		row, err = rd.nextJSONL()
	}
	var le *LineError
	if err != nil && !errors.As(err, &le) {
		rd.lastErr = err
	}
	return row, err
}

func (rd *Reader) countRow(line int) error {
	rd.rows++
	if rd.rows > rd.opts.MaxRows {
		return fmt.Errorf("line %d: %w: over %d rows", line, ErrTooManyRows, rd.opts.MaxRows)
	}
	return nil
}

// recordLine returns the line the record r last read starts on, and false
// if r holds no position for it: csv.Reader.FieldPos panics when the
// record has no complete field (an error in its first one), and offers no
// way to ask first.
func recordLine(r *csv.Reader) (line int, ok bool) {
	defer func() {
		if recover() != nil {
			line, ok = 0, false
		}
	}()
	line, _ = r.FieldPos(0)
	return line, true
}

func (rd *Reader) nextCSV() (*Row, error) {
	rd.budget.reset()
	rec, err := rd.csv.Read()
	line, ok := recordLine(rd.csv)
	switch {
	case !ok:
		// A record cut short before its first field ended has no
		// position: name the last line read.
		line = rd.line
	case err == nil:
		rd.line = line
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if errors.Is(err, errBudget) {
			return nil, fmt.Errorf("after line %d: %w: a record is over %d bytes", line, ErrTooLong, rd.opts.MaxRecordBytes)
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if cerr := rd.countRow(pe.StartLine); cerr != nil {
				return nil, cerr
			}
			return nil, &LineError{Line: pe.StartLine, Err: fmt.Errorf("%w: %w", ErrMalformed, pe.Err)}
		}
		return nil, fmt.Errorf("reading roster after line %d: %w", line, err)
	}
	if err := rd.countRow(line); err != nil {
		return nil, err
	}
	// Rows of only empty fields (a trailing ",,,") are blank lines.
	if blank(rec) {
		rd.rows--
		return rd.nextCSV()
	}
	if len(rec) != len(rd.header) {
		return nil, &LineError{Line: line, Err: fmt.Errorf("%w: %d, header has %d", ErrRagged, len(rec), len(rd.header)), Raw: rawCSV(rec)}
	}
	for i, v := range rec {
		if !utf8.ValidString(v) {
			return nil, &LineError{Line: line, Field: rd.header[i], Err: ErrNotUTF8, Raw: rawCSV(rec)}
		}
	}
	row, lerr := rd.build(line, func(i int) string { return rec[rd.index[i]] })
	if lerr != nil {
		lerr.Raw = rawCSV(rec)
		return nil, lerr
	}
	return row, nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// maxRaw bounds LineError.Raw.
const maxRaw = 4096

func rawCSV(rec []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(rec)
	w.Flush()
	return cut(strings.TrimRight(b.String(), "\n"))
}

func cut(s string) string {
	if len(s) > maxRaw {
		s = s[:maxRaw]
	}
	return strings.ToValidUTF8(s, "\ufffd")
}

func (rd *Reader) nextJSONL() (*Row, error) {
	for {
		rd.budget.reset()
		rd.buf = rd.buf[:0]
		rd.line++
		for {
			chunk, err := rd.br.ReadSlice('\n')
			rd.buf = append(rd.buf, chunk...)
			if len(rd.buf) > rd.opts.MaxRecordBytes {
				return nil, fmt.Errorf("line %d: %w: over %d bytes", rd.line, ErrTooLong, rd.opts.MaxRecordBytes)
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, errBudget) {
				return nil, fmt.Errorf("line %d: %w: over %d bytes", rd.line, ErrTooLong, rd.opts.MaxRecordBytes)
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("reading roster line %d: %w", rd.line, err)
			}
			if errors.Is(err, io.EOF) && len(rd.buf) == 0 {
				return nil, io.EOF
			}
			break
		}
		data := bytes.TrimSpace(rd.buf)
		if len(data) == 0 {
			continue
		}
		if err := rd.countRow(rd.line); err != nil {
			return nil, err
		}
		return rd.jsonRow(rd.line, data)
	}
}

func (rd *Reader) jsonRow(line int, data []byte) (*Row, error) {
	raw := cut(string(data))
	if !utf8.Valid(data) {
		return nil, &LineError{Line: line, Err: ErrNotUTF8, Raw: raw}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		if err == nil {
			err = errors.New("not a json object")
		}
		return nil, &LineError{Line: line, Err: fmt.Errorf("%w: %w", ErrMalformed, err), Raw: raw}
	}
	if dec.More() {
		return nil, &LineError{Line: line, Err: fmt.Errorf("%w: trailing data after the object", ErrMalformed), Raw: raw}
	}
	vals := make([]string, len(rd.cols))
	for i, c := range rd.cols {
		switch v := obj[c.column].(type) {
		case nil:
		case string:
			vals[i] = v
		case json.Number:
			vals[i] = v.String()
		default:
			return nil, &LineError{Line: line, Field: c.field, Err: fmt.Errorf("%w: %q is not a string or number", ErrInvalidValue, c.column), Raw: raw}
		}
	}
	row, lerr := rd.build(line, func(i int) string { return vals[i] })
	if lerr != nil {
		lerr.Raw = raw
		return nil, lerr
	}
	return row, nil
}

// build checks and assembles a row from the value of each mapped column,
// given by position in rd.cols.
func (rd *Reader) build(line int, value func(i int) string) (*Row, *LineError) {
	row := &Row{Line: line}
	bad := func(field string, err error) *LineError { return &LineError{Line: line, Field: field, Err: err} }
	for i, c := range rd.cols {
		v := strings.TrimSpace(value(i))
		if err := checkText(v); err != nil {
			return nil, bad(c.field, err)
		}
		if v == "" {
			continue
		}
		switch {
		case c.field == FieldKey:
			row.Key = v
		case c.field == FieldEmail:
			if err := ob3.CheckEmail(v); err != nil {
				return nil, bad(c.field, fmt.Errorf("%w: %q: %w", ErrInvalidValue, v, err))
			}
			row.Email = v
		case c.field == FieldDID:
			if err := checkDID(v); err != nil {
				return nil, bad(c.field, fmt.Errorf("%w: %q: %w", ErrInvalidValue, v, err))
			}
			row.DID = v
		case c.field == FieldName:
			row.Name = v
		case c.field == FieldEvidence:
			if err := checkURL(v); err != nil {
				return nil, bad(c.field, fmt.Errorf("%w: %q: %w", ErrInvalidValue, v, err))
			}
			row.Evidence = v
		case c.field == FieldActivityStartDate || c.field == FieldActivityEndDate:
			t, err := parseDate(v)
			if err != nil {
				return nil, bad(c.field, fmt.Errorf("%w: %q: %w", ErrInvalidValue, v, err))
			}
			if c.field == FieldActivityStartDate {
				row.ActivityStartDate = t
			} else {
				row.ActivityEndDate = t
			}
		case c.field == FieldCreditsEarned:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, bad(c.field, fmt.Errorf("%w: %q is not a non-negative number", ErrInvalidValue, v))
			}
			row.CreditsEarned, row.HasCredits = f, true
		case strings.HasPrefix(c.field, "result:"):
			row.Results = append(row.Results, Result{Description: strings.TrimPrefix(c.field, "result:"), Value: v})
		case strings.HasPrefix(c.field, "achievement."):
			if row.Achievement == nil {
				row.Achievement = map[string]string{}
			}
			row.Achievement[strings.TrimPrefix(c.field, "achievement.")] = v
		}
	}
	if row.Email == "" && row.DID == "" {
		field := FieldEmail
		if rd.mapping.Email == "" {
			field = FieldDID
		}
		return nil, bad(field, fmt.Errorf("%w: the row has no recipient", ErrRequired))
	}
	if row.Name == "" && rd.mapping.Name != "" && !rd.optionalName {
		if !rd.opts.AllowMissingNames {
			return nil, bad(FieldName, fmt.Errorf("%w: the name is empty though the roster has a name column %q (allow with --allow-missing-names)", ErrRequired, rd.mapping.Name))
		}
		row.MissingName = true
	}
	if row.ActivityStartDate != "" && row.ActivityEndDate != "" && row.ActivityEndDate < row.ActivityStartDate {
		return nil, bad(FieldActivityEndDate, fmt.Errorf("%w: before activityStartDate %s", ErrInvalidValue, row.ActivityStartDate))
	}
	keyField := FieldKey
	if rd.mapping.Key == "" {
		keyField = FieldEmail
		row.Key = row.Email
		if rd.mapping.Email == "" {
			keyField, row.Key = FieldDID, row.DID
		}
	}
	switch {
	case row.Key == "":
		return nil, bad(keyField, fmt.Errorf("%w: the row key is empty", ErrRequired))
	case len(row.Key) > maxKey:
		return nil, bad(keyField, fmt.Errorf("%w: row key over %d bytes", ErrInvalidValue, maxKey))
	}
	h := sha256.Sum256([]byte(row.Key))
	var k [16]byte
	copy(k[:], h[:])
	if first, dup := rd.seen[k]; dup {
		return nil, bad(keyField, fmt.Errorf("%w: %q, first on line %d", ErrDuplicateKey, row.Key, first))
	}
	rd.seen[k] = line
	return row, nil
}

// checkText refuses values that are too long or carry control characters.
func checkText(v string) error {
	if len(v) > maxValue {
		return fmt.Errorf("%w: over %d bytes", ErrInvalidValue, maxValue)
	}
	for _, r := range v {
		if r == utf8.RuneError {
			return ErrNotUTF8
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: control character %U", ErrInvalidValue, r)
		}
	}
	return nil
}

func checkDID(s string) error {
	rest, ok := strings.CutPrefix(s, "did:")
	method, id, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || method == "" || id == "" {
		return errors.New("not a did (did:method:id)")
	}
	for _, r := range method {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return errors.New("did method must be lower-case letters and digits")
		}
	}
	if strings.ContainsAny(s, " \t<>\"{}|\\^`") {
		return errors.New("did contains characters a did cannot have")
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a url")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("not an absolute http(s) url")
	}
	return nil
}

// parseDate accepts an RFC 3339 date-time or a YYYY-MM-DD date (midnight
// UTC) and returns it as an RFC 3339 date-time in UTC.
func parseDate(s string) (string, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format(time.RFC3339), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UTC().Format(time.RFC3339), nil
	}
	return "", errors.New("not an RFC 3339 date-time or a YYYY-MM-DD date")
}

// errBudget is budgetReader's answer once a record has used its budget.
var errBudget = errors.New("record budget exhausted")

// budgetReader lets through at most limit bytes between resets, so that a
// record without an end (a 2 GB line) is refused instead of buffered.
type budgetReader struct {
	r     io.Reader
	limit int64
	left  int64
}

func (b *budgetReader) reset() { b.left = b.limit }

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
