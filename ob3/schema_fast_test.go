package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// rootSchemaURLs lists the embedded root schemas in a fixed order.
func rootSchemaURLs(t testing.TB) []string {
	t.Helper()
	schemas, err := compiledSchemas()
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(schemas))
}

// sfTally counts the fast check's verdicts beside the library's.
type sfTally struct {
	checks, libValid, fastValid, libInvalid, fastInvalid, unsure int
}

func (c sfTally) String() string {
	return fmt.Sprintf("%d checks: library valid %d (fast decided %d), library invalid %d (fast decided %d), unsure %d",
		c.checks, c.libValid, c.fastValid, c.libInvalid, c.fastInvalid, c.unsure)
}

// sfDiff checks doc against the schema at url both ways and fails t if the
// fast check's answer contradicts the library's. It returns both answers.
func sfDiff(t testing.TB, url string, doc any, what string) (sfVerdict, bool) {
	t.Helper()
	schemas, err := compiledSchemas()
	if err != nil {
		t.Fatal(err)
	}
	fv := sfSchemas()[url]
	if fv == nil {
		t.Fatalf("no fast validator for %s", url)
	}
	fast := fv.check(doc)
	libValid := schemas[url].Validate(doc) == nil
	switch {
	case fast == sfValid && !libValid:
		t.Errorf("%s against %s: fast says valid, library says invalid: %v", what, url, schemas[url].Validate(doc))
	case fast == sfInvalid && libValid:
		t.Errorf("%s against %s: fast says invalid, library says valid", what, url)
	}
	return fast, libValid
}

func (c *sfTally) add(fast sfVerdict, libValid bool) {
	c.checks++
	if libValid {
		c.libValid++
		if fast == sfValid {
			c.fastValid++
		}
	} else {
		c.libInvalid++
		if fast == sfInvalid {
			c.fastInvalid++
		}
	}
	if fast == sfUnsure {
		c.unsure++
	}
}

// sfCorpus reads every JSON document under the repository's testdata
// directories, the examples, this package's schemas and the shared spec
// test vectors, decoded the way ValidateSchema decodes (json.Number).
func sfCorpus(t testing.TB) map[string]any {
	t.Helper()
	roots := []string{"..", "../../shared/spec/test-vectors"}
	docs := map[string]any{}
	for i, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				switch d.Name() {
				case ".git", "node_modules":
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".json") {
				return nil
			}
			// In the repository, only test data and examples: the rest
			// is contexts, configuration and package metadata.
			if i == 0 && !strings.Contains(path, "testdata") && !strings.Contains(path, "examples") {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				return nil // not JSON (the hostile corpus has some)
			}
			docs[path] = v
			return nil
		})
		if err != nil && !(i == 1 && errors.Is(err, fs.ErrNotExist)) {
			t.Fatal(err)
		}
	}
	if len(docs) < 100 {
		t.Fatalf("corpus has %d documents, want the repository's test data", len(docs))
	}
	return docs
}

// credentialsIn returns doc and every object nested in it that looks like
// a credential or profile (it has @context or type), so embedded
// credentials (CLR, endorsements, presentations) are checked on their own.
func credentialsIn(doc any) []any {
	var out []any
	var walk func(v any, top bool)
	walk = func(v any, top bool) {
		switch x := v.(type) {
		case map[string]any:
			_, ctx := x["@context"]
			_, typ := x["type"]
			if top || ctx || typ {
				out = append(out, x)
			}
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], false)
			}
		case []any:
			for _, e := range x {
				walk(e, false)
			}
		}
	}
	walk(doc, true)
	return out
}

// sfTypeSwaps replace any node with each JSON type and with number forms
// whose reading differs between parsers.
var sfTypeSwaps = []any{
	nil, true, json.Number("1e400"), json.Number("-0"), json.Number("1.5"), json.Number("1.0"),
	"x", []any{}, map[string]any{}, []any{"x"},
}

