package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathwayEndToEnd runs the worked example of testdata/pathway through
// the CLI: an industry association endorses a microcredential, three
// microcredentials stack into the certificate, which with the capstone
// ladders into the diploma, and all six are recorded in a verified CLR.
func TestPathwayEndToEnd(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys")
	for name, file := range map[string]string{"poly": "polytechnic.secret", "ria": "association.secret"} {
		secret, err := os.ReadFile(pathway(file))
		if err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := runKeys(t, string(secret), "keys", "import", name, "--keyring", ring); code != exitOK {
			t.Fatalf("keys import %s: exit %d: %s", name, code, errOut)
		}
	}
	sensors := filepath.Join(dir, "sensors.json")
	data, err := os.ReadFile(pathway("sensors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sensors, data, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		code, out, errOut := runKeys(t, "", args...)
		if code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	run("endorse", "--keyring", ring, "--key", "ria", "--issuer-profile", pathway("association.json"),
		"--subject", "did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/sensors", "--comment", "Meets the RIA standard.", "--into", sensors, "--out", filepath.Join(dir, "endorsement.json"))
	creds := filepath.Join(dir, "creds")
	if err := os.Mkdir(creds, 0o700); err != nil {
		t.Fatal(err)
	}
	issue := func(ach, subject, out string) {
		run("issue", "--keyring", ring, "--key", "poly", "--issuer-profile", pathway("issuer.json"),
			"--achievement", ach, "--subject", pathway(subject), "--out", filepath.Join(creds, out))
	}
	issue(sensors, "learner.json", "sensors.json")
	issue(pathway("actuators.json"), "learner.json", "actuators.json")
	issue(pathway("controllers.json"), "learner-controllers.json", "controllers.json")
	stackIssue := func(rule, ach, out string) {
		run("stack", "issue", "--rules", pathway("pathway.yaml"), "--stack", rule, "--keyring", ring, "--key", "poly",
			"--issuer-profile", pathway("issuer.json"), "--achievement", pathway(ach), "--out", filepath.Join(creds, out), creds)
	}
	stackIssue(certificateRule, "certificate.json", "certificate.json")
	issue(pathway("capstone.json"), "learner-capstone.json", "capstone.json")
	stackIssue(diplomaRule, "diploma.json", "diploma.json")
	clr := filepath.Join(dir, "clr.json")
	run("clr", "issue", "--rules", pathway("pathway.yaml"), "--keyring", ring, "--key", "poly",
		"--issuer-profile", pathway("issuer.json"), "--out", clr, creds)
	out := run("verify", "--json", clr)
	var reps []struct {
		Verdict  string `json:"verdict"`
		Embedded []struct {
			Name    string `json:"name"`
			Verdict string `json:"verdict"`
		} `json:"embedded"`
		Claims struct {
			Clr struct {
				Associations []struct {
					Type     string `json:"associationType"`
					SourceID string `json:"sourceId"`
					TargetID string `json:"targetId"`
				} `json:"associations"`
			} `json:"clr"`
		} `json:"claims"`
	}
	if err := json.Unmarshal([]byte(out), &reps); err != nil || len(reps) != 1 {
		t.Fatalf("verify --json: %v\n%s", err, out)
	}
	rep := reps[0]
	if rep.Verdict != "valid" || len(rep.Embedded) != 6 {
		t.Fatalf("CLR verdict %s with %d embedded, want valid with 6\n%s", rep.Verdict, len(rep.Embedded), out)
	}
	ladder := false
	for _, a := range rep.Claims.Clr.Associations {
		if a.Type == "precedes" && a.SourceID == "did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/robotics-technician-certificate" && a.TargetID == "did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/robotics-diploma" {
			ladder = true
		}
	}
	if !ladder {
		t.Errorf("associations %+v lack certificate precedes diploma", rep.Claims.Clr.Associations)
	}
	// The embedded sensors credential carries the association's
	// endorsement, bound to the polytechnic (the achievement's creator).
	out = run("verify", filepath.Join(creds, "sensors.json"))
	if !strings.Contains(out, "by Robotics Industry Association") || !strings.Contains(out, "VALID, counted") {
		t.Errorf("sensors endorsement not reported as counted:\n%s", out)
	}

	// A CLR whose embedded credential was changed after signing is
	// invalid, and so is one whose association points outside it.
	data, err = os.ReadFile(clr)
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(string) string{
		"tampered embedded credential": func(s string) string {
			return strings.Replace(s, `"value": "B"`, `"value": "A"`, 1)
		},
		"association outside the CLR": func(s string) string {
			return strings.Replace(s, `"targetId": "did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/robotics-diploma"`, `"targetId": "did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/elsewhere"`, 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "clr.json")
			edited := edit(string(data))
			if edited == string(data) {
				t.Fatal("the edit changed nothing")
			}
			if err := os.WriteFile(bad, []byte(edited), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, out, _ := runKeys(t, "", "verify", bad); code != exitInvalid || !strings.Contains(out, "INVALID") {
				t.Errorf("exit %d, want %d\n%s", code, exitInvalid, out)
			}
		})
	}
}
