package server

import (
	"context"
	"testing"

	"github.com/badgesmith/badgesmith/store"
)

// TestAdminStatusCascade: a revocation answers with the stacked
// credentials (none here), and cascade goes only with revoke.
func TestAdminStatusCascade(t *testing.T) {
	ts := startServer(t, testConfig{suspension: true})
	ctx := context.Background()
	ac := ts.admin(testAdminKey)
	vc := ts.issue(t, sampleCredential(t))
	id, _ := vc["id"].(string)
	_, err := ac.ChangeStatus(ctx, StatusChange{CredentialID: id, Action: ActionSuspend, Reason: "review", Cascade: true})
	wantClientProblem(t, err, 400, ProbInvalidField, "cascade")
	ch, err := ac.ChangeStatus(ctx, StatusChange{CredentialID: id, Action: ActionRevoke, Reason: "void", Cascade: true})
	if err != nil || !ch.Changed || ch.State != store.Revoked || len(ch.Stacked) != 0 {
		t.Fatalf("revoke with cascade: %+v %v", ch, err)
	}
}
