package issuer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestPurposesThroughIssueAndVerify drives each status purpose the issuer
// writes through every path that puts one into a credential or a list
// credential (issuing in each format, publishing, revoking, suspending and
// reinstating) and verifies every credential and list with the verifier.
// status.Purpose is a named string type, which the JSON-LD processor
// refuses inside a map[string]any, and which the compiler lets into one: a
// purpose written into a map without string() fails signing, publishing
// or verifying here.
func TestPurposesThroughIssueAndVerify(t *testing.T) {
	ctx := context.Background()
	issued := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, format := range []issuer.Format{issuer.EddsaRdfc2022, issuer.EddsaJcs2022, issuer.VCJWT, issuer.JOSE} {
		t.Run(string(format), func(t *testing.T) {
			k := testkit.Ed25519(t, 7)
			f := newStatusIssuer(t, nil, func(c *issuer.Config) {
				c.Suspension = true
				c.Now = func() time.Time { return issued }
				c.Signer = signerOf(t, k.Private, k.DID, k.VM, format)
			})
			revoked, suspended, reinstated := f.issue(t), f.issue(t), f.issue(t)
			for _, c := range []*issuer.Credential{revoked, suspended, reinstated} {
				var got []status.Purpose
				for _, e := range entries(t, c.Document) {
					got = append(got, e.StatusPurpose)
				}
				if len(got) != 2 || got[0] != status.PurposeRevocation || got[1] != status.PurposeSuspension {
					t.Fatalf("%s: entries for %v, want revocation and suspension", c.ID, got)
				}
			}
			dir := filepath.Join(t.TempDir(), "status")
			// verify publishes the lists as they stand and checks that
			// each list verifies and each credential gets its verdict.
			verify := func(step string, want map[*issuer.Credential]verifier.Verdict) {
				t.Helper()
				lists, err := f.is.Publish(ctx, dir)
				if err != nil {
					t.Fatalf("%s: publish: %v", step, err)
				}
				// A fresh verifier for each step: its status cache would
				// keep the lists of the step before.
				v, err := verifier.New(verifier.Options{StatusDir: dir, Now: func() time.Time { return issued.Add(time.Hour) }})
				if err != nil {
					t.Fatal(err)
				}
				var purposes []string
				for _, l := range lists {
					data, err := os.ReadFile(l.Path)
					if err != nil {
						t.Fatal(err)
					}
					// Valid with warnings: a list is not an Open Badge.
					if res, err := v.Verify(ctx, data); !res.Verdict.Accepted() {
						t.Errorf("%s: list %s: %v, want it accepted", step, l.Path, err)
					}
					purposes = append(purposes, filepath.Base(l.Path))
				}
				if got := strings.Join(purposes, " "); got != "revocation-1 suspension-1" {
					t.Errorf("%s: published %s, want revocation-1 suspension-1", step, got)
				}
				for c, wantVerdict := range want {
					// Verify reports the verdict as an error too; the
					// verdict and the check behind it are what count.
					res, err := v.Verify(ctx, c.Bytes())
					if res.Verdict != wantVerdict || (wantVerdict == verifier.VerdictInvalid && res.Decision != verifier.CheckStatus) {
						t.Errorf("%s: %s is %s (%v), want %s", step, c.ID, res.Verdict, err, wantVerdict)
					}
				}
			}
			all := func(v verifier.Verdict) map[*issuer.Credential]verifier.Verdict {
				return map[*issuer.Credential]verifier.Verdict{revoked: v, suspended: v, reinstated: v}
			}
			verify("as issued", all(verifier.VerdictValid))

			if err := f.is.Revoke(ctx, revoked.ID, "registrar", "test"); err != nil {
				t.Fatal(err)
			}
			for _, c := range []*issuer.Credential{suspended, reinstated} {
				if err := f.is.Suspend(ctx, c.ID, "registrar", "test"); err != nil {
					t.Fatal(err)
				}
			}
			verify("revoked and suspended", all(verifier.VerdictInvalid))

			if err := f.is.Reinstate(ctx, reinstated.ID, "registrar", "test"); err != nil {
				t.Fatal(err)
			}
			verify("reinstated", map[*issuer.Credential]verifier.Verdict{
				revoked: verifier.VerdictInvalid, suspended: verifier.VerdictInvalid, reinstated: verifier.VerdictValid,
			})
		})
	}
}
