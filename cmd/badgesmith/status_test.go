package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
)

// statusEnv is a keyring, a store and a publish directory for the status
// commands.
type statusEnv struct {
	t     *testing.T
	dir   string
	ring  string
	store string
	lists string
}

func newStatusEnv(t *testing.T) *statusEnv {
	t.Helper()
	dir := t.TempDir()
	e := &statusEnv{t: t, dir: dir, ring: filepath.Join(dir, "keys"),
		store: filepath.Join(dir, "data", "issued.db"), lists: filepath.Join(dir, "public", "status")}
	e.ok("keys", "generate", "registrar", "--keyring", e.ring)
	return e
}

// ok runs the CLI and requires exit 0, returning stdout.
func (e *statusEnv) ok(args ...string) string {
	e.t.Helper()
	code, out, errOut := runKeys(e.t, "", args...)
	if code != exitOK {
		e.t.Fatalf("%s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// issue issues the sample credential with a status entry and returns its
// path and id.
func (e *statusEnv) issue(name string, extra ...string) (string, string) {
	e.t.Helper()
	out := filepath.Join(e.dir, name)
	e.ok(append([]string{"issue", "--keyring", e.ring, "--key", "registrar",
		"--issuer-profile", testdata("issuer.json"), "--achievement", testdata("achievement.json"),
		"--subject", testdata("subject.json"), "--out", out,
		"--store", e.store, "--status-base-url", "https://status.example/lists/"}, extra...)...)
	var doc struct {
		ID string `json:"id"`
	}
	data := readFile(e.t, out)
	if err := json.Unmarshal(data, &doc); err != nil || doc.ID == "" {
		e.t.Fatalf("issued %s: id %q, %v", out, doc.ID, err)
	}
	return out, doc.ID
}

func (e *statusEnv) publish() {
	e.t.Helper()
	e.ok("status", "publish", "--store", e.store, "--keyring", e.ring, "--key", "registrar", "--out", e.lists)
}

// verify verifies cred against the published lists and returns the exit
// code and the status check's line.
func (e *statusEnv) verify(cred string) (int, string) {
	e.t.Helper()
	code, out, errOut := runKeys(e.t, "", "verify", "--status-dir", e.lists, cred)
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) > 1 && f[1] == "status" {
			return code, line
		}
	}
	e.t.Fatalf("verify %s: no status line (exit %d)\n%s%s", cred, code, out, errOut)
	return 0, ""
}

func TestRevokePublishVerify(t *testing.T) {
	e := newStatusEnv(t)
	cred, id := e.issue("cred.json")
	e.publish()
	if code, line := e.verify(cred); code != exitOK || !strings.HasPrefix(strings.TrimSpace(line), "pass") {
		t.Fatalf("before revoking: exit %d, %q", code, line)
	}

	if out := e.ok("revoke", id, "--store", e.store, "--reason", "issued in error", "--actor", "alice"); !strings.Contains(out, "revoked") {
		t.Errorf("revoke printed %q", out)
	}
	// Not yet published: verifiers still see the old list.
	if code, _ := e.verify(cred); code != exitOK {
		t.Errorf("before publishing the revocation: exit %d, want 0", code)
	}
	e.publish()
	code, line := e.verify(cred)
	if code != exitInvalid || !strings.HasPrefix(strings.TrimSpace(line), "fail") || !strings.Contains(line, "revoked") {
		t.Fatalf("after revoking: exit %d, %q; want exit 1 and a failing status line saying revoked", code, line)
	}

	// Revoking twice is idempotent; revocation is final.
	if out := e.ok("revoke", id, "--store", e.store, "--reason", "again"); !strings.Contains(out, "already revoked") {
		t.Errorf("second revoke printed %q", out)
	}
	if code, _, errOut := runKeys(t, "", "reinstate", id, "--store", e.store, "--reason", "undo"); code != exitError || !strings.Contains(errOut, "final") {
		t.Errorf("reinstating a revoked credential: exit %d, %q", code, errOut)
	}

	// show and list read the record and the audit trail.
	show := e.ok("show", id, "--store", e.store)
	for _, want := range []string{id, "state:", "revoked", "operator (claimed): alice, uid " + strconv.Itoa(os.Getuid()), "issued in error"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	var rep showReport
	if err := json.Unmarshal([]byte(e.ok("show", id, "--store", e.store, "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Record == nil || rep.Record.State != store.Revoked || len(rep.Audit) != 1 || rep.Audit[0].ClaimedActor != "alice" || rep.Audit[0].UID != strconv.Itoa(os.Getuid()) {
		t.Errorf("show --json: %+v", rep)
	}
}

// suspended reads the published suspension list directly and reports
// whether cred's suspension entry is set in it.
func (e *statusEnv) suspended(cred string) bool {
	e.t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readFile(e.t, cred), &doc); err != nil {
		e.t.Fatal(err)
	}
	entries, _ := doc["credentialStatus"].([]any)
	if len(entries) != 2 {
		e.t.Fatalf("credentialStatus %v: want a revocation and a suspension entry", doc["credentialStatus"])
	}
	m, _ := entries[1].(map[string]any)
	entry, err := status.ParseEntry(m)
	if err != nil || entry.StatusPurpose != status.PurposeSuspension {
		e.t.Fatalf("credentialStatus[1]: %+v, %v", entry, err)
	}
	var list map[string]any
	if err := json.Unmarshal(readFile(e.t, filepath.Join(e.lists, "suspension-1")), &list); err != nil {
		e.t.Fatal(err)
	}
	subj, _ := list["credentialSubject"].(map[string]any)
	res, err := status.Verdict(subj, entry, status.DecodeOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Set
}

func TestSuspendReinstateFlipsVerdict(t *testing.T) {
	e := newStatusEnv(t)
	cred, id := e.issue("cred.json", "--suspension")
	e.publish()
	check := func(when string, wantSuspended bool) {
		t.Helper()
		if got := e.suspended(cred); got != wantSuspended {
			t.Fatalf("%s: published suspension bit %v, want %v", when, got, wantSuspended)
		}
		code, line := e.verify(cred)
		if wantSuspended && (code != exitInvalid || !strings.Contains(line, "suspended")) {
			t.Fatalf("%s: exit %d, %q; want exit 1 saying suspended", when, code, line)
		}
		if !wantSuspended && (code != exitOK || !strings.HasPrefix(strings.TrimSpace(line), "pass")) {
			t.Fatalf("%s: exit %d, %q; want valid", when, code, line)
		}
	}
	check("before suspending", false)
	e.ok("suspend", id, "--store", e.store, "--reason", "under review")
	e.publish()
	check("after suspending", true)
	e.ok("reinstate", id, "--store", e.store, "--reason", "review done")
	e.publish()
	check("after reinstating", false)
}

func TestListFilters(t *testing.T) {
	e := newStatusEnv(t)
	_, a := e.issue("a.json")
	_, b := e.issue("b.json", "--suspension")
	_, c := e.issue("c.json")
	e.ok("revoke", a, "--store", e.store, "--reason", "x")
	e.ok("suspend", b, "--store", e.store, "--reason", "y")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"all", nil, []string{a, b, c}},
		{"revoked", []string{"--status", "revoked"}, []string{a}},
		{"suspended", []string{"--status", "suspended"}, []string{b}},
		{"active", []string{"--status", "active"}, []string{c}},
		{"achievement", []string{"--achievement", "https://example.edu/achievements/none"}, nil},
		{"recipient", []string{"--recipient", "did:example:nobody"}, nil},
		{"since today", []string{"--since", "2000-01-01"}, []string{a, b, c}},
		{"until long ago", []string{"--until", "2000-01-01"}, nil},
		{"limit", []string{"--limit", "2"}, []string{a, b}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := e.ok(append([]string{"list", "--store", e.store}, tc.args...)...)
			var got []string
			for line := range strings.Lines(out) {
				got = append(got, strings.Split(line, "\t")[0])
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("list %v = %v, want %v", tc.args, got, tc.want)
			}
			var recs []store.Record
			if err := json.Unmarshal([]byte(e.ok(append([]string{"list", "--store", e.store, "--json"}, tc.args...)...)), &recs); err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(tc.want) {
				t.Errorf("list --json %v: %d records, want %d", tc.args, len(recs), len(tc.want))
			}
		})
	}
}

func TestStatusCommandErrors(t *testing.T) {
	e := newStatusEnv(t)
	_, id := e.issue("cred.json")
	missing := filepath.Join(e.dir, "nope.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown id", []string{"revoke", "urn:uuid:unknown", "--store", e.store, "--reason", "x"}, exitError, "not found"},
		{"no reason", []string{"revoke", id, "--store", e.store}, exitError, "--reason"},
		{"no suspension entry", []string{"suspend", id, "--store", e.store, "--reason", "x"}, exitError, "without a suspension entry"},
		{"missing store", []string{"list", "--store", missing}, exitError, "does not exist"},
		{"bad status filter", []string{"list", "--store", e.store, "--status", "gone"}, exitError, "--status"},
		{"bad date", []string{"list", "--store", e.store, "--since", "yesterday"}, exitError, "--since"},
		{"show unknown", []string{"show", "urn:uuid:unknown", "--store", e.store}, exitError, "not found"},
		{"publish without key", []string{"status", "publish", "--store", e.store, "--out", e.lists}, exitError, "--key"},
		{"store without base url", []string{"issue", "--keyring", e.ring, "--key", "registrar", "--achievement", testdata("achievement.json"),
			"--subject", testdata("subject.json"), "--store", e.store}, exitError, "--status-base-url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runKeys(t, "", tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tc.code, tc.want)
			}
		})
	}
	// A missing store is never created by a read.
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("list created %s: %v", missing, err)
	}
}

