package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/testdata/hostile/gen"
)

// TestVerifyStatusListTrust: verify's status list trust flags, on the
// hostile corpus's credentials whose status lists are signed by a list
// host, not the issuer. Without trust a clear bit could not be checked
// and a set bit is invalid; --status-list-issuer, --status-list-trust and
// --any-status-list-issuer make the host's list count; bad values are
// usage errors (exit 2, the flag and, for a file, the JSON path named).
func TestVerifyStatusListTrust(t *testing.T) {
	iss, host, att := gen.IssuerKey().DID, gen.ListHostKey().DID, gen.AttackerKey().DID
	statusDir := filepath.Join(hostileDir, "status")
	clear := filepath.Join(hostileDir, "status-cases", "status-other-issuer-clear.json")
	revoked := filepath.Join(hostileDir, "status-cases", "status-other-issuer-revoked.json")
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := file("trust.json", `{"`+iss+`": ["`+host+`"]}`)
	wrong := file("wrong.json", `{"`+iss+`": ["`+att+`"]}`)
	notArray := file("not-array.json", `{"`+iss+`": "`+host+`"}`)
	emptyItem := file("empty-item.json", `{"`+iss+`": ["`+host+`", ""]}`)
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		// want must appear in stdout+stderr; not must not.
		want []string
		not  []string
	}{
		{name: "untrusted host, bit clear", args: []string{clear}, code: exitError,
			want: []string{"COULD NOT CHECK", "status list issuer not trusted: signed by " + host + ", not the credential's issuer " + iss}},
		{name: "untrusted host, bit set", args: []string{revoked}, code: exitInvalid,
			want: []string{"INVALID", "revoked according to a status list signed by " + host}},
		{name: "host trusted by flag", args: []string{"--status-list-issuer", iss + "=" + host, clear}, code: exitOK,
			want: []string{": VALID", "not revoked (list", "trusted for the credential's issuer " + iss}},
		{name: "host trusted by flag, bit set", args: []string{"--status-list-issuer", iss + "=" + host, revoked}, code: exitInvalid,
			want: []string{"INVALID", "revoked (list"}, not: []string{"according to"}},
		{name: "another list issuer trusted", args: []string{"--status-list-issuer", iss + "=" + att, clear}, code: exitError,
			want: []string{"status list issuer not trusted"}},
		{name: "trust for the other direction only", args: []string{"--status-list-issuer", host + "=" + iss, clear}, code: exitError,
			want: []string{"status list issuer not trusted"}},
		{name: "flag repeated", args: []string{"--status-list-issuer", iss + "=" + att, "--status-list-issuer", iss + "=" + host, clear}, code: exitOK,
			want: []string{": VALID"}},
		{name: "any list issuer", args: []string{"--any-status-list-issuer", clear}, code: exitOK,
			want: []string{": VALID", "StatusListTrust.AnyIssuer"}},
		{name: "trust file", args: []string{"--status-list-trust", good, clear}, code: exitOK, want: []string{": VALID"}},
		{name: "trust file on standard input", args: []string{"--status-list-trust", "-", clear}, stdin: `{"` + iss + `": ["` + host + `"]}`, code: exitOK,
			want: []string{": VALID"}},
		{name: "trust file naming another list issuer", args: []string{"--status-list-trust", wrong, clear}, code: exitError,
			want: []string{"status list issuer not trusted"}},
		{name: "trust file and flag together", args: []string{"--status-list-trust", wrong, "--status-list-issuer", iss + "=" + host, clear}, code: exitOK,
			want: []string{": VALID"}},
		{name: "explain names the list issuer and its trust", args: []string{"--explain", clear}, code: exitError,
			want: []string{"status list https://", "issuer " + host, "trust: not the credential's issuer " + iss + ", and not trusted for it"}},

		{name: "pair without =", args: []string{"--status-list-issuer", iss, clear}, code: exitError,
			want: []string{"usage error:", "--status-list-issuer", "want CRED_ISSUER=LIST_ISSUER"}, not: []string{"COULD NOT CHECK"}},
		{name: "pair without =, --json", args: []string{"--json", "--status-list-issuer", iss, clear}, code: exitError,
			want: []string{`"usageError"`, "want CRED_ISSUER=LIST_ISSUER"}, not: []string{`"checks"`}},
		{name: "empty credential issuer", args: []string{"--status-list-issuer", "=" + host, clear}, code: exitError,
			want: []string{"want CRED_ISSUER=LIST_ISSUER"}, not: []string{"COULD NOT CHECK"}},
		{name: "empty list issuer", args: []string{"--status-list-issuer", iss + "=", clear}, code: exitError,
			want: []string{"want CRED_ISSUER=LIST_ISSUER"}, not: []string{"COULD NOT CHECK"}},
		{name: "white space in an id", args: []string{"--status-list-issuer", iss + " = " + host, clear}, code: exitError,
			want: []string{"usage error:", "--status-list-issuer", "white space"}, not: []string{"COULD NOT CHECK"}},
		{name: "trust file value not an array", args: []string{"--status-list-trust", notArray, clear}, code: exitError,
			want: []string{"usage error:", "--status-list-trust " + notArray, `$["` + iss + `"]: want an array`}, not: []string{"COULD NOT CHECK"}},
		{name: "trust file empty id", args: []string{"--status-list-trust", emptyItem, clear}, code: exitError,
			want: []string{"--status-list-trust " + emptyItem, `$["` + iss + `"][1]: list issuer id is empty`}, not: []string{"COULD NOT CHECK"}},
		{name: "trust file missing", args: []string{"--status-list-trust", filepath.Join(dir, "absent.json"), clear}, code: exitError,
			want: []string{"usage error:", "--status-list-trust"}, not: []string{"COULD NOT CHECK"}},
		{name: "trust file and credential both on standard input", args: []string{"--status-list-trust", "-", "-"}, code: exitError,
			want: []string{"give --status-list-trust a file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", "--at", gen.Now, "--status-dir", statusDir}, tc.args...)
			code, out, errOut := runKeys(t, tc.stdin, args...)
			all := out + errOut
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, all)
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(all, w) {
					t.Errorf("output has %q:\n%s", w, all)
				}
			}
		})
	}

	t.Run("json explain", func(t *testing.T) {
		code, out, errOut := runKeys(t, "", "verify", "--at", gen.Now, "--status-dir", statusDir, "--json", "--explain",
			"--status-list-issuer", iss+"="+host, clear)
		if code != exitOK {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		var reports []struct {
			Valid   bool `json:"valid"`
			Explain struct {
				StatusLists []struct {
					Issuer  string `json:"issuer"`
					Trusted bool   `json:"trusted"`
					Trust   string `json:"trust"`
				} `json:"statusLists"`
			} `json:"explain"`
		}
		if err := json.Unmarshal([]byte(out), &reports); err != nil || len(reports) != 1 {
			t.Fatalf("--json %q: %v", out, err)
		}
		ls := reports[0].Explain.StatusLists
		if !reports[0].Valid || len(ls) != 1 || ls[0].Issuer != host || !ls[0].Trusted || !strings.Contains(ls[0].Trust, "trusted for the credential's issuer") {
			t.Errorf("report %+v", reports[0])
		}
	})
}
