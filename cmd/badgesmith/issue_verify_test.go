package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata returns the path of a file in the repository's testdata/.
func testdata(name string) string { return filepath.Join("..", "..", "testdata", name) }

// issueSample issues the sample credential into dir with a fresh key and
// returns the credential's path and the keyring.
func issueSample(t *testing.T, dir string, extra ...string) (string, string) {
	t.Helper()
	ring := filepath.Join(dir, "keys")
	if code, _, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", ring); code != exitOK {
		t.Fatalf("keys generate: exit %d: %s", code, errOut)
	}
	out := filepath.Join(dir, "credential.json")
	args := append([]string{"issue", "--keyring", ring, "--key", "registrar",
		"--issuer-profile", testdata("issuer.json"), "--achievement", testdata("achievement.json"),
		"--out", out}, extra...)
	if len(extra) == 0 {
		args = append(args, "--subject", testdata("subject.json"))
	}
	code, _, errOut := runKeys(t, "", args...)
	if code != exitOK {
		t.Fatalf("issue: exit %d: %s", code, errOut)
	}
	return out, ring
}

func TestIssueThenVerify(t *testing.T) {
	dir := t.TempDir()
	cred, _ := issueSample(t, dir)
	code, out, errOut := runKeys(t, "", "verify", cred)
	if code != exitOK {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	for _, check := range []string{"parse", "context", "type", "schema", "proof", "issuer", "validity", "status"} {
		if !strings.Contains(out, "pass     "+check) {
			t.Errorf("report lacks a passing %s line:\n%s", check, out)
		}
	}
	if !strings.Contains(out, ": VALID") {
		t.Errorf("report lacks the VALID verdict:\n%s", out)
	}
}

func TestIssueWithRecipientEmailAndSuite(t *testing.T) {
	for _, suite := range []string{"eddsa-rdfc-2022", "Ed25519Signature2020"} {
		t.Run(suite, func(t *testing.T) {
			dir := t.TempDir()
			cred, _ := issueSample(t, dir, "--recipient-email", "learner@example.com", "--suite", suite)
			data, err := os.ReadFile(cred)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "learner@example.com") {
				t.Fatal("plain email in a hashed credential")
			}
			if !strings.Contains(string(data), suite) {
				t.Fatalf("credential does not use %s", suite)
			}
			if code, out, errOut := runKeys(t, "", "verify", cred); code != exitOK {
				t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}

func TestVerifyTamperedExitsOne(t *testing.T) {
	dir := t.TempDir()
	cred, _ := issueSample(t, dir)
	data, err := os.ReadFile(cred)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		edit    func(string) string
		failing string
	}{
		{"achievement renamed", func(s string) string {
			return strings.Replace(s, `"name": "Applied Data Analysis"`, `"name": "Brain Surgery"`, 1)
		}, "proof"},
		{"validFrom moved", func(s string) string { return strings.Replace(s, `"validFrom": "20`, `"validFrom": "19`, 1) }, "proof"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			edited := tc.edit(string(data))
			if edited == string(data) {
				t.Fatal("edit changed nothing")
			}
			path := filepath.Join(t.TempDir(), "bad.json")
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, _ := runKeys(t, "", "verify", path)
			if code != exitInvalid {
				t.Fatalf("exit %d, want %d\n%s", code, exitInvalid, out)
			}
			if !strings.Contains(out, "fail     "+tc.failing) || !strings.Contains(out, "INVALID") {
				t.Fatalf("report does not fail %s:\n%s", tc.failing, out)
			}
			// The same through standard input.
			code, out, _ = runKeys(t, edited, "verify", "-")
			if code != exitInvalid || !strings.Contains(out, "fail     "+tc.failing) {
				t.Fatalf("stdin: exit %d\n%s", code, out)
			}
		})
	}
}

func TestVerifyJSONReport(t *testing.T) {
	dir := t.TempDir()
	cred, _ := issueSample(t, dir)
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"@context": 5}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runKeys(t, "", "verify", "--json", cred, bad)
	if code != exitInvalid {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	var reports []struct {
		File   string `json:"file"`
		Valid  bool   `json:"valid"`
		Checks []struct {
			Check, Status string
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("--json output is not a JSON array: %v\n%s", err, out)
	}
	if len(reports) != 2 || !reports[0].Valid || reports[1].Valid || len(reports[0].Checks) != 8 {
		t.Fatalf("reports = %+v", reports)
	}
}

func TestVerifyUsageAndIOErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(`{"x":"`+strings.Repeat("a", 3000)+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no files", []string{"verify"}, exitError},
		{"missing file", []string{"verify", filepath.Join(dir, "nope.json")}, exitError},
		{"bad flag", []string{"verify", "--bogus", "x"}, exitError},
		{"bad --at", []string{"verify", "--at", "yesterday", big}, exitError},
		{"over --max-size", []string{"verify", "--max-size", "1000", big}, exitInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, out, errOut := runKeys(t, "", tc.args...); code != tc.want {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.want, out, errOut)
			}
		})
	}
}

