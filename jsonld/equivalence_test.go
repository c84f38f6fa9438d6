package jsonld

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/contexts"
)

// referenceDir holds the byte-exact reference copies of the contexts (see its
// INDEX.md). Tests read it in place; it is never copied into the repository.
const referenceDir = "../../shared/spec/contexts"

// referenceFiles maps every bundled URL to its reference copy. A context
// added to manifest.json must be added here too, so that nothing is shipped
// without being proven to expand like the published document.
var referenceFiles = map[string]string{
	contexts.CredentialsV2:          "credentials-v2.jsonld",
	contexts.CredentialsV1:          "credentials-v1.jsonld",
	contexts.OBv3p0:                 "ob-v3p0-context-3.0.3.json",
	contexts.OBv3p0_3_0_2:           "ob-v3p0-context-3.0.2.json",
	contexts.OBv3p0_3_0_1:           "ob-v3p0-context-3.0.1.json",
	contexts.OBv3p0Unversioned:      "ob-v3p0-context.json",
	contexts.OBExtensions:           "ob-v3p0-extensions.json",
	contexts.CLRv2p0:                "clr-v2p0-context-2.0.1.json",
	contexts.CLRv2p0Unversioned:     "clr-v2p0-context.json",
	contexts.DataIntegrityV2:        "data-integrity-v2.jsonld",
	contexts.DataIntegrityV1:        "data-integrity-v1.jsonld",
	contexts.MultikeyV1:             "multikey-v1.jsonld",
	contexts.Ed25519Signature2020V1: "ed25519-signature-2020-v1.jsonld",
	contexts.StatusListV1:           "credentials-status-v1.jsonld",
	contexts.StatusList2021V1:       "status-list-2021-v1.jsonld",
	contexts.CIDV1:                  "cid-v1.jsonld",
	contexts.JWKV1:                  "jwk-v1.jsonld",
}

// requireReference returns the reference directory, skipping the test when
// it is absent outside CI.
func requireReference(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(referenceDir, "INDEX.md")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference contexts %s missing (CI=true): %v", referenceDir, err)
		}
		t.Skipf("reference contexts %s missing; skipping equivalence check: %v", referenceDir, err)
	}
	return referenceDir
}

func readReference(t *testing.T, dir, url string) []byte {
	t.Helper()
	name, ok := referenceFiles[url]
	if !ok {
		t.Fatalf("%s has no reference copy listed in referenceFiles", url)
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("reading reference for %s: %v", url, err)
	}
	return b
}

// TestEquivalentToReference expands, for every shipped context, a probe
// document that uses every term the reference copy defines (including the
// terms of type- and property-scoped contexts), once with the bundled file
// and once with the reference copy served at the same URL, and requires
// identical expanded output and identical RDFC-1.0 N-Quads.
func TestEquivalentToReference(t *testing.T) {
	dir := requireReference(t)
	l := mustLoader(t)
	for _, in := range l.Bundled() {
		t.Run(in.URL, func(t *testing.T) {
			ref := readReference(t, dir, in.URL)
			refLoader, err := l.With(in.URL, ref)
			if err != nil {
				t.Fatalf("reference copy: %v", err)
			}
			probe, nTerms := probeFor(t, in.URL, ref, refLoader)

			ours, err := expand(l, probe)
			if err != nil {
				t.Fatalf("expanding probe with bundled context: %v", err)
			}
			theirs, err := expand(refLoader, probe)
			if err != nil {
				t.Fatalf("expanding probe with reference context: %v", err)
			}
			if !reflect.DeepEqual(ours, theirs) {
				t.Errorf("expanded probe differs:\nbundled:   %s\nreference: %s", jsonString(ours), jsonString(theirs))
			}

			qOurs, err := nquads(l, probe)
			if err != nil {
				t.Fatalf("canonicalizing probe with bundled context: %v", err)
			}
			qTheirs, err := nquads(refLoader, probe)
			if err != nil {
				t.Fatalf("canonicalizing probe with reference context: %v", err)
			}
			if qOurs != qTheirs {
				t.Errorf("canonical N-Quads differ:\nbundled:\n%s\nreference:\n%s", qOurs, qTheirs)
			}
			lines := strings.Count(qOurs, "\n")
			if lines < nTerms {
				t.Errorf("probe gave %d quads for %d terms; terms were dropped", lines, nTerms)
			}
			t.Logf("%d terms, %d quads", nTerms, lines)
		})
	}
}

