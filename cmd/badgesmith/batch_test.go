package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// writeRoster writes a CSV roster of n learners and returns its path.
func writeRoster(t *testing.T, dir string, n int, extra ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("student_id,email,name,grade,credits,evidence,start,end\n")
	for i := range n {
		fmt.Fprintf(&b, "s%05d,learner%d@example.edu,Learner %d,%c,%d,https://example.edu/work/%d,2025-01-06,2025-05-30\n",
			i, i, i, "ABCA"[i%4], i%6, i)
	}
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	p := filepath.Join(dir, "cohort.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// batchArgs are the arguments of a batch over rosterPath into out.
func (e *statusEnv) batchArgs(rosterPath, out string, extra ...string) []string {
	return append([]string{"batch", "--keyring", e.ring, "--key", "registrar",
		"--issuer-profile", testdata("issuer.json"), "--achievement", testdata("achievement.json"),
		"--roster", rosterPath, "--out", out, "--store", e.store,
		"--status-base-url", "https://status.example/lists/", "--batch-id", "cohort-2025",
		"--key-column", "student_id", "--map", "email=email", "--map", "name=name",
		"--map", "result:Capstone project grade=grade", "--map", "creditsEarned=credits",
		"--map", "evidence=evidence", "--map", "activityStartDate=start", "--map", "activityEndDate=end",
		"--progress", "none"}, extra...)
}

// batchRun runs the CLI and returns its exit code and standard error.
func (e *statusEnv) batchRun(args ...string) (int, string) {
	e.t.Helper()
	code, out, errOut := runKeys(e.t, "", args...)
	return code, out + errOut
}

// readManifest reads manifest.csv and checks it against manifest.jsonl and
// the files' SHA-256.
func readManifest(t *testing.T, out string) []issuer.ManifestEntry {
	t.Helper()
	f, err := os.Open(filepath.Join(out, issuer.ManifestCSV))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], []string{"row", "key", "name", "credential_id", "recipient", "file", "sha256"}) {
		t.Fatalf("manifest header %v", recs[:min(1, len(recs))])
	}
	jl, err := os.ReadFile(filepath.Join(out, issuer.ManifestJSONL))
	if err != nil {
		t.Fatal(err)
	}
	var entries []issuer.ManifestEntry
	sc := bufio.NewScanner(bytes.NewReader(jl))
	for sc.Scan() {
		var e issuer.ManifestEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("manifest.jsonl line %q: %v", sc.Text(), err)
		}
		entries = append(entries, e)
	}
	if len(entries) != len(recs)-1 {
		t.Fatalf("manifest.jsonl has %d entries, manifest.csv %d", len(entries), len(recs)-1)
	}
	last := 0
	for i, e := range entries {
		if r := recs[i+1]; r[0] != fmt.Sprint(e.Row) || r[1] != spreadsheetSafe(e.Key) || r[2] != spreadsheetSafe(e.Name) ||
			r[3] != spreadsheetSafe(e.CredentialID) || r[4] != spreadsheetSafe(e.Recipient) ||
			r[5] != spreadsheetSafe(e.File) || r[6] != e.SHA256 {
			t.Fatalf("manifest.csv row %v differs from manifest.jsonl %+v", r, e)
		}
		if e.Row <= last {
			t.Fatalf("manifest row %d after %d: not in roster order", e.Row, last)
		}
		last = e.Row
		data, err := os.ReadFile(filepath.Join(out, e.File))
		if err != nil {
			t.Fatalf("manifest file: %v", err)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != e.SHA256 {
			t.Fatalf("%s: sha256 differs from the manifest", e.File)
		}
	}
	return entries
}

// spreadsheetSafe is what manifest.csv must hold for a value of
// manifest.jsonl: the value, behind a single quote if it starts with a
// character that makes a spreadsheet cell a formula.
func spreadsheetSafe(v string) string {
	if v != "" && strings.ContainsAny(v[:1], "=+-@\t\r") {
		return "'" + v
	}
	return v
}