// sfStringSwaps replace string nodes: strings aimed at the schemas'
// formats (date-time, date), patterns (language tags, JWS, context URLs,
// extension terms) and enums. Each string node gets a few of them in turn,
// so that every one meets many different nodes.
var sfStringSwaps = []string{
	"2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2024-04-31T00:00:00Z", "2024-04-30T00:00:00Z",
	"2024-01-01T23:59:60Z", "2024-01-01T12:00:60Z", "2024-01-01t12:00:00z", "2024-01-01T12:00:00.Z",
	"2024-01-01T12:00:00.123+05:30", "2024-01-01T12:00:00+24:00", "2024-01-01T12:00:00-23:59",
	"2024-01-01 12:00:00Z", "2024-1-01T12:00:00Z", "+024-01-01T12:00:00Z", "2024-01-01T12:00:00",
	"0000-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00+00:00x",
	"2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "24-01-01",
	"ext:Custom", "ext:bad space", "Completed", "Badge", "en", "en-US", "zh-Hant-TW", "EN",
	"aaa.bbb.ccc", "aaa..ccc", "a.b", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
	"https://purl.imsglobal.org/spec/ob/v3p0/context.json", "https://www.w3.org/ns/credentials/v2",
	"https://www.w3.org/2018/credentials/v1", "Image", "Profile", "VerifiableCredential", "",
}

// sfMutator makes single-edit variants of a document.
type sfMutator struct {
	next int // which of sfStringSwaps the next string node gets
}

// mutate calls emit with a builder of each single-edit variant of v: each
// node replaced by each of sfTypeSwaps, each string node by itself with a
// suffix and by three of sfStringSwaps, each object key dropped, an extra
// key added to each object, and each array emptied, shortened, extended
// (with a duplicate and with a string) and reversed. A variant is built
// only when its builder is called, sharing the unchanged parts.
func (mu *sfMutator) mutate(v any, emit func(build func() any)) {
	leaf := func(r any) { emit(func() any { return r }) }
	for _, r := range sfTypeSwaps {
		leaf(r)
	}
	switch x := v.(type) {
	case string:
		leaf(x + "x")
		for range 3 {
			leaf(sfStringSwaps[mu.next%len(sfStringSwaps)])
			mu.next++
		}
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		for _, k := range keys {
			emit(func() any {
				m := maps.Clone(x)
				delete(m, k)
				return m
			})
		}
		emit(func() any {
			m := maps.Clone(x)
			m["zzExtra"] = "x"
			return m
		})
		for _, k := range keys {
			mu.mutate(x[k], func(build func() any) {
				emit(func() any {
					m := maps.Clone(x)
					m[k] = build()
					return m
				})
			})
		}
	case []any:
		if len(x) > 0 {
			emit(func() any { return slices.Clone(x[1:]) })
			emit(func() any { return append(slices.Clone(x), x[0]) })
			emit(func() any { return append(slices.Clone(x), "x") })
			emit(func() any {
				r := slices.Clone(x)
				slices.Reverse(r)
				return r
			})
		}
		for i := range x {
			mu.mutate(x[i], func(build func() any) {
				emit(func() any {
					a := slices.Clone(x)
					a[i] = build()
					return a
				})
			})
		}
	}
}

