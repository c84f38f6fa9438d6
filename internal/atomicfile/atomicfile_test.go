package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name    string
		initial []byte
		data    []byte
		perm    os.FileMode
	}{
		{name: "new file", data: []byte("hello"), perm: 0o600},
		{name: "replace", initial: []byte("old content that is longer"), data: []byte("new"), perm: 0o644},
		{name: "empty", initial: []byte("x"), data: []byte{}, perm: 0o600},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f.json")
			if tc.initial != nil {
				if err := os.WriteFile(p, tc.initial, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFile(p, tc.data, tc.perm); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(tc.data) {
				t.Fatalf("content = %q, want %q", got, tc.data)
			}
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != tc.perm {
				t.Fatalf("perm = %v, want %v", fi.Mode().Perm(), tc.perm)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Fatalf("directory holds %d entries, want only the target (temp file left behind?)", len(entries))
			}
		})
	}
}

func TestWriteFileMissingDirLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "nope", "f.json")
	if err := WriteFile(p, []byte("x"), 0o600); err == nil {
		t.Fatal("expected an error for a missing directory")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("target exists after failed write: %v", err)
	}
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "revocation-1")
	old := time.Now().Add(-time.Hour)
	files := []staleFile{
		{".revocation-1.tmp-123", old, true},         // orphan of a killed writer
		{".revocation-1.tmp-456", time.Now(), false}, // perhaps being written
		{".revocation-10.tmp-789", old, false},       // another file's
		{"revocation-1", old, false},                 // the file itself
		{".other.tmp-1", old, false},
	}
	plant(t, dir, files)
	n, err := RemoveStale(path, time.Minute)
	if err != nil || n != 1 {
		t.Fatalf("RemoveStale = %d, %v; want 1 removed", n, err)
	}
	checkGone(t, dir, files)
	if n, err := RemoveStale(filepath.Join(dir, "missing", "x"), time.Minute); n != 0 || err != nil {
		t.Errorf("RemoveStale in a missing directory = %d, %v; want 0, nil", n, err)
	}
}

// staleFile is a file a RemoveStale test plants, and whether it must go.
type staleFile struct {
	name  string
	mtime time.Time
	gone  bool
}

func plant(t *testing.T, dir string, files []staleFile) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, f.mtime, f.mtime); err != nil {
			t.Fatal(err)
		}
	}
}

func checkGone(t *testing.T, dir string, files []staleFile) {
	t.Helper()
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if gone := errors.Is(err, os.ErrNotExist); gone != f.gone {
			t.Errorf("%s: removed = %v, want %v", f.name, gone, f.gone)
		}
	}
}
