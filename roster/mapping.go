package roster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Field names, as used in a LineError and in a mapping file.
const (
	FieldKey               = "key"
	FieldEmail             = "email"
	FieldName              = "name"
	FieldDID               = "did"
	FieldEvidence          = "evidence"
	FieldActivityStartDate = "activityStartDate"
	FieldActivityEndDate   = "activityEndDate"
	FieldCreditsEarned     = "creditsEarned"
)

// OverrideFields are the achievement fields a row may override, each a
// string; "criteria.narrative" is the narrative of the achievement's
// criteria.
var OverrideFields = []string{"name", "description", "criteria.narrative", "humanCode", "fieldOfStudy", "specialization"}

// maxMappingSize bounds a mapping file.
const maxMappingSize = 64 << 10

// Mapping names the roster column (CSV header name or JSON Lines key) of
// each field. An empty name leaves the field unmapped. At least one of Email
// and DID must be mapped.
type Mapping struct {
	// Key is the column whose value identifies the row within the batch,
	// e.g. a student number. If empty, the email column is the key, or
	// without one the DID column.
	Key string `json:"key,omitempty"`
	// Email is the recipient's email address.
	Email string `json:"email,omitempty"`
	// Name is the recipient's name.
	Name string `json:"name,omitempty"`
	// DID is the recipient's DID, used as the credentialSubject id.
	DID string `json:"did,omitempty"`
	// Evidence is a URL of evidence of the learner's work.
	Evidence string `json:"evidence,omitempty"`
	// ActivityStartDate and ActivityEndDate are the dates of the learning
	// activity (RFC 3339 date-time, or a YYYY-MM-DD date).
	ActivityStartDate string `json:"activityStartDate,omitempty"`
	// ActivityEndDate is the end of the learning activity.
	ActivityEndDate string `json:"activityEndDate,omitempty"`
	// CreditsEarned is the number of credits earned, a non-negative number.
	CreditsEarned string `json:"creditsEarned,omitempty"`
	// Results maps a result description of the achievement (its id or its
	// name) to the column holding the learner's result for it: a value, or
	// the id or name of a rubric level.
	Results map[string]string `json:"results,omitempty"`
	// Achievement maps an achievement field (one of OverrideFields) to the
	// column whose non-empty value replaces it for that row.
	Achievement map[string]string `json:"achievement,omitempty"`
}

