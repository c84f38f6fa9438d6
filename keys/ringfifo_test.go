//go:build unix

package keys_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/keys"
)

// TestRingRefusesFIFO: a FIFO planted as a key file is refused without
// blocking (opening one for reading waits for a writer).
func TestRingRefusesFIFO(t *testing.T) {
	r, err := keys.OpenRing(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(r.Dir(), "k.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := r.Get("k"); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("Get = %v, want a refusal", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Get blocked on a FIFO")
	}
}

// TestRingCreateRefusesLink: a symbolic link planted under a new key's
// name is an existing key name, never a path the secret is written to.
func TestRingCreateRefusesLink(t *testing.T) {
	r, err := keys.OpenRing(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "stolen.json")
	if err := os.Symlink(elsewhere, filepath.Join(r.Dir(), "k.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Generate("k", keys.Ed25519); !errors.Is(err, keys.ErrExists) {
		t.Fatalf("Generate = %v, want ErrExists", err)
	}
	if _, err := os.Lstat(elsewhere); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the key was written through the link: %v", err)
	}
}
