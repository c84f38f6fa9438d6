package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestBeginCommit streams a file in pieces, new and over an old one.
func TestBeginCommit(t *testing.T) {
	for _, initial := range []string{"", "old content, longer than the new"} {
		dir := t.TempDir()
		p := filepath.Join(dir, "manifest.csv")
		if initial != "" {
			if err := os.WriteFile(p, []byte(initial), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		w, err := Begin(p, 0o640, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range []string{"a,b\n", "1,2\n", "3,4\n"} {
			if _, err := w.Write([]byte(part)); err != nil {
				t.Fatal(err)
			}
		}
		// Until Commit, readers see the old file.
		if got, _ := os.ReadFile(p); string(got) != initial {
			t.Fatalf("before Commit the file holds %q, want %q", got, initial)
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != "a,b\n1,2\n3,4\n" {
			t.Fatalf("after Commit: %q, %v", got, err)
		}
		if fi, _ := os.Stat(p); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
			t.Errorf("mode %v, want 0640", fi.Mode().Perm())
		}
		if n := countTemps(t, dir); n != 0 {
			t.Errorf("%d temporary files left", n)
		}
		if err := w.Commit(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("second Commit = %v, want os.ErrClosed", err)
		}
		w.Abort() // does nothing after Commit
		if _, err := os.Stat(p); err != nil {
			t.Errorf("Abort after Commit removed the file: %v", err)
		}
	}
}

func TestBeginAbort(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Begin(p, 0o644, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("new")); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Errorf("after Abort the file holds %q", got)
	}
	if n := countTemps(t, dir); n != 0 {
		t.Errorf("%d temporary files left", n)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Abort = %v, want os.ErrClosed", err)
	}
}

// TestBeginThenCreated: a file that appears at a new path between Begin
// and Commit is not clobbered.
func TestBeginThenCreated(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	w, err := Begin(p, 0o644, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("theirs"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Commit = %v, want fs.ErrExist", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "theirs" {
		t.Errorf("file holds %q, want theirs", got)
	}
	if n := countTemps(t, dir); n != 0 {
		t.Errorf("%d temporary files left", n)
	}
}

func TestNoReplace(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	if err := os.WriteFile(existing, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{existing, link} {
		if err := Write(p, []byte("new"), 0o600, Options{NoReplace: true}); !errors.Is(err, fs.ErrExist) {
			t.Errorf("%s: %v, want fs.ErrExist", filepath.Base(p), err)
		}
	}
	if got, _ := os.ReadFile(existing); string(got) != "old" {
		t.Errorf("existing file now holds %q", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NoReplace wrote through a dangling link: %v", err)
	}
	fresh := filepath.Join(dir, "fresh")
	if err := Write(fresh, []byte("new"), 0o600, Options{NoReplace: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(fresh); string(got) != "new" {
		t.Errorf("fresh file holds %q", got)
	}
	if n := countTemps(t, dir); n != 0 {
		t.Errorf("%d temporary files left", n)
	}
}

func TestRemoveStaleIn(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	files := []staleFile{
		{".manifest.csv.tmp-123", old, true},
		{".f.tmp-9", old, true},
		{".f.tmp-10", time.Now(), false}, // perhaps being written
		{"f.tmp-1", old, false},          // not a hidden temporary file
		{".notes", old, false},
		{"f", old, false},
	}
	plant(t, dir, files)
	if n, err := RemoveStaleIn(dir, time.Minute); err != nil || n != 2 {
		t.Fatalf("RemoveStaleIn = %d, %v; want 2 removed", n, err)
	}
	checkGone(t, dir, files)
	if n, err := RemoveStaleIn(dir, 0); err != nil || n != 1 {
		t.Errorf("RemoveStaleIn(0) = %d, %v; want the fresh one removed", n, err)
	}
}

func TestSyncFiles(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for _, n := range []string{"a", "b"} {
		if err := Write(filepath.Join(dir, n), []byte(n), 0o644, Options{NoSync: true}); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := SyncFiles(dir, names); err != nil {
		t.Fatal(err)
	}
	if err := SyncDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("SyncDir of a missing directory succeeded")
	}
}

// countTemps counts the temporary files left in dir.
func countTemps(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), tempInfix) {
			n++
		}
	}
	return n
}
