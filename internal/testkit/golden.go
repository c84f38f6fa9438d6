package testkit

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// update is the one -update flag of badgesmith's tests. A flag is process
// state by nature; registering it here, once, is what lets every package's
// tests share the name without redefining it.
var update = flag.Bool("update", false, "rewrite golden files (and generated fixtures) instead of comparing with them")

// Update reports whether the tests run with -update, and so should rewrite
// their golden files and generated fixtures rather than compare with them.
func Update() bool { return *update }

// Golden compares got with the golden file at path, failing t where they
// differ. With -update it writes got to path (creating its directory)
// instead.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil { //nolint:gosec // G301: golden files live in the repository, readable like its other files
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil { //nolint:gosec // G306: a golden file is committed, readable like the repository's other files
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended): %s", path, firstDiff(got, want))
	}
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) || i >= len(g) || i >= len(w) {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, clip(gl), clip(wl))
		}
	}
	return "same lines, different bytes"
}

// clip shortens a line for a failure message.
func clip(b []byte) string {
	const most = 200
	if len(b) > most {
		return string(b[:most]) + "…"
	}
	return string(b)
}

// GoldenJSON compares v, as JSON indented by two spaces with a final
// newline, with the golden file at path (Golden), and returns the golden
// file's content for checks that read it back.
func GoldenJSON(t testing.TB, path string, v any) []byte {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	Golden(t, path, append(got, '\n'))
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return want
}
