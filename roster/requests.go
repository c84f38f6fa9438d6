package roster

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/ob3"
)

// RequestOptions configure Requests.
type RequestOptions struct {
	// Achievement is the Achievement every row earns, as a JSON object;
	// rows may override its text (OverrideFields). Required.
	Achievement map[string]any
	// Mapping is the mapping the Reader was opened with: its result
	// descriptions (ids or names) must exist in the achievement, and a
	// refused result names its column.
	Mapping Mapping
	// PlainRecipient puts email addresses and names in the clear instead
	// of salted hashes.
	PlainRecipient bool
	// ValidUntil, if set, ends every credential's validity.
	ValidUntil time.Time
	// Rand is the randomness of the name hashes' salts. If nil,
	// crypto/rand.
	Rand io.Reader
}

// Requests turns roster rows into the issuer's batch items: the issuance
// request of each row, with its line, key, name and recipient.
type Requests struct {
	opts    RequestOptions
	results map[string]*resultDesc
}

// Items is a Reader's rows as batch items: an issuer.BatchSource.
type Items struct {
	q  *Requests
	rd *Reader
}

var _ issuer.BatchSource = (*Items)(nil)

type resultDesc struct {
	id     string
	levels map[string]string // level id or name -> level id
	desc   *ob3.ResultDescription
}

