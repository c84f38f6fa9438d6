package verifier

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// FuzzReadJSONLDForms: readJSONLDForms never modifies its input, leaves
// no null value object or @set object outside @context, and is idempotent.
func FuzzReadJSONLDForms(f *testing.F) {
	for _, s := range []string{
		`{"a":{"@value":null},"b":[{"@set":[1,{"@value":null}]},2],"@context":[{"@set":1}]}`,
		`{"criteria":{"@set":[{"narrative":"a"},{"narrative":"b"}]}}`,
		`{"x":[{"@set":[]},{"@set":{"@set":[{"@value":null}]}}]}`,
		`{"name":"plain","list":[1,2,3]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc any
		if json.Unmarshal(data, &doc) != nil {
			return
		}
		var before any
		_ = json.Unmarshal(data, &before)
		var paths []string
		out, drop, changed := readJSONLDForms(doc, "", &paths, 0)
		if !reflect.DeepEqual(doc, before) {
			t.Fatal("input modified")
		}
		if changed != (len(paths) > 0) {
			t.Fatalf("changed %v with paths %v", changed, paths)
		}
		if drop {
			return
		}
		var again []string
		out2, _, changed2 := readJSONLDForms(out, "", &again, 0)
		if changed2 && !hasNestedSet(out) {
			t.Fatalf("not idempotent: %v then %v (%v)", out, out2, again)
		}
	})
}

// hasNestedSet reports whether v holds a @set object inside a @set's
// values once read, which a second reading may still rewrite.
func hasNestedSet(v any) bool {
	b, _ := json.Marshal(v)
	var m any
	_ = json.Unmarshal(b, &m)
	var walk func(any) bool
	walk = func(x any) bool {
		switch t := x.(type) {
		case map[string]any:
			for k, e := range t {
				if k == "@context" {
					continue
				}
				if k == "@set" || k == "@value" || walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range t {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(m)
}

// TestReadJSONLDForms pins the readings.
func TestReadJSONLDForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":{"@value":null},"b":1}`, `{"b":1}`},
		{`{"a":[{"@value":null},1]}`, `{"a":[1]}`},
		{`{"a":{"@set":[1,2]}}`, `{"a":[1,2]}`},
		{`{"a":[0,{"@set":[1,{"@value":null}]},2]}`, `{"a":[0,1,2]}`},
		{`{"a":{"@set":[]}}`, `{"a":[]}`},
		{`{"a":{"@set":{"@value":null}}}`, `{"a":[]}`},
		{`{"@context":[{"@value":null}],"a":1}`, `{"@context":[{"@value":null}],"a":1}`},
		{`{"a":{"@value":"x"}}`, `{"a":{"@value":"x"}}`},
		{`{"a":1,"@nest":{"b":2,"a":3}}`, `{"a":[1,3],"b":2}`},
		{`{"cred:evidence":[{"id":"x"}],"obi:x:y":1}`, `{"evidence":[{"id":"x"}],"obi:x:y":1}`},
		{`{"https://schema.org/name":"n","https://example.org/x":1}`, `{"https://example.org/x":1,"name":"n"}`},
		{`{"@context":[{"nm":{"@id":"https://schema.org/name"}}],"nm":"n","name":"m"}`, `{"@context":[{"nm":{"@id":"https://schema.org/name"}}],"name":["m","n"]}`},
	}
	for _, tc := range tests {
		var in any
		if err := json.Unmarshal([]byte(tc.in), &in); err != nil {
			t.Fatal(err)
		}
		var paths []string
		out, _, _ := readJSONLDForms(in, "", &paths, 0)
		got, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// FuzzFormsShortcut holds readJSONLDForms, which skips the walk when
// anyForm finds nothing to rewrite, to the walk itself, and
// expandCompactedValue to its input (never modified) and to one variant
// per credentialStatus entry.
func FuzzFormsShortcut(f *testing.F) {
	for _, s := range []string{
		`{"a":{"@value":null},"b":[{"@set":[1,{"@value":null}]},2],"@context":[{"@set":1}]}`,
		`{"@context":[{"x":"https://schema.org/name"}],"a":{"x":"n"}}`,
		`{"a":{"https://schema.org/name":"n"},"b":{"@nest":{"c":1}}}`,
		`{"name":"plain","list":[1,2,3],"credentialStatus":[{"id":"a"}]}`,
		`{"type":"OpenBadgeCredential","credentialStatus":[{"id":"a"}]}`,
		`{"type":"OpenBadgeCredential","credentialStatus":[{"id":"a"},{"id":"b"}]}`,
		`{"@set":{"type":"OpenBadgeCredential","credentialStatus":[{"id":"a"}]}}`,
		`{"@set":{"type":["OpenBadgeCredential"],"credentialStatus":[{"id":"a"}]}}`,
		`{"a":{"@context":"https://www.w3.org/ns/credentials/v2"},"proof":{"@context":[{"x":"https://schema.org/name"}]}}`,
		`{"proof":[{"a":{"@context":null}}],"b":[[{"c":{"@context":[{"y":{"@id":"cred:name"}}]}}]]}`,
		`{"proof":{"@context":"https://www.w3.org/ns/credentials/v2"}}`,
		`{"b":[{"@context":1},[{"x":{"@context":2}}],{"a":{"@context":3},"@context":4}],"a":{"z":{"@context":5},"0":{"@context":6},"@context":7},"b2":{"@context":8}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc any
		if json.Unmarshal(data, &doc) != nil {
			return
		}
		var before any
		_ = json.Unmarshal(data, &before)
		var paths, walked []string
		out, drop, changed := readJSONLDForms(doc, "", &paths, 0)
		fr := &formReader{aliases: map[string]string{}, paths: &walked}
		fr.collectAliases(doc, 0, false)
		wout, wdrop, wchanged := fr.read(doc, "", 0)
		if drop != wdrop || changed != wchanged || !reflect.DeepEqual(out, wout) || !reflect.DeepEqual(paths, walked) {
			t.Fatalf("shortcut %v %v %v %v, walk %v %v %v %v", out, drop, changed, paths, wout, wdrop, wchanged, walked)
		}
		m, ok := doc.(map[string]any)
		if !ok {
			return
		}
		// One scan serves the context check and the schema check as their
		// own walks would.
		scan := scanForms(m)
		if want := hasNestedContexts(m); scan.nested != want {
			t.Fatalf("scan finds nested contexts %v, hasNestedContexts %v", scan.nested, want)
		}
		if got, want := collectContexts(m, nil), sortedContexts(m); !reflect.DeepEqual(got, want) {
			t.Fatalf("collectContexts %v, want %v", got, want)
		}
		var scanned []string
		sout, sdrop, schanged := readScannedForms(doc, &scanned, scan)
		if drop != sdrop || changed != schanged || !reflect.DeepEqual(out, sout) || !reflect.DeepEqual(paths, scanned) {
			t.Fatalf("shortcut %v %v %v %v, scanned %v %v %v %v", out, drop, changed, paths, sout, sdrop, schanged, scanned)
		}
		variants, _, _, unchecked := expandCompactedValue(m, 3)
		if !reflect.DeepEqual(doc, before) {
			t.Fatal("expandCompactedValue modified its input")
		}
		statuses, isList := m["credentialStatus"].([]any)
		if !isList || len(statuses) == 0 || len(paths) > 0 {
			return
		}
		if want := min(len(statuses), 3); len(variants) != want || unchecked != len(statuses)-want {
			t.Fatalf("%d variants, %d unchecked for %d entries", len(variants), unchecked, len(statuses))
		}
		for i, v := range variants {
			if !reflect.DeepEqual(v.(map[string]any)["credentialStatus"], statuses[i]) {
				t.Fatalf("variant %d has %v", i, v)
			}
		}
	})
}

// sortedContexts is what collectContexts finds, by a walk that sorts every
// object's keys and writes every path.
func sortedContexts(cred map[string]any) []contextSite {
	var sites []contextSite
	var walk func(v any, path string, depth int)
	walk = func(v any, path string, depth int) {
		if depth > maxContextWalkDepth {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				p := path + "." + k
				if k == "@context" {
					sites = append(sites, contextSite{path: p, value: t[k]})
					continue
				}
				walk(t[k], p, depth+1)
			}
		case []any:
			for i, e := range t {
				walk(e, path+"["+strconv.Itoa(i)+"]", depth+1)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(cred)) {
		if k != "@context" && k != "proof" {
			walk(cred[k], k, 1)
		}
	}
	return sites
}
