package did_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/keys"
)

// The 1EdTech OB 3.0 test vector key (../shared/spec/test-vectors/README.md).
const (
	obMK  = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	obDID = "did:key:" + obMK
	obVM  = obDID + "#" + obMK
)

func sharedDir(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference material %s missing: %v", p, err)
		}
		t.Skipf("reference material %s missing (set up ../shared next to the repo): %v", p, err)
	}
	return p
}

// obKey is the OB test vector's key.
func obKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	return testkit.OBVector(t).Ed25519Private(t)
}

func TestKeyFromPublicRoundTrip(t *testing.T) {
	priv := obKey(t)
	got, err := did.KeyFromPublic(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	if got != obDID {
		t.Errorf("KeyFromPublic = %s, want %s", got, obDID)
	}
	pub, err := did.ParseKey(got)
	if err != nil {
		t.Fatal(err)
	}
	if !priv.Public().(ed25519.PublicKey).Equal(pub) {
		t.Error("ParseKey returned another key")
	}
	if _, err := did.KeyFromPublic([]byte("nope")); !errors.Is(err, keys.ErrUnsupportedKey) {
		t.Errorf("KeyFromPublic(bytes) error = %v, want keys.ErrUnsupportedKey", err)
	}
}

func TestParseKeyErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", did.ErrInvalidDID},
		{"not a DID", "https://example.edu/issuers/565049", did.ErrInvalidDID},
		{"no id", "did:key:", did.ErrInvalidDID},
		{"no method", "did::" + obMK, did.ErrInvalidDID},
		{"upper-case method", "did:KEY:" + obMK, did.ErrInvalidDID},
		{"upper-case scheme", "DID:key:" + obMK, did.ErrInvalidDID},
		{"other method", "did:web:example.com", did.ErrUnsupportedMethod},
		{"version segment", "did:key:1.0:" + obMK, did.ErrInvalidDID},
		{"fragment", obVM, did.ErrInvalidDID},
		{"path", obDID + "/path", did.ErrInvalidDID},
		{"space", obDID + " ", did.ErrInvalidDID},
		{"too long", "did:key:z" + strings.Repeat("6", did.MaxLen), did.ErrInvalidDID},
		{"not base58btc", "did:key:u7QHXWphKEHyt5LLhShvfGDZ1GjGtRWBlmjBYJzYJbNxh0Q", keys.ErrMultibase},
		{"P-384 key", "did:key:z82LkkZG4Rs7zgMsHxYRg7Q5jSBHmgifHgXpixkkkZx1a1wjYRgAVaWfvjpKFziiKjjqFWQ", keys.ErrUnsupportedKey},
		{"P-256 point off the curve", "did:key:zDnaehfHR8Q5U7ckmLQfuZ3eGEypooJ46zzjRQ1AR9asDvdnv", keys.ErrInvalidKey},
		{"P-256 key, truncated", "did:key:z3u1ptzkMLh49N3LY212p57kUVTv2YFsHycCMx8uHAXUCbDS", keys.ErrKeyLength},
		{"did:jwk", "did:jwk:eyJrdHkiOiJPS1AifQ", did.ErrUnsupportedMethod},
		{"31-byte key", "did:key:z2DQUyFHStG42FqbEhyM6LhkEqqV45NGGqKCwNxVWWu7Yzj", keys.ErrKeyLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := did.ParseKey(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("ParseKey(%q) error = %v, want %v", tc.in, err, tc.want)
			}
			if tc.in != "" && len(tc.in) < 100 && !strings.Contains(err.Error(), tc.in) {
				t.Errorf("error %q does not name the DID", err)
			}
		})
	}
}

func TestSplitURL(t *testing.T) {
	tests := []struct {
		in, did, frag string
		want          error
	}{
		{obVM, obDID, obMK, nil},
		{obDID, obDID, "", nil},
		{"did:web:example.com#key-1", "did:web:example.com", "key-1", nil},
		{"https://example.edu/issuers/565049#" + obMK, "", "", did.ErrInvalidDID},
		{"did:web:example.com/path#key-1", "", "", did.ErrInvalidDID},
		{"did:web:example.com?service=x", "", "", did.ErrInvalidDID},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, f, err := did.SplitURL(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			if d != tc.did || f != tc.frag {
				t.Errorf("SplitURL = %q, %q; want %q, %q", d, f, tc.did, tc.frag)
			}
		})
	}
}