// NewRequests checks opts and returns the Requests mapping rows under
// them. A result description of the mapping that the achievement does not
// define is an error wrapping issuer.ErrInvalidInput.
func NewRequests(opts RequestOptions) (*Requests, error) {
	if opts.Achievement == nil {
		return nil, fmt.Errorf("achievement: %w: required", issuer.ErrInvalidInput)
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	q := &Requests{opts: opts, results: map[string]*resultDesc{}}
	descs, _ := opts.Achievement["resultDescription"].([]any)
	for desc := range opts.Mapping.Results {
		rd := findResult(descs, desc)
		if rd == nil {
			return nil, fmt.Errorf("mapping result %q: %w: the achievement has no resultDescription with that id or name", desc, issuer.ErrInvalidInput)
		}
		q.results[desc] = rd
	}
	return q, nil
}

func findResult(descs []any, want string) *resultDesc {
	for _, d := range descs {
		m, _ := d.(map[string]any)
		id, _ := m["id"].(string)
		name, _ := m["name"].(string)
		if id == "" || (want != id && want != name) {
			continue
		}
		rd := &resultDesc{id: id}
		if raw, err := json.Marshal(m); err == nil {
			var typed ob3.ResultDescription
			if json.Unmarshal(raw, &typed) == nil {
				rd.desc = &typed
			}
		}
		levels, _ := m["rubricCriterionLevel"].([]any)
		if len(levels) > 0 {
			rd.levels = map[string]string{}
			for _, l := range levels {
				lm, _ := l.(map[string]any)
				lid, _ := lm["id"].(string)
				if lid == "" {
					continue
				}
				rd.levels[lid] = lid
				if n, ok := lm["name"].(string); ok {
					rd.levels[n] = lid
				}
			}
		}
		return rd
	}
	return nil
}

// Items returns the batch items of rd's rows.
func (q *Requests) Items(rd *Reader) *Items { return &Items{q: q, rd: rd} }

// Next returns the next row's batch item, an *issuer.RowError for a bad
// row (the Reader's, or a result the achievement refuses), and io.EOF at
// the end.
func (it *Items) Next() (*issuer.BatchItem, error) {
	row, err := it.rd.Next()
	var le *LineError
	if errors.As(err, &le) {
		return nil, &issuer.RowError{Line: le.Line, Field: le.Field, Err: le.Err, Raw: le.Raw}
	}
	if err != nil {
		return nil, err
	}
	return it.q.Item(row)
}

// Item maps one row to its batch item.
func (q *Requests) Item(row *Row) (*issuer.BatchItem, error) {
	recipient := row.Email
	if recipient == "" {
		recipient = row.DID
	}
	it := &issuer.BatchItem{Line: row.Line, Key: row.Key, Name: row.Name, Recipient: recipient}
	if row.MissingName {
		it.Warnings = append(it.Warnings, "empty name; the credential will carry none")
	}
	req := issuer.Request{
		Achievement:    q.opts.Achievement,
		RecipientEmail: row.Email,
		PlainRecipient: q.opts.PlainRecipient,
		ValidUntil:     q.opts.ValidUntil,
	}
	if row.Evidence != "" {
		req.Evidence = []string{row.Evidence}
	}
	if len(row.Achievement) > 0 {
		// Build copies the achievement deeply; only what is changed here
		// needs a copy of its own.
		a := maps.Clone(q.opts.Achievement)
		for f, v := range row.Achievement {
			if narrative, ok := strings.CutPrefix(f, "criteria."); ok {
				c, _ := a["criteria"].(map[string]any)
				c = maps.Clone(c)
				if c == nil {
					c = map[string]any{}
				}
				c[narrative] = v
				a["criteria"] = c
				continue
			}
			a[f] = v
		}
		req.Achievement = a
	}
	subject := map[string]any{"type": []any{"AchievementSubject"}}
	if row.DID != "" {
		subject["id"] = row.DID
	}
	if row.Name != "" {
		ident := map[string]any{"type": "IdentityObject", "identityType": "name"}
		if q.opts.PlainRecipient {
			ident["hashed"], ident["identityHash"] = false, row.Name
		} else {
			salt, err := ob3.NewSalt(q.opts.Rand)
			if err != nil {
				return nil, fmt.Errorf("generating salt: %w", err)
			}
			ident["hashed"], ident["identityHash"], ident["salt"] = true, ob3.IdentityHash(row.Name, salt), salt
		}
		subject["identifier"] = []any{ident}
	}
	if row.ActivityStartDate != "" {
		subject["activityStartDate"] = row.ActivityStartDate
	}
	if row.ActivityEndDate != "" {
		subject["activityEndDate"] = row.ActivityEndDate
	}
	if row.HasCredits {
		subject["creditsEarned"] = row.CreditsEarned
	}
	var results []any
	for _, r := range row.Results {
		rd := q.results[r.Description]
		if rd == nil {
			return nil, &issuer.RowError{Line: row.Line, Field: "result:" + r.Description,
				Err: fmt.Errorf("%w: not a result description of the achievement", ErrInvalidValue)}
		}
		column := "column " + strconv.Quote(q.opts.Mapping.Results[r.Description])
		if it.ResultFields == nil {
			it.ResultFields = map[string]string{}
		}
		it.ResultFields[rd.id] = column
		res := map[string]any{"type": []any{"Result"}, "resultDescription": rd.id}
		if rd.levels != nil {
			lid, ok := rd.levels[r.Value]
			if !ok {
				return nil, &issuer.RowError{Line: row.Line, Field: "result:" + r.Description,
					Err: fmt.Errorf("%w: %q is not a level of %s (want one of %v)", ErrInvalidValue, r.Value, rd.id, slices.Sorted(maps.Keys(rd.levels)))}
			}
			res["achievedLevel"] = lid
			if rd.desc != nil {
				if err := issuer.CheckResultLevel(rd.desc, lid); err != nil {
					return nil, &issuer.RowError{Line: row.Line, Field: column, Err: err}
				}
			}
		} else {
			res["value"] = r.Value
			if rd.desc != nil {
				if err := issuer.CheckResultValue(rd.desc, r.Value); err != nil {
					return nil, &issuer.RowError{Line: row.Line, Field: column, Err: err}
				}
			}
		}
		results = append(results, res)
	}
	if results != nil {
		subject["result"] = results
	}
	req.Subject = subject
	it.Request = req
	return it, nil
}
