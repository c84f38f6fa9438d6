package verifier

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// maxFormsDepth bounds readJSONLDForms; ob3 refuses deeper documents.
const maxFormsDepth = 128

// schemaVocabularies are the vocabularies of the members the OB 3.0 and
// CLR 2.0 JSON schemas check, whose terms are their IRIs' local names.
var schemaVocabularies = []string{obNS, clrNS, credNS, schemaOrg, "https://purl.imsglobal.org/spec/ob/v3p0/vocab.html#"}

// vocabularyPrefixes are the prefixes the bundled contexts define for
// those vocabularies ("obi:name" is a compact IRI, not a term).
var vocabularyPrefixes = []string{"cred:", "obi:"}

// formReader reads a document's JSON-LD forms by their meaning for the
// schema check (see readJSONLDForms).
type formReader struct {
	// aliases maps each term an inline context defines for an IRI of
	// schemaVocabularies to that IRI's local name; nil for none.
	aliases map[string]string
	paths   *[]string
	// nested is set by collectAliases when it meets a @context member
	// below the top level and outside the top-level proof, within
	// maxContextWalkDepth: where hasContexts would find one.
	nested bool
}

// formScan is what one walk of a decoded credential (collectAliases)
// found for the checks that would otherwise each walk it: the context
// check (nested @context values) and the schema check (JSON-LD forms and
// inline aliases). The credential must not change after it.
type formScan struct {
	aliases map[string]string
	// found is collectAliases' answer: a form read rewrites whatever the
	// aliases are.
	found bool
	// nested reports a @context member below the top level, outside the
	// top-level proof (see checkInlineContexts).
	nested bool
}

// scanForms walks doc once for the context and schema checks. A walk of
// a document decoded with numbers as float64 serves one decoded with
// json.Number: only numbers differ, and the walk reads none.
func scanForms(doc map[string]any) *formScan {
	fr := &formReader{}
	found := fr.collectAliases(doc, 0, false)
	return &formScan{aliases: fr.aliases, found: found, nested: fr.nested}
}

// readJSONLDForms returns v with the JSON-LD forms that the JSON schema
// would read as other structure than the statements they carry rewritten
// to their meaning, for the schema check:
//
//   - a value object whose @value is null is no value at all (its member
//     or array element is dropped);
//   - a {"@set": x} object is x (spliced into an enclosing array);
//   - the members of an "@nest" object are members of the node holding it;
//   - a member named by the absolute IRI of a term of the vocabularies the
//     schemas check, or by an inline context's term for such an IRI, is
//     that term (values of both spellings are merged into an array).
//
// Without it a signed credential that lacks a required member, has two
// where the schema allows one, or has a value the schema refuses could be
// given a JSON shape that the schema passes ("criteria": {"@value": null},
// "criteria": {"@set": [a, b]}, the refused value under its full IRI or
// @nest), with the same statements and so the same valid signature. @context
// values are left alone. v is never modified; paths lists each rewritten
// value.
func readJSONLDForms(v any, path string, paths *[]string, depth int) (out any, drop, changed bool) {
	fr := &formReader{paths: paths}
	// One walk collects the aliases and looks for the forms that need no
	// alias to be seen; only a document with aliases and none of those is
	// walked again, for keys that are aliases.
	found := fr.collectAliases(v, 0, false)
	return fr.readFound(v, path, depth, found)
}

// readScannedForms is readJSONLDForms of the document scan was made of,
// at the top level: the walk that collects the aliases is scan's.
func readScannedForms(v any, paths *[]string, scan *formScan) (out any, drop, changed bool) {
	fr := &formReader{aliases: scan.aliases, paths: paths}
	return fr.readFound(v, "", 0, scan.found)
}

// readFound is readJSONLDForms once collectAliases has filled fr and
// reported found.
func (fr *formReader) readFound(v any, path string, depth int, found bool) (out any, drop, changed bool) {
	if !found && (len(fr.aliases) > 0 || depth != 0) {
		found = fr.anyForm(v, depth)
	}
	if !found {
		// The common case: nothing to rewrite, so no walk that sorts
		// every object's keys and builds every path.
		return v, false, false
	}
	return fr.read(v, path, depth)
}