func TestIssueBadInputWritesNothing(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys")
	if code, _, errOut := runKeys(t, "", "keys", "generate", "k", "--keyring", ring); code != exitOK {
		t.Fatal(errOut)
	}
	malformed := filepath.Join(dir, "malformed.json")
	if err := os.WriteFile(malformed, []byte("{\n  \"name\": \"x\",\n  oops\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	noName := filepath.Join(dir, "noname.json")
	if err := os.WriteFile(noName, []byte(`{"id":"https://example.edu/a","type":["Achievement"],"description":"d","criteria":{"narrative":"n"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	base := []string{"issue", "--keyring", ring, "--out", out}
	tests := []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"missing --key", []string{"--achievement", testdata("achievement.json"), "--subject", testdata("subject.json")}, exitError, "--key"},
		{"unknown key", []string{"--key", "nope", "--achievement", testdata("achievement.json"), "--subject", testdata("subject.json")}, exitError, "nope"},
		{"no recipient", []string{"--key", "k", "--achievement", testdata("achievement.json")}, exitError, "--recipient-email"},
		{"malformed achievement", []string{"--key", "k", "--achievement", malformed, "--subject", testdata("subject.json")}, exitError, "line 3"},
		{"achievement without name", []string{"--key", "k", "--achievement", noName, "--subject", testdata("subject.json")}, exitInvalid, "name"},
		{"bad email", []string{"--key", "k", "--achievement", testdata("achievement.json"), "--recipient-email", "nobody"}, exitInvalid, "recipient email"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runKeys(t, "", append(base, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.message) {
				t.Fatalf("stderr %q does not mention %q", errOut, tc.message)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("output file exists after a failed issue: %v", err)
			}
		})
	}
}

func TestVerifyManyFilesKeepsOrder(t *testing.T) {
	dir := t.TempDir()
	cred, _ := issueSample(t, dir)
	data, err := os.ReadFile(cred)
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(string(data), `"name": "Applied Data Analysis"`, `"name": "Forged"`, 1)
	var files []string
	var want []bool
	for i := range 24 {
		p := filepath.Join(dir, "c"+strings.Repeat("x", i)+".json")
		body, ok := string(data), true
		if i%3 == 1 {
			body, ok = forged, false
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
		want = append(want, ok)
	}
	code, out, _ := runKeys(t, "", append([]string{"verify", "--json", "--jobs", "4"}, files...)...)
	if code != exitInvalid {
		t.Fatalf("exit %d, want 1", code)
	}
	var reports []struct {
		File  string `json:"file"`
		Valid bool   `json:"valid"`
	}
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatal(err)
	}
	if len(reports) != len(files) {
		t.Fatalf("%d reports for %d files", len(reports), len(files))
	}
	for i, r := range reports {
		if r.File != files[i] || r.Valid != want[i] {
			t.Errorf("report %d = %s valid=%v, want %s valid=%v", i, r.File, r.Valid, files[i], want[i])
		}
	}
	if code, _, _ := runKeys(t, "", "verify", "-", "-"); code != exitError {
		t.Errorf("verify - - exit %d, want 2", code)
	}
}

func TestIssueRefusesRetiredKey(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys")
	if code, _, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", ring); code != exitOK {
		t.Fatal(errOut)
	}
	if code, _, errOut := runKeys(t, "", "keys", "rotate", "registrar", "--keyring", ring); code != exitOK {
		t.Fatal(errOut)
	}
	out := filepath.Join(dir, "c.json")
	code, _, errOut := runKeys(t, "", "issue", "--keyring", ring, "--key", "registrar", "--achievement", testdata("achievement.json"),
		"--subject", testdata("subject.json"), "--out", out)
	if code != exitError || !strings.Contains(errOut, "retired") {
		t.Fatalf("exit %d, stderr %q; want a refusal naming the retired key", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a credential was written with a retired key")
	}
}