// TestSchemaFastDifferential checks the fast schema check against the
// library on every JSON document of the test data and on single-edit
// mutations of each credential in them: where the fast check answers, its
// answer must be the library's; and every real document the library finds
// valid must be decided by the fast check alone.
func TestSchemaFastDifferential(t *testing.T) {
	docs := sfCorpus(t)
	urls := rootSchemaURLs(t)
	var real, mutated sfTally
	files := slices.Sorted(maps.Keys(docs))
	var creds []any
	var credNames []string
	for _, name := range files {
		for i, c := range credentialsIn(docs[name]) {
			creds = append(creds, c)
			credNames = append(credNames, fmt.Sprintf("%s#%d", name, i))
		}
	}
	for i, c := range creds {
		for _, u := range urls {
			fast, lib := sfDiff(t, u, c, credNames[i])
			real.add(fast, lib)
			if lib && fast != sfValid {
				t.Errorf("%s against %s: library says valid, fast check left it %v", credNames[i], u, fast)
			}
		}
	}
	t.Logf("%d files, %d documents and embedded credentials: %v", len(files), len(creds), real)
	if real.libValid == 0 {
		t.Fatal("no document of the corpus is valid: the corpus is not the test data")
	}

	// Mutations: single edits of each distinct credential a schema
	// applies to, checked against the schema it calls for (every seventh
	// against every root schema). A credential's edits are sampled with a
	// stride so each gets at most its quota, larger for the realistic
	// benchmark credentials; the offset moves from one credential to the
	// next so near-identical documents have different nodes edited.
	quota, benchQuota := 60, 1500
	if testing.Short() {
		quota, benchQuota = 25, 600
	}
	n, total := 0, 0
	seen := map[string]bool{}
	var mu sfMutator
	for i, c := range creds {
		own := schemasFor(c)
		if len(own) == 0 {
			continue
		}
		key, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		count := 0
		mu.mutate(c, func(func() any) { count++ })
		total += count
		q := quota
		if strings.Contains(credNames[i], "testdata/bench/") {
			q = benchQuota
		}
		stride := max(1, (count+q-1)/q)
		j := 0
		mu.mutate(c, func(build func() any) {
			j++
			if (j+len(seen))%stride != 0 {
				return
			}
			n++
			m := build()
			check := own
			if n%7 == 0 {
				check = urls
			}
			for _, u := range check {
				fast, lib := sfDiff(t, u, m, fmt.Sprintf("mutation %d of %s", j, credNames[i]))
				mutated.add(fast, lib)
			}
		})
	}
	t.Logf("%d distinct credentials, %d of their %d single-edit mutations checked", len(seen), n, total)
	t.Logf("%d mutations: %v", n, mutated)
	if mutated.libValid == 0 || mutated.libInvalid == 0 || mutated.fastValid == 0 || mutated.fastInvalid == 0 {
		t.Fatalf("mutations exercise too little: %v", mutated)
	}
}

