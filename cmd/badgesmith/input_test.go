package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadAll: readAll reads a regular file, or any reader, whole, and at
// most limit+1 bytes, as io.ReadAll of a LimitReader does.
func TestReadAll(t *testing.T) {
	const limit = 100
	for _, tc := range []struct {
		name string
		size int
		want int
	}{
		{"empty", 0, 0},
		{"small", 10, 10},
		{"at the limit", limit, limit},
		{"one over", limit + 1, limit + 1},
		{"far over", 10 * limit, limit + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Repeat([]byte("ab"), tc.size)[:tc.size]
			path := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := readAll(f, limit)
			if err != nil || !bytes.Equal(got, data[:tc.want]) {
				t.Errorf("file: %d bytes, %v; want %d", len(got), err, tc.want)
			}
			got, err = readAll(strings.NewReader(string(data)), limit)
			if err != nil || !bytes.Equal(got, data[:tc.want]) {
				t.Errorf("reader: %d bytes, %v; want %d", len(got), err, tc.want)
			}
		})
	}
}
