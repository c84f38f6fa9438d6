package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/testdata/hostile/gen"
	"github.com/badgesmith/badgesmith/verifier"
)

// hostileDir is the committed corpus of issue #10.
const hostileDir = "../../testdata/hostile"

// cliHangGuard bounds one CLI run in wall-clock time; it is not a speed
// target.
const cliHangGuard = 30 * time.Second

func readHostileManifest(t *testing.T) *gen.Manifest {
	t.Helper()
	m, err := gen.ReadManifest(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// exitFor is the exit code a verdict calls for.
func exitFor(verdict string) int {
	switch verdict {
	case gen.Valid:
		return exitOK
	case gen.Invalid:
		return exitInvalid
	}
	return exitError
}

// runHostile runs the CLI under the hang guard. On a hang, unblock (if
// not nil) is called to release the stuck run, and the test fails.
func runHostile(t *testing.T, stdin []byte, unblock func(), args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliHangGuard)
	defer cancel()
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, bytes.NewReader(stdin), &out, &errOut) }()
	select {
	case code := <-done:
		return code, out.String(), errOut.String()
	case <-time.After(cliHangGuard + 5*time.Second):
		if unblock != nil {
			unblock()
		}
		t.Fatalf("badgesmith %s still running after the %v hang guard", strings.Join(args, " "), cliHangGuard)
		return 0, "", ""
	}
}

// rawControl returns the first character in s a terminal would act on or
// that reorders text: C0 controls but newline and tab, DEL, C1 controls,
// and the bidirectional overrides and isolates.
func rawControl(s string) (rune, bool) {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == utf8.RuneError:
			return r, true
		}
	}
	return 0, false
}

func checkNoRawControl(t *testing.T, what, s string) {
	t.Helper()
	if r, ok := rawControl(s); ok {
		t.Errorf("%s holds the raw control character %U:\n%q", what, r, s)
	}
}

// TestHostileCLI runs every file case of the corpus through the verify
// command: the exit code follows the verdict, the --json report names the
// failing check, and the human-readable output has no raw control
// characters.
func TestHostileCLI(t *testing.T) {
	m := readHostileManifest(t)
	var largeDir string
	large := func() string {
		if largeDir == "" {
			largeDir = t.TempDir()
			if _, err := gen.Build(filepath.Join("..", ".."), largeDir, true); err != nil {
				t.Fatal(err)
			}
		}
		return largeDir
	}
	for _, c := range m.Cases {
		if !slices.Contains(c.Runners, gen.CLI) || c.Scenario != "" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			dir := hostileDir
			if c.Large {
				dir = large()
			}
			at := c.Now
			if at == "" {
				at = gen.Now
			}
			args := []string{"verify", "--at", at}
			if c.StatusDir != "" {
				args = append(args, "--status-dir", filepath.Join(dir, filepath.FromSlash(c.StatusDir)))
			}
			for _, cred := range slices.Sorted(maps.Keys(c.StatusListTrust)) {
				for _, list := range c.StatusListTrust[cred] {
					args = append(args, "--status-list-issuer", cred+"="+list)
				}
			}
			file := filepath.Join(dir, filepath.FromSlash(c.Files[0]))
			code, out, errOut := runHostile(t, nil, nil, append(args, file)...)
			checkNoRawControl(t, "stdout", out)
			checkNoRawControl(t, "stderr", errOut)
			if !exitMatches(c, code) {
				t.Errorf("exit %d, want %d (%s; attack: %s)\n%s%s", code, exitFor(c.Verdict), c.Verdict, c.Attack, out, errOut)
			}
			code, out, errOut = runHostile(t, nil, nil, append(append(args, "--json"), file)...)
			var reports []fileReport
			if err := json.Unmarshal([]byte(out), &reports); err != nil || len(reports) != 1 || reports[0].Result == nil {
				t.Fatalf("--json report %q (stderr %q): %v", out, errOut, err)
			}
			checkReport(t, c, code, reports[0].Result)
		})
	}
}

func exitMatches(c gen.Case, code int) bool {
	if code == exitFor(c.Verdict) {
		return true
	}
	for _, v := range c.AcceptAlso {
		if code == exitFor(v) {
			return true
		}
	}
	return false
}

