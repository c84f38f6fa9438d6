package stack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/stack"
	"github.com/badgesmith/badgesmith/verifier"
)

// now is the fixed time the fixtures are issued and checked at.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const (
	learnerDID = "did:example:learner-ada"
	otherDID   = "did:example:learner-bob"
	achBase    = "https://poly.example/achievements/"
	ruleBase   = "https://poly.example/rules/"
)

// fixture is a polytechnic and a stranger, each able to issue.
type fixture struct {
	poly, stranger *issuer.Issuer
	polyDID        string
	strangerDID    string
}

func newIssuer(t *testing.T, seed byte, name string) (*issuer.Issuer, string) {
	t.Helper()
	k := testkit.Ed25519(t, seed)
	signer, err := issuer.NewSigner(k.Private, issuer.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": name}, Signer: signer, Now: func() time.Time { return now }, Rand: testkit.NewCounter(seed)})
	if err != nil {
		t.Fatal(err)
	}
	return is, signer.Identity().ID
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{}
	f.poly, f.polyDID = newIssuer(t, 1, "Northfield Polytechnic")
	f.stranger, f.strangerDID = newIssuer(t, 2, "Diploma Mill")
	return f
}

// grades is the letter-grade result description, ordered low to high.
func grades(id string) map[string]any {
	return map[string]any{
		"id": id + "#grade", "type": []any{"ResultDescription"}, "name": "Grade",
		"resultType": "LetterGrade", "allowedValue": []any{"D", "C", "B", "A"},
	}
}

func achievement(short string, credits float64) map[string]any {
	id := achBase + short
	a := map[string]any{
		"id": id, "type": []any{"Achievement"}, "name": "Achievement " + short,
		"description": "Achievement " + short + ".", "criteria": map[string]any{"narrative": "Passed."},
		"achievementType": "MicroCredential", "creditsAvailable": credits,
	}
	// Only c is graded: identical allowedValue lists in several credentials
	// of one CLR would be indistinguishable blank nodes, which the JSON-LD
	// safe mode refuses to canonicalize.
	if short == "c" {
		a["resultDescription"] = []any{grades(id)}
	}
	return a
}

// cred is one credential to issue.
type cred struct {
	by      *issuer.Issuer
	ach     string
	to      string
	grade   string
	credits float64
	awarded time.Time
	until   time.Time
	email   string
}

func (f *fixture) issue(t *testing.T, c cred) []byte {
	t.Helper()
	if c.by == nil {
		c.by = f.poly
	}
	a := achievement(c.ach, 5)
	subject := map[string]any{}
	if c.to != "" {
		subject["id"] = c.to
	}
	if c.grade != "" {
		subject["result"] = []any{map[string]any{"type": []any{"Result"}, "resultDescription": a["id"].(string) + "#grade", "value": c.grade}}
	}
	if c.credits > 0 {
		subject["creditsEarned"] = c.credits
	}
	req := issuer.Request{Achievement: a, Subject: subject, AwardedDate: c.awarded, ValidUntil: c.until}
	if c.email != "" {
		req.Subject = nil
		req.RecipientEmail = c.email
		if c.grade != "" || c.credits > 0 {
			delete(subject, "id")
			req.Subject = subject
		}
	}
	out, err := c.by.Issue(context.Background(), req)
	if err != nil {
		t.Fatalf("issuing %s: %v", c.ach, err)
	}
	return out.JSON
}

func newVerifier(t testing.TB) *verifier.Verifier {
	t.Helper()
	return newVerifierAt(t, now)
}

func newVerifierAt(t testing.TB, at time.Time) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rulesYAML is the certificate (A, B, C with at least B in C, and 1 of
// D, E) nested in a diploma, with issuers substituted.
func rulesYAML(poly string) string {
	return strings.NewReplacer("POLY", poly, "ACH", achBase, "RULE", ruleBase).Replace(`# Robotics pathway
achievements:
  - {id: ACHa, name: Sensors, credits: 5}
  - {id: ACHb, name: Actuators, credits: 5}
  - {id: ACHc, name: Controllers, credits: 5}
  - {id: ACHd, name: Welding, credits: 5}
  - {id: ACHe, name: Hydraulics, credits: 5}
  - {id: ACHcapstone, name: Capstone, credits: 10}
stacks:
  - id: RULErobotics-certificate
    name: Robotics Technician Certificate
    achievement: ACHrobotics-certificate
    achievementType: Certificate
    minCredits: 15
    requirements:
      - name: core
        allOf: [ACHa, ACHb, ACHc]
        issuers: [POLY]
        within: P5Y
        minResults:
          - {achievement: ACHc, atLeast: B}
      - name: elective
        anyOf: [ACHd, ACHe]
        count: 1
        issuers: [POLY]
  - id: RULErobotics-diploma
    name: Robotics Diploma
    achievement: ACHrobotics-diploma
    achievementType: Diploma
    requirements:
      - name: certificate
        allOf: [ACHrobotics-certificate]
        issuers: [POLY]
      - name: capstone
        allOf: [ACHcapstone]
        issuers: [POLY]
`)
}

func parseRules(t *testing.T, src string) *stack.Rules {
	t.Helper()
	r, err := stack.Parse("rules.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func inputs(creds ...[]byte) []stack.Input {
	out := make([]stack.Input, len(creds))
	for i, c := range creds {
		out[i] = stack.Input{Name: fmt.Sprintf("cred%d.json", i), Data: c}
	}
	return out
}

func newJWTIssuer(t *testing.T, seed byte, name string) *issuer.Issuer {
	t.Helper()
	k := testkit.Ed25519(t, seed)
	signer, err := issuer.NewSigner(k.Private, issuer.SignerOptions{Format: issuer.VCJWT})
	if err != nil {
		t.Fatal(err)
	}
	is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": name}, Signer: signer, Now: func() time.Time { return now }, Rand: testkit.NewCounter(seed)})
	if err != nil {
		t.Fatal(err)
	}
	return is
}
