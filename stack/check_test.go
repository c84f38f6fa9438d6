package stack_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/stack"
)

func TestCheckCompletesNestedPathway(t *testing.T) {
	f := newFixture(t)
	creds := [][]byte{
		f.issue(t, cred{ach: "a", to: learnerDID, credits: 5}),
		f.issue(t, cred{ach: "b", to: learnerDID, credits: 5}),
		f.issue(t, cred{ach: "c", to: learnerDID, grade: "A", credits: 5}),
		f.issue(t, cred{ach: "e", to: learnerDID, credits: 5}),
		f.issue(t, cred{ach: "capstone", to: learnerDID, credits: 10}),
	}
	rep, err := stack.Check(context.Background(), parseRules(t, rulesYAML(f.polyDID)), inputs(creds...), stack.Options{Verifier: newVerifier(t), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Learner != learnerDID {
		t.Errorf("learner %q, want %q", rep.Learner, learnerDID)
	}
	for _, id := range []string{ruleBase + "robotics-certificate", ruleBase + "robotics-diploma"} {
		if !rep.Complete(id) {
			t.Errorf("stack %s incomplete: %+v", id, rep.Stacks)
		}
	}
	cert := rep.Stacks[0]
	if cert.Credits != 20 {
		t.Errorf("certificate credits %g, want 20", cert.Credits)
	}
	if got := cert.Requirements[1].Uses; len(got) != 1 || got[0].Achievement != achBase+"e" || got[0].Input != "cred3.json" {
		t.Errorf("elective uses %+v, want cred3.json for e", got)
	}
	dip := rep.Stacks[1]
	if u := dip.Requirements[0].Uses; len(u) != 1 || u[0].Stack != ruleBase+"robotics-certificate" {
		t.Errorf("diploma certificate requirement uses %+v, want the nested certificate stack", u)
	}
	for _, c := range rep.Credentials {
		if !c.Counted || c.Excluded != "" {
			t.Errorf("%s: counted %v, excluded %q", c.Input, c.Counted, c.Excluded)
		}
	}
}

func TestCheckMissing(t *testing.T) {
	f := newFixture(t)
	creds := [][]byte{
		f.issue(t, cred{ach: "a", to: learnerDID, credits: 5}),
		f.issue(t, cred{ach: "c", to: learnerDID, grade: "A", credits: 5}),
	}
	rep, err := stack.Check(context.Background(), parseRules(t, rulesYAML(f.polyDID)), inputs(creds...), stack.Options{Verifier: newVerifier(t), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	cert := rep.Stacks[0]
	if cert.Complete || rep.Stacks[1].Complete {
		t.Fatalf("stacks complete with two credentials: %+v", rep.Stacks)
	}
	want := []string{"Actuators (" + achBase + "b): no valid credential of the learner", "1 more of the 2 achievements of anyOf"}
	got := strings.Join(append(cert.Requirements[0].Missing, cert.Requirements[1].Missing...), "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if len(cert.Missing) != 1 || !strings.Contains(cert.Missing[0], "10 earned of the 15 needed") {
		t.Errorf("credits missing %q", cert.Missing)
	}
}

// TestCheckExcludes offers, beside a complete certificate, one credential
// that must not count and checks the report names why.
func TestCheckExcludes(t *testing.T) {
	f := newFixture(t)
	base := func() [][]byte {
		return [][]byte{
			f.issue(t, cred{ach: "a", to: learnerDID, credits: 5}),
			f.issue(t, cred{ach: "b", to: learnerDID, credits: 5}),
			f.issue(t, cred{ach: "d", to: learnerDID, credits: 5}),
		}
	}
	tests := []struct {
		name     string
		extra    func() [][]byte // replaces or adds credentials; the last is judged
		learner  stack.Learner
		excluded string
		complete bool
	}{
		{name: "grade below the least", extra: func() [][]byte { return [][]byte{f.issue(t, cred{ach: "c", to: learnerDID, grade: "C", credits: 5})} },
			excluded: "result C in " + achBase + "c#grade is below the required B"},
		{name: "issuer not accepted", extra: func() [][]byte {
			return [][]byte{f.issue(t, cred{by: f.stranger, ach: "c", to: learnerDID, grade: "A", credits: 5})}
		}, excluded: "is not one the requirement accepts"},
		{name: "earned too long ago", extra: func() [][]byte {
			return [][]byte{f.issue(t, cred{ach: "c", to: learnerDID, grade: "A", credits: 5, awarded: now.AddDate(-6, 0, 0)})}
		}, excluded: "earned 2020-06-01, more than P5Y before 2026-06-01"},
		{name: "expired", extra: func() [][]byte {
			return [][]byte{f.issue(t, cred{ach: "c", to: learnerDID, grade: "A", credits: 5, until: now.Add(time.Hour)})}
		}, excluded: "invalid: validity", learner: stack.Learner{DID: learnerDID}},
		{name: "tampered", extra: func() [][]byte {
			c := f.issue(t, cred{ach: "c", to: learnerDID, grade: "A", credits: 5})
			return [][]byte{[]byte(strings.Replace(string(c), `"value": "A"`, `"value": "B"`, 1))}
		}, excluded: "invalid: proof"},
		{name: "another learner named", extra: func() [][]byte { return [][]byte{f.issue(t, cred{ach: "c", to: otherDID, grade: "A", credits: 5})} },
			learner: stack.Learner{DID: learnerDID}, excluded: "awarded to another learner (" + otherDID + ")"},
		{name: "two learners offered", extra: func() [][]byte { return [][]byte{f.issue(t, cred{ach: "c", to: otherDID, grade: "A", credits: 5})} },
			excluded: "credentials of 2 learners offered"},
		{name: "duplicate", extra: func() [][]byte {
			c := f.issue(t, cred{ach: "c", to: learnerDID, grade: "A", credits: 5})
			return [][]byte{c, c}
		}, excluded: "duplicate of cred3.json", complete: true},
		{name: "not named by the rules", extra: func() [][]byte {
			return [][]byte{f.issue(t, cred{ach: "c", to: learnerDID, grade: "A", credits: 5}), f.issue(t, cred{ach: "zz", to: learnerDID})}
		}, excluded: "no requirement names achievement " + achBase + "zz", complete: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds := append(base(), tt.extra()...)
			// Two hours on, the credential valid for one has expired.
			checkAt := now.Add(2 * time.Hour)
			rep, err := stack.Check(context.Background(), parseRules(t, rulesYAML(f.polyDID)), inputs(creds...), stack.Options{Verifier: newVerifierAt(t, checkAt), Now: func() time.Time { return checkAt }, Learner: tt.learner})
			if err != nil {
				t.Fatal(err)
			}
			last := rep.Credentials[len(rep.Credentials)-1]
			if last.Counted || !strings.Contains(last.Excluded, tt.excluded) {
				t.Errorf("last credential counted %v, excluded %q; want excluded %q", last.Counted, last.Excluded, tt.excluded)
			}
			if got := rep.Complete(ruleBase + "robotics-certificate"); got != tt.complete {
				t.Errorf("certificate complete %v, want %v", got, tt.complete)
			}
		})
	}
}

func TestCheckMatchesHashedEmail(t *testing.T) {
	f := newFixture(t)
	creds := [][]byte{
		f.issue(t, cred{ach: "a", email: "ada@example.com", credits: 5}),
		f.issue(t, cred{ach: "b", email: "ada@example.com", credits: 5}),
		f.issue(t, cred{ach: "c", email: "ada@example.com", grade: "B", credits: 5}),
		f.issue(t, cred{ach: "d", email: "bob@example.com", credits: 5}),
	}
	rules := parseRules(t, rulesYAML(f.polyDID))
	rep, err := stack.Check(context.Background(), rules, inputs(creds...), stack.Options{Verifier: newVerifier(t), Now: func() time.Time { return now }, Learner: stack.Learner{Emails: []string{"ada@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Credentials[3].Excluded; !strings.Contains(got, "awarded to another learner") {
		t.Errorf("bob's credential excluded %q", got)
	}
	core := rep.Stacks[0].Requirements[0]
	if !core.Satisfied {
		t.Errorf("core not met by the email-matched credentials: %+v", core)
	}
	// Without the email, a hashed recipient cannot be matched.
	rep, err = stack.Check(context.Background(), rules, inputs(creds[0]), stack.Options{Verifier: newVerifier(t), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Credentials[0].Excluded; !strings.Contains(got, "hashed identity") {
		t.Errorf("hashed recipient without email excluded %q", got)
	}
}

func TestCheckNeedsVerifier(t *testing.T) {
	_, err := stack.Check(context.Background(), &stack.Rules{}, nil, stack.Options{})
	if !errors.Is(err, stack.ErrNoVerifier) {
		t.Errorf("err %v, want ErrNoVerifier", err)
	}
}

func TestIssueStacked(t *testing.T) {
	f := newFixture(t)
	creds := [][]byte{
		f.issue(t, cred{ach: "a", to: learnerDID, credits: 5}),
		f.issue(t, cred{ach: "b", to: learnerDID, credits: 5}),
		f.issue(t, cred{ach: "c", to: learnerDID, grade: "B", credits: 5}),
		f.issue(t, cred{ach: "d", to: learnerDID, credits: 5}),
	}
	rules := parseRules(t, rulesYAML(f.polyDID))
	v := newVerifier(t)
	rep, err := stack.Check(context.Background(), rules, inputs(creds...), stack.Options{Verifier: v, Now: func() time.Time { return now }})
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
	res, err := v.Verify(context.Background(), out.Credential.JSON)
	if err != nil || !res.Valid {
		t.Fatalf("stacked credential: %v %+v", err, res.Checks)
	}
	ev, _ := out.Credential.Document["evidence"].([]any)
	if len(ev) != 4 || len(out.Components) != 4 {
		t.Fatalf("evidence %v, components %v: want the 4 components", ev, out.Components)
	}
	for i, e := range ev {
		m := e.(map[string]any)
		if m["id"] != out.Components[i] || m["digestSRI"] != stack.DigestSRI(creds[i]) {
			t.Errorf("evidence[%d] = %v, want id %s with the digest of its bytes", i, m, out.Components[i])
		}
	}
	subj := out.Credential.Document["credentialSubject"].(map[string]any)
	al := subj["achievement"].(map[string]any)["alignment"].([]any)[0].(map[string]any)
	if subj["id"] != learnerDID || al["targetType"] != stack.AlignmentTargetType || al["targetUrl"] != ruleBase+"robotics-certificate" {
		t.Errorf("subject %v, alignment %v", subj["id"], al)
	}

	// The diploma is incomplete, and an achievement that is not the
	// stack's is refused.
	if _, err := stack.Issue(context.Background(), f.poly, rules, rep, stack.IssueRequest{Stack: ruleBase + "robotics-diploma", Achievement: cert}); !errors.Is(err, stack.ErrIncomplete) {
		t.Errorf("incomplete diploma: %v, want ErrIncomplete", err)
	}
	cert["id"] = achBase + "other"
	if _, err := stack.Issue(context.Background(), f.poly, rules, rep, stack.IssueRequest{Stack: ruleBase + "robotics-certificate", Achievement: cert}); !errors.Is(err, issuer.ErrInvalidInput) {
		t.Errorf("foreign achievement: %v, want ErrInvalidInput", err)
	}
	if _, err := stack.Issue(context.Background(), f.poly, rules, rep, stack.IssueRequest{Stack: "https://x.example/none", Achievement: cert}); !errors.Is(err, stack.ErrUnknownStack) {
		t.Errorf("unknown stack: %v, want ErrUnknownStack", err)
	}
}

// FuzzCheckInput offers arbitrary bytes (a credential, a CLR, anything)
// to a stack check: every input ends up counted or excluded with a reason.
func FuzzCheckInput(f *testing.F) {
	f.Add([]byte(`{"type": ["VerifiableCredential", "ClrCredential"], "credentialSubject": {"verifiableCredential": [{"id": "x"}, "eyJ.a.b"]}}`))
	f.Add([]byte(`{"type": "ClrCredential", "credentialSubject": {"verifiableCredential": []}}`))
	f.Add([]byte(`eyJhbGciOiJFZERTQSJ9.e30.c2ln`))
	rules, err := stack.Parse("rules.yaml", []byte(rulesYAML("did:example:poly")))
	if err != nil {
		f.Fatal(err)
	}
	v := newVerifier(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := stack.Check(context.Background(), rules, []stack.Input{{Name: "in", Data: data}}, stack.Options{Verifier: v, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rep.Credentials {
			if !c.Counted && c.Excluded == "" {
				t.Fatalf("%s neither counted nor excluded", c.Input)
			}
		}
	})
}
