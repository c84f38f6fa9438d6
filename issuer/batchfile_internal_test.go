package issuer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
)

// TestWriteFileNoSync checks the batch's credential file writer: a new
// name gets the whole file with mode 0o644, a file a killed run left is
// replaced, a link at the name is refused rather than written through,
// and no temporary file is left behind.
func TestWriteFileNoSync(t *testing.T) {
	data := []byte(`{"id":"urn:uuid:1"}`)
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		wantErr error
	}{
		{"new", func(*testing.T, string) {}, nil},
		{"torn file of a killed run", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "c.json"), []byte(`{"id":`), 0o600); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"symbolic link", func(t *testing.T, dir string) {
			if err := os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(dir, "c.json")); err != nil {
				t.Fatal(err)
			}
		}, atomicfile.ErrSymlink},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			err := writeFileNoSync(dir, "c.json", data)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				if _, err := os.Lstat(filepath.Join(dir, "elsewhere")); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("written through the link: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, "c.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("file holds %q, want %q", got, data)
			}
			fi, err := os.Stat(filepath.Join(dir, "c.json"))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o644 {
				t.Fatalf("mode %v, want 0644", fi.Mode().Perm())
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Fatalf("%d entries in the directory, want the file alone", len(entries))
			}
		})
	}
}