// TestProbeCoversEveryTerm makes the equivalence test able to fail: changing
// the IRI of any single term definition in the reference copy, at any depth,
// must change the expansion of the probe.
func TestProbeCoversEveryTerm(t *testing.T) {
	dir := requireReference(t)
	l := mustLoader(t)
	for _, in := range l.Bundled() {
		t.Run(in.URL, func(t *testing.T) {
			ref := readReference(t, dir, in.URL)
			refLoader, err := l.With(in.URL, ref)
			if err != nil {
				t.Fatalf("reference copy: %v", err)
			}
			probe, _ := probeFor(t, in.URL, ref, refLoader)
			base, err := expand(l, probe)
			if err != nil {
				t.Fatalf("expanding probe: %v", err)
			}
			var tree any
			if err := json.Unmarshal(ref, &tree); err != nil {
				t.Fatal(err)
			}
			paths := termPaths(tree.(map[string]any)["@context"], []any{"@context"})
			if len(paths) == 0 {
				t.Fatal("reference defines no terms")
			}
			for _, p := range paths {
				mutated := mutateTerm(t, ref, p)
				ml, err := l.With(in.URL, mutated)
				if err != nil {
					t.Fatal(err)
				}
				got, err := expand(ml, probe)
				if err == nil && reflect.DeepEqual(got, base) {
					t.Errorf("changing the IRI of term %v leaves the probe's expansion unchanged", p)
				}
			}
		})
	}
}

func expand(l ld.DocumentLoader, probe []byte) ([]any, error) {
	var doc any
	if err := json.Unmarshal(probe, &doc); err != nil {
		return nil, err
	}
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = l
	return ld.NewJsonLdProcessor().Expand(doc, opts)
}

