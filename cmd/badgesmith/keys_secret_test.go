package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeysShowNeverEchoesKeyFile: with the secret planted in another member
// of a key file, no command prints it, on either stream.
func TestKeysShowNeverEchoesKeyFile(t *testing.T) {
	for _, member := range []string{"created", "issuer", "fragment", "publicKeyMultibase", "type", "status", "name", "unknownMember"} {
		t.Run(member, func(t *testing.T) {
			ring := filepath.Join(t.TempDir(), "keys")
			if code, _, errOut := runKeys(t, "", "keys", "generate", "registrar", "--keyring", ring); code != exitOK {
				t.Fatalf("generate: exit %d: %s", code, errOut)
			}
			p := filepath.Join(ring, "registrar.json")
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			secret := m["secretKeyMultibase"].(string)
			m[member] = secret
			data, _ = json.Marshal(m)
			if err := os.WriteFile(p, data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"keys", "show", "registrar"},
				{"keys", "show", "registrar", "--json"},
				{"keys", "list"},
				{"keys", "export", "registrar", "--public"},
				{"issue", "--key", "registrar", "--achievement", testdata("achievement.json"), "--subject", testdata("subject.json"), "--out", filepath.Join(t.TempDir(), "c.json")},
			} {
				args = append(args, "--keyring", ring)
				code, out, errOut := runKeys(t, "", args...)
				if code == exitOK {
					t.Errorf("%v accepted the corrupt key file", args)
				}
				if strings.Contains(out+errOut, secret[1:20]) {
					t.Errorf("%v echoed the secret:\n%s%s", args, out, errOut)
				}
				if !strings.Contains(errOut, p) {
					t.Errorf("%v: error does not name the file: %s", args, errOut)
				}
			}
		})
	}
}
