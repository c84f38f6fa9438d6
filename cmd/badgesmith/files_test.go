//go:build unix

package main

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// runGuarded is runKeys with stdin from r, failing the test if the
// command has not returned in 30 s (it must never block on an input or an
// output).
func runGuarded(t *testing.T, stdin io.Reader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), args, stdin, &out, &errOut) }()
	select {
	case code = <-done:
		return code, out.String(), errOut.String()
	case <-time.After(30 * time.Second):
		t.Fatalf("%v did not return: blocked on an input or output", args)
		return 0, "", ""
	}
}

// nullDev makes a character device like /dev/null in dir, or skips the
// test saying why it cannot.
func nullDev(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "null")
	if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Skipf("cannot make a character device (mknod needs root): %v", err)
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Skipf("cannot open a device made in %s (mounted nodev?): %v", dir, err)
	}
	f.Close()
	return p
}

func TestIssueOutputKinds(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys")
	if code, _, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", ring); code != exitOK {
		t.Fatalf("keys generate: exit %d: %s", code, errOut)
	}
	issue := func(out string, extra ...string) (int, string) {
		args := append([]string{"issue", "--keyring", ring, "--key", "registrar",
			"--achievement", testdata("achievement.json"), "--subject", testdata("subject.json"), "--out", out}, extra...)
		code, _, errOut := runGuarded(t, strings.NewReader(""), args...)
		return code, errOut
	}
	type kind struct {
		name     string
		make     func(t *testing.T, p string) string // returns the path to give --out
		extra    []string
		wantCode int
		wantErr  string
		check    func(t *testing.T, out string)
	}
	regular := func(t *testing.T, p string) {
		t.Helper()
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("%s is not a regular file: %v %v", p, fi, err)
		}
		if data, _ := os.ReadFile(p); !bytes.Contains(data, []byte("OpenBadgeCredential")) {
			t.Fatalf("%s does not hold the credential", p)
		}
	}
	tests := []kind{
		{name: "new file", make: func(t *testing.T, p string) string { return p }, check: regular},
		{name: "existing regular file", make: func(t *testing.T, p string) string {
			os.WriteFile(p, []byte("old"), 0o644)
			return p
		}, check: regular},
		{name: "character device stays a device", make: func(t *testing.T, p string) string {
			return nullDev(t, filepath.Dir(p))
		}, check: func(t *testing.T, out string) {
			if fi, err := os.Lstat(out); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
				t.Fatalf("the device was replaced: %v %v", fi.Mode(), err)
			}
		}},
		{name: "fifo refused", make: func(t *testing.T, p string) string {
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}, wantCode: exitError, wantErr: "named pipe"},
		{name: "socket refused", make: func(t *testing.T, p string) string {
			l, err := net.Listen("unix", p)
			if err != nil {
				t.Skipf("no unix socket: %v", err)
			}
			t.Cleanup(func() { l.Close() })
			return p
		}, wantCode: exitError, wantErr: "socket"},
		{name: "directory refused", make: func(t *testing.T, p string) string {
			os.Mkdir(p, 0o700)
			return p
		}, wantCode: exitError, wantErr: "directory"},
		{name: "symlink refused", make: func(t *testing.T, p string) string {
			target := p + ".target"
			os.WriteFile(target, []byte("keep"), 0o644)
			os.Symlink(target, p)
			return p
		}, wantCode: exitError, wantErr: "--follow-symlinks", check: func(t *testing.T, out string) {
			if data, _ := os.ReadFile(out + ".target"); string(data) != "keep" {
				t.Fatalf("the link's target was written: %q", data)
			}
		}},
		{name: "symlink followed with --follow-symlinks", extra: []string{"--follow-symlinks"}, make: func(t *testing.T, p string) string {
			target := p + ".target"
			os.WriteFile(target, []byte("old"), 0o644)
			os.Symlink(target, p)
			return p
		}, check: func(t *testing.T, out string) {
			if fi, err := os.Lstat(out); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Fatal("the link was replaced")
			}
			regular(t, out+".target")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.make(t, filepath.Join(t.TempDir(), "out.json"))
			code, errOut := issue(out, tt.extra...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", code, tt.wantCode, errOut)
			}
			if tt.wantErr != "" && (!strings.Contains(errOut, tt.wantErr) || !strings.Contains(errOut, out)) {
				t.Errorf("error %q does not name the path and %q", errOut, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, out)
			}
		})
	}
}