// checkReport checks the --json report the way the library test checks a
// Result: the named check carries the verdict and the NotPass checks did
// not pass.
func checkReport(t *testing.T, c gen.Case, code int, res *verifier.Result) {
	t.Helper()
	for _, name := range c.NotPass {
		if ch := res.Check(verifier.CheckName(name)); ch != nil && ch.Status == verifier.StatusPass {
			t.Errorf("check %s passed (%s); it must not", name, ch.Reason)
		}
	}
	if code == exitOK {
		return
	}
	for _, name := range []string{c.Check, c.OrCheck} {
		if ch := res.Check(verifier.CheckName(name)); name != "" && ch != nil && (ch.Status == verifier.StatusFail || ch.Status == verifier.StatusError) {
			if c.Reason != "" && !strings.Contains(ch.Reason+" "+ch.Path, c.Reason) {
				t.Errorf("%s reason %q does not mention %q", name, ch.Reason, c.Reason)
			}
			return
		}
	}
	if c.Check != "" {
		t.Errorf("neither the %s nor the %q check failed or errored in the --json report", c.Check, c.OrCheck)
	}
}

// TestHostileCLIScenarios runs the corpus cases built at test time: FIFOs,
// devices and sockets as inputs and outputs, hostile file names, a corrupt
// key file and a roster that tries CSV injection.
func TestHostileCLIScenarios(t *testing.T) {
	m := readHostileManifest(t)
	scenarios := map[string]func(t *testing.T, c gen.Case){
		"cli-escape-in-file-name":              scenarioEscapeInFileName,
		"cli-fifo-input":                       scenarioFIFOInput,
		"cli-char-device-input":                scenarioCharDeviceInput,
		"cli-socket-input":                     scenarioSocketInput,
		"cli-directory-input":                  scenarioDirectoryInput,
		"cli-stdin-over-limit":                 scenarioStdinOverLimit,
		"cli-out-char-device":                  scenarioOutCharDevice,
		"cli-out-fifo":                         scenarioOutFIFO,
		"cli-out-directory":                    scenarioOutDirectory,
		"cli-out-symlink":                      scenarioOutSymlink,
		"cli-out-regular-file":                 scenarioOutRegularFile,
		"cli-keys-show-secret-in-other-member": scenarioKeysShowSecret,
		"cli-batch-csv-injection":              scenarioCSVInjection,
		"cli-issue-undelivered-not-reused":     scenarioUndelivered,
	}
	for _, c := range m.Cases {
		if c.Scenario == "" {
			continue
		}
		f, ok := scenarios[c.Scenario]
		if !ok {
			t.Errorf("case %s: no scenario %q in this test", c.Name, c.Scenario)
			continue
		}
		delete(scenarios, c.Scenario)
		t.Run(c.Name, func(t *testing.T) { f(t, c) })
	}
	for name := range scenarios {
		t.Errorf("scenario %s is not in the manifest", name)
	}
}

// verifyExpect runs verify on path and checks the exit code and output.
func verifyExpect(t *testing.T, c gen.Case, unblock func(), path string) {
	t.Helper()
	code, out, errOut := runHostile(t, nil, unblock, "verify", "--at", gen.Now, path)
	checkNoRawControl(t, "stdout", out)
	checkNoRawControl(t, "stderr", errOut)
	if !exitMatches(c, code) {
		t.Errorf("verify %q: exit %d, want %d\n%s%s", path, code, exitFor(c.Verdict), out, errOut)
	}
}

