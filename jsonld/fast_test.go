package jsonld

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/rdfc"
)

// compareFast canonicalizes doc with the default path alone and with the
// fast path allowed. When the fast path decides (fast), its output, error
// and work counts must be the default path's; when it does not, the
// default path ran both times.
func compareFast(l *Loader, doc any, lim Limits) (fast bool, err error) {
	ctx := context.Background()
	var wf, ws Work
	want, serr := Canonicalize(ctx, doc, CanonOptions{Loader: l, Limits: lim, Work: &ws, slowOnly: true})
	before := l.processed.fast.Load()
	got, ferr := Canonicalize(ctx, doc, CanonOptions{Loader: l, Limits: lim, Work: &wf})
	fastTaken := l.processed.fast.Load() != before
	// CanonicalizeTo writes the same document, or refuses alike.
	var streamed bytes.Buffer
	terr := CanonicalizeTo(ctx, &streamed, doc, CanonOptions{Loader: l, Limits: lim})
	if (terr == nil) != (ferr == nil) || terr == nil && !bytes.Equal(streamed.Bytes(), got) {
		return fastTaken, fmt.Errorf("CanonicalizeTo differs from Canonicalize:\n%s (%w)\n%s (%w)", streamed.Bytes(), terr, got, ferr)
	}
	if err := compareOmit(l, doc, lim); err != nil {
		return fastTaken, err
	}
	if !fastTaken {
		return false, nil
	}
	switch {
	case (ferr == nil) != (serr == nil):
		return true, fmt.Errorf("only one path refused:\nfast path: %w\ndefault path: %w", ferr, serr)
	case ferr != nil && ferr.Error() != serr.Error():
		return true, fmt.Errorf("refused differently:\nfast path: %w\ndefault path: %w", ferr, serr)
	case !bytes.Equal(got, want):
		return true, fmt.Errorf("outputs differ:\nfast path:\n%s\ndefault path:\n%s", got, want)
	case wf != ws:
		return true, fmt.Errorf("work differs: fast path %+v, default path %+v", wf, ws)
	}
	return true, nil
}

// compareOmit holds CanonOptions.Omit to its word on a document with a
// proof member: the output, error and work of the document without it.
func compareOmit(l *Loader, doc any, lim Limits) error {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil
	}
	if _, has := m["proof"]; !has {
		return nil
	}
	ctx := context.Background()
	var wo, wc Work
	before := l.processed.fast.Load()
	got, oerr := Canonicalize(ctx, m, CanonOptions{Loader: l, Limits: lim, Work: &wo, Omit: "proof"})
	fast := l.processed.fast.Load() != before
	want, cerr := Canonicalize(ctx, withoutProof(m), CanonOptions{Loader: l, Limits: lim, Work: &wc})
	// Where a refused document stops, and so its error and work, may
	// depend on the order the maps are read in; so may the work of the
	// default path when its own RDF conversion gives up half-way.
	switch {
	case (oerr == nil) != (cerr == nil) || !sameSentinels(oerr, cerr):
		return fmt.Errorf("omitting the proof: %w, without it: %w", oerr, cerr)
	case oerr != nil:
		return nil
	case !bytes.Equal(got, want):
		return fmt.Errorf("omitting the proof differs:\n%s\nwithout it:\n%s", got, want)
	case fast && wo != wc:
		return fmt.Errorf("omitting the proof works %+v, without it %+v", wo, wc)
	}
	return nil
}

// sameSentinels reports whether a and b wrap the same of the package's
// sentinel errors.
func sameSentinels(a, b error) bool {
	for _, s := range []error{ErrTooMuchWork, ErrDataLoss, ErrMalformed} {
		if errors.Is(a, s) != errors.Is(b, s) {
			return false
		}
	}
	return true
}

// corpusDoc is a JSON-LD document of the corpus with where it came from.
type corpusDoc struct {
	name string
	doc  map[string]any
}

