package issuer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
)

// TestResultChecks checks that building a credential refuses results that
// do not fit their ResultDescription: values outside allowedValue or the
// numeric range, requiredValue and requiredLevel not met, and requirements
// that cannot be compared.
func TestResultChecks(t *testing.T) {
	f := newStatusIssuer(t, nil, nil)
	letter := map[string]any{"allowedValue": []any{"D", "C", "B", "A"}, "requiredValue": "C", "resultType": "LetterGrade"}
	percent := map[string]any{"resultType": "Percent", "valueMin": "0", "valueMax": "100", "requiredValue": "50"}
	rubric := map[string]any{"resultType": "RubricCriterionLevel", "requiredLevel": "urn:l:competent",
		"rubricCriterionLevel": []any{
			map[string]any{"id": "urn:l:novice", "type": []any{"RubricCriterionLevel"}, "name": "Novice"},
			map[string]any{"id": "urn:l:competent", "type": []any{"RubricCriterionLevel"}, "name": "Competent"},
			map[string]any{"id": "urn:l:expert", "type": []any{"RubricCriterionLevel"}, "name": "Expert"},
		}}
	tests := []struct {
		name  string
		desc  map[string]any
		field string // "value" or "achievedLevel"
		value string
		want  string // "" accepts
	}{
		{"allowed and meets", letter, "value", "B", ""},
		{"exactly required", letter, "value", "C", ""},
		{"not allowed", letter, "value", "Z", `"Z" is not an allowed value`},
		{"below required", letter, "value", "D", `"D" does not meet requiredValue "C"`},
		{"required not allowed", with(letter, "requiredValue", "E"), "value", "A", "cannot be compared"},
		{"no requirement", with(letter, "requiredValue", nil), "value", "D", ""},
		{"percent meets", percent, "value", "75.5", ""},
		{"percent exactly required", percent, "value", "50.0", ""},
		{"percent below required", percent, "value", "40", "does not meet requiredValue 50"},
		{"percent above max", percent, "value", "140", "outside"},
		{"percent below min", with(percent, "requiredValue", nil), "value", "-1", "outside"},
		{"percent not a number", percent, "value", "abc", "not a decimal"},
		{"percent not a plain decimal", percent, "value", "1e2", "not a decimal"},
		{"required not a number", with(percent, "requiredValue", "half"), "value", "60", "cannot be compared"},
		{"not comparable type", map[string]any{"resultType": "Status", "requiredValue": "Completed"}, "value", "Completed", "cannot be compared"},
		{"free text without rule", map[string]any{"resultType": "Result"}, "value", "anything", ""},
		{"rubric meets", rubric, "achievedLevel", "urn:l:expert", ""},
		{"rubric exactly required", rubric, "achievedLevel", "urn:l:competent", ""},
		{"rubric below required", rubric, "achievedLevel", "urn:l:novice", "below requiredLevel"},
		{"rubric unknown level", rubric, "achievedLevel", "urn:l:guru", "not a rubric level"},
		{"rubric required unknown", with(rubric, "requiredLevel", "urn:l:x"), "achievedLevel", "urn:l:expert", "cannot be compared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ach := readJSON(t, "achievement.json")
			desc := map[string]any{"id": "urn:rd:1", "type": []any{"ResultDescription"}, "name": "Grade"}
			for k, v := range tt.desc {
				desc[k] = v
			}
			ach["resultDescription"] = []any{desc}
			subject := readJSON(t, "subject.json")
			subject["result"] = []any{
				map[string]any{"type": []any{"Result"}, "resultDescription": "urn:rd:1", tt.field: tt.value},
			}
			_, err := f.is.Build(issuer.Request{Achievement: ach, Subject: subject})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var re *issuer.ResultError
			if !errors.As(err, &re) || !errors.Is(err, issuer.ErrInvalidInput) || !errors.Is(err, issuer.ErrResult) {
				t.Fatalf("error %v, want a *ResultError wrapping ErrInvalidInput and ErrResult", err)
			}
			if re.Index != 0 || re.Field != tt.field || re.ResultDescription != "urn:rd:1" || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q (%+v), want result[0].%s mentioning %q", err, re, tt.field, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "credentialSubject.result[0]."+tt.field+": ") {
				t.Errorf("error %q does not name the JSON path", err)
			}
		})
	}
}

// with returns a copy of m with k set to v, or removed if v is nil.
func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for key, val := range m {
		out[key] = val
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}
