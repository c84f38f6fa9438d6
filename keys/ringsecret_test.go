package keys_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/keys"
)

// TestRingErrorsNeverEchoContent plants a key's secret in every member of
// its file (and as a member name): loading fails, and the error names the
// file and the member but never quotes the secret, nor any part of it.
func TestRingErrorsNeverEchoContent(t *testing.T) {
	// seedAs plants the Ed25519 seed, in the encoding enc, in member.
	seedAs := func(member string, enc func([]byte) string) func(m map[string]any, s string) {
		return func(m map[string]any, s string) {
			priv, err := keys.DecodeSecretMultikey(s)
			if err != nil {
				panic(err)
			}
			m[member] = enc(priv.(ed25519.PrivateKey).Seed())
		}
	}
	tests := []struct {
		name   string
		edit   func(m map[string]any, secret string) // nil: raw below
		raw    func(data []byte, secret string) []byte
		member string // named in the error, "" if none
		want   error
	}{
		{name: "secret as the name", edit: func(m map[string]any, s string) { m["name"] = s }, member: "name"},
		{name: "secret as the type", edit: func(m map[string]any, s string) { m["type"] = s }, member: "type", want: keys.ErrUnsupportedKey},
		{name: "secret as created", edit: func(m map[string]any, s string) { m["created"] = s }, member: "created", want: keys.ErrKeyFile},
		{name: "secret as retiredAt", edit: func(m map[string]any, s string) { m["status"] = "retired"; m["retiredAt"] = s }, member: "retiredAt", want: keys.ErrKeyFile},
		{name: "secret as the issuer", edit: func(m map[string]any, s string) { m["issuer"] = s }, member: "issuer", want: keys.ErrKeyFile},
		{name: "secret as the fragment", edit: func(m map[string]any, s string) { m["fragment"] = s }, member: "fragment", want: keys.ErrKeyFile},
		{name: "part of the secret as the issuer", edit: func(m map[string]any, s string) { m["issuer"] = s[5:25] }, member: "issuer", want: keys.ErrKeyFile},
		{name: "too long a secret as the issuer", edit: func(m map[string]any, s string) { m["issuer"] = s + s }, member: "issuer"},
		{name: "hex seed as the issuer", edit: seedAs("issuer", hex.EncodeToString), member: "issuer", want: keys.ErrKeyFile},
		{name: "jwk d as the fragment", edit: seedAs("fragment", base64.RawURLEncoding.EncodeToString), member: "fragment", want: keys.ErrKeyFile},
		{name: "secret as the status", edit: func(m map[string]any, s string) { m["status"] = s }, member: "status"},
		{name: "secret as the public key", edit: func(m map[string]any, s string) { m["publicKeyMultibase"] = s }, member: "publicKeyMultibase"},
		{name: "secret with a typo as the public key", edit: func(m map[string]any, s string) { m["publicKeyMultibase"] = s[:len(s)-1] + "0" }, member: "publicKeyMultibase"},
		{name: "secret as a pem", edit: func(m map[string]any, s string) { m["privateKeyPem"] = s }, member: "privateKeyPem"},
		{name: "secret as an unknown member", edit: func(m map[string]any, s string) { m["backup"] = s }, want: keys.ErrKeyFile},
		{name: "secret as a member name", edit: func(m map[string]any, s string) { m[s] = 1 }, want: keys.ErrKeyFile},
		{name: "secret as a number's place", edit: func(m map[string]any, s string) { m["name"] = map[string]any{"v": s} }, member: "name", want: keys.ErrKeyFile},
		{name: "secret in a repeated member", raw: func(data []byte, s string) []byte {
			return []byte(strings.Replace(string(data), "{", `{"name":"`+s+`",`, 1))
		}, want: keys.ErrKeyFile},
		{name: "secret after broken JSON", raw: func(data []byte, s string) []byte {
			return []byte(`{"name": ` + s + `}`)
		}, want: keys.ErrKeyFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := keys.OpenRing(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			e, err := r.Generate("k", keys.Ed25519)
			if err != nil {
				t.Fatal(err)
			}
			secret, err := keys.EncodeSecretMultikey(e.KeyPair.Private)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(r.Dir(), "k.json")
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				var m map[string]any
				if err := json.Unmarshal(data, &m); err != nil {
					t.Fatal(err)
				}
				tt.edit(m, secret)
				data, _ = json.Marshal(m)
			} else {
				data = tt.raw(data, secret)
			}
			if err := os.WriteFile(p, data, 0o600); err != nil {
				t.Fatal(err)
			}
			for op, call := range map[string]func() error{
				"Get":  func() error { _, err := r.Get("k"); return err },
				"List": func() error { _, err := r.List(); return err },
			} {
				err := call()
				if err == nil {
					t.Fatalf("%s accepted the file", op)
				}
				msg := err.Error()
				if leaks(msg, secret) {
					t.Fatalf("%s error echoes the secret: %s", op, msg)
				}
				if !strings.Contains(msg, p) {
					t.Errorf("%s error %q does not name the file", op, msg)
				}
				if tt.member != "" && !strings.Contains(msg, tt.member) {
					t.Errorf("%s error %q does not name the member %s", op, msg, tt.member)
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("%s error %v, want %v", op, err, tt.want)
				}
			}
		})
	}
}

