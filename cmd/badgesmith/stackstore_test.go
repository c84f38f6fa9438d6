package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStackCheckFromStore reads a learner's credentials back from the store
// and the directory they were written to, matched by their recorded SHA-256.
func TestStackCheckFromStore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "issued.db")
	issuePathway(t, dir, map[string]string{"sensors": "learner.json", "actuators": "learner.json", "controllers": "learner-controllers.json"},
		"--store", db, "--status-base-url", "https://poly.example/status/")
	ring, creds := filepath.Join(dir, "keys"), filepath.Join(dir, "creds")
	statusDir := filepath.Join(dir, "status")
	if code, out, errOut := runKeys(t, "", "status", "publish", "--store", db, "--keyring", ring, "--key", "poly", "--out", statusDir); code != exitOK {
		t.Fatalf("status publish: exit %d\n%s%s", code, out, errOut)
	}
	// A file is found by its content, wherever it went and whatever its name.
	if err := os.MkdirAll(filepath.Join(creds, "archive"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(creds, "sensors.json"), filepath.Join(creds, "archive", "ada-1.json")); err != nil {
		t.Fatal(err)
	}
	check := func(extra ...string) (int, string, string) {
		return runKeys(t, "", append([]string{"stack", "check", "--rules", pathway("pathway.yaml"), "--stack", certificateRule,
			"--store", db, "--status-dir", statusDir, "--credentials-dir", creds}, extra...)...)
	}
	code, out, errOut := check("--learner", "did:example:ada-lovelace")
	if code != exitOK || !strings.Contains(out, "Robotics Technician Certificate ("+certificateRule+"): COMPLETE") || !strings.Contains(out, "ada-1.json") {
		t.Fatalf("from the store: exit %d\n%s%s", code, out, errOut)
	}
	// clr issue takes the learner's credentials from the store the same way.
	clr := filepath.Join(dir, "clr.json")
	if code, out, errOut := runKeys(t, "", "clr", "issue", "--rules", pathway("pathway.yaml"), "--status-dir", statusDir,
		"--store", db, "--learner", "did:example:ada-lovelace", "--credentials-dir", creds,
		"--keyring", ring, "--key", "poly", "--issuer-profile", pathway("issuer.json"), "--out", clr); code != exitOK {
		t.Fatalf("clr issue from the store: exit %d\n%s%s", code, out, errOut)
	}
	if data, err := os.ReadFile(clr); err != nil || strings.Count(string(data), `"OpenBadgeCredential"`) != 3 {
		t.Errorf("CLR from the store: %v\n%s", err, data)
	}
	// Another learner's records are not offered.
	code, out, errOut = check("--learner", "did:example:someone-else")
	if code != exitInvalid || strings.Contains(out, "ada-1.json") {
		t.Fatalf("another learner: exit %d\n%s%s", code, out, errOut)
	}
	// A file changed after issuing is not the recorded document.
	p := filepath.Join(creds, "controllers.json")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(data, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = check("--learner", "did:example:ada-lovelace")
	if code != exitError || !strings.Contains(out, "no file under --credentials-dir has its SHA-256") {
		t.Fatalf("changed file: exit %d\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{
		{"stack", "check", "--rules", pathway("pathway.yaml"), "--store", db, "--credentials-dir", creds},
		{"stack", "check", "--rules", pathway("pathway.yaml"), "--learner", "did:example:ada-lovelace", "--credentials-dir", creds},
		{"stack", "check", "--rules", pathway("pathway.yaml")},
	} {
		if code, _, errOut := runKeys(t, "", args...); code != exitError || !strings.Contains(errOut, "--") {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
	}
}
