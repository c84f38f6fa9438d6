package keys_test

import (
	"crypto"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/badgesmith/badgesmith/keys"
)

func openRing(t *testing.T) *keys.Ring {
	t.Helper()
	r, err := keys.OpenRing(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func names(es []keys.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name+":"+string(e.Status))
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRotate(t *testing.T) {
	r := openRing(t)
	first, err := r.Generate("reg", keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	if first.Issuer != "reg" || first.Fragment != "reg" || first.Status != keys.StatusActive {
		t.Errorf("new key = %+v", first)
	}
	second, err := r.Rotate("reg", "")
	if err != nil {
		t.Fatal(err)
	}
	if second.Name != "reg-2" || second.Issuer != "reg" || second.Fragment != "reg-2" || second.KeyPair.Type != keys.Ed25519 {
		t.Errorf("rotated key = %+v", second)
	}
	// Rotating by the name of any key of the group works, and may change
	// the key type.
	third, err := r.Rotate("reg-2", keys.P256)
	if err != nil {
		t.Fatal(err)
	}
	if third.Name != "reg-3" || third.KeyPair.Type != keys.P256 {
		t.Errorf("rotated key = %+v", third)
	}
	g, err := r.Group("reg")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"reg:retired", "reg-2:retired", "reg-3:active"}; !equalStrings(names(g), want) {
		t.Errorf("Group = %v, want %v", names(g), want)
	}
	for _, e := range g[:2] {
		if e.RetiredAt.IsZero() || e.RetiredAt.Before(e.Created) {
			t.Errorf("%s: RetiredAt %v, Created %v", e.Name, e.RetiredAt, e.Created)
		}
	}
	if !g[0].KeyPair.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(first.KeyPair.Public) {
		t.Error("the retired key changed")
	}
	act, err := r.Active("reg")
	if err != nil || act.Name != "reg-3" {
		t.Errorf("Active = %v, %v", act, err)
	}
	// Retired keys stay readable by name.
	if e, err := r.Get("reg"); err != nil || e.Status != keys.StatusRetired {
		t.Errorf("Get(reg) = %+v, %v", e, err)
	}
	data, err := os.ReadFile(filepath.Join(r.Dir(), "reg.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f["status"] != "retired" || f["retiredAt"] == nil || f["issuer"] != nil {
		t.Errorf("retired file = %s", data)
	}
	data, _ = os.ReadFile(filepath.Join(r.Dir(), "reg-3.json"))
	f = nil
	_ = json.Unmarshal(data, &f)
	if f["issuer"] != "reg" || f["status"] != nil || f["type"] != "P-256" {
		t.Errorf("rotated file = %s", data)
	}
}

func TestRotateErrors(t *testing.T) {
	r := openRing(t)
	if _, err := r.Rotate("nobody", ""); !errors.Is(err, keys.ErrNotFound) {
		t.Errorf("Rotate(unknown) error = %v", err)
	}
	if _, err := r.Rotate("../x", ""); !errors.Is(err, keys.ErrInvalidName) {
		t.Errorf("Rotate(bad name) error = %v", err)
	}
	if _, err := r.Generate("reg", keys.Ed25519); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Rotate("reg", "DSA"); !errors.Is(err, keys.ErrUnsupportedKey) {
		t.Errorf("Rotate(bad type) error = %v", err)
	}
	if g, _ := r.Group("reg"); len(g) != 1 {
		t.Errorf("a failed rotation changed the group: %v", names(g))
	}
	if _, err := r.Active("nobody"); !errors.Is(err, keys.ErrNotFound) {
		t.Errorf("Active(unknown) error = %v", err)
	}
}

func TestAddWith(t *testing.T) {
	r := openRing(t)
	kp := func() *keys.KeyPair {
		k, err := keys.Generate(keys.Ed25519, nil)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	// An issuer whose keys are all retired has no active key.
	if _, err := r.AddWith("old", kp(), keys.AddOptions{Issuer: "uni", Fragment: "key-1", Retired: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Active("uni"); !errors.Is(err, keys.ErrNoActiveKey) {
		t.Errorf("Active error = %v, want ErrNoActiveKey", err)
	}
	if _, err := r.AddWith("new", kp(), keys.AddOptions{Issuer: "uni", Fragment: "key-2"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  string
		opts keys.AddOptions
		want error
	}{
		{"second active key", "other", keys.AddOptions{Issuer: "uni", Fragment: "key-3"}, keys.ErrExists},
		{"fragment taken", "other", keys.AddOptions{Issuer: "uni", Fragment: "key-1", Retired: true}, keys.ErrExists},
		{"bad issuer", "other", keys.AddOptions{Issuer: "a/b"}, keys.ErrInvalidName},
		{"bad fragment", "other", keys.AddOptions{Fragment: "#x"}, keys.ErrInvalidName},
		{"name taken", "new", keys.AddOptions{Issuer: "elsewhere"}, keys.ErrExists},
		{"retired import", "older", keys.AddOptions{Issuer: "uni", Fragment: "key-0", Retired: true}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.AddWith(tc.key, kp(), tc.opts)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
	act, err := r.Active("uni")
	if err != nil || act.Name != "new" || act.Fragment != "key-2" {
		t.Errorf("Active = %+v, %v", act, err)
	}
	// Rotating a group whose keys have other names numbers from 2.
	e, err := r.Rotate("uni", "")
	if err != nil || e.Name != "uni-2" {
		t.Fatalf("Rotate = %+v, %v", e, err)
	}
	if act, _ := r.Active("uni"); act == nil || act.Name != "uni-2" {
		t.Errorf("Active after rotation = %+v", act)
	}
}

// TestRotateInterrupted rebuilds the state a crash between writing the new
// key and retiring the old one leaves: two active keys. Active must pick the
// new one and the next rotation must retire both.
func TestRotateInterrupted(t *testing.T) {
	r := openRing(t)
	if _, err := r.Generate("reg", keys.Ed25519); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(r.Dir(), "reg.json")
	before, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Rotate("reg", ""); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, before, 0o600); err != nil {
		t.Fatal(err)
	}
	g, _ := r.Group("reg")
	if want := []string{"reg:active", "reg-2:active"}; !equalStrings(names(g), want) {
		t.Fatalf("Group = %v, want %v", names(g), want)
	}
	if act, err := r.Active("reg"); err != nil || act.Name != "reg-2" {
		t.Errorf("Active = %+v, %v", act, err)
	}
	if _, err := r.Rotate("reg", ""); err != nil {
		t.Fatal(err)
	}
	g, _ = r.Group("reg")
	if want := []string{"reg:retired", "reg-2:retired", "reg-3:active"}; !equalStrings(names(g), want) {
		t.Errorf("Group = %v, want %v", names(g), want)
	}
}

func TestRotateConcurrent(t *testing.T) {
	r := openRing(t)
	if _, err := r.Generate("reg", keys.Ed25519); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = r.Rotate("reg", "") })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	g, err := r.Group("reg")
	if err != nil {
		t.Fatal(err)
	}
	if len(g) != n+1 {
		t.Fatalf("group has %d keys, want %d: %v", len(g), n+1, names(g))
	}
	active := 0
	for _, e := range g {
		if e.Status == keys.StatusActive {
			active++
		}
	}
	if active != 1 || g[n].Status != keys.StatusActive || g[n].Name != "reg-9" {
		t.Errorf("after concurrent rotations: %v", names(g))
	}
}

// TestRingLegacyFile loads a key file in the format written before keys had
// groups: it is the active Ed25519 key of its own group.
func TestRingLegacyFile(t *testing.T) {
	r := openRing(t)
	const legacy = `{
  "name": "ob",
  "type": "Ed25519",
  "created": "2025-01-02T03:04:05Z",
  "publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
  "secretKeyMultibase": "z3u2XqMnz4u2o6Wu7kJhQyzVd5Qw9d3ffREwtjHsHdyEkM3R"
}
`
	if err := os.WriteFile(filepath.Join(r.Dir(), "ob.json"), []byte(legacy), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := r.Active("ob")
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != "ob" || e.Issuer != "ob" || e.Fragment != "ob" || e.Status != keys.StatusActive ||
		e.KeyPair.Type != keys.Ed25519 || !e.RetiredAt.IsZero() {
		t.Errorf("legacy entry = %+v", e)
	}
	if e.DID() != "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi" {
		t.Errorf("DID = %s", e.DID())
	}
}

func TestRingKeyTypes(t *testing.T) {
	r := openRing(t)
	for _, typ := range []keys.Type{keys.P256, keys.RSA2048} {
		e, err := r.Generate("k-"+string(typ), typ)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Get(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if got.KeyPair.Type != typ || !got.KeyPair.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(e.KeyPair.Public) {
			t.Errorf("%s: stored key differs", typ)
		}
		if typ == keys.P256 && (len(e.DID()) < 12 || e.DID()[:11] != "did:key:zDn") {
			t.Errorf("P-256 DID = %q", e.DID())
		}
		if typ == keys.RSA2048 && e.DID() != "" {
			t.Errorf("RSA DID = %q, want none (RSA has no did:key here)", e.DID())
		}
	}
	// A type label that does not fit the stored key is refused.
	p := filepath.Join(r.Dir(), "k-RSA-2048.json")
	data, _ := os.ReadFile(p)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	if m["privateKeyPem"] == nil || m["secretKeyMultibase"] != nil {
		t.Fatalf("RSA key file = %s", data)
	}
	m["type"] = "RSA-3072"
	data, _ = json.Marshal(m)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Get("k-RSA-2048"); !errors.Is(err, keys.ErrKeyMismatch) {
		t.Errorf("relabelled RSA key: error = %v", err)
	}
}
