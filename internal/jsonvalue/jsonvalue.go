// Package jsonvalue holds the one deep copy of a JSON value as
// encoding/json decodes it into an any (maps, slices, strings, numbers,
// booleans, nil), shared by the packages that edit such documents
// without touching their caller's copy.
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
