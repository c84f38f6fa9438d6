package verifier

import (
	"slices"
	"strconv"
)

// maxFormsDepth bounds readJSONLDForms; ob3 refuses deeper documents.
const maxFormsDepth = 128

// readJSONLDForms returns v with the JSON-LD forms that the JSON schema
// would read as structure but whose statements are other than they look
// rewritten to their meaning, for the schema check: a value object whose
// @value is null is no value at all (its member or array element is
// dropped), and a {"@set": x} object is x (spliced into an enclosing
// array). Without it a signed credential that lacks a required member, or
// has two where the schema allows one, could be given one in the JSON
// ("criteria": {"@value": null}, "criteria": {"@set": [a, b]}) with the
// same statements and so the same valid signature. @context values are
// left alone. v is never modified; paths lists each rewritten value.
func readJSONLDForms(v any, path string, paths *[]string, depth int) (out any, drop, changed bool) {
	if depth > maxFormsDepth {
		return v, false, false
	}
	switch t := v.(type) {
	case map[string]any:
		if x, ok := t["@value"]; ok && x == nil {
			*paths = append(*paths, path)
			return nil, true, true
		}
		if x, ok := t["@set"]; ok {
			*paths = append(*paths, path)
			nx, drop, _ := readJSONLDForms(x, path, paths, depth+1)
			if drop {
				return []any{}, false, true
			}
			return nx, false, true
		}
		var m map[string]any
		for _, k := range sortedKeys(t) {
			if k == "@context" {
				continue
			}
			nv, drop, ch := readJSONLDForms(t[k], joinJSONPath(path, k), paths, depth+1)
			if !ch {
				continue
			}
			if m == nil {
				m = make(map[string]any, len(t))
				for k2, v2 := range t {
					m[k2] = v2
				}
			}
			if drop {
				delete(m, k)
			} else {
				m[k] = nv
			}
		}
		if m == nil {
			return v, false, false
		}
		return m, false, true
	case []any:
		var a []any
		for i, e := range t {
			ne, drop, ch := readJSONLDForms(e, path+"["+strconv.Itoa(i)+"]", paths, depth+1)
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
