package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/stack"
)

// pathway returns the path of a file of the worked example in
// testdata/pathway.
func pathway(name string) string { return testdata(filepath.Join("pathway", name)) }

// issuePathway imports the polytechnic's demo key and issues the worked
// example's credentials (by achievement file and subject file) into dir.
func issuePathway(t *testing.T, dir string, creds map[string]string, extra ...string) {
	t.Helper()
	ring := filepath.Join(dir, "keys")
	secret, err := os.ReadFile(pathway("polytechnic.secret"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runKeys(t, string(secret), "keys", "import", "poly", "--keyring", ring); code != exitOK {
		t.Fatalf("keys import: exit %d: %s", code, errOut)
	}
	if err := os.MkdirAll(filepath.Join(dir, "creds"), 0o700); err != nil {
		t.Fatal(err)
	}
	for ach, subject := range creds {
		args := append([]string{"issue", "--keyring", ring, "--key", "poly",
			"--issuer-profile", pathway("issuer.json"), "--achievement", pathway(ach + ".json"),
			"--subject", pathway(subject), "--out", filepath.Join(dir, "creds", ach+".json")}, extra...)
		code, _, errOut := runKeys(t, "", args...)
		if code != exitOK {
			t.Fatalf("issue %s: exit %d: %s", ach, code, errOut)
		}
	}
}

const (
	certificateRule = "https://poly.example/rules/robotics-technician-certificate"
	diplomaRule     = "https://poly.example/rules/robotics-diploma"
)

func TestStackCheckPathway(t *testing.T) {
	dir := t.TempDir()
	issuePathway(t, dir, map[string]string{
		"sensors": "learner.json", "actuators": "learner.json",
		"controllers": "learner-controllers.json", "capstone": "learner-capstone.json",
	})
	creds := filepath.Join(dir, "creds")
	code, out, errOut := runKeys(t, "", "stack", "check", "--rules", pathway("pathway.yaml"), creds)
	if code != exitOK {
		t.Fatalf("stack check: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"Robotics Technician Certificate (" + certificateRule + "): COMPLETE",
		"Robotics Diploma (" + diplomaRule + "): COMPLETE",
		"<- stack " + certificateRule,
		"credits: 15 of 15",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	// Without the capstone the diploma is incomplete: exit 1 when it is
	// asked for, 0 when only the certificate is.
	if err := os.Remove(filepath.Join(creds, "capstone.json")); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runKeys(t, "", "stack", "check", "--rules", pathway("pathway.yaml"), "--json", creds)
	if code != exitInvalid {
		t.Fatalf("diploma without capstone: exit %d, want %d\n%s", code, exitInvalid, out)
	}
	var rep struct {
		Stacks []struct {
			ID           string `json:"id"`
			Complete     bool   `json:"complete"`
			Requirements []struct {
				Missing []string `json:"missing"`
			} `json:"requirements"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if len(rep.Stacks) != 2 || !rep.Stacks[0].Complete || rep.Stacks[1].Complete ||
		len(rep.Stacks[1].Requirements[1].Missing) != 1 || !strings.Contains(rep.Stacks[1].Requirements[1].Missing[0], "capstone") {
		t.Errorf("--json report %+v", rep)
	}
	if code, out, errOut := runKeys(t, "", "stack", "check", "--rules", pathway("pathway.yaml"), "--stack", certificateRule, creds); code != exitOK {
		t.Errorf("--stack certificate: exit %d\n%s%s", code, out, errOut)
	}
}

func TestStackCheckTamperedComponent(t *testing.T) {
	dir := t.TempDir()
	issuePathway(t, dir, map[string]string{"sensors": "learner.json", "actuators": "learner.json", "controllers": "learner-controllers.json"})
	path := filepath.Join(dir, "creds", "controllers.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), `"value": "B"`, `"value": "A"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runKeys(t, "", "stack", "check", "--rules", pathway("pathway.yaml"), "--stack", certificateRule, filepath.Join(dir, "creds"))
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d\n%s", code, exitInvalid, out)
	}
	if !strings.Contains(out, "controllers.json: invalid, excluded: invalid: proof") {
		t.Errorf("report does not name the tampered credential:\n%s", out)
	}
}

func TestStackCheckUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "rules.yaml")
	src, err := os.ReadFile(pathway("pathway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(strings.Replace(string(src), "allOf: [did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/capstone]", "allOf: [did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/capstones]", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no rules", []string{"stack", "check", "x.json"}, "--rules is required"},
		{"unknown achievement names the line", []string{"stack", "check", "--rules", bad, "x.json"}, bad + ":34: stacks[1].requirements[1].allOf: unknown achievement"},
		{"unknown stack", []string{"stack", "check", "--rules", pathway("pathway.yaml"), "--stack", "https://x.example/none", "x.json"}, "no such stack"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runKeys(t, "", tt.args...)
			if code != exitError || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d naming %q", code, errOut, exitError, tt.want)
			}
		})
	}
}

func TestStackIssueAndRevokeComponent(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "issued.db")
	issuePathway(t, dir, map[string]string{"sensors": "learner.json", "actuators": "learner.json", "controllers": "learner-controllers.json"},
		"--store", db, "--status-base-url", "https://poly.example/status/")
	ring, creds := filepath.Join(dir, "keys"), filepath.Join(dir, "creds")
	cert := filepath.Join(dir, "certificate-credential.json")
	// Verifiers read the status lists from a directory: the tests reach
	// no network.
	statusDir := filepath.Join(dir, "status")
	publish := []string{"status", "publish", "--store", db, "--keyring", ring, "--key", "poly", "--out", statusDir}
	if code, out, errOut := runKeys(t, "", publish...); code != exitOK {
		t.Fatalf("status publish: exit %d\n%s%s", code, out, errOut)
	}
	args := func(stackID, ach, out string) []string {
		return []string{"stack", "issue", "--rules", pathway("pathway.yaml"), "--stack", stackID,
			"--keyring", ring, "--key", "poly", "--issuer-profile", pathway("issuer.json"),
			"--achievement", pathway(ach), "--store", db, "--status-base-url", "https://poly.example/status/",
			"--status-dir", statusDir, "--out", out, creds}
	}
	// The diploma needs the capstone: refused, nothing written.
	dip := filepath.Join(dir, "diploma-credential.json")
	code, _, errOut := runKeys(t, "", args(diplomaRule, "diploma.json", dip)...)
	if code != exitInvalid || !strings.Contains(errOut, "is not complete: nothing issued") {
		t.Fatalf("diploma without capstone: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(dip); !os.IsNotExist(err) {
		t.Errorf("refused diploma written: %v", err)
	}
	code, _, errOut = runKeys(t, "", args(certificateRule, "certificate.json", cert)...)
	if code != exitOK || !strings.Contains(errOut, "on 3 component credentials") {
		t.Fatalf("certificate: exit %d: %s", code, errOut)
	}
	var doc struct {
		ID       string `json:"id"`
		Evidence []struct {
			ID        string `json:"id"`
			DigestSRI string `json:"digestSRI"`
		} `json:"evidence"`
	}
	data, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	sensors, err := os.ReadFile(filepath.Join(creds, "sensors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sensorsID struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(sensors, &sensorsID); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range doc.Evidence {
		if e.ID == sensorsID.ID {
			found = e.DigestSRI == stack.DigestSRI(sensors)
		}
	}
	if len(doc.Evidence) != 3 || !found {
		t.Errorf("evidence %+v does not reference sensors.json %s with its digest", doc.Evidence, sensorsID.ID)
	}

	// The learner's CLR, recorded before any revocation.
	clr := filepath.Join(dir, "clr.json")
	if code, out, errOut := runKeys(t, "", "clr", "issue", "--rules", pathway("pathway.yaml"), "--status-dir", statusDir,
		"--keyring", ring, "--key", "poly", "--issuer-profile", pathway("issuer.json"), "--out", clr, creds); code != exitOK {
		t.Fatalf("clr issue: exit %d\n%s%s", code, out, errOut)
	}

	// Revoking a component names the certificate; with --cascade it is
	// revoked too, and a verifier reading the published lists says so.
	code, out, errOut := runKeys(t, "", "revoke", "--store", db, "--reason", "assessment void", sensorsID.ID)
	if code != exitOK || !strings.Contains(out, doc.ID+": stacked on revoked "+sensorsID.ID) {
		t.Fatalf("revoke component: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runKeys(t, "", publish...); code != exitOK {
		t.Fatalf("status publish: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runKeys(t, "", "verify", "--status-dir", statusDir, cert); code != exitOK {
		t.Fatalf("verify certificate before the cascade: exit %d\n%s%s", code, out, errOut)
	}
	// A revoked entry is normal in a transcript: the CLR stays valid, with
	// a warning naming it.
	code, out, errOut = runKeys(t, "", "verify", "--status-dir", statusDir, clr)
	if code != exitOK || !strings.Contains(out, "VALID WITH WARNINGS") || !strings.Contains(out, "1 of 3 embedded credentials no longer valid") || !strings.Contains(out, sensorsID.ID) {
		t.Errorf("verify CLR with a revoked entry: exit %d\n%s%s", code, out, errOut)
	}
	var actuators struct {
		ID string `json:"id"`
	}
	data, err = os.ReadFile(filepath.Join(creds, "actuators.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &actuators); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runKeys(t, "", "revoke", "--store", db, "--reason", "assessment void", "--cascade", actuators.ID)
	if code != exitOK || !strings.Contains(out, doc.ID+": revoked (stacked on "+actuators.ID+")") {
		t.Fatalf("revoke --cascade: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runKeys(t, "", publish...); code != exitOK {
		t.Fatalf("status publish: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := runKeys(t, "", "verify", "--status-dir", statusDir, cert); code != exitInvalid || !strings.Contains(out, "revoked") {
		t.Errorf("verify certificate after the cascade: exit %d, want %d naming revoked\n%s", code, exitInvalid, out)
	}
	// The revoked components no longer count.
	code, out, _ = runKeys(t, "", "stack", "check", "--rules", pathway("pathway.yaml"), "--status-dir", statusDir, "--stack", certificateRule, creds)
	if code != exitInvalid || !strings.Contains(out, "sensors.json: invalid, excluded: invalid: status") {
		t.Errorf("stack check after revocation: exit %d\n%s", code, out)
	}
}

// TestStackCheckCouldNotCheck: a stack left incomplete because a status
// list could not be read exits 2 (could not check), not 1.
func TestStackCheckCouldNotCheck(t *testing.T) {
	dir := t.TempDir()
	// The lists would be at a loopback address, which the verifier's
	// client refuses without --allow-private-network: nothing is fetched.
	issuePathway(t, dir, map[string]string{"sensors": "learner.json", "actuators": "learner.json", "controllers": "learner-controllers.json"},
		"--store", filepath.Join(dir, "issued.db"), "--status-base-url", "https://127.0.0.1/status/")
	code, out, _ := runKeys(t, "", "stack", "check", "--rules", pathway("pathway.yaml"), "--stack", certificateRule, filepath.Join(dir, "creds"))
	if code != exitError || !strings.Contains(out, "could not check, excluded: could not check: status") {
		t.Errorf("exit %d, want %d\n%s", code, exitError, out)
	}
}