// leaks reports whether msg holds any 8 consecutive characters of secret
// (after its multibase 'z'), or of the seed in hex or base64url.
func leaks(msg, secret string) bool {
	priv, err := keys.DecodeSecretMultikey(secret)
	if err != nil {
		panic(err)
	}
	seed := priv.(ed25519.PrivateKey).Seed()
	for _, s := range []string{secret[1:], hex.EncodeToString(seed), base64.RawURLEncoding.EncodeToString(seed)} {
		for i := 0; i+8 <= len(s); i++ {
			if strings.Contains(msg, s[i:i+8]) {
				return true
			}
		}
	}
	return false
}

// FuzzRingLoad: loading any key file never panics, and an error never
// quotes a string the file holds (12 characters or more, with a digit: any
// could be the secret).
func FuzzRingLoad(f *testing.F) {
	r, err := keys.OpenRing(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	if _, err := r.Generate("seed", keys.Ed25519); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(r.Dir(), "seed.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(strings.Replace(string(good), `"name": "seed"`, `"name": "z3u2MsCYYPNQNyoyVJ2vaoWn4RTWnQ8KEwABp1mbV7ECGcFo"`, 1)))
	f.Add([]byte(`{"name":"k","created":"z3u2MsCYYPNQNyoyVJ2vaoWn4RTWnQ8KEwABp1mbV7ECGcFo"}`))
	f.Add([]byte(`{"z3u2MsCYYPNQNyoyVJ2vaoWn4RTWnQ8KEwABp1mbV7ECGcFo":1}`))
	f.Add([]byte(`{"name":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		ring, err := keys.OpenRing(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "k.json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = ring.Get("k")
		if err == nil {
			return
		}
		msg := strings.ReplaceAll(err.Error(), filepath.Join(dir, "k.json"), "")
		for _, s := range stringsIn(data) {
			// Letters only: a word of the message (a member name), never an
			// encoded key, which has digits.
			if len(s) >= 12 && strings.ContainsAny(s, "0123456789") && strings.Contains(msg, s) {
				t.Fatalf("error quotes %q from the file: %s", s, msg)
			}
		}
	})
}

// stringsIn returns every string (member names and values) in the JSON
// text data, as far as it decodes.
func stringsIn(data []byte) []string {
	var out []string
	dec := json.NewDecoder(strings.NewReader(string(data)))
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		if s, ok := tok.(string); ok {
			out = append(out, s)
		}
	}
}
