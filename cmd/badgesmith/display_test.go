package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/verifier"
)

// terminalActive lists what must never reach a terminal raw.
var terminalActive = []string{"\x1b", "\r", "\u009b", "\u202e", "\u2066", "\x07"}

// checkInert fails if out holds a raw character from terminalActive.
func checkInert(t *testing.T, what, out string) {
	t.Helper()
	for _, c := range terminalActive {
		if strings.Contains(out, c) {
			t.Errorf("%s holds raw %q:\n%q", what, c, out)
		}
	}
}

func TestPrintReportEscapes(t *testing.T) {
	tests := []struct {
		name     string
		rep      fileReport
		want     []string // substrings of the output
		wantWarn bool
	}{
		{
			name: "ansi in the name cannot erase INVALID",
			rep: fileReport{File: "cred.json", Result: &verifier.Result{
				Verdict: verifier.VerdictInvalid,
				Name:    "Intro\x1b[2K\r\x1b[32mcred.json: VALID",
				Issuer:  "https://example.edu",
				Checks:  []verifier.CheckResult{{Check: verifier.CheckProof, Status: verifier.StatusFail, Reason: "bad \x1b]0;title\x07 proof", Path: "proof"}},
			}},
			want: []string{"cred.json: INVALID (Intro\\x1b[2K\\x0d\\x1b[32mcred.json: VALID", `bad \x1b]0;title\x07 proof [proof]`},
		},
		{
			name: "bidi override in the issuer is escaped and flagged",
			rep: fileReport{File: "c.json", Result: &verifier.Result{
				Name:   "Badge",
				Issuer: "Example \u202eytisrevinU",
				Checks: []verifier.CheckResult{{Check: verifier.CheckParse, Status: verifier.StatusPass, Reason: "ok"}},
			}},
			want:     []string{`issued by Example \u202eytisrevinU`, "warning: the issuer " + "contains bidirectional"},
			wantWarn: true,
		},
		{
			name: "c1 csi in the file name and the error",
			rep:  fileReport{File: "x\u009b2K.json", Error: "open x\u009b2K.json: no such file\n"},
			want: []string{`x\u009b2K.json: ERROR: open x\u009b2K.json: no such file\x0a`},
		},
		{
			name: "plain text unchanged",
			rep: fileReport{File: "cred.json", Result: &verifier.Result{Verdict: verifier.VerdictValid, Name: "Applied Data Analysis", Issuer: "Example U",
				Checks: []verifier.CheckResult{{Check: verifier.CheckParse, Status: verifier.StatusPass, Reason: "credential parsed"}}}},
			want: []string{"cred.json: VALID (Applied Data Analysis, issued by Example U)\n  pass     parse     credential parsed\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			printReport(&buf, tt.rep)
			out := buf.String()
			checkInert(t, "report", out)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
			if got := strings.Contains(out, "warning:"); got != tt.wantWarn {
				t.Errorf("bidi warning printed: %v, want %v:\n%s", got, tt.wantWarn, out)
			}
		})
	}
}

// TestCLIOutputEscapes runs the real commands on hostile names: verify's
// text report, the error line, revoke and show print them escaped, and
// --json keeps them exact.
func TestCLIOutputEscapes(t *testing.T) {
	dir := t.TempDir()
	var ach map[string]any
	if err := json.Unmarshal(readFile(t, testdata("achievement.json")), &ach); err != nil {
		t.Fatal(err)
	}
	const hostile = "Data\x1b[2K\r\u202eVALID"
	ach["name"] = hostile
	achPath := filepath.Join(dir, "achievement.json")
	data, _ := json.Marshal(ach)
	if err := os.WriteFile(achPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	// A JSON-LD proof cannot carry control characters (RDFC-1.0 would
	// lose them), a JWT can.
	cred, _ := issueSample(t, dir, "--achievement", achPath, "--subject", testdata("subject.json"), "--format", "jwt")
	store := filepath.Join(dir, "issued.db")
	if code, _, errOut := runKeys(t, "", "issue", "--keyring", filepath.Join(dir, "keys"), "--key", "registrar",
		"--achievement", testdata("achievement.json"), "--subject", testdata("subject.json"), "--out", filepath.Join(dir, "stored.json"),
		"--store", store, "--status-base-url", "https://example.edu/status/", "--id", "urn:example:cred1"); code != exitOK {
		t.Fatalf("issue --store: exit %d: %s", code, errOut)
	}

	code, out, errOut := runKeys(t, "", "verify", cred)
	checkInert(t, "verify output", out+errOut)
	if !strings.Contains(out, `Data\x1b[2K\x0d\u202eVALID`) || !strings.Contains(out, "warning: the name contains bidirectional") {
		t.Errorf("verify (exit %d) does not show the name escaped and flagged:\n%s", code, out)
	}

	_, out, _ = runKeys(t, "", "verify", "--json", cred)
	var reports []fileReport
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("verify --json: %v\n%s", err, out)
	}
	if len(reports) != 1 || reports[0].Result == nil || reports[0].Result.Name != hostile {
		t.Errorf("verify --json changed the name: %+v", reports)
	}
	checkInert(t, "verify --json output", out)

	_, out, errOut = runKeys(t, "", "verify", filepath.Join(dir, "missing\x1b[2K.json"))
	checkInert(t, "verify error", out+errOut)
	if !strings.Contains(out, `missing\x1b[2K.json: ERROR`) {
		t.Errorf("verify does not name the missing file escaped:\n%s", out)
	}

	code, out, errOut = runKeys(t, "", "revoke", "urn:example:cred1", "--store", store, "--reason", "fraud\x1b[8m hidden", "--actor", "ops\u202e")
	if code != exitOK {
		t.Fatalf("revoke: exit %d: %s", code, errOut)
	}
	checkInert(t, "revoke output", out+errOut)
	code, out, errOut = runKeys(t, "", "show", "urn:example:cred1", "--store", store)
	if code != exitOK {
		t.Fatalf("show: exit %d: %s", code, errOut)
	}
	checkInert(t, "show output", out+errOut)
	if !strings.Contains(out, `fraud\x1b[8m hidden`) || !strings.Contains(out, `ops\u202e`) {
		t.Errorf("show does not print the id and reason escaped:\n%s", out)
	}
	if !strings.Contains(out, "warning: an actor contains bidirectional") {
		t.Errorf("show does not flag the actor's bidi override:\n%s", out)
	}
	_, out, errOut = runKeys(t, "", "list", "--store", store)
	checkInert(t, "list output", out+errOut)

	code, out, errOut = runKeys(t, "", "revoke", "urn:none\x1b[2J", "--store", store, "--reason", "x")
	if code == exitOK {
		t.Fatal("revoke of an unknown id succeeded")
	}
	checkInert(t, "revoke error", out+errOut)
	code, _, errOut = runKeys(t, "", "show", "urn:none\x1b[2J", "--store", store)
	if code == exitOK {
		t.Fatal("show of an unknown id succeeded")
	}
	checkInert(t, "error line", errOut)
}
