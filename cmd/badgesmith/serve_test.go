package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