func TestKeyDocumentGolden(t *testing.T) {
	doc, err := did.KeyResolver{}.Resolve(context.Background(), obDID)
	if err != nil {
		t.Fatal(err)
	}
	want := testkit.GoldenJSON(t, filepath.Join("testdata", "did-key-document.golden.json"), doc)
	// The golden file must parse back to the same document.
	back, err := did.ParseDocument(want)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := json.MarshalIndent(back, "", "  ")
	if !bytes.Equal(append(again, '\n'), want) {
		t.Errorf("golden document does not survive ParseDocument:\n%s", again)
	}
}

func TestKeyResolver(t *testing.T) {
	ctx := context.Background()
	if _, err := (did.KeyResolver{}).Resolve(ctx, "did:web:example.com"); !errors.Is(err, did.ErrUnsupportedMethod) {
		t.Errorf("did:web error = %v, want ErrUnsupportedMethod", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (did.KeyResolver{}).Resolve(cancelled, obDID); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled error = %v, want context.Canceled", err)
	}
	doc, err := did.KeyResolver{}.Resolve(ctx, obDID)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{did.Authentication, did.AssertionMethod, did.CapabilityInvocation, did.CapabilityDelegation} {
		vm, pub, err := doc.Key(obVM, rel)
		if err != nil {
			t.Errorf("Key(%s): %v", rel, err)
			continue
		}
		if !obKey(t).Public().(ed25519.PublicKey).Equal(pub) || vm.ID != obVM || vm.Type != did.TypeMultikey {
			t.Errorf("Key(%s) = %+v", rel, vm)
		}
	}
	if _, _, err := doc.Key(obVM, "keyAgreement"); err == nil {
		t.Error("Key(keyAgreement) succeeded")
	}
}

// docFrom decodes a document literal as it would arrive over the wire.
func docFrom(t *testing.T, s string) *did.Document {
	t.Helper()
	d, err := did.ParseDocument([]byte(s))
	if err != nil {
		t.Fatalf("ParseDocument: %v", err)
	}
	return d
}

func TestAssertionKey(t *testing.T) {
	const web = "did:web:example.edu"
	vm := func(id, typ, ctrl, key string) string {
		return `{"id":"` + id + `","type":"` + typ + `","controller":"` + ctrl + `","publicKeyMultibase":"` + key + `"}`
	}
	good := vm(web+"#k1", "Multikey", web, obMK)
	obJWK, err := keys.PublicJWK(obKey(t).Public())
	if err != nil {
		t.Fatal(err)
	}
	jwkVM := func(typ string, jwk string) string {
		return `{"id":"` + web + `#k1","type":"` + typ + `","controller":"` + web + `","publicKeyJwk":` + jwk + `}`
	}
	const p256 = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
	tests := []struct {
		name string
		doc  string
		vmID string
		want error
	}{
		{
			name: "reference",
			doc:  `{"id":"` + web + `","verificationMethod":[` + good + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
		},
		{
			name: "relative reference and id",
			doc:  `{"@context":"https://www.w3.org/ns/did/v1","id":"` + web + `","verificationMethod":[` + vm("#k1", "Multikey", web, obMK) + `],"assertionMethod":["#k1"]}`,
			vmID: web + "#k1",
		},
		{
			name: "embedded",
			doc:  `{"id":"` + web + `","assertionMethod":[` + good + `]}`,
			vmID: web + "#k1",
		},
		{
			name: "Ed25519VerificationKey2020",
			doc:  `{"id":"` + web + `","verificationMethod":[` + vm(web+"#k1", "Ed25519VerificationKey2020", web, obMK) + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
		},
		{
			name: "only under authentication",
			doc:  `{"id":"` + web + `","verificationMethod":[` + good + `],"authentication":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: did.ErrNotAuthorized,
		},
		{
			name: "embedded under authentication only",
			doc:  `{"id":"` + web + `","authentication":[` + good + `],"assertionMethod":[]}`,
			vmID: web + "#k1",
			want: did.ErrNotAuthorized,
		},
		{
			name: "missing",
			doc:  `{"id":"` + web + `","verificationMethod":[` + good + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k2",
			want: did.ErrMethodNotFound,
		},
		{
			name: "dangling reference",
			doc:  `{"id":"` + web + `","assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: did.ErrMethodNotFound,
		},
		{
			name: "other document",
			doc:  `{"id":"` + web + `","verificationMethod":[` + vm("did:web:evil.example#k1", "Multikey", web, obMK) + `],"assertionMethod":["did:web:evil.example#k1"]}`,
			vmID: "did:web:evil.example#k1",
			want: did.ErrMethodNotFound,
		},
		{
			name: "no fragment",
			doc:  `{"id":"` + web + `","assertionMethod":["` + web + `"]}`,
			vmID: web,
			want: did.ErrMethodNotFound,
		},
		{
			name: "foreign controller",
			doc:  `{"id":"` + web + `","verificationMethod":[` + vm(web+"#k1", "Multikey", "did:web:evil.example", obMK) + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: did.ErrInvalidMethod,
		},
		{
			name: "unknown type",
			doc:  `{"id":"` + web + `","verificationMethod":[` + vm(web+"#k1", "EcdsaSecp256k1VerificationKey2019", web, obMK) + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: keys.ErrUnsupportedKey,
		},
		{
			name: "P-384 multikey",
			doc:  `{"id":"` + web + `","verificationMethod":[` + vm(web+"#k1", "Multikey", web, "z82LkkZG4Rs7zgMsHxYRg7Q5jSBHmgifHgXpixkkkZx1a1wjYRgAVaWfvjpKFziiKjjqFWQ") + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: keys.ErrUnsupportedKey,
		},
		{
			name: "Ed25519VerificationKey2020 holding a P-256 key",
			doc:  `{"id":"` + web + `","verificationMethod":[` + vm(web+"#k1", "Ed25519VerificationKey2020", web, p256) + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: keys.ErrUnsupportedKey,
		},
		{
			name: "JsonWebKey2020",
			doc:  `{"id":"` + web + `","verificationMethod":[` + jwkVM("JsonWebKey2020", string(obJWK)) + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
		},
		{
			name: "JsonWebKey embedded",
			doc:  `{"id":"` + web + `","assertionMethod":[` + jwkVM("JsonWebKey", string(obJWK)) + `]}`,
			vmID: web + "#k1",
		},
		{
			name: "JsonWebKey without publicKeyJwk",
			doc:  `{"id":"` + web + `","verificationMethod":[` + vm(web+"#k1", "JsonWebKey", web, obMK) + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: did.ErrInvalidMethod,
		},
		{
			name: "JsonWebKey with a private key",
			doc:  `{"id":"` + web + `","verificationMethod":[` + jwkVM("JsonWebKey", `{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`) + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: keys.ErrPrivateMember,
		},
		{
			name: "JsonWebKey of another curve",
			doc:  `{"id":"` + web + `","verificationMethod":[` + jwkVM("JsonWebKey", `{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`) + `],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: keys.ErrUnsupportedKey,
		},
		{
			name: "Multikey with publicKeyJwk too",
			doc:  `{"id":"` + web + `","verificationMethod":[{"id":"` + web + `#k1","type":"Multikey","controller":"` + web + `","publicKeyMultibase":"` + obMK + `","publicKeyJwk":` + string(obJWK) + `}],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: did.ErrInvalidMethod,
		},
		{
			name: "no key",
			doc:  `{"id":"` + web + `","verificationMethod":[{"id":"` + web + `#k1","type":"Multikey","controller":"` + web + `"}],"assertionMethod":["` + web + `#k1"]}`,
			vmID: web + "#k1",
			want: did.ErrInvalidMethod,
		},
		{
			// Identical copies mean the same key (issue #11); see
			// TestDuplicateMethods for copies that differ.
			name: "defined twice, identically",
			doc:  `{"id":"` + web + `","verificationMethod":[` + good + `],"assertionMethod":[` + good + `]}`,
			vmID: web + "#k1",
		},
		{
			name: "embedded with numeric controller",
			doc:  `{"id":"` + web + `","assertionMethod":[{"id":"` + web + `#k1","type":"Multikey","controller":1}]}`,
			vmID: web + "#k1",
			want: did.ErrInvalidMethod,
		},
		{
			name: "number in relationship",
			doc:  `{"id":"` + web + `","assertionMethod":[1]}`,
			vmID: web + "#k1",
			want: did.ErrInvalidDocument,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := docFrom(t, tc.doc)
			vm, pub, err := d.AssertionKey(tc.vmID)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("error = %v, want %v", err, tc.want)
				}
				if !strings.Contains(err.Error(), tc.vmID) && !strings.Contains(err.Error(), web) {
					t.Errorf("error %q names neither the method nor the DID", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if vm.ID != tc.vmID {
				t.Errorf("vm.ID = %s, want %s", vm.ID, tc.vmID)
			}
			if !obKey(t).Public().(ed25519.PublicKey).Equal(pub) {
				t.Error("wrong key")
			}
		})
	}
}

func TestParseDocumentErrors(t *testing.T) {
	tests := map[string]string{
		"not JSON":      `{`,
		"array":         `[]`,
		"no id":         `{"assertionMethod":[]}`,
		"id not string": `{"id":1}`,
		"vm not object": `{"id":"did:web:a","verificationMethod":["x"]}`,
		"too large":     `{"id":"did:web:a","x":"` + strings.Repeat("a", did.MaxDocumentSize) + `"}`,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := did.ParseDocument([]byte(in)); !errors.Is(err, did.ErrInvalidDocument) {
				t.Errorf("error = %v, want ErrInvalidDocument", err)
			}
		})
	}
}

// TestFetcherW3CVector resolves the did:key verification method of the W3C
// vc-di-eddsa test vector and checks that the key it yields verifies the
// vector's signature over its combined hash.
func TestFetcherW3CVector(t *testing.T) {
	dir := sharedDir(t, filepath.Join("spec", "test-vectors", "w3c-vc-di-eddsa", "eddsa-rdfc-2022"))
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var signed struct {
		Proof struct {
			VerificationMethod string `json:"verificationMethod"`
			ProofPurpose       string `json:"proofPurpose"`
		} `json:"proof"`
	}
	if err := json.Unmarshal(read("signedDataInt.json"), &signed); err != nil {
		t.Fatal(err)
	}
	msg, err := hex.DecodeString(strings.TrimSpace(string(read("combinedHashDataInt.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := hex.DecodeString(strings.TrimSpace(string(read("sigHexDataInt.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := did.Fetcher{}.PublicKey(context.Background(), signed.Proof.VerificationMethod, signed.Proof.ProofPurpose)
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(pub.(ed25519.PublicKey), msg, sig) {
		t.Error("signature does not verify with the resolved key")
	}
	_, err = did.Fetcher{}.PublicKey(context.Background(), "did:web:example.com#k", "")
	if !errors.Is(err, did.ErrUnsupportedMethod) {
		t.Errorf("did:web error = %v, want ErrUnsupportedMethod", err)
	}
}

// readSeeds returns the non-comment lines of a testdata file.
func readSeeds(t testing.TB, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func FuzzParseKey(f *testing.F) {
	for _, s := range readSeeds(f, "did-keys.txt") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pub, err := did.ParseKey(s)
		if err != nil {
			return
		}
		back, err := did.KeyFromPublic(pub)
		if err != nil {
			t.Fatalf("parsed key does not encode: %v", err)
		}
		if back != s {
			t.Fatalf("round trip %q -> %q", s, back)
		}
		doc, err := did.KeyDocument(s)
		if err != nil {
			t.Fatalf("KeyDocument: %v", err)
		}
		if _, _, err := doc.AssertionKey(doc.VerificationMethod[0].ID); err != nil {
			t.Fatalf("AssertionKey of own document: %v", err)
		}
	})
}

func FuzzParseDocument(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "did-key-document.golden.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden, obVM)
	f.Add([]byte(`{"id":"did:web:a","assertionMethod":[{"id":"#k","type":"Multikey","controller":"did:web:a","publicKeyMultibase":"`+obMK+`"}]}`), "did:web:a#k")
	dup := `{"id":"did:web:a#k","type":"Multikey","controller":"did:web:a","publicKeyMultibase":"` + obMK + `"}`
	f.Add([]byte(`{"id":"did:web:a","verificationMethod":[`+dup+`,`+dup+`],"assertionMethod":[`+dup+`]}`), "did:web:a#k")
	f.Fuzz(func(t *testing.T, data []byte, vmID string) {
		d, err := did.ParseDocument(data)
		if err != nil {
			return
		}
		vm, pub, err := d.AssertionKey(vmID)
		if err != nil {
			return
		}
		if vm == nil || pub == nil || vm.ID != vmID {
			t.Fatalf("AssertionKey(%q) = %+v, %v", vmID, vm, pub)
		}
	})
}
