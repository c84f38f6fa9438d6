//go:build unix

package atomicfile

import (
	"errors"
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

// nullDevice makes a character device like /dev/null (major 1, minor 3)
// in a temporary directory, or skips the test saying why it cannot.
func nullDevice(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "null")
	if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Skipf("cannot make a character device (mknod needs root): %v", err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("cannot open a device made in %s (mounted nodev?): %v", filepath.Dir(p), err)
	}
	f.Close()
	return p
}

// withHangGuard fails the test if fn has not returned in 30 s: a FIFO
// opened for writing blocks until a reader comes, which must never happen.
func withHangGuard(t *testing.T, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("write did not return: it blocked on the output")
		return nil
	}
}

func TestWriteRefusesSpecialFiles(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, p string)
		want error
	}{
		{"fifo", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
		}, ErrNotRegular},
		{"socket", func(t *testing.T, p string) {
			l, err := net.Listen("unix", p)
			if err != nil {
				t.Skipf("cannot make a unix socket: %v", err)
			}
			t.Cleanup(func() { l.Close() })
		}, ErrNotRegular},
		{"directory", func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
		}, ErrNotRegular},
		{"symlink to a file", func(t *testing.T, p string) {
			target := filepath.Join(filepath.Dir(p), "target")
			if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		}, ErrSymlink},
		{"dangling symlink", func(t *testing.T, p string) {
			if err := os.Symlink(filepath.Join(filepath.Dir(p), "nowhere"), p); err != nil {
				t.Fatal(err)
			}
		}, ErrSymlink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "out")
			tt.make(t, p)
			before, err := os.Lstat(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(p, Options{}); !errors.Is(err, tt.want) {
				t.Errorf("Check = %v, want %v", err, tt.want)
			}
			err = withHangGuard(t, func() error { return WriteFile(p, []byte("data"), 0o644) })
			if !errors.Is(err, tt.want) {
				t.Fatalf("WriteFile = %v, want %v", err, tt.want)
			}
			if !contains(err.Error(), p) {
				t.Errorf("error %q does not name the path", err)
			}
			after, err := os.Lstat(p)
			if err != nil || after.Mode() != before.Mode() {
				t.Fatalf("output changed: %v -> %v (%v)", before.Mode(), after.Mode(), err)
			}
			if target := filepath.Join(dir, "target"); tt.name == "symlink to a file" {
				if got, _ := os.ReadFile(target); string(got) != "keep" {
					t.Errorf("the link's target was written: %q", got)
				}
			}
			if n := countTemps(t, dir); n != 0 {
				t.Errorf("%d temporary files left behind", n)
			}
		})
	}
}

func TestWriteCharDevice(t *testing.T) {
	dev := nullDevice(t)
	if err := withHangGuard(t, func() error { return WriteFile(dev, []byte("discarded"), 0o644) }); err != nil {
		t.Fatalf("writing to a character device: %v", err)
	}
	fi, err := os.Lstat(dev)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("the device was replaced by a %v", fi.Mode())
	}
	if n := countTemps(t, filepath.Dir(dev)); n != 0 {
		t.Errorf("%d temporary files left behind", n)
	}
	// A link to a device is still a link.
	link := filepath.Join(filepath.Dir(dev), "link")
	if err := os.Symlink(dev, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("x"), 0o644); !errors.Is(err, ErrSymlink) {
		t.Fatalf("write through a link to a device = %v, want ErrSymlink", err)
	}
	if err := Write(link, []byte("x"), 0o644, Options{FollowSymlinks: true}); err != nil {
		t.Fatalf("write through a link to a device with FollowSymlinks: %v", err)
	}
	if fi, _ := os.Lstat(dev); fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("the device was replaced by a %v", fi.Mode())
	}
}

func TestWriteFollowSymlinks(t *testing.T) {
	tests := []struct {
		name     string
		existing bool
	}{
		{"existing target", true},
		{"dangling link creates the target", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			sub := filepath.Join(dir, "real")
			if err := os.Mkdir(sub, 0o700); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(sub, "cred.json")
			if tt.existing {
				if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			// A relative link through a second link.
			mid := filepath.Join(dir, "mid")
			if err := os.Symlink("real/cred.json", mid); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, "out")
			if err := os.Symlink("mid", link); err != nil {
				t.Fatal(err)
			}
			if err := Write(link, []byte("new"), 0o644, Options{FollowSymlinks: true}); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(target); string(got) != "new" {
				t.Fatalf("target holds %q, want %q", got, "new")
			}
			for _, l := range []string{link, mid} {
				if fi, err := os.Lstat(l); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
					t.Fatalf("%s is no longer a link", l)
				}
			}
		})
	}
}

func TestWriteSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.Symlink(b, a); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(a, b); err != nil {
		t.Fatal(err)
	}
	if err := Write(a, []byte("x"), 0o644, Options{FollowSymlinks: true}); err == nil {
		t.Fatal("a symbolic link loop was written through")
	}
}

// TestCreateNeverClobbers: a file that appears between the check and the
// link is kept, and the write fails with fs.ErrExist.
func TestCreateNeverClobbers(t *testing.T) {
	for _, what := range []string{"file", "fifo"} {
		t.Run(what, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "out")
			opts := Options{beforeLink: func() {
				var err error
				if what == "fifo" {
					err = syscall.Mkfifo(p, 0o600)
				} else {
					err = os.WriteFile(p, []byte("theirs"), 0o600)
				}
				if err != nil {
					t.Fatal(err)
				}
			}}
			err := Write(p, []byte("ours"), 0o644, opts)
			if !errors.Is(err, fs.ErrExist) {
				t.Fatalf("Write = %v, want fs.ErrExist", err)
			}
			if what == "file" {
				if got, _ := os.ReadFile(p); string(got) != "theirs" {
					t.Fatalf("the file created meanwhile was replaced: %q", got)
				}
			}
			if n := countTemps(t, dir); n != 0 {
				t.Errorf("%d temporary files left behind", n)
			}
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestCheckAccepts(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	if err := os.WriteFile(existing, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(existing, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		opts Options
		ok   bool
	}{
		{"new file", filepath.Join(dir, "new"), Options{}, true},
		{"regular file", existing, Options{}, true},
		{"link, followed", link, Options{FollowSymlinks: true}, true},
		{"link, not followed", link, Options{}, false},
		{"missing directory", filepath.Join(dir, "no", "new"), Options{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Check(tt.path, tt.opts); (err == nil) != tt.ok {
				t.Fatalf("Check = %v, want ok %v", err, tt.ok)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 2 {
				t.Fatalf("Check wrote something: %d entries", len(entries))
			}
		})
	}
}

// TestRegularOnly: a file that must stay a file is never written to a
// character device, and Begin cannot stream to one at all.
func TestRegularOnly(t *testing.T) {
	dev := nullDevice(t)
	if err := Write(dev, []byte("secret"), 0o600, Options{RegularOnly: true}); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Write with RegularOnly = %v, want ErrNotRegular", err)
	}
	if _, err := Begin(dev, 0o600, Options{}); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Begin on a device = %v, want ErrNotRegular", err)
	}
	if fi, _ := os.Lstat(dev); fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("the device was replaced by a %v", fi.Mode())
	}
}
