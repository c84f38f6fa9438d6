package testkit_test

import (
	"context"
	"crypto"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
)

// The fetcher has the shape both signature packages ask for.
var (
	_ proof.KeyFetcher = (*testkit.Fetcher)(nil)
	_ vcjwt.KeyFetcher = (*testkit.Fetcher)(nil)
	_ proof.KeyFetcher = testkit.Unreachable{}
	_ vcjwt.KeyFetcher = testkit.Unreachable{}
)

// Ed25519 gives, for each seed byte, the key the tests' counting readers
// gave, so moving a test to testkit keeps its keys and golden files.
func TestEd25519MatchesCountingReader(t *testing.T) {
	for _, b := range []byte{0, 1, 7, 9, 200, 255} {
		old, err := keys.Generate(keys.Ed25519, testkit.NewCounter(b))
		if err != nil {
			t.Fatal(err)
		}
		k := testkit.Ed25519(t, b)
		if !keysEqual(k.Ed25519Private(t), old.Private) {
			t.Errorf("seed %d: key differs from keys.Generate over a counting reader", b)
		}
		first := make([]byte, 40)
		if _, err := testkit.NewCounter(b).Read(first); err != nil || !slices.Equal(first[:32], testkit.Seed(b)) || first[39] != b+39 {
			t.Errorf("seed %d: counter reads %v, %v", b, first, err)
		}
	}
}

func keysEqual(a, b crypto.PrivateKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PrivateKey) bool })
	return ok && ea.Equal(b)
}

// Every key is deterministic, distinct per seed, and its DID, Multikey and
// verification method agree with did and keys.
func TestKeysAreDeterministicAndSelfConsistent(t *testing.T) {
	tests := []struct {
		name   string
		make   func(testing.TB, byte) testkit.Key
		typ    keys.Type
		prefix string
	}{
		{"ed25519", testkit.Ed25519, keys.Ed25519, "did:key:z6Mk"},
		{"p256", testkit.P256, keys.P256, "did:key:zDn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]byte{}
			for _, b := range []byte{0, 1, 2, 7, 128, 255} {
				k, again := tc.make(t, b), tc.make(t, b)
				if !keysEqual(k.Private, again.Private) || k.DID != again.DID {
					t.Fatalf("seed %d: two calls gave different keys", b)
				}
				if prev, dup := seen[k.DID]; dup {
					t.Errorf("seeds %d and %d give the same key %s", prev, b, k.DID)
				}
				seen[k.DID] = b
				if k.Type != tc.typ || !strings.HasPrefix(k.DID, tc.prefix) {
					t.Errorf("seed %d: type %s, DID %s; want %s, %s…", b, k.Type, k.DID, tc.typ, tc.prefix)
				}
				pub, err := did.ParseKey(k.DID)
				if err != nil {
					t.Fatal(err)
				}
				if !pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public) {
					t.Errorf("seed %d: DID %s does not hold the public key", b, k.DID)
				}
				if k.VM != k.DID+"#"+k.Multikey || "did:key:"+k.Multikey != k.DID {
					t.Errorf("seed %d: VM %s, Multikey %s do not match DID %s", b, k.VM, k.Multikey, k.DID)
				}
				sec, err := keys.DecodeSecretMultikey(k.SecretMultikey)
				if err != nil || !keysEqual(k.Private, sec) {
					t.Errorf("seed %d: secret Multikey does not decode to the private key: %v", b, err)
				}
			}
		})
	}
}

