package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
)

func TestServePrintConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "serve.json")
	if err := os.WriteFile(file, []byte(`{"listen":"127.0.0.1:9000","key":"from-file","store":"`+filepath.Join(dir, "issued.db")+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BADGESMITH_ADMIN_KEY", "env-secret-admin-key-0123456789abcdef")
	t.Setenv("BADGESMITH_LISTEN", "127.0.0.1:9100")
	t.Setenv("BADGESMITH_KEY", "from-env")
	code, out, errOut := runKeys(t, "", "serve", "--config", file, "--key", "from-flag", "--print-config")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var c map[string]any
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for k, want := range map[string]string{
		"listen":        "127.0.0.1:9100", // the environment over the file
		"key":           "from-flag",      // the flag over both
		"publicBaseURL": "http://127.0.0.1:9100",
		"statusBaseURL": "http://127.0.0.1:9100/status/",
		"dataDir":       filepath.Join(dir, "serve"),
		"adminKey":      "[redacted]",
	} {
		if c[k] != want {
			t.Errorf("%s = %v, want %q", k, c[k], want)
		}
	}
	if strings.Contains(out, "env-secret") {
		t.Error("--print-config shows the admin key")
	}
}

func TestServeRefusesPublicAddressWithoutTLS(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runKeys(t, "", "serve", "--key", "k", "--store", filepath.Join(dir, "issued.db"), "--listen", "0.0.0.0:8080")
	if code != exitError || !strings.Contains(errOut, "not a loopback address") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "issued.db")); err == nil {
		t.Error("the store was created although the configuration was refused")
	}
}

// TestServeFirstStart runs "badgesmith serve" with no configuration but
// the key: it prints a one-time admin key that can issue, answers on
// loopback, and exits 0 when stopped.
func TestServeFirstStart(t *testing.T) {
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys")
	if code, _, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", ring); code != exitOK {
		t.Fatalf("keys generate: %d %s", code, errOut)
	}
	t.Setenv("BADGESMITH_ADMIN_KEY", "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errOut testkit.SyncBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--key", "registrar", "--keyring", ring,
			"--store", filepath.Join(dir, "issued.db"), "--listen", "127.0.0.1:0"},
			strings.NewReader(""), io.Discard, &errOut)
	}()
	var base string
	for deadline := time.Now().Add(time.Minute); base == "" && time.Now().Before(deadline); { // hang guard only
		if _, after, ok := strings.Cut(errOut.String(), "public_base_url="); ok {
			base, _, _ = strings.Cut(after, "\n")
			break
		}
		select {
		case code := <-exited:
			t.Fatalf("serve exited %d: %s", code, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("no listening line: %s", errOut.String())
	}
	var key string
	for _, line := range strings.Split(errOut.String(), "\n") {
		if strings.HasPrefix(line, "bsk_") {
			key = line
		}
	}
	body := `{"credential":{"type":["VerifiableCredential","OpenBadgeCredential"]}}`
	req, err := http.NewRequest("POST", base+"/credentials/issue", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Authenticated: the (incomplete) credential is refused as bad input,
	// not for want of a key.
	if key == "" || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("issue with the printed key %q: %d", key, resp.StatusCode)
	}
	cancel()
	if code := <-exited; code != exitOK {
		t.Fatalf("serve exited %d after cancel: %s", code, errOut.String())
	}
	if strings.Count(errOut.String(), key) != 1 {
		t.Error("the admin key was printed more than once, or logged")
	}
}
