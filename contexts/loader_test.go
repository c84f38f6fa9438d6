package contexts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/piprate/json-gold/ld"
)

func mustLoader(tb testing.TB) *Loader {
	tb.Helper()
	l, err := NewLoader()
	if err != nil {
		tb.Fatalf("NewLoader: %v", err)
	}
	return l
}

func TestEveryManifestEntryLoads(t *testing.T) {
	l := mustLoader(t)
	infos := l.Bundled()
	if len(infos) == 0 {
		t.Fatal("no bundled contexts")
	}
	for _, in := range infos {
		for _, u := range append([]string{in.URL}, in.Aliases...) {
			t.Run(u, func(t *testing.T) {
				if !l.Has(u) {
					t.Fatalf("Has(%q) = false", u)
				}
				rd, err := l.LoadDocument(u)
				if err != nil {
					t.Fatalf("LoadDocument: %v", err)
				}
				m, ok := rd.Document.(map[string]any)
				if !ok {
					t.Fatalf("document is %T, want a JSON object", rd.Document)
				}
				if _, ok := m["@context"]; !ok {
					t.Fatal("document has no @context member")
				}
				if rd.DocumentURL != in.URL {
					t.Errorf("DocumentURL = %q, want canonical %q", rd.DocumentURL, in.URL)
				}
			})
		}
	}
}

func TestContractURLsAreBundled(t *testing.T) {
	l := mustLoader(t)
	tests := []struct {
		name, url string
	}{
		{"CredentialsV2", CredentialsV2},
		{"CredentialsV1", CredentialsV1},
		{"OBv3p0", OBv3p0},
		{"OBv3p0_3_0_2", OBv3p0_3_0_2},
		{"OBv3p0_3_0_1", OBv3p0_3_0_1},
		{"OBv3p0Unversioned", OBv3p0Unversioned},
		{"OBv3p0UnversionedAlias", OBv3p0UnversionedAlias},
		{"OBExtensions", OBExtensions},
		{"CLRv2p0", CLRv2p0},
		{"CLRv2p0Unversioned", CLRv2p0Unversioned},
		{"DataIntegrityV2", DataIntegrityV2},
		{"DataIntegrityV1", DataIntegrityV1},
		{"MultikeyV1", MultikeyV1},
		{"Ed25519Signature2020V1", Ed25519Signature2020V1},
		{"StatusListV1", StatusListV1},
		{"StatusList2021V1", StatusList2021V1},
		{"CIDV1", CIDV1},
		{"JWKV1", JWKV1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !l.Has(tc.url) {
				t.Fatalf("%s (%s) is not bundled", tc.name, tc.url)
			}
		})
	}
	// The unversioned OB context and its alias are one document.
	a, _ := l.LoadDocument(OBv3p0Unversioned)
	b, _ := l.LoadDocument(OBv3p0UnversionedAlias)
	if a == nil || b == nil || a.Document == nil {
		t.Fatal("unversioned OB context not loadable")
	}
	if !sameDocument(a.Document, b.Document) {
		t.Error("OBv3p0UnversionedAlias serves a different document than OBv3p0Unversioned")
	}
}

// sameDocument reports whether two parsed documents are the same map in
// memory, that is, one parse shared between URLs or loaders.
func sameDocument(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.Kind() == reflect.Map && vb.Kind() == reflect.Map && va.UnsafePointer() == vb.UnsafePointer()
}

func TestManifestHashesMatch(t *testing.T) {
	raw, err := files.ReadFile("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var infos []Info
	if err := json.Unmarshal(raw, &infos); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	pinned := regexp.MustCompile(`^(npm:(@[a-z0-9-]+/)?[a-z0-9.-]+@\d+\.\d+\.\d+:[^:]+|spec:.+)$`)
	listed := map[string]bool{"README.md": true}
	seenURL := map[string]bool{}
	for _, in := range infos {
		t.Run(in.URL, func(t *testing.T) {
			listed[in.File] = true
			for _, u := range append([]string{in.URL}, in.Aliases...) {
				if seenURL[u] {
					t.Errorf("URL %s listed twice", u)
				}
				seenURL[u] = true
			}
			if !pinned.MatchString(in.Source) {
				t.Errorf("source %q is neither npm:<pkg>@<exact version>:<path> nor spec:<note>", in.Source)
			}
			b, err := files.ReadFile("ld/" + in.File)
			if err != nil {
				t.Fatalf("reading ld/%s: %v", in.File, err)
			}
			sum := sha256.Sum256(b)
			if got := hex.EncodeToString(sum[:]); got != in.SHA256 {
				t.Errorf("ld/%s sha256 = %s, manifest says %s (run contexts/sync.sh)", in.File, got, in.SHA256)
			}
		})
	}
	entries, err := fs.ReadDir(files, "ld")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			t.Errorf("ld/%s is embedded but not listed in manifest.json", e.Name())
		}
	}
}