// credentialFiles lists the credential files in out (not the manifest,
// rejects or temporary files), failing on a temporary file left behind.
func credentialFiles(t *testing.T, out, ext string) []string {
	t.Helper()
	return listCredentialFiles(t, out, ext, false)
}

// listCredentialFiles is credentialFiles; with killed set, temporary files
// are expected (a killed run leaves some) and pass silently.
func listCredentialFiles(t *testing.T, out, ext string, killed bool) []string {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if !killed && strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
		if !strings.HasPrefix(e.Name(), ".") && strings.HasSuffix(e.Name(), ext) && !strings.HasPrefix(e.Name(), "manifest") {
			files = append(files, filepath.Join(out, e.Name()))
		}
	}
	return files
}

// verifyAll verifies files against the published status lists, every
// one of them or, under the race detector, an even sample of at most max.
func (e *statusEnv) verifyAll(files []string, max int) {
	e.t.Helper()
	if raceEnabled && len(files) > max {
		step := (len(files) + max - 1) / max
		var sample []string
		for i := 0; i < len(files); i += step {
			sample = append(sample, files[i])
		}
		files = sample
	}
	e.publish()
	code, out, errOut := runKeys(e.t, "", append([]string{"verify", "--status-dir", e.lists}, files...)...)
	if code != exitOK {
		e.t.Fatalf("verify of %d files: exit %d\n%.3000s%s", len(files), code, out, errOut)
	}
}