func nquads(l ld.DocumentLoader, probe []byte) (string, error) {
	var doc any
	if err := json.Unmarshal(probe, &doc); err != nil {
		return "", err
	}
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = l
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	out, err := ld.NewJsonLdProcessor().Normalize(doc, opts)
	if err != nil {
		return "", err
	}
	s, _ := out.(string)
	return s, nil
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A term definition as found in a context object.
type termDef struct {
	name string
	def  any
}

// terms lists the term definitions of a context value (an object, or an
// array of objects and URLs), in name order, leaving out keywords, keyword
// aliases and null definitions.
func terms(ctx any) []termDef {
	var out []termDef
	switch c := ctx.(type) {
	case []any:
		for _, e := range c {
			out = append(out, terms(e)...)
		}
	case map[string]any:
		for name, def := range c {
			if strings.HasPrefix(name, "@") || def == nil || isKeywordAlias(def) {
				continue
			}
			out = append(out, termDef{name, def})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func isKeywordAlias(def any) bool {
	switch d := def.(type) {
	case string:
		return strings.HasPrefix(d, "@")
	case map[string]any:
		id, _ := d["@id"].(string)
		return strings.HasPrefix(id, "@")
	}
	return false
}

func scopedContext(def any) any {
	if m, ok := def.(map[string]any); ok {
		return m["@context"]
	}
	return nil
}

// prober builds probe documents; ids are numbered so probes are
// deterministic.
type prober struct {
	n       int
	idKey   string
	typeKey string
	terms   int
}

// maxProbeDepth bounds the nesting of scoped contexts the probe follows; no
// shipped context nests deeper than three levels.
const maxProbeDepth = 6

func (p *prober) fresh() string {
	p.n++
	return fmt.Sprintf("urn:probe:%d", p.n)
}

// node returns a node object, typed typ when typ is not empty, with a value
// for every term in defs.
func (p *prober) node(defs []termDef, typ string, depth int) map[string]any {
	n := map[string]any{p.idKey: p.fresh()}
	if typ != "" {
		n[p.typeKey] = typ
	}
	for _, td := range defs {
		n[td.name] = p.value(td.def, depth)
		p.terms++
	}
	return n
}

// value returns a value that suits a term definition: an IRI for @id/@vocab
// typed terms, JSON for @json, a node using the scoped context's terms, and
// the shape each container expects.
func (p *prober) value(def any, depth int) any {
	d, ok := def.(map[string]any)
	if !ok {
		return "probe literal"
	}
	if _, ok := d["@reverse"]; ok {
		return map[string]any{p.idKey: p.fresh()}
	}
	typ, _ := d["@type"].(string)
	var item any
	switch {
	case d["@context"] != nil && depth < maxProbeDepth:
		inner := terms(d["@context"])
		n := p.node(inner, "", depth+1)
		if typ == "@vocab" {
			// The scoped terms of a @vocab-typed property are its values
			// (proofPurpose: "assertionMethod"), so use each as a value too.
			vals := []any{n}
			for _, td := range inner {
				vals = append(vals, td.name)
			}
			return vals
		}
		item = n
	case typ == "@id" || typ == "@vocab":
		item = p.fresh()
	case typ == "@json":
		item = map[string]any{"k": []any{1.5, "x", true, nil}}
	default:
		item = "probe literal"
	}
	containers := map[string]bool{}
	switch c := d["@container"].(type) {
	case string:
		containers[c] = true
	case []any:
		for _, e := range c {
			if s, ok := e.(string); ok {
				containers[s] = true
			}
		}
	}
	switch {
	case containers["@language"]:
		return map[string]any{"en": "probe literal"}
	case containers["@index"]:
		return map[string]any{"probe-index": item}
	case containers["@id"]:
		return map[string]any{p.fresh(): item}
	case containers["@type"]:
		return map[string]any{"urn:probe:Type": item}
	case containers["@list"], containers["@set"]:
		return []any{item}
	}
	return item
}

// probeFor builds a probe document for the context at url from its
// reference copy: one node using every top-level term as a property, one node
// typed with every top-level term that has no scoped context, and for every
// term with a scoped context a node of that type using the scoped terms.
// refLoader serves the reference copy at url. It returns the probe and the
// number of term uses in it.
func probeFor(t *testing.T, url string, ref []byte, refLoader ld.DocumentLoader) ([]byte, int) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(ref, &doc); err != nil {
		t.Fatalf("reference for %s: %v", url, err)
	}
	top := doc["@context"]
	p := &prober{idKey: "@id", typeKey: "@type"}
	if m, ok := top.(map[string]any); ok {
		if m["id"] == "@id" {
			p.idKey = "id"
		}
		if m["type"] == "@type" {
			p.typeKey = "type"
		}
	}
	defs := terms(top)
	graph := []any{p.node(defs, "", 0)}

	var plain []any
	for _, td := range defs {
		if scopedContext(td.def) == nil {
			plain = append(plain, td.name)
		}
	}
	if len(plain) > 0 {
		graph = append(graph, map[string]any{p.idKey: p.fresh(), p.typeKey: plain})
	}
	for _, td := range defs {
		sc := scopedContext(td.def)
		if sc == nil {
			continue
		}
		n := p.node(terms(sc), td.name, 1)
		// A property's scoped context may override protected terms but a
		// type-scoped one may not (credentials/v2 "cnf"), so a term whose
		// context is invalid as a type is probed as a property only.
		one, err := json.Marshal(map[string]any{"@context": url, "@graph": []any{n}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := expand(refLoader, one); err != nil {
			t.Logf("%s: not probed as a type: %v", td.name, err)
			continue
		}
		graph = append(graph, n)
	}
	b, err := json.Marshal(map[string]any{"@context": url, "@graph": graph})
	if err != nil {
		t.Fatal(err)
	}
	return b, p.terms
}

// termPaths returns the path (object keys from the document root) of every
// term definition with an IRI, at every depth of scoped contexts.
func termPaths(ctx any, at []any) [][]any {
	var out [][]any
	switch c := ctx.(type) {
	case []any:
		for i, e := range c {
			out = append(out, termPaths(e, appendPath(at, i))...)
		}
	case map[string]any:
		names := make([]string, 0, len(c))
		for name := range c {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			def := c[name]
			if strings.HasPrefix(name, "@") || def == nil || isKeywordAlias(def) {
				continue
			}
			here := appendPath(at, name)
			switch d := def.(type) {
			case string:
				out = append(out, here)
			case map[string]any:
				if _, ok := d["@id"].(string); ok {
					out = append(out, here)
				}
				if sc, ok := d["@context"]; ok {
					out = append(out, termPaths(sc, appendPath(here, "@context"))...)
				}
			}
		}
	}
	return out
}

func appendPath(p []any, k any) []any {
	return append(append([]any(nil), p...), k)
}

// mutateTerm returns a copy of the context document ref in which the term
// definition at path maps to a different IRI.
func mutateTerm(t *testing.T, ref []byte, path []any) []byte {
	t.Helper()
	var tree any
	if err := json.Unmarshal(ref, &tree); err != nil {
		t.Fatal(err)
	}
	parent := tree
	for _, k := range path[:len(path)-1] {
		switch k := k.(type) {
		case string:
			parent = parent.(map[string]any)[k]
		case int:
			parent = parent.([]any)[k]
		}
	}
	obj := parent.(map[string]any)
	name := path[len(path)-1].(string)
	switch d := obj[name].(type) {
	case string:
		obj[name] = d + "-mutated"
	case map[string]any:
		d["@id"] = d["@id"].(string) + "-mutated"
	}
	b, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
