package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRevokeCascadeThroughServer: while serve holds the store, revoking a
// component through the admin API names the stacked credential issued on
// it and, with --cascade, revokes it too, as the local path does.
func TestRevokeCascadeThroughServer(t *testing.T) {
	t.Setenv("BADGESMITH_SERVER", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "issued.db")
	issuePathway(t, dir, map[string]string{"sensors": "learner.json", "actuators": "learner.json", "controllers": "learner-controllers.json"},
		"--store", db, "--status-base-url", "https://poly.example/status/")
	ring, creds := filepath.Join(dir, "keys"), filepath.Join(dir, "creds")
	statusDir := filepath.Join(dir, "status")
	if code, out, errOut := runKeys(t, "", "status", "publish", "--store", db, "--keyring", ring, "--key", "poly", "--out", statusDir); code != exitOK {
		t.Fatalf("status publish: exit %d\n%s%s", code, out, errOut)
	}
	cert := filepath.Join(dir, "certificate-credential.json")
	if code, out, errOut := runKeys(t, "", "stack", "issue", "--rules", pathway("pathway.yaml"), "--stack", certificateRule,
		"--keyring", ring, "--key", "poly", "--issuer-profile", pathway("issuer.json"), "--achievement", pathway("certificate.json"),
		"--store", db, "--status-base-url", "https://poly.example/status/", "--status-dir", statusDir, "--out", cert, creds); code != exitOK {
		t.Fatalf("stack issue: exit %d\n%s%s", code, out, errOut)
	}
	idOf := func(p string) string {
		var v struct {
			ID string `json:"id"`
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		return v.ID
	}
	certID, sensors, actuators := idOf(cert), idOf(filepath.Join(creds, "sensors.json")), idOf(filepath.Join(creds, "actuators.json"))
	secret, err := os.ReadFile(pathway("polytechnic.secret"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runKeys(t, string(secret), "keys", "import", "registrar", "--keyring", ring); code != exitOK {
		t.Fatalf("keys import: exit %d: %s", code, errOut)
	}
	base := startServe(t, ring, db)
	t.Setenv("BADGESMITH_API_KEY", remoteAdminKey)

	code, out, errOut := runKeys(t, "", "revoke", "--server", base, "--reason", "assessment void", sensors)
	if code != exitOK || !strings.Contains(out, certID+": stacked on revoked "+sensors) {
		t.Fatalf("revoke through the server: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runKeys(t, "", "show", "--server", base, certID)
	if code != exitOK || strings.Contains(out, "revoked") {
		t.Fatalf("stacked credential after a revoke without --cascade: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runKeys(t, "", "revoke", "--server", base, "--reason", "assessment void", "--cascade", actuators)
	if code != exitOK || !strings.Contains(out, certID+": revoked (stacked on "+actuators+")") {
		t.Fatalf("revoke --cascade through the server: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runKeys(t, "", "show", "--server", base, certID)
	if code != exitOK || !strings.Contains(out, "revoked") || !strings.Contains(out, "component "+actuators+" revoked: assessment void") {
		t.Errorf("stacked credential after the cascade: exit %d\n%s%s", code, out, errOut)
	}
}