func TestVerifyInputKinds(t *testing.T) {
	dir := t.TempDir()
	cred, _ := issueSample(t, dir)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat(" ", 2<<20)
	tests := []struct {
		name     string
		args     []string
		stdin    func(t *testing.T) io.Reader
		wantCode int
		wantOut  string
	}{
		{name: "regular file", args: []string{cred}, wantCode: exitOK, wantOut: ": VALID"},
		{name: "fifo path refused", args: []string{fifo}, wantCode: exitError, wantOut: "named pipe"},
		{name: "directory refused", args: []string{dir}, wantCode: exitError, wantOut: "directory"},
		{name: "device path refused", args: []string{"DEVICE"}, wantCode: exitError, wantOut: "device"},
		{name: "stdin that never ends times out", args: []string{"--read-timeout", "200ms", "-"}, stdin: func(t *testing.T) io.Reader {
			r, w := io.Pipe()
			t.Cleanup(func() { w.Close() })
			return r
		}, wantCode: exitError, wantOut: "standard input: input not read in time"},
		{name: "os pipe on stdin that never ends times out", args: []string{"--read-timeout", "200ms", "-"}, stdin: func(t *testing.T) io.Reader {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close(); w.Close() })
			return r
		}, wantCode: exitError, wantOut: "input not read in time"},
		{name: "stdin over the size bound", args: []string{"--max-size", "1000", "-"}, stdin: func(t *testing.T) io.Reader {
			return strings.NewReader(big)
		}, wantCode: exitInvalid, wantOut: "over the"},
		{name: "stdin in bounds", args: []string{"-"}, stdin: func(t *testing.T) io.Reader {
			data, err := os.ReadFile(cred)
			if err != nil {
				t.Fatal(err)
			}
			return bytes.NewReader(data)
		}, wantCode: exitOK, wantOut: ": VALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify"}, tt.args...)
			for i, a := range args {
				if a == "DEVICE" {
					args[i] = nullDev(t, t.TempDir())
				}
			}
			var in io.Reader = strings.NewReader("")
			if tt.stdin != nil {
				in = tt.stdin(t)
			}
			code, out, errOut := runGuarded(t, in, args...)
			if code != tt.wantCode || !strings.Contains(out+errOut, tt.wantOut) {
				t.Fatalf("exit %d, want %d with %q:\n%s%s", code, tt.wantCode, tt.wantOut, out, errOut)
			}
		})
	}
}

func TestBakeExtractOutputKinds(t *testing.T) {
	dir := t.TempDir()
	cred, _ := issueSample(t, dir)
	pngPath, _ := writeBadges(t, dir)
	baked := filepath.Join(dir, "baked.png")
	if code, _, errOut := runGuarded(t, nil, "bake", "--image", pngPath, "--credential", cred, "--out", baked); code != exitOK {
		t.Fatalf("bake: exit %d: %s", code, errOut)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), link); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"bake", "--image", pngPath, "--credential", cred, "--out", fifo},
		{"bake", "--image", fifo, "--credential", cred, "--out", filepath.Join(dir, "x.png")},
		{"extract", baked, "--out", fifo},
		{"extract", baked, "--out", link},
		{"extract", fifo},
	} {
		code, _, errOut := runGuarded(t, nil, args...)
		if code == exitOK || !strings.Contains(errOut, dir) {
			t.Errorf("%v: exit %d, want a refusal naming the path: %s", args, code, errOut)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "elsewhere")); err == nil {
		t.Error("extract wrote through a symbolic link")
	}
}

// TestOtherInputsRefuseFIFOs: the roster and the store given as FIFOs are
// refused, not read forever.
func TestOtherInputsRefuseFIFOs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	ring := filepath.Join(dir, "keys")
	if code, _, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", ring); code != exitOK {
		t.Fatalf("keys generate: exit %d: %s", code, errOut)
	}
	for _, args := range [][]string{
		{"batch", "--keyring", ring, "--key", "registrar", "--achievement", testdata("achievement.json"), "--roster", fifo,
			"--out", filepath.Join(dir, "out"), "--store", filepath.Join(dir, "db"), "--status-base-url", "https://status.example/", "--progress", "none"},
		{"list", "--store", fifo},
		{"issue", "--keyring", ring, "--key", "registrar", "--achievement", fifo, "--subject", testdata("subject.json")},
		{"keys", "import", "other", "--keyring", ring, "--file", fifo},
	} {
		code, _, errOut := runGuarded(t, strings.NewReader(""), args...)
		if code == exitOK || !strings.Contains(errOut, "named pipe") {
			t.Errorf("%v: exit %d, want a refusal of the FIFO: %s", args[0], code, errOut)
		}
	}
}
