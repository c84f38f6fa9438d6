package main

import (
	"strings"
	"testing"
)

// TestVerifyLimitFlags: each limit flag reaches the verifier (a credential
// that passes at the defaults cannot be checked under a tight bound), and
// a bound that is not positive is a usage error.
func TestVerifyLimitFlags(t *testing.T) {
	cred, _ := issueSample(t, t.TempDir())
	if code, out, errOut := runKeys(t, "", "verify", cred); code != exitOK {
		t.Fatalf("at the defaults: exit %d\n%s%s", code, out, errOut)
	}
	tight := []struct {
		flag, value, reason string
	}{
		{"--max-quads", "5", "MaxQuads"},
		{"--max-values-per-property", "1", "MaxValuesPerProperty"},
	}
	for _, tc := range tight {
		t.Run(tc.flag, func(t *testing.T) {
			code, out, errOut := runKeys(t, "", "verify", tc.flag, tc.value, cred)
			if code != exitError {
				t.Fatalf("exit %d, want %d (could not check)\n%s%s", code, exitError, out, errOut)
			}
			if !strings.Contains(out, tc.reason) {
				t.Errorf("report does not name the bound %s:\n%s", tc.reason, out)
			}
		})
	}
	for _, flag := range []string{"--deadline", "--max-quads", "--max-hash-calls", "--max-values-per-property",
		"--max-proofs", "--max-status-entries", "--max-inflated-bytes", "--max-fetches"} {
		t.Run(flag+" not positive", func(t *testing.T) {
			value := "0"
			if flag == "--deadline" {
				value = "0s"
			}
			code, _, errOut := runKeys(t, "", "verify", flag, value, cred)
			if code != exitError || !strings.Contains(errOut, flag+" must be positive") {
				t.Fatalf("exit %d, stderr %q; want a usage error naming %s", code, errOut, flag)
			}
		})
	}
}
