//go:build unix

package keys_test

import (
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
