package stack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/stack"
	"github.com/badgesmith/badgesmith/verifier"
)

// clrFixture issues the certificate's components and the certificate, and
// returns the report of all of them.
func clrFixture(t *testing.T, f *fixture, extra ...[]byte) (*stack.Rules, *stack.Report, [][]byte) {
	t.Helper()
	creds := [][]byte{
		f.issue(t, cred{ach: "a", to: learnerDID, credits: 5}),
		f.issue(t, cred{ach: "b", to: learnerDID, credits: 5}),
		f.issue(t, cred{ach: "c", to: learnerDID, grade: "A", credits: 5}),
		f.issue(t, cred{ach: "d", to: learnerDID, credits: 5}),
	}
	creds = append(creds, extra...)
	rules := parseRules(t, rulesYAML(f.polyDID))
	rep, err := stack.Check(context.Background(), rules, inputs(creds...), stack.Options{Verifier: newVerifier(t), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	cert := map[string]any{
		"id": achBase + "robotics-certificate", "type": []any{"Achievement"}, "achievementType": "Certificate",
		"name": "Robotics Technician Certificate", "description": "Stacked.", "criteria": map[string]any{"narrative": "The stack rule."},
	}
	out, err := stack.Issue(context.Background(), f.poly, rules, rep, stack.IssueRequest{Stack: ruleBase + "robotics-certificate", Achievement: cert})
	if err != nil {
		t.Fatal(err)
	}
	creds = append(creds, out.Credential.JSON)
	rep, err = stack.Check(context.Background(), rules, inputs(creds...), stack.Options{Verifier: newVerifier(t), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return rules, rep, creds
}

func TestCLRIssueAndVerify(t *testing.T) {
	f := newFixture(t)
	rules, rep, creds := clrFixture(t, f)
	clr, err := stack.IssueCLR(context.Background(), f.poly, rules, rep, stack.CLRRequest{Name: "Ada's record"}, now)
	if err != nil {
		t.Fatal(err)
	}
	res, err := newVerifier(t).Verify(context.Background(), clr.JSON)
	if err != nil {
		t.Fatalf("CLR: %v\n%+v", err, res.Checks)
	}
	if len(res.Embedded) != len(creds) {
		t.Fatalf("embedded %d, want %d", len(res.Embedded), len(creds))
	}
	for _, e := range res.Embedded {
		if e.Verdict != verifier.VerdictValid {
			t.Errorf("embedded %s: %s", e.Path, e.Verdict)
		}
	}
	c := res.Claims.Clr
	want := []verifier.AssociationClaim{
		{Type: "isPartOf", SourceID: achBase + "a", TargetID: achBase + "robotics-certificate"},
		{Type: "isParentOf", SourceID: achBase + "robotics-certificate", TargetID: achBase + "d"},
	}
	for _, w := range want {
		found := false
		for _, a := range c.Associations {
			found = found || a == w
		}
		if !found {
			t.Errorf("associations %+v lack %+v", c.Associations, w)
		}
	}
	if len(c.Achievements) != 5 {
		t.Errorf("achievements %v, want the 4 microcredentials and the certificate", c.Achievements)
	}
	if chk := res.Check(verifier.CheckEmbedded); chk == nil || chk.Status != verifier.StatusPass {
		t.Errorf("embedded check %+v", chk)
	}
}

func TestCLRVerifyNamesBadEntries(t *testing.T) {
	f := newFixture(t)
	short := f.issue(t, cred{ach: "e", to: learnerDID, until: now.Add(time.Hour)})
	rules, rep, _ := clrFixture(t, f, short)
	build := func() map[string]any {
		m, err := stack.BuildCLR(f.poly, rules, rep, stack.CLRRequest{}, now)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	embedded := func(m map[string]any) []any {
		return m["credentialSubject"].(map[string]any)["verifiableCredential"].([]any)
	}
	tests := []struct {
		name    string
		edit    func(m map[string]any)
		at      time.Time
		verdict verifier.Verdict
		reason  string
	}{
		{name: "tampered embedded credential", edit: func(m map[string]any) {
			vc := embedded(m)[2].(map[string]any)
			vc["credentialSubject"].(map[string]any)["creditsEarned"] = 50.0
		}, at: now, verdict: verifier.VerdictInvalid, reason: "credentialSubject.verifiableCredential[2]"},
		{name: "forged embedded credential", edit: func(m map[string]any) {
			vc := embedded(m)[0].(map[string]any)
			vc["proof"].([]any)[0].(map[string]any)["proofValue"] = "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKiCfUJGqdSgCPpNDF"
		}, at: now, verdict: verifier.VerdictInvalid, reason: "verifiableCredential[0]"},
		{name: "association to an achievement not in the CLR", edit: func(m map[string]any) {
			s := m["credentialSubject"].(map[string]any)
			s["association"] = append(s["association"].([]any), map[string]any{"type": "Association", "associationType": "isPartOf", "sourceId": achBase + "a", "targetId": achBase + "nowhere"})
		}, at: now, verdict: verifier.VerdictInvalid, reason: `targetId "` + achBase + `nowhere" is not an achievement of the CLR`},
		{name: "expired embedded credential", at: now.Add(2 * time.Hour), verdict: verifier.VerdictWarnings, reason: "1 of 6 embedded credentials no longer valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := build()
			if tt.edit != nil {
				tt.edit(m)
			}
			signed, err := f.poly.Sign(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			res, _ := newVerifierAt(t, tt.at).Verify(context.Background(), signed.JSON)
			chk := res.Check(verifier.CheckEmbedded)
			if res.Verdict != tt.verdict || chk == nil || !strings.Contains(chk.Reason, tt.reason) {
				t.Errorf("verdict %s, embedded check %+v; want %s naming %q", res.Verdict, chk, tt.verdict, tt.reason)
			}
		})
	}
}

func TestCLRAsJWT(t *testing.T) {
	f := newFixture(t)
	rules, rep, creds := clrFixture(t, f)
	jwtIssuer := newJWTIssuer(t, 1, "Northfield Polytechnic")
	clr, err := stack.IssueCLR(context.Background(), jwtIssuer, rules, rep, stack.CLRRequest{}, now)
	if err != nil {
		t.Fatal(err)
	}
	res, err := newVerifier(t).Verify(context.Background(), clr.Bytes())
	if err != nil {
		t.Fatalf("VC-JWT CLR: %v\n%+v", err, res.Checks)
	}
	if len(res.Embedded) != len(creds) || res.Check(verifier.CheckEmbedded).Status != verifier.StatusPass {
		t.Errorf("embedded %d (want %d), check %+v", len(res.Embedded), len(creds), res.Check(verifier.CheckEmbedded))
	}
}