// TestSchemaFastKeywords runs the fast walk on small schemas that use the
// keywords the embedded schemas do not (not, oneOf, if/then/else,
// patternProperties, dependentRequired, uniqueItems, string lengths,
// integer, numeric bounds, unevaluatedProperties) against a set of
// values, and requires the library's answer wherever the fast check
// answers.
func TestSchemaFastKeywords(t *testing.T) {
	schemas := []string{
		`{"type":"integer"}`,
		`{"type":["integer","string"],"minLength":2,"maxLength":3}`,
		`{"not":{"type":"string"}}`,
		`{"oneOf":[{"type":"string"},{"const":"a"},{"type":"number"}]}`,
		`{"anyOf":[{"type":"number"},{"pattern":"^a+$"}]}`,
		`{"if":{"type":"object","required":["a"]},"then":{"required":["b"]},"else":{"type":"array"}}`,
		`{"type":"object","patternProperties":{"^x-":{"type":"string"}},"additionalProperties":{"type":"number"}}`,
		`{"propertyNames":{"maxLength":1},"minProperties":1,"maxProperties":2}`,
		`{"dependentRequired":{"a":["b"]},"dependentSchemas":{"c":{"required":["d"]}}}`,
		`{"dependencies":{"a":["b"],"c":{"required":["d"]}}}`,
		`{"uniqueItems":true}`,
		`{"type":"array","items":[{"type":"string"},{"type":"number"}],"additionalItems":false,"minItems":1,"maxItems":2}`,
		`{"additionalItems":{"type":"string"}}`,
		`{"contains":{"type":"number"},"minContains":2,"maxContains":3}`,
		`{"contains":{"type":"number"},"minContains":0}`,
		`{"minimum":1}`,
		`{"enum":[1,"a",null,[1],{"a":1},true]}`,
		`{"const":{"a":[1,"b"]}}`,
		`{"unevaluatedProperties":false,"properties":{"a":true}}`,
		`{"format":"date-time"}`,
		`{"format":"date"}`,
		`{"format":"email"}`,
		`{"properties":{"a":false,"b":true}}`,
		`{"$ref":"#/$defs/x","$defs":{"x":{"type":"string"}},"maxLength":2}`,
	}
	values := []string{
		`null`, `true`, `0`, `-0`, `1`, `2`, `1.0`, `1.5`, `1e400`, `-1e-400`, `12345678901234567890123`,
		`""`, `"a"`, `"aa"`, `"aaa"`, `"aaaa"`, `"é"`, `"ab"`, `"a@b.c"`, `"x"`,
		`"2024-02-29T12:00:00Z"`, `"2023-02-29T12:00:00Z"`, `"2024-01-01T23:59:60Z"`, `"2024-02-29"`,
		`[]`, `[1]`, `[1,1]`, `[1,1.0]`, `["a",1]`, `["a",1,2]`, `[1,2,3,4]`, `["a","b"]`, `[[1],[1]]`, `[{"a":1},{"a":1}]`,
		`{}`, `{"a":1}`, `{"a":1,"b":2}`, `{"c":1}`, `{"c":1,"d":2}`, `{"x-a":"s","y":1}`, `{"x-a":1}`, `{"ab":1}`,
		`{"a":[1,"b"]}`, `{"a":[1.0,"b"]}`, `{"b":1}`, `[1,"a"]`,
	}
	var tally sfTally
	for i, src := range schemas {
		url := fmt.Sprintf("https://badgesmith.invalid/schema/test-%d.json", i)
		c := newSchemaCompiler()
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		m := doc.(map[string]any)
		m["$schema"] = "https://json-schema.org/draft/2019-09/schema"
		if err := c.AddResource(url, m); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(url)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		sc, err := newSFCompiler()
		if err != nil {
			t.Fatal(err)
		}
		fv := &sfValidator{root: sc.node(s), t: sc.t, fmts: sc.fmts}
		for _, vs := range values {
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(vs))
			if err != nil {
				t.Fatal(err)
			}
			fast := fv.check(v)
			lib := s.Validate(v) == nil
			tally.add(fast, lib)
			switch {
			case fast == sfValid && !lib:
				t.Errorf("schema %s, value %s: fast valid, library invalid", src, vs)
			case fast == sfInvalid && lib:
				t.Errorf("schema %s, value %s: fast invalid, library valid", src, vs)
			}
		}
	}
	t.Logf("%v", tally)
	if tally.fastValid == 0 || tally.fastInvalid == 0 || tally.unsure == 0 {
		t.Fatalf("the keyword table exercises too little: %v", tally)
	}
}

// TestSchemaFastCycles checks that a schema applying itself to the same
// value (which the library reports as an error) is left to the library,
// and that every embedded schema has a fast tree.
func TestSchemaFastCycles(t *testing.T) {
	for _, tc := range []struct {
		src   string
		cycle bool
	}{
		{`{"allOf":[{"$ref":"#"}]}`, true},
		{`{"$ref":"#/$defs/a","$defs":{"a":{"anyOf":[{"$ref":"#/$defs/b"}]},"b":{"not":{"$ref":"#/$defs/a"}}}}`, true},
		{`{"properties":{"next":{"$ref":"#"}}}`, false},
		{`{"items":{"$ref":"#"},"allOf":[{"$ref":"#/$defs/a"}],"$defs":{"a":{"type":"array"}}}`, false},
	} {
		url := "https://badgesmith.invalid/schema/cycle.json"
		c := newSchemaCompiler()
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(url)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		sc, err := newSFCompiler()
		if err != nil {
			t.Fatal(err)
		}
		if got := sfSameValueCycle(sc.node(s)); got != tc.cycle {
			t.Errorf("%s: cycle %v, want %v", tc.src, got, tc.cycle)
		}
	}
	schemas, err := compiledSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for url := range schemas {
		if sfSchemas()[url] == nil {
			t.Errorf("%s has no fast tree", url)
		}
	}
}

