package stack_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/stack"
)

func TestParseRefuses(t *testing.T) {
	good := rulesYAML("did:example:poly")
	tests := []struct {
		name     string
		src      string
		want     error
		line     int
		contains string
	}{
		{name: "requirement without issuers", src: strings.Replace(good, "        issuers: [did:example:poly]\n        within: P5Y", "        within: P5Y", 1),
			want: stack.ErrRules, line: 16, contains: "issuers"},
		{name: "unknown achievement", src: strings.Replace(good, "allOf: ["+achBase+"capstone]", "allOf: ["+achBase+"capstones]", 1),
			want: stack.ErrUnknownAchievement, line: 35, contains: achBase + "capstones"},
		{name: "impossible count", src: strings.Replace(good, "count: 1", "count: 3", 1),
			want: stack.ErrImpossible, line: 24, contains: "count 3 of 2"},
		{name: "impossible credits", src: strings.Replace(good, "minCredits: 15", "minCredits: 40", 1),
			want: stack.ErrImpossible, line: 14, contains: "at most 25 credits"},
		{name: "result on an achievement not required", src: strings.Replace(good, "{achievement: "+achBase+"c, atLeast: B}", "{achievement: "+achBase+"d, atLeast: B}", 1),
			want: stack.ErrContradiction, line: 20, contains: "does not name"},
		{name: "achievement named twice", src: strings.Replace(good, "anyOf: ["+achBase+"d, "+achBase+"e]", "anyOf: ["+achBase+"d, "+achBase+"d]", 1),
			want: stack.ErrContradiction, line: 22, contains: "named twice"},
		{name: "zero window", src: strings.Replace(good, "within: P5Y", "within: P0D", 1),
			want: stack.ErrImpossible, line: 19, contains: "no time"},
		{name: "bad duration", src: strings.Replace(good, "within: P5Y", "within: 5 years", 1),
			want: stack.ErrRules, line: 19, contains: "within"},
		{name: "cycle", src: strings.Replace(good, "allOf: ["+achBase+"a, ", "allOf: ["+achBase+"robotics-diploma, "+achBase+"a, ", 1),
			want: stack.ErrCycle, line: 15, contains: "robotics-certificate -> " + ruleBase + "robotics-diploma -> " + ruleBase + "robotics-certificate"},
		{name: "self nesting", src: strings.Replace(good, "allOf: ["+achBase+"capstone]", "allOf: ["+achBase+"robotics-diploma]", 1),
			want: stack.ErrCycle, line: 35},
		{name: "unknown field", src: strings.Replace(good, "minCredits: 15", "minCredit: 15", 1),
			want: stack.ErrRules, line: 14, contains: "minCredit"},
		{name: "yaml syntax", src: good + "  - {id: [\n", want: stack.ErrRules, line: 37},
		{name: "alias", src: strings.Replace(good, "issuers: [did:example:poly]\n        within", "issuers: &i [did:example:poly]\n        within", 1),
			want: stack.ErrRules, line: 18, contains: "aliases"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stack.Parse("rules.yaml", []byte(tt.src))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			var re *stack.RuleError
			if !errors.As(err, &re) {
				t.Fatalf("err %T, want *RuleError", err)
			}
			if re.Line != tt.line {
				t.Errorf("line %d, want %d (%v)", re.Line, tt.line, err)
			}
			if !strings.Contains(err.Error(), tt.contains) || !strings.HasPrefix(err.Error(), "rules.yaml:") {
				t.Errorf("error %q does not start with the file and name %q", err, tt.contains)
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	src := `{"stacks": [{"id": "https://x.example/r", "name": "R", "achievement": "urn:a:r",
  "requirements": [{"name": "one", "anyOf": ["urn:a:1"], "issuers": ["did:example:i"]}]}],
 "achievements": [{"id": "urn:a:1"}]}`
	r, err := stack.Parse("rules.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Stack("https://x.example/r"); s == nil || s.Requirements[0].AnyOf[0] != "urn:a:1" {
		t.Errorf("parsed %+v", r)
	}
	_, err = stack.Parse("rules.json", []byte(strings.Replace(src, `"issuers": ["did:example:i"]`, `"issuers": []`, 1)))
	var re *stack.RuleError
	if !errors.As(err, &re) || re.Line != 2 {
		t.Errorf("empty issuers: %v, want an error on line 2", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(rulesYAML("did:example:poly")))
	f.Add([]byte(`{"stacks": []}`))
	f.Add([]byte("stacks:\n  - &a {id: x}\n  - *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := stack.Parse("f", data)
		if err == nil && r == nil {
			t.Fatal("nil rules without an error")
		}
		var re *stack.RuleError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("error %T is not a *RuleError", err)
		}
	})
}
