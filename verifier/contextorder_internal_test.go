package verifier

import (
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/contexts"
)

// TestObContextPrefix: obContextRE matches only URLs that begin with
// obContextPrefix, which isBadgeContext checks first.
func TestObContextPrefix(t *testing.T) {
	if p, _ := obContextRE.LiteralPrefix(); p != obContextPrefix {
		t.Fatalf("obContextRE's literal prefix is %q, want %q", p, obContextPrefix)
	}
	for u, want := range map[string]bool{
		contexts.OBv3p0: true,
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": true,
		contexts.OBExtensions:  false,
		contexts.CredentialsV2: false,
		contexts.CLRv2p0:       true,
		"":                     false,
	} {
		if got := isBadgeContext(u); got != want {
			t.Errorf("isBadgeContext(%q) = %v, want %v", u, got, want)
		}
	}
}

// TestContextOrderWarning: an Open Badges context after the second place
// passes with a warning naming it, unless the second is one too.
func TestContextOrderWarning(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		list []any
		want Status
		path string
	}{
		{[]any{contexts.CredentialsV2, contexts.OBExtensions, contexts.OBv3p0}, StatusWarn, "@context[2]"},
		{[]any{contexts.CredentialsV2, contexts.OBv3p0, contexts.OBExtensions}, StatusPass, "@context"},
		{[]any{contexts.CredentialsV2, contexts.OBv3p0, contexts.CLRv2p0}, StatusPass, "@context"},
		{[]any{contexts.CredentialsV2}, StatusPass, "@context"},
	} {
		r := &report{res: &Result{}}
		v.checkContext(r, map[string]any{"@context": tc.list})
		c := r.res.Checks[0]
		if c.Status != tc.want || c.Path != tc.path || tc.want == StatusWarn && !strings.Contains(c.Reason, "is context 3; OB 3.0 and CLR 2.0 put it second") {
			t.Errorf("%v: %s at %s (%s), want %s at %s", tc.list, c.Status, c.Path, c.Reason, tc.want, tc.path)
		}
	}
}