// TestSchemaFastDates checks the allocation-free date-time and date
// recognizers against the library's own formats on every day of several
// years and on boundary times: whatever they accept, the library accepts.
func TestSchemaFastDates(t *testing.T) {
	b, err := sfProbeFormats()
	if err != nil {
		t.Fatal(err)
	}
	if b.dateTime == nil || b.date == nil || b.dateTime.Validate == nil {
		t.Fatal("the library's date-time and date formats were not found")
	}
	var accepted, total int
	check := func(s string) {
		total++
		if sfStrictDate(s) {
			accepted++
			if err := b.date.Validate(s); err != nil {
				t.Errorf("strict date accepts %q, library: %v", s, err)
			}
		}
		if sfStrictDateTime(s) {
			accepted++
			if err := b.dateTime.Validate(s); err != nil {
				t.Errorf("strict date-time accepts %q, library: %v", s, err)
			}
		}
	}
	for _, y := range []string{"0000", "0004", "1900", "2000", "2023", "2024", "2100", "9999"} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				date := fmt.Sprintf("%s-%02d-%02d", y, m, d)
				check(date)
				check(date + "T00:00:00Z")
			}
		}
	}
	times := []string{"00:00:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00", "12:00:60", "1:00:00", "+1:00:00", "12:00:0a"}
	tails := []string{"Z", "z", ".5Z", ".Z", ".123456789+05:30", "+00:00", "-23:59", "+24:00", "+05:60", "+5:30", "+05:30x", "", "ZZ", "+05-30"}
	for _, tm := range times {
		for _, tl := range tails {
			for _, sep := range []string{"T", "t", " "} {
				check("2024-06-15" + sep + tm + tl)
			}
		}
	}
	t.Logf("%d of %d strings decided by the recognizers", accepted, total)
	if accepted == 0 {
		t.Fatal("the recognizers accept nothing")
	}
}

// TestSchemaFastZeroAlloc requires the fast check to decide the realistic
// benchmark credentials without allocating.
func TestSchemaFastZeroAlloc(t *testing.T) {
	for _, name := range []string{"../testdata/bench/ob-50.json", "../testdata/bench/ob-150.json", "../testdata/bench/endorsement.json"} {
		doc, err := decodeForSchema(mustRead(t, name))
		if err != nil {
			t.Fatal(err)
		}
		urls := schemasFor(doc)
		if len(urls) != 1 {
			t.Fatalf("%s: schemas %v", name, urls)
		}
		fv := sfSchemas()[urls[0]]
		if got := fv.check(doc); got != sfValid {
			t.Fatalf("%s: fast check %v, want valid", name, got)
		}
		if n := testing.AllocsPerRun(20, func() { fv.check(doc) }); n != 0 {
			t.Errorf("%s: fast check allocates %v times, want 0", name, n)
		}
	}
}

// FuzzSchemaFast checks the fast schema check against the library on
// fuzzed JSON, for every embedded root schema.
func FuzzSchemaFast(f *testing.F) {
	for _, name := range []string{
		"../testdata/bench/ob-50.json", "../testdata/bench/endorsement.json",
		"testdata/corpus/good/ob-full.json",
	} {
		f.Add(mustRead(f, name))
	}
	files, err := filepath.Glob("testdata/corpus/*/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		f.Add(mustRead(f, name))
	}
	urls := rootSchemaURLs(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > DefaultMaxSize {
			return
		}
		doc, err := decodeForSchema(data)
		if err != nil {
			return
		}
		for _, c := range credentialsIn(doc) {
			for _, u := range urls {
				sfDiff(t, u, c, "fuzzed document")
			}
		}
	})
}

