package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bbolt "go.etcd.io/bbolt"
)

// catalogueEnv is a keyring with the institution's root key, an author,
// two approvers and the registrar, and a store with their approver set.
type catalogueEnv struct {
	*statusEnv
	id string
}

func newCatalogueEnv(t *testing.T, require bool) *catalogueEnv {
	t.Helper()
	e := &catalogueEnv{statusEnv: newStatusEnv(t)}
	for _, k := range []string{"institution", "ada", "chair", "quality"} {
		e.ok("keys", "generate", k, "--keyring", e.ring)
	}
	set := map[string]any{
		"institution": "Example University",
		"members": []any{
			map[string]any{"name": "Ada", "keyName": "ada", "roles": []any{"author", "quality-office"}},
			map[string]any{"name": "Chair", "keyName": "chair", "roles": []any{"academic-council"}},
			map[string]any{"name": "QA", "keyName": "quality", "roles": []any{"quality-office"}},
		},
		"rule":             map[string]any{"approvals": 2, "requiredRoles": []any{"academic-council"}},
		"requireCatalogue": require,
	}
	raw, _ := json.Marshal(set)
	p := filepath.Join(e.dir, "approvers.json")
	if err := os.WriteFile(p, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	e.ok("catalogue", "approvers", "--keyring", e.ring, "--store", e.store, "--root-key", "institution", "--file", p)
	var a map[string]any
	data, err := os.ReadFile(testdata("achievement.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	e.id, _ = a["id"].(string)
	return e
}

// cat runs an achievement or catalogue command with the env's keyring
// and store and returns its exit code and output.
func (e *catalogueEnv) cat(args ...string) (int, string) {
	e.t.Helper()
	args = append(args, "--keyring", e.ring, "--store", e.store)
	code, out, errOut := runKeys(e.t, "", args...)
	return code, out + errOut
}

func (e *catalogueEnv) catOK(args ...string) string {
	e.t.Helper()
	code, out := e.cat(args...)
	if code != exitOK {
		e.t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// approve drafts testdata/achievement.json (with create's further flags
// createArgs) and takes it through review to approved, the second approval
// signed "on the approver's machine".
func (e *catalogueEnv) approve(createArgs ...string) {
	e.t.Helper()
	e.catOK(append([]string{"achievement", "create", "--file", testdata("achievement.json")}, createArgs...)...)
	e.catOK("achievement", "submit", e.id, "--key", "ada")
	e.catOK("achievement", "approve", e.id+"@1", "--key", "chair", "--role", "academic-council", "--reference", "AC/14")
	v1 := filepath.Join(e.dir, "v1.json")
	if err := os.WriteFile(v1, []byte(e.catOK("achievement", "show", e.id+"@1", "--json")), 0o600); err != nil {
		e.t.Fatal(err)
	}
	jws := filepath.Join(e.dir, "qa.jws")
	code, out, errOut := runKeys(e.t, "", "achievement", "approve", "--from", v1, "--key", "quality", "--role", "quality-office", "--out", jws, "--keyring", e.ring)
	if code != exitOK {
		e.t.Fatalf("approve --from: exit %d %s%s", code, out, errOut)
	}
	if out := e.catOK("achievement", "approve", "--import", jws); !strings.Contains(out, "version 1: approved") {
		e.t.Fatalf("after the second approval: %s", out)
	}
}

func (e *catalogueEnv) batch(out, batchID string, extra ...string) (int, string) {
	e.t.Helper()
	roster := writeRoster(e.t, e.dir, 10)
	args := []string{"batch", "--keyring", e.ring, "--key", "registrar",
		"--issuer-profile", testdata("issuer.json"), "--roster", roster, "--out", out, "--store", e.store,
		"--status-base-url", "https://status.example/lists/", "--batch-id", batchID,
		"--key-column", "student_id", "--map", "email=email", "--map", "name=name",
		"--map", "result:Capstone project grade=grade", "--progress", "none"}
	return e.batchRun(append(args, extra...)...)
}

// TestCatalogueLifecycleCLI walks an achievement from draft through two
// approvals to a batch of ten credentials, publishes the catalogue, has
// verify report "approved version" for each, retires the version and sees
// the next batch refused.
func TestCatalogueLifecycleCLI(t *testing.T) {
	e := newCatalogueEnv(t, true)
	e.approve()
	if out := e.catOK("achievement", "show", e.id, "--verify"); !strings.Contains(out, "verified:") || !strings.Contains(out, "ref AC/14") {
		t.Errorf("show --verify:\n%s", out)
	}
	out := filepath.Join(e.dir, "cohort")
	if code, msg := e.batch(out, "b1", "--catalogue-achievement", e.id+"@1"); code != exitOK {
		t.Fatalf("batch: exit %d\n%s", code, msg)
	}
	site := filepath.Join(e.dir, "site")
	e.ok("status", "publish", "--store", e.store, "--keyring", e.ring, "--key", "registrar", "--out", filepath.Join(site, "status"))
	e.catOK("catalogue", "publish", "--key", "registrar", "--issuer-profile", testdata("issuer.json"), "--base-url", "https://example.edu/", "--out", site)
	for _, f := range []string{"catalogue.json", "index.json", "index.html", "achievements/data-analysis-micro"} {
		if _, err := os.Stat(filepath.Join(site, filepath.FromSlash(f))); err != nil {
			t.Errorf("publish wrote no %s: %v", f, err)
		}
	}
	creds, _ := filepath.Glob(filepath.Join(out, "*.json"))
	var files []string
	for _, c := range creds {
		if !strings.HasPrefix(filepath.Base(c), "manifest") && !strings.HasPrefix(filepath.Base(c), "rejects") {
			files = append(files, c)
		}
	}
	if len(files) != 10 {
		t.Fatalf("%d credential files, want 10", len(files))
	}
	code, report, errOut := runKeys(t, "", append([]string{"verify", "--status-dir", filepath.Join(site, "status"), "--catalogue", filepath.Join(site, "catalogue.json")}, files...)...)
	if code != exitOK || strings.Count(report, "approved version") != 10 {
		t.Fatalf("verify --catalogue: exit %d, %d approved versions\n%s%s", code, strings.Count(report, "approved version"), report, errOut)
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if !bytes.Contains(data, []byte(`"version": "1"`)) {
			t.Errorf("%s does not carry version 1 of the achievement", f)
		}
	}

	e.catOK("achievement", "retire", e.id, "--key", "chair", "--role", "academic-council")
	code, msg := e.batch(filepath.Join(e.dir, "next"), "b2", "--catalogue-achievement", e.id)
	if code != exitInvalid || !strings.Contains(msg, "is retired") {
		t.Fatalf("batch of a retired version: exit %d\n%s", code, msg)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "next")); err == nil {
		entries, _ := os.ReadDir(filepath.Join(e.dir, "next"))
		if len(entries) > 0 {
			t.Errorf("the refused batch wrote %d files", len(entries))
		}
	}
	// Credentials issued before the retirement stay approved.
	e.catOK("catalogue", "publish", "--key", "registrar", "--base-url", "https://example.edu/", "--out", site)
	code, report, _ = runKeys(t, "", append([]string{"verify", "--status-dir", filepath.Join(site, "status"), "--catalogue", filepath.Join(site, "catalogue.json")}, files...)...)
	if code != exitOK || strings.Count(report, "approved version") != 10 {
		t.Errorf("after retirement: exit %d\n%s", code, report)
	}
}

func TestCatalogueBadInputCLI(t *testing.T) {
	tests := []struct {
		name  string
		setup func(e *catalogueEnv)
		args  func(e *catalogueEnv) []string
		want  string
	}{
		{"approval by a key not in the set", func(e *catalogueEnv) {
			e.ok("keys", "generate", "mallory", "--keyring", e.ring)
		}, func(e *catalogueEnv) []string {
			return []string{"achievement", "approve", e.id, "--key", "mallory", "--role", "academic-council"}
		}, "key not in the approver set"},
		{"self-approval", nil, func(e *catalogueEnv) []string {
			return []string{"achievement", "approve", e.id, "--key", "ada", "--role", "quality-office"}
		}, "self-approval refused"},
		{"editing an in-review version", nil, func(e *catalogueEnv) []string {
			return []string{"achievement", "edit", e.id + "@1", "--file", testdata("achievement.json")}
		}, "immutable"},
		{"duplicate version number", nil, func(e *catalogueEnv) []string {
			return []string{"achievement", "edit", e.id, "--file", testdata("achievement.json"), "--version", "1"}
		}, "already exists"},
		{"achievement failing the schema", func(e *catalogueEnv) {
			var a map[string]any
			data, _ := os.ReadFile(testdata("achievement.json"))
			_ = json.Unmarshal(data, &a)
			delete(a, "criteria")
			raw, _ := json.Marshal(a)
			_ = os.WriteFile(filepath.Join(e.dir, "bad.json"), raw, 0o600)
		}, func(e *catalogueEnv) []string {
			return []string{"achievement", "edit", e.id, "--file", filepath.Join(e.dir, "bad.json"), "--version", "2"}
		}, "criteria"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newCatalogueEnv(t, false)
			e.catOK("achievement", "create", "--file", testdata("achievement.json"))
			e.catOK("achievement", "submit", e.id, "--key", "ada")
			if tt.setup != nil {
				tt.setup(e)
			}
			before := e.catOK("achievement", "show", e.id, "--json")
			trail := e.catOK("achievement", "list", "--json")
			code, out := e.cat(tt.args(e)...)
			if code != exitInvalid || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, exitInvalid, tt.want, out)
			}
			if after := e.catOK("achievement", "show", e.id, "--json"); after != before {
				t.Errorf("the refused command changed the version:\n%s\n%s", before, after)
			}
			if after := e.catOK("achievement", "list", "--json"); after != trail {
				t.Errorf("the refused command changed the catalogue")
			}
		})
	}
}

func TestCatalogueRequiredCLI(t *testing.T) {
	e := newCatalogueEnv(t, true)
	out := filepath.Join(e.dir, "cohort")
	code, msg := e.batch(out, "b1", "--achievement", testdata("achievement.json"))
	if code != exitInvalid || !strings.Contains(msg, "--unmanaged-achievement") {
		t.Fatalf("--achievement with the catalogue required: exit %d\n%s", code, msg)
	}
	if code, msg := e.batch(out, "b1", "--unmanaged-achievement", testdata("achievement.json")); code != exitOK {
		t.Fatalf("--unmanaged-achievement: exit %d\n%s", code, msg)
	}
	if code, msg := e.batch(out, "b2", "--achievement", testdata("achievement.json"), "--catalogue-achievement", e.id); code != exitError || !strings.Contains(msg, "give one of") {
		t.Errorf("two achievement flags: exit %d\n%s", code, msg)
	}
	// issue: the same rule, the same library.
	code, stdout, errOut := runKeys(t, "", "issue", "--keyring", e.ring, "--key", "registrar", "--achievement", testdata("achievement.json"),
		"--subject", testdata("subject.json"), "--store", e.store, "--status-base-url", "https://status.example/lists/", "--out", filepath.Join(e.dir, "c.json"))
	if code != exitInvalid || !strings.Contains(errOut, "--catalogue-achievement") {
		t.Errorf("issue --achievement with the catalogue required: exit %d %s%s", code, stdout, errOut)
	}
}

func TestCatalogueTamperCLI(t *testing.T) {
	e := newCatalogueEnv(t, false)
	e.approve()
	e.catOK("achievement", "show", e.id, "--verify")
	db, err := bbolt.Open(e.store, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("achievements"))
		k, v := b.Cursor().First()
		return b.Put(k, bytes.Replace(v, []byte("Applied Data Analysis"), []byte("Advanced Data Analysis"), 1))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if code, out := e.cat("achievement", "show", e.id, "--verify"); code != exitInvalid || !strings.Contains(out, "tampered") {
		t.Errorf("show --verify of a tampered record: exit %d\n%s", code, out)
	}
	if code, out := e.cat("catalogue", "publish", "--key", "registrar", "--base-url", "https://example.edu/", "--out", filepath.Join(e.dir, "site")); code != exitInvalid || !strings.Contains(out, "tampered") {
		t.Errorf("publish of a tampered record: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "site", "catalogue.json")); err == nil {
		t.Error("publish wrote a catalogue from a tampered record")
	}
}

func TestAchievementDiffCLI(t *testing.T) {
	e := newCatalogueEnv(t, false)
	e.approve()
	if code, out := e.cat("achievement", "edit", e.id+"@1", "--file", testdata("achievement.json")); code != exitInvalid || !strings.Contains(out, "immutable") {
		t.Fatalf("editing approved version 1: exit %d\n%s", code, out)
	}
	data, _ := os.ReadFile(testdata("achievement.json"))
	v2 := filepath.Join(e.dir, "v2.json")
	if err := os.WriteFile(v2, bytes.Replace(data, []byte(`"Applied Data Analysis"`), []byte(`"Applied Data Analysis II"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := e.catOK("achievement", "edit", e.id, "--file", v2); !strings.Contains(out, "version 2: draft") {
		t.Fatalf("edit of an approved achievement: %s", out)
	}
	out := e.catOK("achievement", "diff", e.id+"@1", e.id+"@2", "--json")
	var changes []struct {
		Path          string
		Before, After any
	}
	if err := json.Unmarshal([]byte(out), &changes); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range changes {
		paths = append(paths, c.Path)
	}
	if got := strings.Join(paths, " "); got != "achievement.name achievement.version" {
		t.Errorf("diff paths %q\n%s", got, out)
	}
}
