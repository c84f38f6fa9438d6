package keys_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/badgesmith/badgesmith/keys"
)

func TestOpenRingCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "keys")
	r, err := keys.OpenRing(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Dir() != dir {
		t.Errorf("Dir() = %s, want %s", r.Dir(), dir)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Errorf("mode = %#o, want 0700", fi.Mode().Perm())
	}
}

func TestOpenRingTightensOpenDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX permissions")
	}
	for _, mode := range []os.FileMode{0o700, 0o750, 0o705, 0o777} {
		t.Run(mode.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "keys")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, mode); err != nil {
				t.Fatal(err)
			}
			if _, err := keys.OpenRing(dir); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o700 {
				t.Errorf("mode after OpenRing = %#o, want 0700", fi.Mode().Perm())
			}
		})
	}
}

func TestOpenRingNotADir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.OpenRing(p); err == nil {
		t.Fatal("OpenRing on a file succeeded")
	}
}

func TestRingGenerateGetList(t *testing.T) {
	r, err := keys.OpenRing(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"issuer", "a.b_c-1", "Z"}
	made := map[string]*keys.Entry{}
	for _, n := range names {
		e, err := r.Generate(n, keys.Ed25519)
		if err != nil {
			t.Fatalf("Generate(%s): %v", n, err)
		}
		made[n] = e
	}
	for _, n := range names {
		got, err := r.Get(n)
		if err != nil {
			t.Fatalf("Get(%s): %v", n, err)
		}
		want := made[n]
		if !want.KeyPair.Private.(ed25519.PrivateKey).Equal(got.KeyPair.Private) ||
			!want.KeyPair.Public.(ed25519.PublicKey).Equal(got.KeyPair.Public) {
			t.Errorf("Get(%s) returned other keys", n)
		}
		if !got.Created.Equal(want.Created) || got.Created.IsZero() {
			t.Errorf("Get(%s).Created = %v, want %v", n, got.Created, want.Created)
		}
		if got.KeyPair.Type != keys.Ed25519 {
			t.Errorf("Get(%s).Type = %q", n, got.KeyPair.Type)
		}
		fi, err := os.Stat(filepath.Join(r.Dir(), n+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %#o, want 0600", n, fi.Mode().Perm())
		}
	}
	list, err := r.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Name)
	}
	if want := "Z a.b_c-1 issuer"; strings.Join(got, " ") != want {
		t.Errorf("List names = %q, want %q", strings.Join(got, " "), want)
	}
	leftovers, _ := filepath.Glob(filepath.Join(r.Dir(), ".*.tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestRingFileFormat(t *testing.T) {
	r, err := keys.OpenRing(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(mustHex(t, "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"))
	kp, err := keys.FromPrivate(priv)
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.Add("ob", kp)
	if err != nil {
		t.Fatal(err)
	}
	const pub = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	if got, want := e.DID(), "did:key:"+pub; got != want {
		t.Errorf("DID() = %s, want %s", got, want)
	}
	if got, want := e.VerificationMethod(), "did:key:"+pub+"#"+pub; got != want {
		t.Errorf("VerificationMethod() = %s, want %s", got, want)
	}
	data, err := os.ReadFile(filepath.Join(r.Dir(), "ob.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name":               "ob",
		"type":               "Ed25519",
		"publicKeyMultibase": pub,
		"secretKeyMultibase": "z3u2XqMnz4u2o6Wu7kJhQyzVd5Qw9d3ffREwtjHsHdyEkM3R",
	}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("file %s = %v, want %v", k, f[k], v)
		}
	}
	if _, ok := f["created"].(string); !ok || len(f) != 5 {
		t.Errorf("file fields = %v", f)
	}
}

func TestRingErrors(t *testing.T) {
	r, err := keys.OpenRing(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Generate("taken", keys.Ed25519); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		op   func() error
		want error
	}{
		{"duplicate", gen(r, "taken"), keys.ErrExists},
		{"missing", get(r, "nope"), keys.ErrNotFound},
		{"empty name", gen(r, ""), keys.ErrInvalidName},
		{"dot", get(r, "."), keys.ErrInvalidName},
		{"dot dot", gen(r, ".."), keys.ErrInvalidName},
		{"traversal", get(r, "../etc/passwd"), keys.ErrInvalidName},
		{"slash", gen(r, "a/b"), keys.ErrInvalidName},
		{"backslash", gen(r, `a\b`), keys.ErrInvalidName},
		{"hidden", gen(r, ".hidden"), keys.ErrInvalidName},
		{"space", gen(r, "a b"), keys.ErrInvalidName},
		{"non-ascii", gen(r, "clé"), keys.ErrInvalidName},
		{"too long", gen(r, strings.Repeat("a", 65)), keys.ErrInvalidName},
		{"longest", gen(r, strings.Repeat("a", 64)), nil},
		{"unsupported type", func() error { _, err := r.Generate("rsa", "RSA"); return err }, keys.ErrUnsupportedKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op(); !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
}

func gen(r *keys.Ring, name string) func() error {
	return func() error { _, err := r.Generate(name, keys.Ed25519); return err }
}

func get(r *keys.Ring, name string) func() error {
	return func() error { _, err := r.Get(name); return err }
}

func TestRingConcurrentGenerateSameName(t *testing.T) {
	r, err := keys.OpenRing(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = r.Generate("same", keys.Ed25519) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, keys.ErrExists):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d generations succeeded, want 1", ok)
	}
}

// TestRingRejectsTamperedFiles edits key files by hand and expects Get to
// refuse them rather than hand out a key that does not match its record.
func TestRingRejectsTamperedFiles(t *testing.T) {
	other := "z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"
	tests := []struct {
		name   string
		edit   func(m map[string]any)
		mode   os.FileMode
		want   error
		anyErr bool
	}{
		{name: "public key of another seed", edit: func(m map[string]any) { m["publicKeyMultibase"] = other }, want: keys.ErrKeyMismatch},
		{name: "unknown type", edit: func(m map[string]any) { m["type"] = "RSA" }, want: keys.ErrUnsupportedKey},
		{name: "bad secret", edit: func(m map[string]any) { m["secretKeyMultibase"] = "zzz" }, anyErr: true},
		{name: "other name", edit: func(m map[string]any) { m["name"] = "x" }, anyErr: true},
		{name: "unknown field", edit: func(m map[string]any) { m["extra"] = 1 }, anyErr: true},
		{name: "readable by group", mode: 0o640, want: keys.ErrInsecure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.mode != 0 && runtime.GOOS == "windows" {
				t.Skip("no POSIX permissions")
			}
			r, err := keys.OpenRing(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Generate("k", keys.Ed25519); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(r.Dir(), "k.json")
			if tc.edit != nil {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				var m map[string]any
				if err := json.Unmarshal(data, &m); err != nil {
					t.Fatal(err)
				}
				tc.edit(m)
				data, _ = json.Marshal(m)
				if err := os.WriteFile(p, data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if tc.mode != 0 {
				if err := os.Chmod(p, tc.mode); err != nil {
					t.Fatal(err)
				}
			}
			_, err = r.Get("k")
			if err == nil {
				t.Fatal("Get succeeded")
			}
			if !tc.anyErr && !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file", err)
			}
			if _, err := r.List(); err == nil {
				t.Error("List succeeded over a bad file")
			}
		})
	}
}