// jsonLDCorpus returns every JSON-LD document of the repository (the
// benchmark credentials, the hostile corpus, golden files, examples,
// interop fixtures, schema corpora) and of ../shared/spec/test-vectors,
// each also without its proof, with each proof's configuration (the proof
// without proofValue, with the document's @context), and with every
// object nested in it that has an @context of its own (embedded
// credentials).
func jsonLDCorpus(t *testing.T) []corpusDoc {
	t.Helper()
	var out []corpusDoc
	roots := []string{"..", canonShared(t, "test-vectors")}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				switch d.Name() {
				case ".git", "node_modules", "ld":
					return filepath.SkipDir
				}
				return nil
			}
			switch filepath.Ext(p) {
			case ".go", ".png", ".svg", ".sh", ".txt", ".md", ".gz", ".pem", ".csv", ".mod", ".sum":
				return nil
			}
			info, err := d.Info()
			if err != nil || info.Size() > 1<<20 {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil || !bytes.Contains(b, []byte(`"@context"`)) {
				return nil
			}
			var doc map[string]any
			if json.Unmarshal(b, &doc) != nil {
				return nil
			}
			name, _ := filepath.Rel(root, p)
			if root != ".." {
				name = "test-vectors/" + name
			}
			out = append(out, variants(name, doc)...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// variants is doc, doc without its proof, each proof configuration and
// every nested object with an @context of its own.
func variants(name string, doc map[string]any) []corpusDoc {
	out := []corpusDoc{{name, doc}}
	if p, ok := doc["proof"]; ok {
		out = append(out, corpusDoc{name + "#unsigned", withoutProof(doc)})
		proofs, _ := p.([]any)
		if m, ok := p.(map[string]any); ok {
			proofs = []any{m}
		}
		for i, x := range proofs {
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			config := make(map[string]any, len(m))
			for k, v := range m {
				if k != "proofValue" {
					config[k] = v
				}
			}
			if _, has := config["@context"]; !has {
				config["@context"] = doc["@context"]
			}
			out = append(out, corpusDoc{fmt.Sprintf("%s#proof[%d]", name, i), config})
		}
	}
	var nested func(v any, path string, top bool)
	nested = func(v any, path string, top bool) {
		switch t := v.(type) {
		case map[string]any:
			if _, ok := t["@context"]; ok && !top {
				out = append(out, corpusDoc{name + "#" + path, t})
			}
			for _, k := range sortedKeys(t) {
				if k != "@context" {
					nested(t[k], path+"."+k, false)
				}
			}
		case []any:
			for i, x := range t {
				nested(x, fmt.Sprintf("%s[%d]", path, i), false)
			}
		}
	}
	nested(doc, "", true)
	return out
}

// mutate changes one value of a deep copy of doc at random: a key
// dropped, renamed to an undefined term or to a keyword, a value replaced
// by a relative IRI, a number, a boolean, null, an empty array or object,
// a nested array, a control character, a blank node id; or a second key
// for the same property.
func mutate(r *rand.Rand, doc map[string]any) map[string]any {
	c := jsonvalue.CloneObject(doc)
	var objs []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			objs = append(objs, t)
			for _, k := range sortedKeys(t) {
				if k != "@context" {
					walk(t[k])
				}
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(c)
	o := objs[r.IntN(len(objs))]
	keys := sortedKeys(o)
	if len(keys) == 0 {
		o["name"] = "x"
		return c
	}
	k := keys[r.IntN(len(keys))]
	replacements := []any{
		"relative", "urn:example:x", "_:b0", "https://example.org/a b", "a\u0001b", 1.0, 1.5, 1e21, math.Copysign(0, -1), 1e-7, true, nil,
		[]any{}, map[string]any{}, []any{[]any{"x"}}, []any{"x", "x"}, map[string]any{"@value": "v"},
		map[string]any{"@id": "urn:example:y"}, map[string]any{"id": "_:b1", "name": "n"},
	}
	switch r.IntN(7) {
	case 0:
		delete(o, k)
	case 5:
		// An alias beside the key: credentials v2 maps name and
		// description to schema.org.
		o["https://schema.org/"+k] = o[k]
	case 1:
		o["undefinedTerm"+k] = o[k]
		delete(o, k)
	case 2:
		kw := []string{"@id", "@type", "@value", "@list", "@graph", "@reverse", "@foo", "@index", "@language"}[r.IntN(9)]
		o[kw] = o[k]
		delete(o, k)
	case 3:
		if a, ok := o[k].([]any); ok && len(a) > 0 {
			o[k] = append(a, a[0])
			break
		}
		o[k] = []any{o[k], o[k]}
	default:
		o[k] = replacements[r.IntN(len(replacements))]
	}
	return c
}

// TestFastPathMatchesDefault: on every JSON-LD document of the repository
// and the shared test vectors, their proof configurations and embedded
// credentials, on generated credentials and on mutations of all of them,
// the fast path and the default path give the same output, the same
// error and the same work counts. The benchmark credentials, the OB 3.0
// test vector and their proof configurations take the fast path.
func TestFastPathMatchesDefault(t *testing.T) {
	l := freshLoader(t)
	corpus := jsonLDCorpus(t)
	if len(corpus) < 200 {
		t.Fatalf("only %d corpus documents found", len(corpus))
	}
	r := rand.New(rand.NewPCG(14, 2026))
	mutations := 6
	if testing.Short() {
		mutations = 1
	}
	fastDocs := 0
	for _, c := range corpus {
		fast, err := compareFast(l, c.doc, Limits{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if fast {
			fastDocs++
		}
		mustBeFast := strings.HasPrefix(c.name, "testdata/bench/") || strings.Contains(c.name, "ob-v3p0-eddsa-rdfc-2022/")
		if mustBeFast && !strings.Contains(c.name, "#proof") && !fast {
			t.Errorf("%s: left to the default path", c.name)
		}
		for range mutations {
			m := mutate(r, c.doc)
			if _, err := compareFast(l, m, Limits{}); err != nil {
				b, _ := json.Marshal(m)
				t.Errorf("%s mutated to %s: %v", c.name, b, err)
			}
		}
	}
	t.Logf("%d corpus documents, %d through the fast path", len(corpus), fastDocs)

	// Tight bounds: whatever bound the default path hits, the fast path
	// hits too or leaves the document to it.
	for _, c := range corpus {
		if !strings.HasPrefix(c.name, "testdata/bench/") {
			continue
		}
		for _, lim := range []Limits{{MaxQuads: 20}, {MaxDepth: 3}, {MaxValuesPerProperty: 2}, {MaxTypes: 1}, {MaxHashCalls: 3}} {
			if _, err := compareFast(l, c.doc, lim); err != nil {
				t.Errorf("%s with %+v: %v", c.name, lim, err)
			}
		}
	}

	g := gen{r: rand.New(rand.NewPCG(3, 14))}
	n := 600
	if testing.Short() {
		n = 100
	}
	generatedFast := 0
	for i := range n {
		doc := g.doc()
		if i%3 == 0 {
			doc = mutate(r, doc)
		}
		fast, err := compareFast(l, doc, Limits{})
		if err != nil {
			b, _ := json.Marshal(doc)
			t.Fatalf("generated doc %d %s: %v", i, b, err)
		}
		if fast {
			generatedFast++
		}
	}
	if generatedFast < n/2 {
		t.Errorf("fast path took only %d of %d generated documents", generatedFast, n)
	}
	t.Logf("fast path took %d of %d generated documents", generatedFast, n)
}

// FuzzFastPath: on any JSON document, the fast path and the default path
// agree (output, error, work).
func FuzzFastPath(f *testing.F) {
	g := gen{r: rand.New(rand.NewPCG(9, 14))}
	for range 20 {
		b, err := json.Marshal(g.doc())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	bench, _ := filepath.Glob("../testdata/bench/*.json")
	slices.Sort(bench)
	for _, p := range bench {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","x":[[1],{"@value":true}]}`))
	for _, d := range redTeamFastDocs() {
		f.Add([]byte(d))
	}
	l := freshLoader(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var doc map[string]any
		d := json.NewDecoder(bytes.NewReader(b))
		if len(b)%2 == 0 {
			d.UseNumber()
		}
		if d.Decode(&doc) != nil {
			return
		}
		if _, err := compareFast(l, doc, Limits{}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCanonicalizeOmit: a document canonicalized with Omit is the
// document without that member, on every path, whatever the member holds
// (a value the walk would refuse is not walked) and when it is a keyword.
func TestCanonicalizeOmit(t *testing.T) {
	l := freshLoader(t)
	data, err := os.ReadFile("../testdata/bench/ob-50.json")
	if err != nil {
		t.Fatal(err)
	}
	base := func() map[string]any {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	many := make([]any, 5000)
	for i := range many {
		many[i] = map[string]any{"type": "DataIntegrityProof"}
	}
	for _, c := range []struct {
		name   string
		omit   string
		member any
	}{
		{"proof", "proof", map[string]any{"type": "DataIntegrityProof", "proofValue": "z1"}},
		{"proof past the bounds", "proof", many},
		{"proof the context refuses", "proof", []any{[]any{1.5}}},
		{"absent member", "proof", nil},
		{"another property", "name", nil},
		{"a keyword", "@context", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, slow := range []bool{false, true} {
				doc := base()
				if c.member != nil {
					doc[c.omit] = c.member
				}
				without := base()
				delete(without, c.omit)
				ctx := context.Background()
				var wo, wc Work
				before := l.processed.fast.Load()
				got, oerr := Canonicalize(ctx, doc, CanonOptions{Loader: l, Work: &wo, Omit: c.omit, slowOnly: slow})
				// The member is not walked: the document stays on the fast
				// path whatever it holds.
				if fast := l.processed.fast.Load() != before; !slow && c.omit == "proof" && !fast {
					t.Errorf("omitting %s left the document to the default path", c.omit)
				}
				want, cerr := Canonicalize(ctx, without, CanonOptions{Loader: l, Work: &wc, slowOnly: slow})
				if (oerr == nil) != (cerr == nil) || oerr != nil && oerr.Error() != cerr.Error() {
					t.Fatalf("slow %v: omitting: %v, without: %v", slow, oerr, cerr)
				}
				if !bytes.Equal(got, want) || wo != wc {
					t.Fatalf("slow %v: omitting gives %d bytes %+v, without %d bytes %+v", slow, len(got), wo, len(want), wc)
				}
				if _, has := doc[c.omit]; c.member != nil && !has {
					t.Fatalf("the document lost its %s", c.omit)
				}
			}
		})
	}
}

// TestCanonicalizeOmitProofOptions: proof options with a proof member
// omitted canonicalize as the options alone, through their own path.
func TestCanonicalizeOmitProofOptions(t *testing.T) {
	l := freshLoader(t)
	opts := func() map[string]any {
		return map[string]any{
			"@context": "https://www.w3.org/ns/credentials/v2", "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
			"created": "2026-01-01T00:00:00Z", "verificationMethod": "did:example:a#k", "proofPurpose": "assertionMethod",
		}
	}
	with := opts()
	with["proof"] = map[string]any{"type": "DataIntegrityProof", "proofValue": "z1"}
	ctx := context.Background()
	var wo, wc Work
	got, oerr := Canonicalize(ctx, with, CanonOptions{Loader: l, Work: &wo, Omit: "proof"})
	want, cerr := Canonicalize(ctx, opts(), CanonOptions{Loader: l, Work: &wc})
	if oerr != nil || cerr != nil {
		t.Fatalf("omitting: %v, without: %v", oerr, cerr)
	}
	if !bytes.Equal(got, want) || wo != wc || len(want) == 0 {
		t.Fatalf("omitting gives\n%s%+v\nwithout\n%s%+v", got, wo, want, wc)
	}
}

// TestFieldSetters: add and rdfc's CanonicalizeQuads set every field of
// a Term one at a time; a field added to Term must be added there too.
func TestFieldSetters(t *testing.T) {
	if got := reflect.TypeOf(rdfc.Term{}).NumField(); got != 4 {
		t.Errorf("rdfc.Term has %d fields, setTerm writes 4", got)
	}
}
