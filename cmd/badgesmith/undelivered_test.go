package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// failingWriter fails every write, as a full disk or a closed pipe would.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestIssueUndeliveredCLI: a credential whose output cannot be written is
// recorded undelivered; the same command retries it with the same status
// entry, another recipient cannot take the id, and once delivered the id
// is refused.
func TestIssueUndeliveredCLI(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys")
	if code, _, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", ring); code != exitOK {
		t.Fatalf("keys generate: exit %d: %s", code, errOut)
	}
	db := filepath.Join(dir, "issued.db")
	const id = "urn:uuid:3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f"
	args := func(email string) []string {
		return []string{"issue", "--keyring", ring, "--key", "registrar", "--achievement", testdata("achievement.json"),
			"--recipient-email", email, "--store", db, "--status-base-url", "https://status.example/lists/", "--id", id, "--out", "-"}
	}
	show := func() string {
		t.Helper()
		code, out, errOut := runKeys(t, "", "show", id, "--store", db)
		if code != exitOK {
			t.Fatalf("show: exit %d: %s", code, errOut)
		}
		return out
	}
	statusLine := func(out string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "status:") {
				return l
			}
		}
		t.Fatalf("no status line in:\n%s", out)
		return ""
	}

	var errOut bytes.Buffer
	code := run(context.Background(), args("learner@example.com"), strings.NewReader(""), failingWriter{}, &errOut)
	if code == exitOK || !strings.Contains(errOut.String(), "recorded undelivered") || !strings.Contains(errOut.String(), "--id "+id) {
		t.Fatalf("issue with a failing output: exit %d: %s", code, errOut.String())
	}
	first := show()
	if !strings.Contains(first, "undelivered") {
		t.Fatalf("show does not say undelivered:\n%s", first)
	}

	// Another recipient cannot take the undelivered id or its entry.
	if code, _, errOut := runKeys(t, "", args("mallory@example.com")...); code == exitOK || !strings.Contains(errOut, "already issued") {
		t.Fatalf("issue for another recipient: exit %d: %s", code, errOut)
	}

	// The same request again: delivered, with the same status entry.
	code, out, msg := runKeys(t, "", args("learner@example.com")...)
	if code != exitOK || !strings.Contains(out, id) {
		t.Fatalf("retry: exit %d: %s", code, msg)
	}
	second := show()
	if strings.Contains(second, "undelivered") {
		t.Errorf("show still says undelivered after the retry:\n%s", second)
	}
	if statusLine(first) != statusLine(second) {
		t.Errorf("the retry changed the status entry: %q -> %q", statusLine(first), statusLine(second))
	}

	// An output that cannot be written is refused before anything is
	// signed or recorded.
	other := append(args("learner@example.com")[:len(args(""))-3], "urn:example:never", "--out", dir)
	if code, _, errOut := runKeys(t, "", other...); code != exitError || !strings.Contains(errOut, "directory") {
		t.Fatalf("issue into a directory: exit %d: %s", code, errOut)
	}
	if code, _, _ := runKeys(t, "", "show", "urn:example:never", "--store", db); code == exitOK {
		t.Error("a credential refused for its output was recorded")
	}

	// Delivered: the id is taken for good.
	if code, _, errOut := runKeys(t, "", args("learner@example.com")...); code == exitOK || !strings.Contains(errOut, "already issued") {
		t.Fatalf("issue again after delivery: exit %d: %s", code, errOut)
	}
}
