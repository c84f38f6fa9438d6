package stack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/stack"
)

// TestRubricLevelOrder judges "at least" on rubric levels, ordered by the
// points the signed statements give them, and refuses to order levels
// without points.
func TestRubricLevelOrder(t *testing.T) {
	f := newFixture(t)
	const id = achBase + "welding"
	level := func(n, name, points string) map[string]any {
		l := map[string]any{"id": id + "#" + n, "type": []any{"RubricCriterionLevel"}, "name": name}
		if points != "" {
			l["points"] = points
		}
		return l
	}
	issue := func(points bool, achieved string) []byte {
		p := func(s string) string {
			if points {
				return s
			}
			return ""
		}
		ach := map[string]any{
			"id": id, "type": []any{"Achievement"}, "name": "Welding", "description": "Welding.",
			"criteria": map[string]any{"narrative": "Passed."},
			"resultDescription": []any{map[string]any{
				"id": id + "#rubric", "type": []any{"ResultDescription"}, "name": "Rubric", "resultType": "RubricCriterionLevel",
				// Listed high to low: only the points order them.
				"rubricCriterionLevel": []any{level("l3", "Expert", p("3")), level("l1", "Novice", p("1")), level("l2", "Competent", p("2"))},
			}},
		}
		subject := map[string]any{"id": learnerDID, "result": []any{map[string]any{
			"type": []any{"Result"}, "resultDescription": id + "#rubric", "achievedLevel": id + "#" + achieved,
		}}}
		c, err := f.poly.Issue(context.Background(), issuer.Request{Achievement: ach, Subject: subject})
		if err != nil {
			t.Fatal(err)
		}
		return c.JSON
	}
	rules := func(atLeast string) *stack.Rules {
		return parseRules(t, strings.NewReplacer("POLY", f.polyDID, "ID", id, "AT", atLeast).Replace(`achievements: [{id: ID}]
stacks:
  - id: https://poly.example/rules/welder
    name: Welder
    achievement: https://poly.example/achievements/welder
    requirements:
      - name: welding
        allOf: [ID]
        issuers: [POLY]
        minResults: [{achievement: ID, atLeast: AT}]
`))
	}
	tests := []struct {
		name     string
		points   bool
		achieved string
		atLeast  string
		complete bool
		excluded string
	}{
		{"level above", true, "l3", "Competent", true, ""},
		{"level equal, by id", true, "l2", id + "#l2", true, ""},
		{"level below", true, "l1", "Competent", false, "result " + id + "#l1 in " + id + "#rubric is below the required Competent"},
		{"levels without points", false, "l3", "Novice", false, "no result description orders \"Novice\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := stack.Check(context.Background(), rules(tt.atLeast), inputs(issue(tt.points, tt.achieved)), stack.Options{Verifier: newVerifier(t), Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Stacks[0].Complete != tt.complete || !strings.Contains(rep.Credentials[0].Excluded, tt.excluded) {
				t.Errorf("complete %v, excluded %q; want %v, %q", rep.Stacks[0].Complete, rep.Credentials[0].Excluded, tt.complete, tt.excluded)
			}
		})
	}
}
