package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestServePrintConfigInstances: --print-config shows the issuer
// instances with their defaults, and the rate limit and CORS flags win
// over the file.
func TestServePrintConfigInstances(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "serve.json")
	if err := os.WriteFile(file, []byte(`{"key":"registrar","store":"`+filepath.Join(dir, "issued.db")+`",
		"corsOrigins":["https://old.example"],
		"issuers":[{"id":"acme","key":"acme-key","format":"ecdsa-rdfc-2019"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BADGESMITH_LISTEN", "")
	code, out, errOut := runKeys(t, "", "serve", "--config", file, "--no-rate-limit", "--cors-origins", "https://wallet.example, *", "--print-config")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var c struct {
		CORSOrigins []string `json:"corsOrigins"`
		RateLimits  struct {
			Off bool `json:"off"`
		} `json:"rateLimits"`
		Issuers []map[string]any `json:"issuers"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !c.RateLimits.Off || len(c.CORSOrigins) != 2 || c.CORSOrigins[0] != "https://wallet.example" || c.CORSOrigins[1] != "*" {
		t.Errorf("flags not applied: %+v", c)
	}
	if len(c.Issuers) != 1 {
		t.Fatalf("issuers %v", c.Issuers)
	}
	for k, want := range map[string]string{
		"id":            "acme",
		"key":           "acme-key",
		"format":        "ecdsa-rdfc-2019",
		"store":         filepath.Join(dir, "serve", "issuers", "acme", "issued.db"),
		"statusBaseURL": "http://127.0.0.1:8080/issuers/acme/status/",
	} {
		if c.Issuers[0][k] != want {
			t.Errorf("issuers[0].%s = %v, want %q", k, c.Issuers[0][k], want)
		}
	}
}
