package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/store/bolt"
)

// TestIssueDefaultStoreCatalogueCLI: an issue without --store records
// nothing, but the catalogue rule of the default store holds: required,
// an --achievement is refused and --unmanaged-achievement issues; not
// required, or no default store, --achievement issues as before; a default
// store held by another process (a running server) cannot be read, so the
// issue is refused rather than let past the rule.
func TestIssueDefaultStoreCatalogueCLI(t *testing.T) {
	required := newCatalogueEnv(t, true)
	open := newCatalogueEnv(t, false)
	issue := func(t *testing.T, defaultStore, flag string) (int, string) {
		t.Helper()
		t.Setenv("BADGESMITH_STORE", defaultStore)
		out := filepath.Join(t.TempDir(), "c.json")
		code, stdout, errOut := runKeys(t, "", "issue", "--keyring", required.ring, "--key", "registrar", flag, testdata("achievement.json"),
			"--subject", testdata("subject.json"), "--out", out)
		if _, err := os.Stat(out); (err == nil) != (code == exitOK) {
			t.Errorf("exit %d, but the credential was written: %v", code, err == nil)
		}
		return code, stdout + errOut
	}
	cases := []struct {
		name, store, flag string
		code              int
		says              string
	}{
		{"required", required.store, "--achievement", exitInvalid, "the default store " + required.store},
		{"required, unmanaged", required.store, "--unmanaged-achievement", exitOK, ""},
		{"not required", open.store, "--achievement", exitOK, ""},
		{"no default store", filepath.Join(t.TempDir(), "none", "issued.db"), "--achievement", exitOK, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out := issue(t, tc.store, tc.flag)
			if code != tc.code || !strings.Contains(out, tc.says) {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, tc.code, tc.says, out)
			}
			if tc.code != exitOK && !strings.Contains(out, "--unmanaged-achievement") {
				t.Errorf("the refusal does not say what to do:\n%s", out)
			}
		})
	}
	if _, err := os.Stat(filepath.Dir(cases[3].store)); err == nil {
		t.Error("an issue without --store created the default store's directory")
	}
	t.Run("default store locked", func(t *testing.T) {
		db, err := bolt.Open(required.store, bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		code, out := issue(t, required.store, "--achievement")
		if code == exitOK || !strings.Contains(out, "--unmanaged-achievement") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		if code, out := issue(t, required.store, "--unmanaged-achievement"); code != exitOK {
			t.Errorf("--unmanaged-achievement needs no store: exit %d:\n%s", code, out)
		}
	})
}