// ParseMapping reads a mapping file: a JSON object with Mapping's fields.
// Unknown fields are refused, so a misspelt field is not silently ignored.
func ParseMapping(data []byte) (Mapping, error) {
	var m Mapping
	if len(data) > maxMappingSize {
		return m, fmt.Errorf("mapping: %w: over %d bytes", ErrInvalidMapping, maxMappingSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Mapping{}, fmt.Errorf("mapping: %w: %w", ErrInvalidMapping, err)
	}
	if dec.More() {
		return Mapping{}, fmt.Errorf("mapping: %w: trailing data after the object", ErrInvalidMapping)
	}
	if err := m.Validate(); err != nil {
		return Mapping{}, err
	}
	return m, nil
}

// Set maps field to column: field is one of the Field constants,
// "result:DESCRIPTION" or "achievement.FIELD" (see OverrideFields). It is
// the parser of the CLI's --map FIELD=COLUMN flags.
func (m *Mapping) Set(field, column string) error {
	if column == "" {
		return fmt.Errorf("mapping %s: %w: empty column name", field, ErrInvalidMapping)
	}
	if desc, ok := strings.CutPrefix(field, "result:"); ok {
		if desc == "" {
			return fmt.Errorf("mapping %s: %w: empty result description", field, ErrInvalidMapping)
		}
		if m.Results == nil {
			m.Results = map[string]string{}
		}
		m.Results[desc] = column
		return nil
	}
	if f, ok := strings.CutPrefix(field, "achievement."); ok {
		if !slices.Contains(OverrideFields, f) {
			return fmt.Errorf("mapping %s: %w: achievement field must be one of %v", field, ErrInvalidMapping, OverrideFields)
		}
		if m.Achievement == nil {
			m.Achievement = map[string]string{}
		}
		m.Achievement[f] = column
		return nil
	}
	p := m.slot(field)
	if p == nil {
		return fmt.Errorf("mapping %s: %w: unknown field; want one of %v, result:DESCRIPTION or achievement.FIELD", field, ErrInvalidMapping, simpleFields)
	}
	*p = column
	return nil
}

var simpleFields = []string{FieldKey, FieldEmail, FieldName, FieldDID, FieldEvidence,
	FieldActivityStartDate, FieldActivityEndDate, FieldCreditsEarned}

func (m *Mapping) slot(field string) *string {
	switch field {
	case FieldKey:
		return &m.Key
	case FieldEmail:
		return &m.Email
	case FieldName:
		return &m.Name
	case FieldDID:
		return &m.DID
	case FieldEvidence:
		return &m.Evidence
	case FieldActivityStartDate:
		return &m.ActivityStartDate
	case FieldActivityEndDate:
		return &m.ActivityEndDate
	case FieldCreditsEarned:
		return &m.CreditsEarned
	}
	return nil
}

// IsZero reports whether nothing is mapped.
func (m *Mapping) IsZero() bool {
	for _, f := range simpleFields {
		if *m.slot(f) != "" {
			return false
		}
	}
	return len(m.Results) == 0 && len(m.Achievement) == 0
}

// Validate reports whether m can read a roster: a recipient column is
// mapped and every override names a known field.
func (m *Mapping) Validate() error {
	if m.Email == "" && m.DID == "" {
		return fmt.Errorf("mapping: %w: map an email or a did column", ErrInvalidMapping)
	}
	for f, col := range m.Achievement {
		if !slices.Contains(OverrideFields, f) {
			return fmt.Errorf("mapping: achievement.%s: %w: must be one of %v", f, ErrInvalidMapping, OverrideFields)
		}
		if col == "" {
			return fmt.Errorf("mapping: achievement.%s: %w: empty column name", f, ErrInvalidMapping)
		}
	}
	for d, col := range m.Results {
		if d == "" || col == "" {
			return fmt.Errorf("mapping: results: %w: empty description or column name", ErrInvalidMapping)
		}
	}
	return nil
}

// KeyColumn returns the column that identifies a row.
func (m *Mapping) KeyColumn() string {
	switch {
	case m.Key != "":
		return m.Key
	case m.Email != "":
		return m.Email
	}
	return m.DID
}

// columns returns every mapped column with the field it feeds, in a
// stable order.
func (m *Mapping) columns() []mapped {
	var out []mapped
	for _, f := range simpleFields {
		if c := *m.slot(f); c != "" {
			out = append(out, mapped{field: f, column: c})
		}
	}
	for _, d := range sortedKeys(m.Results) {
		out = append(out, mapped{field: "result:" + d, column: m.Results[d]})
	}
	for _, f := range sortedKeys(m.Achievement) {
		out = append(out, mapped{field: "achievement." + f, column: m.Achievement[f]})
	}
	return out
}

type mapped struct{ field, column string }

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// normalizeName folds a column name for automatic mapping: lower case,
// without spaces, underscores and hyphens.
func normalizeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if r == ' ' || r == '_' || r == '-' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// autoNames are the column names AutoMapping recognises per field, folded
// by normalizeName.
var autoNames = map[string][]string{
	FieldKey:               {"key", "rowkey", "studentid", "learnerid", "id"},
	FieldEmail:             {"email", "emailaddress", "mail"},
	FieldName:              {"name", "fullname", "learnername", "studentname"},
	FieldDID:               {"did"},
	FieldEvidence:          {"evidence", "evidenceurl"},
	FieldActivityStartDate: {"activitystartdate", "startdate", "start"},
	FieldActivityEndDate:   {"activityenddate", "enddate", "end"},
	FieldCreditsEarned:     {"creditsearned", "credits"},
}

// AutoMapping maps the fields whose usual names (e.g. "email", "Email
// Address", "student_id" for the key, "credits") appear among columns.
func AutoMapping(columns []string) Mapping {
	var m Mapping
	for _, f := range simpleFields {
		for _, c := range columns {
			if slices.Contains(autoNames[f], normalizeName(c)) {
				*m.slot(f) = c
				break
			}
		}
	}
	return m
}