// batchRecords returns the store's records of the test batch.
func (e *statusEnv) batchRecords() []store.Record {
	e.t.Helper()
	db, err := bolt.Open(e.store, bolt.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.ListCredentials(e.t.Context(), store.Filter{BatchID: "cohort-2025"})
	if err != nil {
		e.t.Fatal(err)
	}
	return recs
}

func TestBatchEndToEnd(t *testing.T) {
	e := newStatusEnv(t)
	const n = 200
	rosterPath := writeRoster(t, e.dir, n)
	out := filepath.Join(e.dir, "out")
	code, msg := e.batchRun(e.batchArgs(rosterPath, out)...)
	if code != exitOK {
		t.Fatalf("batch: exit %d\n%s", code, msg)
	}
	entries := readManifest(t, out)
	if len(entries) != n {
		t.Fatalf("manifest has %d rows, want %d", len(entries), n)
	}
	for i, en := range entries {
		if en.Key != fmt.Sprintf("s%05d", i) || en.Name != fmt.Sprintf("Learner %d", i) {
			t.Fatalf("manifest row %d: key %q name %q, want the roster's student_id and name", i, en.Key, en.Name)
		}
	}
	files := credentialFiles(t, out, ".json")
	if len(files) != n {
		t.Fatalf("%d credential files, want %d", len(files), n)
	}
	if recs := e.batchRecords(); len(recs) != n {
		t.Fatalf("store has %d records of the batch, want %d", len(recs), n)
	}
	// The credential carries the row's data, the email hashed.
	var doc struct {
		ID                string `json:"id"`
		CredentialSubject struct {
			Identifier []struct {
				IdentityType string `json:"identityType"`
				Hashed       bool   `json:"hashed"`
				IdentityHash string `json:"identityHash"`
			} `json:"identifier"`
			Result []struct {
				Value string `json:"value"`
			} `json:"result"`
			CreditsEarned float64 `json:"creditsEarned"`
		} `json:"credentialSubject"`
		Evidence []struct {
			ID string `json:"id"`
		} `json:"evidence"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(out, entries[1].File)), &doc); err != nil {
		t.Fatal(err)
	}
	cs := doc.CredentialSubject
	if doc.ID != entries[1].CredentialID || len(cs.Identifier) != 2 || !cs.Identifier[0].Hashed ||
		strings.Contains(cs.Identifier[1].IdentityHash, "learner1@") || len(cs.Result) != 1 || cs.Result[0].Value != "B" ||
		cs.CreditsEarned != 1 || len(doc.Evidence) != 1 || doc.Evidence[0].ID != "https://example.edu/work/1" {
		t.Errorf("row 2's credential = %+v", doc)
	}
	e.verifyAll(files, 50)

	// Running the batch again issues nothing and writes the same manifest.
	before := readFile(t, filepath.Join(out, issuer.ManifestCSV))
	code, msg = e.batchRun(e.batchArgs(rosterPath, out)...)
	if code != exitOK || !strings.Contains(msg, "0 issued, 200 already issued") {
		t.Fatalf("second run: exit %d\n%s", code, msg)
	}
	if after := readFile(t, filepath.Join(out, issuer.ManifestCSV)); !bytes.Equal(before, after) {
		t.Errorf("second run changed the manifest")
	}
	if recs := e.batchRecords(); len(recs) != n {
		t.Errorf("store has %d records after a second run, want %d", len(recs), n)
	}
}

// TestBatchManifestCSVInjection: recipients that a spreadsheet would run
// as formulas are neutralised in manifest.csv and exact in manifest.jsonl.
func TestBatchManifestCSVInjection(t *testing.T) {
	e := newStatusEnv(t)
	hostile := []string{"=1+2@example.edu", "+cmd@example.edu", "-2+3@example.edu", "=A1*2@example.edu", "plain@example.edu"}
	var b strings.Builder
	b.WriteString("student_id,email,name,grade,credits,evidence,start,end\n")
	for i, email := range hostile {
		fmt.Fprintf(&b, "s%d,%s,@SUM(A1),A,1,https://example.edu/work/%d,2025-01-06,2025-05-30\n", i, email, i)
	}
	rosterPath := filepath.Join(e.dir, "hostile.csv")
	if err := os.WriteFile(rosterPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "out")
	code, msg := e.batchRun(e.batchArgs(rosterPath, out, "--plain-recipient")...)
	if code != exitOK {
		t.Fatalf("batch: exit %d\n%s", code, msg)
	}
	entries := readManifest(t, out) // checks csv == spreadsheetSafe(jsonl)
	if len(entries) != len(hostile) {
		t.Fatalf("manifest has %d rows, want %d", len(entries), len(hostile))
	}
	for i, e := range entries {
		if e.Recipient != hostile[i] {
			t.Errorf("manifest.jsonl recipient %q, want it exact: %q", e.Recipient, hostile[i])
		}
	}
	f, err := os.Open(filepath.Join(out, issuer.ManifestCSV))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		for j, cell := range r {
			if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
				t.Errorf("manifest.csv cell %d %q would run as a formula", j, cell)
			}
		}
	}
	if got := recs[1][2]; got != "'@SUM(A1)" {
		t.Errorf("manifest.csv name %q, want '@SUM(A1)", got)
	}
	if got := recs[1][4]; got != "'=1+2@example.edu" {
		t.Errorf("manifest.csv recipient %q, want '=1+2@example.edu", got)
	}
	if got := recs[5][4]; got != "plain@example.edu" {
		t.Errorf("manifest.csv changed a plain recipient: %q", got)
	}
}

func TestBatchBadRows(t *testing.T) {
	e := newStatusEnv(t)
	rosterPath := writeRoster(t, e.dir, 10,
		"s00003,dup@example.edu,Dup,A,1,,,",                // line 12: duplicate key
		"s90001,not-an-email,X,A,1,,,",                     // line 13: email
		"s90002,x@example.edu,X,Z,1,,,",                    // line 14: grade not an allowedValue
		"s90003,y@example.edu,Y,A,1,,2025-13-01,",          // line 15: date
		"s90004,z@example.edu",                             // line 16: ragged
		"s90005,\xffz@example.edu,Y,A,1,,,",                // line 17: not UTF-8
		"s90006,w@example.edu,W,A,1,ftp://example.edu/x,,", // line 18: evidence
	)
	out := filepath.Join(e.dir, "out")
	wantLines := []string{"line 12: key", "line 13: email", `line 14: column "grade": invalid input: result refused: "Z" is not an allowed value`, "line 15: activityStartDate", "line 16: wrong number", "line 17: email", "line 18: evidence"}

	code, msg := e.batchRun(e.batchArgs(rosterPath, out, "--dry-run")...)
	if code != exitInvalid {
		t.Fatalf("--dry-run over bad rows: exit %d, want %d\n%s", code, exitInvalid, msg)
	}
	for _, w := range wantLines {
		if !strings.Contains(msg, w) {
			t.Errorf("--dry-run output lacks %q:\n%s", w, msg)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("--dry-run created the output directory: %v", err)
	}

	code, msg = e.batchRun(e.batchArgs(rosterPath, out)...)
	if code != exitInvalid || !strings.Contains(msg, "nothing signed") {
		t.Fatalf("batch over bad rows: exit %d\n%s", code, msg)
	}
	if _, err := os.Stat(e.store); err == nil {
		if recs := e.batchRecords(); len(recs) != 0 {
			t.Fatalf("a roster with bad rows issued %d credentials", len(recs))
		}
	}

	code, msg = e.batchRun(e.batchArgs(rosterPath, out, "--skip-invalid")...)
	if code != exitOK {
		t.Fatalf("--skip-invalid: exit %d\n%s", code, msg)
	}
	if got := len(readManifest(t, out)); got != 10 {
		t.Errorf("manifest has %d rows, want 10", got)
	}
	rej := readFile(t, filepath.Join(out, issuer.RejectsFile))
	var rejects []issuer.Reject
	for line := range strings.Lines(string(rej)) {
		var r issuer.Reject
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		rejects = append(rejects, r)
	}
	var got []int
	for _, r := range rejects {
		got = append(got, r.Line)
	}
	if want := []int{12, 13, 14, 15, 16, 17, 18}; !slices.Equal(got, want) {
		t.Errorf("rejected lines %v, want %v", got, want)
	}
}

func TestBatchFormats(t *testing.T) {
	tests := []struct {
		name  string
		extra []string
		ext   string
	}{
		{"jwt", []string{"--format", "jwt"}, ".jwt"},
		{"baked png", []string{"--bake", filepath.Join("..", "..", "bake", "testdata", "badge.png")}, ".png"},
		{"baked svg", []string{"--bake", filepath.Join("..", "..", "bake", "testdata", "badge.svg")}, ".svg"},
		{"plain recipient, every credential verified", []string{"--plain-recipient", "--verify-every", "1"}, ".json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newStatusEnv(t)
			rosterPath := writeRoster(t, e.dir, 6)
			out := filepath.Join(e.dir, "out")
			code, msg := e.batchRun(e.batchArgs(rosterPath, out, tt.extra...)...)
			if code != exitOK {
				t.Fatalf("batch: exit %d\n%s", code, msg)
			}
			if len(readManifest(t, out)) != 6 {
				t.Fatalf("manifest does not have 6 rows")
			}
			files := credentialFiles(t, out, tt.ext)
			if len(files) != 6 {
				t.Fatalf("%d %s files, want 6", len(files), tt.ext)
			}
			e.verifyAll(files, 6)
			code, msg = e.batchRun(e.batchArgs(rosterPath, out, tt.extra...)...)
			if code != exitOK || !strings.Contains(msg, "0 issued, 6 already issued") {
				t.Fatalf("second run: exit %d\n%s", code, msg)
			}
		})
	}
}

// batchChildEnv, when set, makes the test binary run the CLI with the
// arguments it holds (separated by US, 0x1f) instead of the tests.
const batchChildEnv = "BADGESMITH_BATCH_CHILD_ARGS"

// TestBatchKillResume kills a batch with SIGKILL at several points (just
// after its first file, late, and early then once more while it resumes),
// checks after each kill that every recorded row has its file holding the
// recorded credential (a file is durable before its record) and that no
// status entry is given twice, then runs it again and checks that every
// row then has exactly one credential, in the store and in the output
// directory, that the rows recorded before were not issued again, and
// that they all verify.
func TestBatchKillResume(t *testing.T) {
	if args := os.Getenv(batchChildEnv); args != "" {
		os.Exit(run(context.Background(), strings.Split(args, "\x1f"), strings.NewReader(""), os.Stdout, os.Stderr))
	}
	if testing.Short() {
		t.Skip("kills child batches of 2,000 rows; skipped with -short")
	}
	const n = 2000
	tests := []struct {
		name string
		// kills are the numbers of credential files at which successive
		// runs are killed.
		kills []int
	}{
		{"first files", []int{1}},
		{"most", []int{4 * n / 5}},
		{"again while resuming", []int{n / 5, 3 * n / 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newStatusEnv(t)
			rosterPath := writeRoster(t, e.dir, n)
			out := filepath.Join(e.dir, "out")
			args := e.batchArgs(rosterPath, out)
			var killedRecs, killedFiles int
			for _, at := range tc.kills {
				killBatchAt(t, args, out, at)
				killedFiles = len(listCredentialFiles(t, out, ".json", true))
				recs := e.batchRecords()
				killedRecs = len(recs)
				if killedFiles >= n || killedRecs >= n {
					t.Fatalf("the child finished (%d files, %d records) before the kill", killedFiles, killedRecs)
				}
				checkKilledBatch(t, out, recs)
				t.Logf("killed at %d files with %d files and %d records", at, killedFiles, killedRecs)
			}

			code, msg := e.batchRun(args...)
			if code != exitOK {
				t.Fatalf("resumed batch: exit %d\n%s", code, msg)
			}
			t.Log(strings.TrimSpace(msg))
			m := regexp.MustCompile(`(\d+) issued, (\d+) already issued, (\d+) recovered`).FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("resumed batch summary lacks its counts:\n%s", msg)
			}
			issued, _ := strconv.Atoi(m[1])
			already, _ := strconv.Atoi(m[2])
			recovered, _ := strconv.Atoi(m[3])
			if already != killedRecs {
				t.Errorf("resumed batch: %d already issued, want the %d rows recorded before", already, killedRecs)
			}
			if recovered > killedFiles-killedRecs {
				t.Errorf("resumed batch: %d recovered, more than the %d files without a record", recovered, killedFiles-killedRecs)
			}
			if issued+already+recovered != n {
				t.Errorf("resumed batch: %d issued + %d already + %d recovered, want %d rows", issued, already, recovered, n)
			}
			entries := readManifest(t, out)
			files := credentialFiles(t, out, ".json")
			recs := e.batchRecords()
			if len(entries) != n || len(files) != n || len(recs) != n {
				t.Fatalf("after resuming: %d manifest rows, %d files, %d records; want %d each", len(entries), len(files), len(recs), n)
			}
			ids := map[string]bool{}
			keys := map[string]bool{}
			for _, r := range recs {
				if ids[r.ID] || keys[r.RowKey] {
					t.Fatalf("record %s (row %s) twice", r.ID, r.RowKey)
				}
				ids[r.ID], keys[r.RowKey] = true, true
			}
			checkKilledBatch(t, out, recs)
			for _, en := range entries {
				if !ids[en.CredentialID] {
					t.Fatalf("manifest credential %s not in the store", en.CredentialID)
				}
			}
			e.verifyAll(files, 200)
		})
	}
}

// killBatchAt runs the batch in a child process and kills it with SIGKILL
// once out holds at least files credential files.
func killBatchAt(t *testing.T, args []string, out string, files int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBatchKillResume$")
	cmd.Env = append(os.Environ(), batchChildEnv+"="+strings.Join(args, "\x1f"))
	var childErr bytes.Buffer
	cmd.Stderr = &childErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		select {
		case err := <-exited:
			t.Fatalf("child batch ended before it was killed: %v\n%s", err, childErr.String())
		default:
		}
		entries, _ := os.ReadDir(out)
		written := 0
		for _, en := range entries {
			if name := en.Name(); strings.HasSuffix(name, ".json") && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "manifest") {
				written++
			}
		}
		if written >= files {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("child batch wrote %d files in 5 minutes\n%s", written, childErr.String())
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
}

// checkKilledBatch checks what a batch left in out and its store: every
// record's file holds the recorded credential, and no status entry is
// recorded twice.
func checkKilledBatch(t *testing.T, out string, recs []store.Record) {
	t.Helper()
	entries := map[string]string{}
	for _, r := range recs {
		name := strings.TrimPrefix(r.ID, "urn:uuid:") + ".json"
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("record %s (row %s) without its file: %v", r.ID, r.RowKey, err)
		}
		if sum := sha256.Sum256(bytes.TrimSpace(data)); hex.EncodeToString(sum[:]) != r.SHA256 {
			t.Fatalf("record %s (row %s): its file does not hold the recorded credential", r.ID, r.RowKey)
		}
		for _, s := range r.Status {
			k := fmt.Sprintf("%s %s#%d", s.Purpose, s.ListID, s.Index)
			if other, ok := entries[k]; ok {
				t.Fatalf("status entry %s given to %s and %s", k, other, r.ID)
			}
			entries[k] = r.ID
		}
	}
}

// TestBatchIDsKeyedByStore checks batch credential ids: two institutions
// (two stores) issuing the same batch id and roster get different ids,
// each a version 8 UUID, none the name-based UUID anyone could compute
// from the batch id and a student number; a store keeps its ids on a
// second run.
func TestBatchIDsKeyedByStore(t *testing.T) {
	const n = 5
	ids := map[string]string{} // id -> institution
	for _, inst := range []string{"a", "b"} {
		e := newStatusEnv(t)
		rosterPath := writeRoster(t, e.dir, n)
		out := filepath.Join(e.dir, "out")
		if code, msg := e.batchRun(e.batchArgs(rosterPath, out)...); code != exitOK {
			t.Fatalf("%s: batch: exit %d\n%s", inst, code, msg)
		}
		entries := readManifest(t, out)
		if len(entries) != n {
			t.Fatalf("%s: %d manifest rows", inst, len(entries))
		}
		ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:badgesmith:batch:cohort-2025"))
		for i, en := range entries {
			u, err := uuid.Parse(strings.TrimPrefix(en.CredentialID, "urn:uuid:"))
			if err != nil || !strings.HasPrefix(en.CredentialID, "urn:uuid:") {
				t.Fatalf("%s: id %q: %v", inst, en.CredentialID, err)
			}
			if u.Version() != 8 || u.Variant() != uuid.RFC4122 {
				t.Errorf("%s: id %s is version %d variant %v, want 8, RFC 4122", inst, u, u.Version(), u.Variant())
			}
			if guess := uuid.NewSHA1(ns, fmt.Appendf(nil, "s%05d", i)); u == guess {
				t.Errorf("%s: id %s is the unkeyed name-based UUID of the student number", inst, u)
			}
			if other, dup := ids[en.CredentialID]; dup {
				t.Errorf("id %s minted by institutions %s and %s", en.CredentialID, other, inst)
			}
			ids[en.CredentialID] = inst
		}
		// A second run finds every row under the same id.
		if code, msg := e.batchRun(e.batchArgs(rosterPath, out)...); code != exitOK || !strings.Contains(msg, fmt.Sprintf("0 issued, %d already issued", n)) {
			t.Fatalf("%s: second run: exit %d\n%s", inst, code, msg)
		}
		if again := readManifest(t, out); !slices.Equal(again, entries) {
			t.Errorf("%s: second run changed the ids", inst)
		}
	}
}

// TestBatchMissingNames checks that a row with an empty name is refused
// with its line and field, and issued with a warning under
// --allow-missing-names.
func TestBatchMissingNames(t *testing.T) {
	e := newStatusEnv(t)
	rosterPath := writeRoster(t, e.dir, 3, "s90001,noname@example.edu,,A,1,,,") // line 5
	out := filepath.Join(e.dir, "out")
	code, msg := e.batchRun(e.batchArgs(rosterPath, out, "--dry-run")...)
	if code != exitInvalid || !strings.Contains(msg, "line 5: name: required") || !strings.Contains(msg, "--allow-missing-names") {
		t.Fatalf("empty name: exit %d, want %d naming line 5\n%s", code, exitInvalid, msg)
	}
	code, msg = e.batchRun(e.batchArgs(rosterPath, out, "--allow-missing-names")...)
	if code != exitOK || !strings.Contains(msg, "line 5: warning: empty name") {
		t.Fatalf("--allow-missing-names: exit %d\n%s", code, msg)
	}
	if got := len(readManifest(t, out)); got != 4 {
		t.Errorf("manifest has %d rows, want 4", got)
	}
}

// TestFind checks that "find" finds a learner's batch credentials by
// email address (hashed in the store) and by student number, and nobody
// else's.
func TestFind(t *testing.T) {
	e := newStatusEnv(t)
	rosterPath := writeRoster(t, e.dir, 5)
	out := filepath.Join(e.dir, "out")
	if code, msg := e.batchRun(e.batchArgs(rosterPath, out)...); code != exitOK {
		t.Fatalf("batch: exit %d\n%s", code, msg)
	}
	entries := readManifest(t, out)
	_, single := e.issue("single.json") // issued to did:example:learner..., not in the batch
	tests := []struct {
		name string
		args []string
		want []string // credential ids
	}{
		{"email", []string{"--email", "learner3@example.edu"}, []string{entries[3].CredentialID}},
		{"email in capitals", []string{"--email", " Learner3@Example.EDU "}, []string{entries[3].CredentialID}},
		{"unknown email", []string{"--email", "nobody@example.edu"}, nil},
		{"key", []string{"--key", "s00002"}, []string{entries[2].CredentialID}},
		{"unknown key", []string{"--key", "s99999"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, errOut := runKeys(t, "", append([]string{"find", "--store", e.store}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got []string
			for line := range strings.Lines(stdout) {
				got = append(got, strings.Fields(line)[0])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("found %v, want %v", got, tt.want)
			}
			if slices.Contains(got, single) {
				t.Error("found the credential of another learner")
			}
			if len(tt.want) == 0 && !strings.Contains(errOut, "no credentials found") {
				t.Errorf("stderr %q", errOut)
			}
			code, stdout, _ = runKeys(t, "", append([]string{"find", "--store", e.store, "--json"}, tt.args...)...)
			var recs []store.Record
			if err := json.Unmarshal([]byte(stdout), &recs); code != exitOK || err != nil || len(recs) != len(tt.want) {
				t.Errorf("--json: exit %d, %v, %d records, want %d\n%s", code, err, len(recs), len(tt.want), stdout)
			}
		})
	}
	for _, args := range [][]string{{}, {"--email", "a@example.edu", "--key", "s1"}} {
		if code, _, errOut := runKeys(t, "", append([]string{"find", "--store", e.store}, args...)...); code != exitError || !strings.Contains(errOut, "exactly one") {
			t.Errorf("find %v: exit %d, %q", args, code, errOut)
		}
	}
	_, help, _ := runKeys(t, "", "find", "--help")
	if !strings.Contains(help, "Privacy") || !strings.Contains(help, "Examples:") {
		t.Errorf("find --help lacks the privacy note or examples:\n%s", help)
	}
}

// TestBatchResumeLegacyIDs checks that rows recorded under ids the current
// derivation does not give (issued before ids were keyed with the store's
// secret) are found by their batch row and keep their ids.
func TestBatchResumeLegacyIDs(t *testing.T) {
	e := newStatusEnv(t)
	const n = 3
	rosterPath := writeRoster(t, e.dir, n)
	out := filepath.Join(e.dir, "out")
	if code, msg := e.batchRun(e.batchArgs(rosterPath, out)...); code != exitOK {
		t.Fatalf("batch: exit %d\n%s", code, msg)
	}
	before := readManifest(t, out)
	// Another secret: every recorded id is now one the derivation does
	// not give, as for a store written before the secret existed.
	bdb, err := bbolt.Open(e.store, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("issuer_secret"), bytes.Repeat([]byte{7}, store.IssuerSecretLen))
	})
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	code, msg := e.batchRun(e.batchArgs(rosterPath, out)...)
	if code != exitOK || !strings.Contains(msg, fmt.Sprintf("0 issued, %d already issued", n)) {
		t.Fatalf("resume with legacy ids: exit %d\n%s", code, msg)
	}
	if after := readManifest(t, out); !slices.Equal(after, before) {
		t.Errorf("manifest changed:\n%+v\nwant\n%+v", after, before)
	}
	if recs := e.batchRecords(); len(recs) != n {
		t.Errorf("%d records, want %d", len(recs), n)
	}
}