// BenchmarkValidateSchema runs the schema check on the realistic
// benchmark credentials, the library alone beside the path callers take
// (the fast check, then the library only if the fast check is not sure).
func BenchmarkValidateSchema(b *testing.B) {
	for _, name := range []string{"ob50:../testdata/bench/ob-50.json", "ob150:../testdata/bench/ob-150.json", "ob-full:testdata/corpus/good/ob-full.json"} {
		label, file, _ := strings.Cut(name, ":")
		data := mustRead(b, file)
		doc, err := decodeForSchema(data)
		if err != nil {
			b.Fatal(err)
		}
		urls := schemasFor(doc)
		schemas, err := compiledSchemas()
		if err != nil {
			b.Fatal(err)
		}
		lib := schemas[urls[0]]
		if err := lib.Validate(doc); err != nil {
			b.Fatal(err)
		}
		if err := ValidateSchemaValue(doc); err != nil { // builds the fast trees
			b.Fatal(err)
		}
		b.Run(label+"/library", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := lib.Validate(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(label+"/value", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := ValidateSchemaValue(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(label+"/bytes", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if err := ValidateSchema(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSchemaFastConcurrent runs the schema check from several goroutines
// at once (for -race): the fast trees are built once and only read.
func TestSchemaFastConcurrent(t *testing.T) {
	var docs []any
	for _, name := range []string{"../testdata/bench/ob-50.json", "../testdata/bench/endorsement.json", "testdata/corpus/good/ob-full.json"} {
		doc, err := decodeForSchema(mustRead(t, name))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	errs := make(chan error, 4*len(docs))
	for range 4 {
		for _, d := range docs {
			go func() { errs <- ValidateSchemaValue(d) }()
		}
	}
	for range 4 * len(docs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestSchemasFor pins which embedded schemas a document calls for and
// what DeclaredSchemas reports, and that picking them allocates nothing.
func TestSchemasFor(t *testing.T) {
	const (
		ach  = SchemaAchievementCredential
		end  = SchemaEndorsementCredential
		ach1 = SchemaAchievementCredentialVCDM11
		end1 = SchemaEndorsementCredentialVCDM11
		jse1 = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json"
	)
	cs := func(id string) string {
		return `{"id":"` + id + `","type":"1EdTechJsonSchemaValidator2019"}`
	}
	tests := []struct {
		name, doc        string
		want, emb, other []string
	}{
		{"type implies achievement", `{"type":["VerifiableCredential","OpenBadgeCredential"]}`, []string{ach}, nil, nil},
		{"type as a string", `{"type":"AchievementCredential"}`, []string{ach}, nil, nil},
		{"endorsement wins", `{"type":["OpenBadgeCredential","EndorsementCredential"]}`, []string{end}, nil, nil},
		{"bare profile", `{"type":"Profile"}`, []string{SchemaProfile}, nil, nil},
		{"profile credential", `{"type":["Profile","VerifiableCredential"]}`, nil, nil, nil},
		{"v1 context", `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["OpenBadgeCredential"]}`, []string{ach1}, nil, nil},
		{"declared alias, deduplicated", `{"type":["EndorsementCredential"],"credentialSchema":[` + cs(jse1) + `,` + cs(ach) + `]}`, []string{ach}, []string{ach}, nil},
		{"declared single object", `{"type":["X"],"credentialSchema":` + cs(end) + `}`, []string{end}, []string{end}, nil},
		{"declared, v1 mapping merges", `{"@context":["https://www.w3.org/2018/credentials/v1"],"credentialSchema":[` + cs(ach) + `,` + cs(ach1) + `,` + cs(end) + `]}`, []string{ach1, end1}, []string{ach, ach1, end}, nil},
		{"declared elsewhere only", `{"type":["OpenBadgeCredential"],"credentialSchema":[` + cs("https://example.org/s.json") + `,` + cs("https://example.org/s.json") + `,{"id":"` + end + `","type":"Other"}]}`, []string{ach}, nil, []string{"https://example.org/s.json"}},
		{"not an object", `["OpenBadgeCredential"]`, nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := decodeForSchema([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := schemasFor(doc); !slices.Equal(got, tc.want) {
				t.Errorf("schemasFor = %v, want %v", got, tc.want)
			}
			emb, other := DeclaredSchemas(doc)
			if !slices.Equal(emb, tc.emb) || !slices.Equal(other, tc.other) {
				t.Errorf("DeclaredSchemas = %v, %v, want %v, %v", emb, other, tc.emb, tc.other)
			}
			var buf [4]string
			if n := testing.AllocsPerRun(10, func() { appendSchemasFor(buf[:0], doc) }); n != 0 {
				t.Errorf("appendSchemasFor allocates %v times", n)
			}
		})
	}
}
