package roster

import (
	"crypto"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
)

func testAchievement() map[string]any {
	return map[string]any{
		"id":   "https://example.edu/achievements/1",
		"type": []any{"Achievement"},
		"name": "Data Analysis", "description": "Analyses data.",
		"criteria": map[string]any{"narrative": "Pass."},
		"resultDescription": []any{
			map[string]any{"id": "urn:rd:grade", "type": []any{"ResultDescription"}, "name": "grade", "resultType": "LetterGrade",
				"allowedValue": []any{"C", "B", "A"}, "requiredValue": "B"},
			map[string]any{"id": "urn:rd:rubric", "type": []any{"ResultDescription"}, "name": "rubric", "resultType": "RubricCriterionLevel",
				"rubricCriterionLevel": []any{
					map[string]any{"id": "urn:l:1", "type": []any{"RubricCriterionLevel"}, "name": "Novice"},
					map[string]any{"id": "urn:l:2", "type": []any{"RubricCriterionLevel"}, "name": "Expert"},
				}},
		},
	}
}

// TestRequestsItem: a row becomes a request the issuer can build, and a
// result the achievement refuses is a RowError naming the row's column.
func TestRequestsItem(t *testing.T) {
	m := Mapping{Results: map[string]string{"grade": "Grade", "rubric": "Level"}}
	q, err := NewRequests(RequestOptions{Achievement: testAchievement(), Mapping: m, PlainRecipient: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		row       Row
		wantField string // "" means accepted
		wantErr   error
	}{
		{"accepted", Row{Line: 2, Key: "s1", Email: "a@example.edu", Name: "Ann", Evidence: "https://example.edu/e/1",
			Results: []Result{{"grade", "A"}, {"rubric", "Expert"}}, Achievement: map[string]string{"criteria.narrative": "Passed well."}}, "", nil},
		{"missing name is a warning", Row{Line: 3, Key: "s2", DID: "did:example:b", MissingName: true}, "", nil},
		{"below the required value", Row{Line: 4, Key: "s3", Email: "c@example.edu", Results: []Result{{"grade", "C"}}}, `column "Grade"`, issuer.ErrResult},
		{"not a level", Row{Line: 5, Key: "s4", Email: "d@example.edu", Results: []Result{{"rubric", "Master"}}}, "result:rubric", ErrInvalidValue},
		{"unmapped description", Row{Line: 6, Key: "s5", Email: "e@example.edu", Results: []Result{{"other", "x"}}}, "result:other", ErrInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, err := q.Item(&tt.row)
			if tt.wantErr != nil {
				var re *issuer.RowError
				if !errors.As(err, &re) || re.Line != tt.row.Line || re.Field != tt.wantField || !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want a RowError on line %d, field %q, wrapping %v", err, tt.row.Line, tt.wantField, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if it.Line != tt.row.Line || it.Key != tt.row.Key || it.Name != tt.row.Name || (it.Recipient != tt.row.Email && it.Recipient != tt.row.DID) {
				t.Errorf("item %+v does not carry the row's line, key, name and recipient", it)
			}
			if tt.row.MissingName != (len(it.Warnings) == 1) {
				t.Errorf("warnings %v", it.Warnings)
			}
			is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "X"}, Signer: testSigner(t)})
			if err != nil {
				t.Fatal(err)
			}
			cred, err := is.Build(it.Request)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if tt.row.Evidence != "" {
				ev, _ := cred["evidence"].([]any)
				if len(ev) != 1 || ev[0].(map[string]any)["id"] != tt.row.Evidence {
					t.Errorf("evidence %v", cred["evidence"])
				}
			}
			for k, v := range tt.row.Achievement {
				crit, _ := cred["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["criteria"].(map[string]any)
				if k == "criteria.narrative" && crit["narrative"] != v {
					t.Errorf("criteria %v, want narrative %q", crit, v)
				}
			}
		})
	}
	// The shared achievement is never changed by a row's overrides.
	if q.opts.Achievement["criteria"].(map[string]any)["narrative"] != "Pass." {
		t.Error("a row's override changed the batch's achievement")
	}
}

func TestNewRequestsRefusesUnknownResult(t *testing.T) {
	_, err := NewRequests(RequestOptions{Achievement: testAchievement(), Mapping: Mapping{Results: map[string]string{"nope": "X"}}})
	if !errors.Is(err, issuer.ErrInvalidInput) {
		t.Fatalf("err = %v, want ErrInvalidInput", err)
	}
}

func testSigner(t testing.TB) *issuer.Signer {
	t.Helper()
	kp, err := keysGenerate()
	if err != nil {
		t.Fatal(err)
	}
	s, err := issuer.NewSigner(kp, issuer.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func keysGenerate() (crypto.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(nil)
	return priv, err
}