func TestUnknownURLIsNotBundled(t *testing.T) {
	l := mustLoader(t)
	tests := []struct {
		name, url string
	}{
		{"unknown host", "https://example.com/context.jsonld"},
		{"did core", "https://www.w3.org/ns/did/v1"},
		{"near miss", CredentialsV2 + "/"},
		{"http scheme", strings.Replace(CredentialsV2, "https:", "http:", 1)},
		{"empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if l.Has(tc.url) {
				t.Fatalf("Has(%q) = true", tc.url)
			}
			rd, err := l.LoadDocument(tc.url)
			if err == nil {
				t.Fatalf("LoadDocument(%q) = %v, want error", tc.url, rd)
			}
			if !errors.Is(err, ErrNotBundled) {
				t.Errorf("error %v does not wrap ErrNotBundled", err)
			}
			if tc.url != "" && !strings.Contains(err.Error(), tc.url) {
				t.Errorf("error %q does not name the URL %q", err, tc.url)
			}
		})
	}
}

func TestFragmentIsIgnored(t *testing.T) {
	l := mustLoader(t)
	a, err := l.LoadDocument(CredentialsV2 + "#section")
	if err != nil {
		t.Fatalf("LoadDocument with fragment: %v", err)
	}
	b, _ := l.LoadDocument(CredentialsV2)
	if a != b {
		t.Error("a fragment selected a different document")
	}
}

func TestUnknownContextInDocumentIsNotBundled(t *testing.T) {
	l := mustLoader(t)
	const u = "https://example.org/private/v1"
	doc := map[string]any{
		"@context": []any{CredentialsV2, u},
		"type":     "VerifiableCredential",
	}
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = l
	_, err := ld.NewJsonLdProcessor().Expand(doc, opts)
	if !errors.Is(err, ErrNotBundled) {
		t.Fatalf("Expand error = %v, want one wrapping ErrNotBundled", err)
	}
	if !strings.Contains(err.Error(), u) {
		t.Errorf("error %q does not name %s", err, u)
	}
}

func TestWith(t *testing.T) {
	l := mustLoader(t)
	const u = "https://example.org/private/v1"
	ctx := []byte(`{"@context": {"shoeSize": "https://example.org/vocab#shoeSize"}}`)
	w, err := l.With(u, ctx)
	if err != nil {
		t.Fatalf("With: %v", err)
	}
	if !w.Has(u) || !w.Has(CredentialsV2) {
		t.Error("With lost the new or a bundled context")
	}
	if l.Has(u) {
		t.Error("With changed the loader it was called on")
	}
	if l2 := mustLoader(t); l2.Has(u) {
		t.Error("With changed the process-wide bundled set")
	}
	if _, err := l.With(u, []byte(`{"@context": `)); err == nil {
		t.Error("With accepted malformed JSON")
	}
}

// TestParsedOncePerProcess checks that every NewLoader call shares one parse
// of each context, so repeated canonicalization never re-reads the bundle.
func TestParsedOncePerProcess(t *testing.T) {
	a, b := mustLoader(t), mustLoader(t)
	if a != b {
		t.Error("NewLoader returned distinct loaders; contexts were parsed twice")
	}
	for _, in := range a.Bundled() {
		da, err := a.LoadDocument(in.URL)
		if err != nil {
			t.Fatal(err)
		}
		db, _ := b.LoadDocument(in.URL)
		if da != db {
			t.Errorf("%s: LoadDocument returned different documents across loaders", in.URL)
		}
	}
	w, err := a.With("https://example.org/x", []byte(`{"@context": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	dw, _ := w.LoadDocument(CredentialsV2)
	da, _ := a.LoadDocument(CredentialsV2)
	if dw != da {
		t.Error("With re-parsed a bundled context")
	}
}

// TestConcurrentExpansion shares one loader (and so one parse of each
// context) between goroutines; under -race it proves json-gold only reads the
// shared documents.
func TestConcurrentExpansion(t *testing.T) {
	l := mustLoader(t)
	const doc = `{
	  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
	  "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"],
	  "issuer": {"id": "did:example:1", "type": "Profile", "name": "I"},
	  "validFrom": "2024-01-01T00:00:00Z",
	  "credentialSubject": {"type": "AchievementSubject", "achievement": {"id": "urn:a", "type": "Achievement", "name": "A", "criteria": {"narrative": "n"}}}
	}`
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var in any
			if err := json.Unmarshal([]byte(doc), &in); err != nil {
				errs <- err
				return
			}
			opts := ld.NewJsonLdOptions("")
			opts.DocumentLoader = l
			opts.Algorithm = ld.AlgorithmURDNA2015
			opts.Format = "application/n-quads"
			out, err := ld.NewJsonLdProcessor().Normalize(in, opts)
			if err == nil && out.(string) == "" {
				err = errors.New("empty canonical form")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func FuzzLoadDocument(f *testing.F) {
	l := mustLoader(f)
	for _, in := range l.Bundled() {
		f.Add(in.URL)
	}
	f.Add("https://example.com/#frag")
	f.Add("#")
	f.Fuzz(func(t *testing.T, u string) {
		rd, err := l.LoadDocument(u)
		if err != nil {
			if !errors.Is(err, ErrNotBundled) {
				t.Fatalf("LoadDocument(%q) error %v does not wrap ErrNotBundled", u, err)
			}
			return
		}
		if rd == nil || rd.Document == nil {
			t.Fatalf("LoadDocument(%q) returned no document and no error", u)
		}
	})
}

func BenchmarkLoadDocument(b *testing.B) {
	l := mustLoader(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.LoadDocument(OBv3p0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewLoader(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewLoader(); err != nil {
			b.Fatal(err)
		}
	}
}