func scenarioEscapeInFileName(t *testing.T, c gen.Case) {
	data, err := os.ReadFile(filepath.Join(hostileDir, "di", "di-tampered-name.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "forged\x1b[2K\r\x1b[32mdiploma.json: VALID\x1b[0m.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	verifyExpect(t, c, nil, p)
}

// mkfifo makes a FIFO and returns a function that releases a reader
// blocked opening it (by opening it for writing and closing it).
func mkfifo(t *testing.T, p string) func() {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	return func() {
		if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		if f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	}
}

func scenarioFIFOInput(t *testing.T, c gen.Case) {
	p := filepath.Join(t.TempDir(), "credential.json")
	verifyExpect(t, c, mkfifo(t, p), p)
}

// mknod makes a character device (major, minor) in the test's directory.
func mknod(t *testing.T, p string, major, minor uint32) {
	t.Helper()
	dev := int((major << 8) | minor)
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, dev); err != nil {
		t.Fatalf("mknod %s (the CLI device cases need CAP_MKNOD): %v", p, err)
	}
}

func scenarioCharDeviceInput(t *testing.T, c gen.Case) {
	p := filepath.Join(t.TempDir(), "zero")
	mknod(t, p, 1, 5) // an endless source of zero bytes
	verifyExpect(t, c, nil, p)
}

func scenarioSocketInput(t *testing.T, c gen.Case) {
	dir, err := os.MkdirTemp("", "bs-sock") // a short path: sun_path holds 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := filepath.Join(dir, "s")
	l, err := net.Listen("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	verifyExpect(t, c, nil, p)
}

func scenarioDirectoryInput(t *testing.T, c gen.Case) {
	verifyExpect(t, c, nil, t.TempDir())
}

func scenarioStdinOverLimit(t *testing.T, c gen.Case) {
	in := append([]byte(`{"a":"`), bytes.Repeat([]byte("x"), 2<<20)...)
	in = append(in, `"}`...)
	code, out, errOut := runHostile(t, in, nil, "verify", "--at", gen.Now, "-")
	checkNoRawControl(t, "output", out+errOut)
	if !exitMatches(c, code) {
		t.Errorf("verify -: exit %d, want %d\n%s%s", code, exitFor(c.Verdict), out, errOut)
	}
}

// bakeInputs writes a plain PNG and a valid credential to bake into it.
func bakeInputs(t *testing.T) (img, cred string) {
	t.Helper()
	dir := t.TempDir()
	img = filepath.Join(dir, "badge.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(hostileDir, "di", "di-valid-eddsa-rdfc.json"))
	if err != nil {
		t.Fatal(err)
	}
	cred = filepath.Join(dir, "credential.json")
	if err := os.WriteFile(cred, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return img, cred
}

// bakeTo runs bake --out out and checks the exit code.
func bakeTo(t *testing.T, c gen.Case, unblock func(), out string) {
	t.Helper()
	img, cred := bakeInputs(t)
	code, stdout, stderr := runHostile(t, nil, unblock, "bake", "--image", img, "--credential", cred, "--out", out)
	checkNoRawControl(t, "output", stdout+stderr)
	if !exitMatches(c, code) {
		t.Errorf("bake --out %s: exit %d, want %d\n%s%s", out, code, exitFor(c.Verdict), stdout, stderr)
	}
}

func lmode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func scenarioOutCharDevice(t *testing.T, c gen.Case) {
	p := filepath.Join(t.TempDir(), "null")
	mknod(t, p, 1, 3) // a null device of the test's own
	bakeTo(t, c, nil, p)
	if m := lmode(t, p); m&os.ModeCharDevice == 0 {
		t.Errorf("after bake --out, %s is %v, not the character device it was", p, m)
	}
}

func scenarioOutFIFO(t *testing.T, c gen.Case) {
	p := filepath.Join(t.TempDir(), "out.png")
	bakeTo(t, c, mkfifo(t, p), p)
	if m := lmode(t, p); m&os.ModeNamedPipe == 0 {
		t.Errorf("after bake --out, %s is %v, not the FIFO it was", p, m)
	}
}

func scenarioOutDirectory(t *testing.T, c gen.Case) {
	p := t.TempDir()
	bakeTo(t, c, nil, p)
	if m := lmode(t, p); !m.IsDir() {
		t.Errorf("after bake --out, %s is %v, not a directory", p, m)
	}
}

func scenarioOutSymlink(t *testing.T, c gen.Case) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.png")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.png")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	bakeTo(t, c, nil, link)
	if m := lmode(t, link); m&os.ModeSymlink == 0 {
		t.Errorf("after bake --out, the symlink is %v", m)
	}
	if got, _ := os.ReadFile(target); string(got) != "keep" {
		t.Errorf("the symlink's target was overwritten (%d bytes)", len(got))
	}
}

func scenarioOutRegularFile(t *testing.T, c gen.Case) {
	p := filepath.Join(t.TempDir(), "old.png")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	bakeTo(t, c, nil, p)
	got, err := os.ReadFile(p)
	if err != nil || !bytes.HasPrefix(got, []byte("\x89PNG")) {
		t.Errorf("bake --out an existing file: %v, %q...", err, got[:min(len(got), 8)])
	}
}

func scenarioKeysShowSecret(t *testing.T, c gen.Case) {
	ring := filepath.Join(t.TempDir(), "keys")
	if err := os.Mkdir(ring, 0o700); err != nil {
		t.Fatal(err)
	}
	secret, err := keys.EncodeSecretMultikey(gen.AttackerKey().Priv)
	if err != nil {
		t.Fatal(err)
	}
	// The secret is also where it belongs, so only the misplaced copy is
	// wrong: in publicKeyMultibase, and in created.
	files := map[string]string{
		"leaky":  fmt.Sprintf(`{"name":"leaky","type":"Ed25519","created":"2026-11-01T00:00:00Z","publicKeyMultibase":%q,"secretKeyMultibase":%q}`, secret, secret),
		"leaky2": fmt.Sprintf(`{"name":"leaky2","type":"Ed25519","created":%q,"secretKeyMultibase":%q}`, secret, secret),
	}
	for name, file := range files {
		if err := os.WriteFile(filepath.Join(ring, name+".json"), []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"keys", "show", "leaky", "--keyring", ring},
		{"keys", "show", "leaky", "--keyring", ring, "--json"},
		{"keys", "show", "leaky2", "--keyring", ring},
		{"keys", "list", "--keyring", ring},
	} {
		code, out, errOut := runHostile(t, nil, nil, args...)
		if strings.Contains(out+errOut, secret) || strings.Contains(out+errOut, secret[4:24]) {
			t.Errorf("%s echoed the secret key (exit %d):\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		if args[1] == "show" && code == exitOK {
			t.Errorf("%s accepted a key file without a secret key", strings.Join(args, " "))
		}
	}
}

func scenarioCSVInjection(t *testing.T, c gen.Case) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys")
	if code, _, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", ring); code != exitOK {
		t.Fatalf("keys generate: %s", errOut)
	}
	var roster strings.Builder
	roster.WriteString("student_id,email,name\n")
	w := csv.NewWriter(&roster)
	rows := [][]string{
		{"=HYPERLINK(\"https://evil.example/\",\"x\")", "=1+2@example.edu", "=cmd|' /C calc'!A0"},
		{"+SUM(1,1)", "+learner@example.edu", "+1+1"},
		{"-2+3", "-learner@example.edu", "-1"},
		{"@SUM(1)", "at@example.edu", "@SUM(A1)"},
		{"\tTAB", "tab@example.edu", "\tname"},
		{"\rCR", "cr@example.edu", "\rname"},
	}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	rosterPath := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(rosterPath, []byte(roster.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runHostile(t, nil, nil, "batch", "--keyring", ring, "--key", "registrar",
		"--issuer-profile", testdata("issuer.json"), "--achievement", testdata("achievement.json"),
		"--roster", rosterPath, "--out", out, "--store", filepath.Join(dir, "issued.db"),
		"--status-base-url", "https://status.example/lists/",
		"--key-column", "student_id", "--map", "email=email", "--map", "name=name",
		"--plain-recipient", "--skip-invalid", "--progress", "none")
	checkNoRawControl(t, "output", stdout+stderr)
	if !exitMatches(c, code) {
		t.Errorf("batch: exit %d, want %d\n%s%s", code, exitFor(c.Verdict), stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) < 2 {
		t.Fatalf("manifest.csv has no rows:\n%s", data)
	}
	for i, rec := range records[1:] {
		for j, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("manifest.csv row %d cell %d starts with %q: %q", i+1, j+1, cell[0], cell)
			}
		}
	}
}

// brokenOut fails every write, as a closed pipe or a full disk would.
type brokenOut struct{}

func (brokenOut) Write([]byte) (int, error) { return 0, syscall.EPIPE }

func scenarioUndelivered(t *testing.T, c gen.Case) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys")
	if code, _, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", ring); code != exitOK {
		t.Fatalf("keys generate: %s", errOut)
	}
	db := filepath.Join(dir, "issued.db")
	const id = "urn:uuid:5d1e7f3a-2b4c-4d6e-8f0a-1b2c3d4e5f60"
	args := func(email string) []string {
		return []string{"issue", "--keyring", ring, "--key", "registrar", "--achievement", testdata("achievement.json"),
			"--recipient-email", email, "--store", db, "--status-base-url", "https://status.example/lists/", "--id", id, "--out", "-"}
	}
	var errOut bytes.Buffer
	if code := run(context.Background(), args("learner@example.com"), strings.NewReader(""), brokenOut{}, &errOut); code == exitOK {
		t.Fatalf("issue to a broken output: exit 0")
	}
	checkNoRawControl(t, "stderr", errOut.String())
	// The attacker's request for the same id (and its allocated status
	// index) is refused while the record waits for its own retry.
	if code, out, msg := runHostile(t, nil, nil, args("mallory@example.com")...); code == exitOK {
		t.Errorf("another recipient took the undelivered credential's id: %s%s", out, msg)
	}
	code, out, msg := runHostile(t, nil, nil, args("learner@example.com")...)
	if !exitMatches(c, code) || !strings.Contains(out, id) {
		t.Errorf("retry of the same request: exit %d, want %d: %s", code, exitFor(c.Verdict), msg)
	}
}