// anyForm reports whether read could rewrite anything in v: a value
// object whose @value is null, a @set, a @nest, or a member named by a
// vocabulary IRI or an alias, within maxFormsDepth, as read walks it.
func (fr *formReader) anyForm(v any, depth int) bool {
	if depth > maxFormsDepth {
		return false
	}
	switch t := v.(type) {
	case map[string]any:
		if x, ok := t["@value"]; ok && x == nil {
			return true
		}
		if _, ok := t["@set"]; ok {
			return true
		}
		for k, e := range t {
			if k == "@context" {
				continue
			}
			if k == "@nest" || vocabularyTerm(k) != "" || fr.aliases[k] != "" {
				return true
			}
			if isContainer(e) && fr.anyForm(e, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if isContainer(e) && fr.anyForm(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// collectAliases fills fr.aliases from every inline context in v, at
// depth, under the top-level proof when inProof. It reports whether it saw
// a form read rewrites whatever the aliases are (as anyForm finds them,
// aliases aside), within maxFormsDepth, and sets fr.nested.
func (fr *formReader) collectAliases(v any, depth int, inProof bool) (found bool) {
	if depth > maxFormsDepth {
		return false
	}
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if k != "@context" {
				switch k {
				case "@value":
					found = found || e == nil
				case "@set", "@nest":
					found = true
				default:
					// Every prefix and namespace has a colon.
					found = found || strings.IndexByte(k, ':') >= 0 && vocabularyTerm(k) != ""
				}
				if isContainer(e) && fr.collectAliases(e, depth+1, inProof || depth == 0 && k == "proof") {
					found = true
				}
				continue
			}
			if depth >= 1 && depth <= maxContextWalkDepth && !inProof {
				fr.nested = true
			}
			list, ok := e.([]any)
			if !ok {
				list = []any{e}
			}
			for _, c := range list {
				m, ok := c.(map[string]any)
				if !ok {
					continue
				}
				for term, def := range m {
					iri, _ := def.(string)
					if d, ok := def.(map[string]any); ok {
						iri, _ = d["@id"].(string)
					}
					if local := vocabularyTerm(iri); local != "" && local != term {
						if fr.aliases == nil {
							fr.aliases = make(map[string]string)
						}
						fr.aliases[term] = local
					}
				}
			}
		}
	case []any:
		for _, e := range t {
			if isContainer(e) && fr.collectAliases(e, depth+1, inProof) {
				found = true
			}
		}
	}
	return found
}

// vocabularyTerm returns the term an IRI of schemaVocabularies names, or "".
func vocabularyTerm(iri string) string {
	for _, p := range vocabularyPrefixes {
		if local, ok := strings.CutPrefix(iri, p); ok && local != "" && !strings.ContainsAny(local, "#/:") {
			return local
		}
	}
	for _, ns := range schemaVocabularies {
		if local, ok := strings.CutPrefix(iri, ns); ok && local != "" && !strings.ContainsAny(local, "#/") {
			return local
		}
	}
	return ""
}

func (fr *formReader) read(v any, path string, depth int) (out any, drop, changed bool) {
	if depth > maxFormsDepth {
		return v, false, false
	}
	switch t := v.(type) {
	case map[string]any:
		return fr.readObject(t, path, depth)
	case []any:
		var a []any
		for i, e := range t {
			if !isContainer(e) {
				// Scalars never change: no path to build.
				if a != nil {
					a = append(a, e)
				}
				continue
			}
			ne, drop, ch := fr.read(e, path+"["+strconv.Itoa(i)+"]", depth+1)
			if a == nil && ch {
				a = slices.Clone(t[:i])
			}
			if a == nil {
				continue
			}
			switch {
			case drop:
			case isSet(e):
				if inner, ok := ne.([]any); ok {
					a = append(a, inner...)
				} else {
					a = append(a, ne)
				}
			default:
				a = append(a, ne)
			}
		}
		if a == nil {
			return v, false, false
		}
		return a, false, true
	}
	return v, false, false
}

func (fr *formReader) readObject(t map[string]any, path string, depth int) (out any, drop, changed bool) {
	if x, ok := t["@value"]; ok && x == nil {
		*fr.paths = append(*fr.paths, path)
		return nil, true, true
	}
	if x, ok := t["@set"]; ok {
		*fr.paths = append(*fr.paths, path)
		nx, drop, _ := fr.read(x, path, depth+1)
		if drop {
			return []any{}, false, true
		}
		return nx, false, true
	}
	var m map[string]any
	own := func() {
		if m == nil {
			m = make(map[string]any, len(t))
			for k, e := range t {
				m[k] = e
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		if k == "@context" {
			continue
		}
		target := vocabularyTerm(k)
		if target == "" {
			target = fr.aliases[k]
		}
		if !isContainer(t[k]) && target == "" && k != "@nest" {
			continue
		}
		kp := joinJSONPath(path, k)
		nv, drop, ch := fr.read(t[k], kp, depth+1)
		switch {
		case k == "@nest":
			own()
			delete(m, k)
			*fr.paths = append(*fr.paths, kp)
			if drop {
				continue
			}
			nested, ok := nv.([]any)
			if !ok {
				nested = []any{nv}
			}
			for _, n := range nested {
				if nm, ok := n.(map[string]any); ok {
					for _, nk := range slices.Sorted(maps.Keys(nm)) {
						merge(m, nk, nm[nk])
					}
				}
			}
		case target != "":
			own()
			delete(m, k)
			*fr.paths = append(*fr.paths, kp)
			if !drop {
				merge(m, target, nv)
			}
		case ch:
			own()
			if drop {
				delete(m, k)
			} else {
				m[k] = nv
			}
		}
	}
	if m == nil {
		return t, false, false
	}
	return m, false, true
}

// merge adds v as member k of m: a second value makes an array of both, as
// the statements have two values.
func merge(m map[string]any, k string, v any) {
	old, ok := m[k]
	if !ok {
		m[k] = v
		return
	}
	list := func(x any) []any {
		if a, ok := x.([]any); ok {
			return a
		}
		return []any{x}
	}
	m[k] = append(slices.Clone(list(old)), list(v)...)
}

// isContainer reports whether v is a JSON object or array.
func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// isSet reports whether v is a {"@set": ...} object.
func isSet(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m["@set"]
	return ok
}

// joinJSONPath appends member k to path.
func joinJSONPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
