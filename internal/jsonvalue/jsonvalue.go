// Package jsonvalue holds what the packages that work on JSON values as
// encoding/json decodes them into an any (maps, slices, strings, numbers,
// booleans, nil) share: the one deep copy, for those that edit such a
// document without touching their caller's copy, and the one encoder that
// writes json.Marshal's bytes without its reflection, for those that sign,
// store or re-check what they encode; and the one check of JSON text for
// what decoding would replace with U+FFFD, for those that verify a
// signature over what they decoded.
package jsonvalue

// Clone returns a deep copy of v: every map[string]any and []any is
// copied, any other value (string, float64, json.Number, bool, nil) is
// returned as it is, being immutable or, for other types, not JSON.
func Clone(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return CloneObject(t)
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = Clone(e)
		}
		return a
	}
	return v
}

// CloneObject is Clone for an object; a nil map stays nil.
func CloneObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = Clone(e)
	}
	return out
}