// The fetcher answers for the methods it was given and nothing else, not
// even another method of the same issuer, and records every question.
func TestFetcherAnswersOnlyGivenMethods(t *testing.T) {
	k, other := testkit.Ed25519(t, 1), testkit.Ed25519(t, 2)
	f := testkit.NewFetcher(t, k.DID, k.Method(), testkit.Method{ID: k.DID + "#second", Key: other.Public})
	ctx := context.Background()
	tests := []struct {
		vm   string
		want crypto.PublicKey
	}{
		{k.VM, k.Public},
		{k.DID + "#second", other.Public},
		{k.DID + "#" + other.Multikey, nil},
		{other.VM, nil},
		{k.DID, nil},
		{"", nil},
	}
	for _, tc := range tests {
		got, err := f.PublicKey(ctx, tc.vm, "assertionMethod")
		if tc.want == nil {
			if !errors.Is(err, testkit.ErrUnknownMethod) || got != nil {
				t.Errorf("PublicKey(%q) = %v, %v; want ErrUnknownMethod", tc.vm, got, err)
			}
			continue
		}
		if err != nil || !tc.want.(interface{ Equal(crypto.PublicKey) bool }).Equal(got) {
			t.Errorf("PublicKey(%q) = %v, %v; want the given key", tc.vm, got, err)
		}
	}
	if _, err := f.PublicKey(ctx, k.VM, "authentication"); !errors.Is(err, testkit.ErrPurpose) {
		t.Errorf("PublicKey(%q, authentication) = %v, want ErrPurpose", k.VM, err)
	}
	auth := testkit.NewFetcher(t, k.DID, testkit.Method{ID: k.VM, Key: k.Public, Purposes: []string{"authentication"}})
	if _, err := auth.PublicKey(ctx, k.VM, "authentication"); err != nil {
		t.Errorf("PublicKey(%q, authentication) with that purpose given: %v", k.VM, err)
	}
	if _, err := auth.PublicKey(ctx, k.VM, testkit.AssertionMethod); !errors.Is(err, testkit.ErrPurpose) {
		t.Errorf("PublicKey(%q, assertionMethod) with only authentication given = %v, want ErrPurpose", k.VM, err)
	}
	if calls := f.Calls(); len(calls) != len(tests)+1 || calls[0] != (testkit.Call{Method: k.VM, Purpose: "assertionMethod"}) {
		t.Errorf("Calls() = %v, want %d calls starting with %s", calls, len(tests)+1, k.VM)
	}
	if f.Issuer() != k.DID {
		t.Errorf("Issuer() = %s, want %s", f.Issuer(), k.DID)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := k.Fetcher(t).PublicKey(canceled, k.VM, "assertionMethod"); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
}

// recorder is a testing.TB that records failures, ending the goroutine on
// Fatal as testing does.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, format)
}

func (r *recorder) Fatal(args ...any) { r.Errorf("fatal"); runtime.Goexit() }

func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); runtime.Goexit() }

// run calls fn with a recorder and returns the failures it recorded.
func run(t *testing.T, fn func(testing.TB)) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r.failed
}

// A fetcher cannot be built for methods outside its issuer.
func TestNewFetcherRefusesForeignMethods(t *testing.T) {
	k, other := testkit.Ed25519(t, 1), testkit.Ed25519(t, 2)
	tests := []struct {
		name    string
		issuer  string
		methods []testkit.Method
		ok      bool
	}{
		{"own method", k.DID, []testkit.Method{k.Method()}, true},
		{"no methods", k.DID, nil, true},
		{"other issuer's method", k.DID, []testkit.Method{other.Method()}, false},
		{"issuer prefix only", "did:key:z6Mk", []testkit.Method{k.Method()}, false},
		{"bare issuer id", k.DID, []testkit.Method{{ID: k.DID, Key: k.Public}}, false},
		{"empty fragment", k.DID, []testkit.Method{{ID: k.DID + "#", Key: k.Public}}, false},
		{"no key", k.DID, []testkit.Method{{ID: k.VM}}, false},
		{"twice", k.DID, []testkit.Method{k.Method(), k.Method()}, false},
		{"empty issuer", "", []testkit.Method{k.Method()}, false},
	}
	for _, tc := range tests {
		failed := run(t, func(tb testing.TB) { testkit.NewFetcher(tb, tc.issuer, tc.methods...) })
		if ok := len(failed) == 0; ok != tc.ok {
			t.Errorf("%s: NewFetcher succeeded = %v, want %v (%v)", tc.name, ok, tc.ok, failed)
		}
	}
}

// Golden passes on equal bytes, fails on any difference or a missing file,
// and with -update rewrites the file instead.
func TestGolden(t *testing.T) {
	was := flag.Lookup("update").Value.String()
	t.Cleanup(func() { _ = flag.Set("update", was) })
	if err := flag.Set("update", "false"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "out.golden")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		got  string
		ok   bool
	}{
		{"same", path, "a\nb\n", true},
		{"changed line", path, "a\nc\n", false},
		{"missing newline", path, "a\nb", false},
		{"longer", path, "a\nb\nc\n", false},
		{"missing file", filepath.Join(dir, "none.golden"), "a\nb\n", false},
	}
	for _, tc := range tests {
		failed := run(t, func(tb testing.TB) { testkit.Golden(tb, tc.path, []byte(tc.got)) })
		if ok := len(failed) == 0; ok != tc.ok {
			t.Errorf("%s: Golden passed = %v, want %v (%v)", tc.name, ok, tc.ok, failed)
		}
	}
	if err := flag.Set("update", "true"); err != nil {
		t.Fatal(err)
	}
	if !testkit.Update() {
		t.Fatal("Update() is false after -update=true")
	}
	newPath := filepath.Join(dir, "sub", "new.golden")
	if failed := run(t, func(tb testing.TB) { testkit.Golden(tb, newPath, []byte("x\n")) }); len(failed) != 0 {
		t.Fatalf("Golden with -update: %v", failed)
	}
	if b, err := os.ReadFile(newPath); err != nil || string(b) != "x\n" {
		t.Errorf("-update wrote %q, %v; want %q", b, err, "x\n")
	}
	jsonPath := filepath.Join(dir, "v.golden.json")
	if got := testkit.GoldenJSON(t, jsonPath, map[string]any{"a": 1}); string(got) != "{\n  \"a\": 1\n}\n" {
		t.Errorf("GoldenJSON with -update wrote %q", got)
	}
	if err := flag.Set("update", "false"); err != nil {
		t.Fatal(err)
	}
	if failed := run(t, func(tb testing.TB) { testkit.GoldenJSON(tb, jsonPath, map[string]any{"a": 2}) }); len(failed) == 0 {
		t.Error("GoldenJSON passed a changed value")
	}
}