// The streamed --json array is byte for byte what printJSON writes for
// the whole slice.
func TestJSONArrayWriter(t *testing.T) {
	type item struct {
		Name string   `json:"name"`
		Tags []string `json:"tags,omitempty"`
	}
	for _, items := range [][]item{
		nil,
		{{Name: "one"}},
		{{Name: "a<b>&c", Tags: []string{"x", "y"}}, {Name: ""}, {Name: "three", Tags: []string{}}},
	} {
		var want, got bytes.Buffer
		if err := printJSON(&want, nonNil(items)); err != nil {
			t.Fatal(err)
		}
		arr := &jsonArrayWriter{w: bufio.NewWriter(&got)}
		for _, it := range items {
			if err := arr.add(it); err != nil {
				t.Fatal(err)
			}
		}
		if err := arr.close(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("streamed %d items as\n%s\nwant\n%s", len(items), got.String(), want.String())
		}
	}
}

// TestStatusLists checks that "status lists" prints a header and tells
// reserved indices (USED) from those held by a credential (ISSUED).
func TestStatusLists(t *testing.T) {
	e := newStatusEnv(t)
	e.issue("a.json")
	e.issue("b.json", "--suspension")
	// A reservation no credential took, as an interrupted run leaves.
	db, err := openStore(e.store, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AllocateIndex(context.Background(), store.PurposeRevocation, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runKeys(t, "", "status", "lists", "--store", e.store)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if got := strings.Fields(lines[0]); !slices.Equal(got, []string{"LIST", "PURPOSE", "USED", "ISSUED", "SIZE", "CREATED"}) {
		t.Errorf("header %q", lines[0])
	}
	want := map[string][2]string{"revocation": {"3", "2"}, "suspension": {"1", "1"}}
	if len(lines) != 1+len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), 1+len(want), out)
	}
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		w, ok := want[f[1]]
		if !ok || f[2] != w[0] || f[3] != w[1] {
			t.Errorf("row %q: want purpose %s used %s issued %s", line, f[1], w[0], w[1])
		}
	}
	if !strings.Contains(errOut, "reserved") {
		t.Errorf("no explanation of USED and ISSUED on stderr: %q", errOut)
	}

	code, out, errOut = runKeys(t, "", "status", "lists", "--store", e.store, "--json")
	if code != exitOK {
		t.Fatalf("--json: exit %d: %s", code, errOut)
	}
	var rows []struct {
		Purpose   string `json:"purpose"`
		Allocated int    `json:"allocated"`
		Issued    int    `json:"issued"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if w := want[r.Purpose]; fmt.Sprint(r.Allocated) != w[0] || fmt.Sprint(r.Issued) != w[1] {
			t.Errorf("--json %+v, want used %s issued %s", r, w[0], w[1])
		}
	}

	code, out, _ = runKeys(t, "", "status", "lists", "--help")
	if code != exitOK || !strings.Contains(out, "Examples:") || !strings.Contains(out, "reserved") {
		t.Errorf("--help lacks an example or the explanation:\n%s", out)
	}
}

// TestAuditOperator checks who the audit trail records: the claimed name
// from --actor, else $BADGESMITH_ACTOR, else $USER, else none ("-", never
// "unknown"), always beside the process's uid, and that show presents the
// name as claimed.
func TestAuditOperator(t *testing.T) {
	uid := strconv.Itoa(os.Getuid())
	tests := []struct {
		name, flag, env, user, want string
	}{
		{"flag", "alice", "bob", "carol", "alice"},
		{"configuration", "", "bob", "carol", "bob"},
		{"USER", "", "", "carol", "carol"},
		{"nothing claimed", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("BADGESMITH_ACTOR", tt.env)
			t.Setenv("USER", tt.user)
			e := newStatusEnv(t)
			_, id := e.issue("cred.json")
			args := []string{"revoke", id, "--store", e.store, "--reason", "test"}
			if tt.flag != "" {
				args = append(args, "--actor", tt.flag)
			}
			e.ok(args...)
			var rep showReport
			if err := json.Unmarshal([]byte(e.ok("show", id, "--store", e.store, "--json")), &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Audit) != 1 {
				t.Fatalf("%d events", len(rep.Audit))
			}
			if ev := rep.Audit[0]; ev.ClaimedActor != tt.want || ev.UID != uid {
				t.Errorf("claimedActor %q uid %q, want %q and %s", ev.ClaimedActor, ev.UID, tt.want, uid)
			}
			show := e.ok("show", id, "--store", e.store)
			claimed := tt.want
			if claimed == "" {
				claimed = "-"
			}
			if want := "operator (claimed): " + claimed + ", uid " + uid; !strings.Contains(show, want) {
				t.Errorf("show lacks %q:\n%s", want, show)
			}
			if strings.Contains(show, "unknown") || strings.Contains(show, "by ") {
				t.Errorf("show presents the operator otherwise:\n%s", show)
			}
		})
	}
	_, help, _ := runKeys(t, "", "show", "--help")
	if !strings.Contains(help, "Examples:") || !strings.Contains(help, "operator (claimed)") {
		t.Errorf("show --help lacks an example or the operator note:\n%s", help)
	}
}

// TestStatusPublishRefresh checks the default 30-day validity, the
// warning for lists that run out within 7 days, --refresh keeping lists
// that need nothing and re-signing changed ones, and the help's trade-off.
func TestStatusPublishRefresh(t *testing.T) {
	e := newStatusEnv(t)
	_, id := e.issue("cred.json")
	publish := func(extra ...string) (string, string) {
		t.Helper()
		code, out, errOut := runKeys(t, "", append([]string{"status", "publish", "--store", e.store, "--keyring", e.ring, "--key", "registrar", "--out", e.lists}, extra...)...)
		if code != exitOK {
			t.Fatalf("publish %v: exit %d: %s", extra, code, errOut)
		}
		return out, errOut
	}
	validUntil := func() time.Time {
		t.Helper()
		var doc struct {
			ValidUntil time.Time `json:"validUntil"`
		}
		if err := json.Unmarshal(readFile(t, filepath.Join(e.lists, "revocation-1")), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.ValidUntil
	}

	out, errOut := publish()
	if left := time.Until(validUntil()); left < 29*24*time.Hour || left > 31*24*time.Hour {
		t.Errorf("default validity leaves %s, want about 30 days", left)
	}
	if !strings.Contains(out, "revocation-1") || strings.Contains(errOut, "warning") {
		t.Errorf("default publish: stdout %q, stderr %q", out, errOut)
	}

	// Nothing changed and nothing runs out: --refresh signs nothing.
	before := readFile(t, filepath.Join(e.lists, "revocation-1"))
	out, errOut = publish("--refresh")
	if out != "" || !strings.Contains(errOut, "1 lists valid for more than") {
		t.Errorf("idle refresh: stdout %q, stderr %q", out, errOut)
	}
	if !bytes.Equal(before, readFile(t, filepath.Join(e.lists, "revocation-1"))) {
		t.Error("idle refresh rewrote the list")
	}
	// A revocation changes the list: --refresh signs it again.
	e.ok("revoke", id, "--store", e.store, "--reason", "test")
	if out, _ = publish("--refresh"); !strings.Contains(out, "revocation-1") {
		t.Errorf("refresh after a revocation wrote %q", out)
	}
	if code, _ := e.verify(filepath.Join(e.dir, "cred.json")); code == exitOK {
		t.Error("the refreshed list does not say revoked")
	}

	// A short validity is warned about.
	_, errOut = publish("--valid-for", "72h")
	if !strings.Contains(errOut, "warning:") || !strings.Contains(errOut, "revocation-1 runs out at") {
		t.Errorf("3-day validity without a warning: %q", errOut)
	}
	// With --refresh, lists within the window are signed again, for the
	// full period.
	if out, _ = publish("--refresh"); !strings.Contains(out, "revocation-1") {
		t.Errorf("refresh of a list running out in 3 days wrote %q", out)
	}
	if left := time.Until(validUntil()); left < 29*24*time.Hour {
		t.Errorf("after refresh the list has %s left", left)
	}

	code, _, errOut := runKeys(t, "", "status", "publish", "--store", e.store, "--keyring", e.ring, "--key", "registrar", "--out", e.lists, "--refresh", "--valid-for", "48h")
	if code != exitError || !strings.Contains(errOut, "--refresh-within") {
		t.Errorf("refresh window longer than validity: exit %d, %q", code, errOut)
	}
	_, help, _ := runKeys(t, "", "status", "publish", "--help")
	for _, want := range []string{"validUntil", "forever", "uncheckable", "cron", "--refresh"} {
		if !strings.Contains(help, want) {
			t.Errorf("publish --help lacks %q", want)
		}
	}
}
