package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyExplain: verify --explain prints, for a JSON credential, a JWT
// and a baked image, the contexts with their hashes, the signed N-Quads,
// the hashes that were signed, the key and the differences; --json carries
// the same as an "explain" member; more than one file is a usage error.
func TestVerifyExplain(t *testing.T) {
	dir := t.TempDir()
	cred, ring := issueSample(t, dir)
	jwt := filepath.Join(dir, "cred.jwt")
	if code, _, errOut := runKeys(t, "", "issue", "--keyring", ring, "--key", "registrar", "--format", "jwt",
		"--issuer-profile", testdata("issuer.json"), "--achievement", testdata("achievement.json"),
		"--subject", testdata("subject.json"), "--out", jwt); code != exitOK {
		t.Fatalf("issue jwt: exit %d: %s", code, errOut)
	}
	pngPath, _ := writeBadges(t, dir)
	baked := filepath.Join(dir, "baked.png")
	if code, _, errOut := runKeys(t, "", "bake", "--image", pngPath, "--credential", cred, "--out", baked); code != exitOK {
		t.Fatalf("bake: exit %d: %s", code, errOut)
	}
	tests := []struct {
		name, file, format string
		want               []string
		notWant            []string
	}{
		{"json", cred, "json", []string{"proof options hash: ", "document hash: ", "https://www.w3.org/ns/credentials/v2: bundled", "matches the embedded copy"}, []string{"signing input"}},
		{"jwt", jwt, "jwt", []string{"signing input (header.payload) sha256: ", "credential is a JWT"}, []string{"proof options hash"}},
		{"baked png", baked, "png", []string{"proof options hash: "}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runKeys(t, "", "verify", "--explain", tc.file)
			if code != exitOK {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			for _, w := range append([]string{": VALID", "explain (" + tc.format + "):", "contexts (never fetched):",
				"canonical N-Quads of the signed statements:", "relationship assertionMethod, bound true"}, tc.want...) {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
			// Every N-Quads line printed is a statement.
			nq := out[strings.Index(out, "signed statements:\n")+len("signed statements:\n"):]
			lines := 0
			for _, l := range strings.Split(nq, "\n") {
				if !strings.HasPrefix(l, "      ") {
					break
				}
				lines++
				if !strings.HasSuffix(l, " .") {
					t.Errorf("N-Quads line %q", l)
				}
			}
			if lines < 5 {
				t.Errorf("%d N-Quads lines:\n%s", lines, out)
			}

			code, out, _ = runKeys(t, "", "verify", "--explain", "--json", tc.file)
			if code != exitOK {
				t.Fatalf("--json: exit %d\n%s", code, out)
			}
			var reports []struct {
				Valid   bool `json:"valid"`
				Explain *struct {
					Format   string `json:"format"`
					Contexts []struct {
						URL     string `json:"url"`
						Bundled bool   `json:"bundled"`
						Matches bool   `json:"matches"`
					} `json:"contexts"`
					Proof struct {
						NQuads           string `json:"nquads"`
						DocumentHash     string `json:"documentHash"`
						SigningInputHash string `json:"signingInputHash"`
					} `json:"proof"`
					Key struct {
						Bound bool `json:"bound"`
					} `json:"key"`
				} `json:"explain"`
			}
			if err := json.Unmarshal([]byte(out), &reports); err != nil {
				t.Fatalf("--json: %v\n%s", err, out)
			}
			if len(reports) != 1 || reports[0].Explain == nil {
				t.Fatalf("--json has no explain member:\n%s", out)
			}
			ex := reports[0].Explain
			if ex.Format != tc.format || len(ex.Contexts) == 0 || !ex.Contexts[0].Bundled || !ex.Contexts[0].Matches || ex.Proof.NQuads == "" || !ex.Key.Bound ||
				(ex.Proof.DocumentHash == "") == (ex.Proof.SigningInputHash == "") {
				t.Errorf("explain member %+v", ex)
			}
		})
	}
	t.Run("without --explain no explain member", func(t *testing.T) {
		_, out, _ := runKeys(t, "", "verify", "--json", cred)
		if strings.Contains(out, `"explain"`) {
			t.Errorf("--json without --explain has an explain member:\n%s", out)
		}
	})
	t.Run("more than one file", func(t *testing.T) {
		code, _, errOut := runKeys(t, "", "verify", "--explain", cred, jwt)
		if code != exitError || !strings.Contains(errOut, "--explain takes one credential") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("escaped", func(t *testing.T) {
		// A bidi control in a signed achievement name reaches the N-Quads
		// and is printed escaped, as every other field is.
		var ach map[string]any
		if err := json.Unmarshal(readFile(t, testdata("achievement.json")), &ach); err != nil {
			t.Fatal(err)
		}
		ach["name"] = "Badge \u202e evil"
		achPath := filepath.Join(dir, "bidi-achievement.json")
		b, _ := json.Marshal(ach)
		if err := os.WriteFile(achPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
		signed := filepath.Join(dir, "bidi.json")
		if code, _, errOut := runKeys(t, "", "issue", "--keyring", ring, "--key", "registrar",
			"--issuer-profile", testdata("issuer.json"), "--achievement", achPath,
			"--subject", testdata("subject.json"), "--out", signed); code != exitOK {
			t.Fatalf("issue: exit %d: %s", code, errOut)
		}
		code, out, _ := runKeys(t, "", "verify", "--explain", signed)
		if code != exitOK || !strings.Contains(out, "canonical N-Quads") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		if strings.ContainsRune(out, '\u202e') {
			t.Errorf("output carries a raw bidi control:\n%s", out)
		}
		if !strings.Contains(out, "the N-Quads") {
			t.Errorf("no bidi warning naming the N-Quads:\n%s", out)
		}
	})
}