// RSA keys are deterministic, 2048 bits, valid, and distinct per seed.
func TestRSAIsDeterministic(t *testing.T) {
	a, again, other := testkit.RSA(t, 1), testkit.RSA(t, 1), testkit.RSA(t, 2)
	if !keysEqual(a.Private, again.Private) {
		t.Error("two calls with seed 1 gave different keys")
	}
	if keysEqual(a.Private, other.Private) {
		t.Error("seeds 1 and 2 gave the same key")
	}
	if a.Type != keys.RSA2048 || a.DID != "" || a.VM != "" {
		t.Errorf("type %s, DID %q, VM %q; want %s and no did:key", a.Type, a.DID, a.VM, keys.RSA2048)
	}
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.RSA2048} {
		if k := testkit.Of(t, typ, 3); k.Type != typ {
			t.Errorf("Of(%s) gave a %s key", typ, k.Type)
		}
	}
}

// The OB test vector key is the one the spec names.
func TestOBVector(t *testing.T) {
	if k := testkit.OBVector(t); k.Multikey != "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi" {
		t.Errorf("Multikey %s", k.Multikey)
	}
}

// ReadJSON reads an object and fails on a missing file or another value.
func TestReadJSON(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	obj, arr := write("obj.json", `{"a":[1]}`), write("arr.json", `[1]`)
	var got map[string]any
	if failed := run(t, func(tb testing.TB) { got = testkit.ReadJSON(tb, obj) }); len(failed) != 0 || len(got["a"].([]any)) != 1 {
		t.Errorf("ReadJSON(object) = %v, failures %v", got, failed)
	}
	for _, p := range []string{arr, filepath.Join(dir, "none.json")} {
		if failed := run(t, func(tb testing.TB) { testkit.ReadJSON(tb, p) }); len(failed) == 0 {
			t.Errorf("ReadJSON(%s) succeeded", filepath.Base(p))
		}
	}
}

// CraftJWS makes header.payload.signature over the signing input, with an
// empty signature when sign is nil.
func TestCraftJWS(t *testing.T) {
	var signed string
	tok := testkit.CraftJWS(t, map[string]any{"alg": "none"}, map[string]any{"iss": "x"}, func(in []byte) []byte {
		signed = string(in)
		return []byte("sig")
	})
	if tok != "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.c2ln" || signed != "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0" {
		t.Errorf("token %s over %s", tok, signed)
	}
	if tok := testkit.CraftJWS(t, map[string]any{}, map[string]any{}, nil); tok != "e30.e30." {
		t.Errorf("unsigned token %s", tok)
	}
}

// A controller document lists the key under assertionMethod, as the
// method it was asked for and nothing else.
func TestControllerDocument(t *testing.T) {
	k := testkit.Ed25519(t, 5)
	const id = "did:web:example.edu"
	doc, err := did.ParseDocument(testkit.ControllerDocument(t, id, "key-1", k.Public))
	if err != nil {
		t.Fatal(err)
	}
	_, pub, err := doc.AssertionKey(id + "#key-1")
	if err != nil {
		t.Fatal(err)
	}
	if !pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public) || doc.ID != id || len(doc.VerificationMethod) != 1 {
		t.Errorf("document %+v", doc)
	}
}

// Unreachable answers nothing, with ErrUnreachable.
func TestUnreachable(t *testing.T) {
	k := testkit.Ed25519(t, 1)
	if pub, err := (testkit.Unreachable{}).PublicKey(context.Background(), k.VM, testkit.AssertionMethod); pub != nil || !errors.Is(err, testkit.ErrUnreachable) {
		t.Errorf("PublicKey = %v, %v; want ErrUnreachable", pub, err)
	}
}
