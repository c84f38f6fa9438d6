package ob3

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// corpusEntry is one row of testdata/corpus/manifest.tsv.
type corpusEntry struct {
	file      string // relative to testdata/corpus
	ours      bool   // our strict schema accepts it
	reference bool   // 1EdTech's schema accepts it
	note      string
}

func loadManifest(t testing.TB) []corpusEntry {
	t.Helper()
	f, err := os.Open("testdata/corpus/manifest.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	verdict := func(s string) bool {
		switch s {
		case "valid":
			return true
		case "invalid":
			return false
		}
		t.Fatalf("manifest: verdict %q is neither valid nor invalid", s)
		return false
	}
	var out []corpusEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Fatalf("manifest: %q has %d columns, want 4", line, len(cols))
		}
		out = append(out, corpusEntry{cols[0], verdict(cols[1]), verdict(cols[2]), cols[3]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// corpusFiles lists every JSON file under testdata/corpus.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"good", "bad"} {
		m, err := filepath.Glob(filepath.Join("testdata/corpus", dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			files = append(files, filepath.ToSlash(strings.TrimPrefix(f, "testdata/corpus/")))
		}
	}
	slices.Sort(files)
	return files
}

func TestCorpusManifestComplete(t *testing.T) {
	var listed []string
	for _, e := range loadManifest(t) {
		listed = append(listed, e.file)
	}
	slices.Sort(listed)
	files := corpusFiles(t)
	if !slices.Equal(listed, files) {
		t.Fatalf("manifest and corpus differ:\nmanifest: %v\nfiles:    %v", listed, files)
	}
	if len(files) < 30 {
		t.Fatalf("corpus has %d files, want at least 30", len(files))
	}
}

// docKind says which family of schema a corpus document belongs to.
func docKind(raw []byte) string {
	var d struct {
		Type Types `json:"type"`
	}
	_ = json.Unmarshal(raw, &d)
	switch {
	case d.Type.Has("EndorsementCredential"):
		return "endorsement"
	case d.Type.Has("Profile") && !d.Type.Has("VerifiableCredential"):
		return "profile"
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		if _, ok := m["@context"]; !ok {
			if _, ok := m["credentialSubject"]; !ok {
				return "profile"
			}
		}
	}
	return "achievement"
}

var strictSchema = map[string]string{
	"achievement": SchemaAchievementCredential,
	"endorsement": SchemaEndorsementCredential,
	"profile":     SchemaProfile,
}

// overall is what a caller gets from the full check: parse, data model and
// the schemas the document calls for.
func overall(raw []byte, kind string) error {
	if kind == "profile" {
		p, err := ParseProfile(raw, ParseOptions{})
		if err != nil {
			return err
		}
		if err := ValidateProfile(p); err != nil {
			return err
		}
		return ValidateAgainst(raw, SchemaProfile)
	}
	if err := ValidateJSON(raw); err != nil {
		return err
	}
	return ValidateSchema(raw)
}

func TestCorpusVerdicts(t *testing.T) {
	for _, e := range loadManifest(t) {
		t.Run(e.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata/corpus", e.file))
			if err != nil {
				t.Fatal(err)
			}
			kind := docKind(raw)
			err = ValidateAgainst(raw, strictSchema[kind])
			if got := err == nil; got != e.ours {
				t.Errorf("our %s schema: valid=%v, manifest says %v (err: %v)", kind, got, e.ours, err)
			}
			if err != nil {
				var ve *ValidationError
				var pe *ParseError
				if !errors.As(err, &ve) && !errors.As(err, &pe) {
					t.Errorf("schema error %T is neither *ValidationError nor *ParseError: %v", err, err)
				}
			}
			err = overall(raw, kind)
			wantOK := strings.HasPrefix(e.file, "good/")
			if (err == nil) != wantOK {
				t.Errorf("overall verdict: err = %v, want ok=%v", err, wantOK)
			}
		})
	}
}

// referenceDir is the read-only 1EdTech schema copies, relative to this
// package.
const referenceDir = "../../shared/spec/schemas"

func referenceSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	files := map[string]string{
		"achievement": "ob_v3p0_achievementcredential_schema.json",
		"endorsement": "gh-pages/endorsementcredential.json",
		"profile":     "gh-pages/profile.json",
	}
	if _, err := os.Stat(referenceDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference schemas %s missing: %v", referenceDir, err)
		}
		t.Skipf("reference schemas %s missing (%v); skipping the comparison with 1EdTech's schemas", referenceDir, err)
	}
	out := map[string]*jsonschema.Schema{}
	for kind, f := range files {
		b, err := os.ReadFile(filepath.Join(referenceDir, f))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		// Same compiler settings as ours, so only the schemas differ.
		c := newSchemaCompiler()
		url := "https://reference.invalid/" + f
		if err := c.AddResource(url, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		s, err := c.Compile(url)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[kind] = s
	}
	return out
}

func TestCorpusAgreesWithReferenceSchemas(t *testing.T) {
	ref := referenceSchemas(t)
	agree, total := 0, 0
	for _, e := range loadManifest(t) {
		raw, err := os.ReadFile(filepath.Join("testdata/corpus", e.file))
		if err != nil {
			t.Fatal(err)
		}
		kind := docKind(raw)
		ours := ValidateAgainst(raw, strictSchema[kind]) == nil
		var theirs bool
		if doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw)); err == nil {
			theirs = ref[kind].Validate(doc) == nil
		}
		total++
		if ours == theirs {
			agree++
		}
		if theirs != e.reference {
			t.Errorf("%s: reference %s schema valid=%v, manifest says %v", e.file, kind, theirs, e.reference)
		}
		if ours != theirs && e.ours == e.reference {
			t.Errorf("%s: our schema valid=%v, reference valid=%v", e.file, ours, theirs)
		}
	}
	t.Logf("verdicts agree on %d of %d corpus files (the rest are documented in manifest.tsv)", agree, total)
}

func TestCorpusRoundTrip(t *testing.T) {
	for _, f := range corpusFiles(t) {
		raw, err := os.ReadFile(filepath.Join("testdata/corpus", f))
		if err != nil {
			t.Fatal(err)
		}
		if docKind(raw) == "profile" {
			continue
		}
		c, err := Parse(raw, ParseOptions{})
		if err != nil {
			if strings.HasPrefix(f, "good/") {
				t.Errorf("%s: %v", f, err)
			}
			continue
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("%s: marshal: %v", f, err)
		}
		if strings.HasPrefix(f, "good/") {
			if !jsonEqual(t, raw, out) {
				t.Errorf("%s: round trip changed the document:\n in: %s\nout: %s", f, compact(raw), out)
			}
			continue
		}
		// bad documents may be normalised (a single type becomes an array),
		// but a second round trip must change nothing.
		c2, err := Parse(out, ParseOptions{})
		if err != nil {
			t.Fatalf("%s: reparse: %v", f, err)
		}
		out2, _ := json.Marshal(c2)
		if !bytes.Equal(out, out2) {
			t.Errorf("%s: second round trip differs:\n%s\n%s", f, out, out2)
		}
	}
}

func TestCorpusProfileRoundTrip(t *testing.T) {
	for _, f := range []string{"good/profile-full.json", "good/profile-minimal.json"} {
		raw, err := os.ReadFile(filepath.Join("testdata/corpus", f))
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParseProfile(raw, ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if !jsonEqual(t, raw, out) {
			t.Errorf("%s: round trip changed the document:\n in: %s\nout: %s", f, compact(raw), out)
		}
	}
}

func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	for _, p := range []struct {
		in  []byte
		out *any
	}{{a, &x}, {b, &y}} {
		d := json.NewDecoder(bytes.NewReader(p.in))
		d.UseNumber()
		if err := d.Decode(p.out); err != nil {
			t.Fatalf("decoding %s: %v", p.in, err)
		}
	}
	return reflect.DeepEqual(x, y)
}

func compact(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}
