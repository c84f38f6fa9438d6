package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAchievementAlign(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "sensors.json")
	code, _, errOut := runKeys(t, "", "achievement", "align", "--case", pathway("robotics-framework.json"),
		"--item", "RT.1", "--item", "7e9b2d10-5a44-4f0c-b1d2-1c7e8a3b5d02", pathway("sensors.json"), "--out", out)
	if code != exitOK {
		t.Fatalf("align: exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var ach struct {
		ID string           `json:"id"`
		Al []map[string]any `json:"alignment"`
	}
	if err := json.Unmarshal(data, &ach); err != nil {
		t.Fatal(err)
	}
	if ach.ID != "did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/sensors" || len(ach.Al) != 2 ||
		ach.Al[0]["targetCode"] != "RT.1" || ach.Al[1]["targetCode"] != "RT.2" ||
		ach.Al[1]["targetType"] != "CFItem" || ach.Al[1]["targetFramework"] != "Robotics Technician Competencies" {
		t.Errorf("aligned achievement:\n%s", data)
	}
	// The result is an achievement issue accepts.
	issuePathwayAchievement(t, dir, out)

	code, _, errOut = runKeys(t, "", "achievement", "align", "--case", pathway("robotics-framework.json"), "--item", "RT.9", pathway("sensors.json"))
	if code != exitError || !strings.Contains(errOut, `"RT.9": no such item in the framework "Robotics Technician Competencies"`) {
		t.Errorf("unknown item: exit %d: %s", code, errOut)
	}
}

// issuePathwayAchievement issues achievement file ach with the worked
// example's key, failing the test if issue refuses it.
func issuePathwayAchievement(t *testing.T, dir, ach string) {
	t.Helper()
	ring := filepath.Join(dir, "keys")
	secret, err := os.ReadFile(pathway("polytechnic.secret"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runKeys(t, string(secret), "keys", "import", "poly", "--keyring", ring); code != exitOK {
		t.Fatalf("keys import: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runKeys(t, "", "issue", "--keyring", ring, "--key", "poly", "--achievement", ach,
		"--subject", pathway("learner.json"), "--out", filepath.Join(dir, "cred.json")); code != exitOK {
		t.Fatalf("issue %s: exit %d: %s", ach, code, errOut)
	}
}

func TestEndorseIntoAchievement(t *testing.T) {
	dir := t.TempDir()
	ach := filepath.Join(dir, "sensors.json")
	data, err := os.ReadFile(pathway("sensors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ach, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ring := filepath.Join(dir, "keys")
	secret, err := os.ReadFile(pathway("association.secret"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runKeys(t, string(secret), "keys", "import", "ria", "--keyring", ring); code != exitOK {
		t.Fatalf("keys import: exit %d: %s", code, errOut)
	}
	endorsement := filepath.Join(dir, "endorsement.json")
	code, _, errOut := runKeys(t, "", "endorse", "--keyring", ring, "--key", "ria", "--issuer-profile", pathway("association.json"),
		"--subject", "did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/sensors", "--comment", "Meets the RIA sensor standard.", "--into", ach, "--out", endorsement)
	if code != exitOK {
		t.Fatalf("endorse: exit %d: %s", code, errOut)
	}
	if code, out, errOut := runKeys(t, "", "verify", endorsement); code != exitOK {
		t.Fatalf("verify endorsement: exit %d\n%s%s", code, out, errOut)
	}
	issuePathwayAchievement(t, dir, ach)
	code, out, errOut := runKeys(t, "", "verify", filepath.Join(dir, "cred.json"))
	want := "endorsement [credentialSubject.achievement.endorsement[0]] by Robotics Industry Association (did:key:z6MkitquSsiPTiaQHdFTLgf6ywSi3DZ6z3Br4bC11S3hr85G) of did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/sensors: VALID, counted"
	if code != exitOK || !strings.Contains(out, want) {
		t.Errorf("verify: exit %d, want a line %q\n%s%s", code, want, out, errOut)
	}
	// A trust list naming the association as an endorser recognises it.
	list := filepath.Join(dir, "endorsers.json")
	if err := os.WriteFile(list, []byte(`{"trustList": {"name": "Industry bodies", "entries": [{"id": "did:key:z6MkitquSsiPTiaQHdFTLgf6ywSi3DZ6z3Br4bC11S3hr85G", "roles": ["endorser"]}]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runKeys(t, "", "verify", "--trust", list, filepath.Join(dir, "cred.json"))
	if code != exitOK || !strings.Contains(out, "VALID, counted; endorser recognised by Industry bodies") || !strings.Contains(out, "trust: issuer not recognised") {
		t.Errorf("verify --trust: exit %d\n%s%s", code, out, errOut)
	}
	// An endorsement is embedded only in what it endorses.
	code, _, errOut = runKeys(t, "", "endorse", "--keyring", ring, "--key", "ria", "--subject", "https://x.example/other", "--into", ach)
	if code != exitError || !strings.Contains(errOut, "an endorsement is embedded in what it endorses") {
		t.Errorf("endorse --into another: exit %d: %s", code, errOut)
	}
}
