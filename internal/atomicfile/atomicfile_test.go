package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
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
