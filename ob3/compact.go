package ob3

import (
	"maps"
	"reflect"
)

// CompactedForm is one place where a document uses a form that JSON-LD
// compaction (or the OB 3.0 Image class) allows but the strict OB 3.0 JSON
// schema does not: a single value where the schema wants an array, or an
// image given as just its id string.
type CompactedForm struct {
	// Path is the JSON path of the value, in the form error paths use
	// ("credentialSubject.identifier", "endorsement[0].proof").
	Path string
	// Image is true for an image given as its id string; false for a
	// single value read as a one-element array.
	Image bool
}

var statusEntriesType = reflect.TypeFor[StatusEntries]()

// ExpandCompacted returns doc, a credential decoded into generic JSON
// values (as ParseDocument's Value), in the strict form the OB 3.0 JSON
// schema wants: every single value where the data model has an array
// (type, identifier, endorsement, proof, credentialSchema, and so on, at
// any depth) wrapped in a one-element array, and every image given as an
// id string replaced by {"id": s, "type": "Image"}. Both forms mean the
// same statements as the strict one, so the typed model (Parse) reads them
// the same way. credentialStatus is left alone (the schema wants one
// object there) and so is @context. doc is never modified: the result
// shares every value that did not change and is doc itself when nothing
// did. The second result lists what was rewritten, in document order of
// the data model's fields.
func ExpandCompacted(doc map[string]any) (map[string]any, []CompactedForm) {
	var forms []CompactedForm
	// Room for the depth of a typical credential: growing the path from
	// empty would cost several allocations.
	path := &expandPath{segs: make([]pathSeg, 0, 8)}
	out, changed := expandValue(doc, infoOf(credentialType), false, path, &forms, 0)
	if !changed {
		return doc, nil
	}
	m, _ := out.(map[string]any)
	return m, forms
}

// expandPath is the JSON path expandValue is at, as the segments that
// make it: the path is written out only for a form it reports.
type expandPath struct {
	segs []pathSeg
}

// pathSeg is a member name, or an array index when name is "".
type pathSeg struct {
	name  string
	index int
}

func (p *expandPath) push(s pathSeg) { p.segs = append(p.segs, s) }
func (p *expandPath) pop()           { p.segs = p.segs[:len(p.segs)-1] }

// String is the path as joinPath and indexPath write it.
func (p *expandPath) String() string {
	path := ""
	for _, s := range p.segs {
		if s.name == "" {
			path = indexPath(path, s.index)
		} else {
			path = joinPath(path, s.name)
		}
	}
	return path
}

// expandValue is ExpandCompacted for v, read as a value of the type ti
// describes; ref is the field's ob3:"ref" tag. It reports whether the
// result differs from v.
func expandValue(v any, ti *typeInfo, ref bool, path *expandPath, forms *[]CompactedForm, depth int) (any, bool) {
	if v == nil || depth > maxDepth {
		return v, false
	}
	t := ti.t
	switch {
	case ti.types:
		if s, ok := v.(string); ok {
			*forms = append(*forms, CompactedForm{Path: path.String()})
			return []any{s}, true
		}
		return v, false
	case ti.raw, ti.iface, t == statusEntriesType:
		return v, false
	case t.Kind() == reflect.Pointer:
		return expandValue(v, ti.elemInfo(), ref, path, forms, depth)
	case ti.subject:
		obj, ok := v.(map[string]any)
		if !ok {
			return v, false
		}
		return expandValue(v, infoOf(subjectKindOf(obj)), false, path, forms, depth)
	case ti.image:
		if s, ok := v.(string); ok {
			*forms = append(*forms, CompactedForm{Path: path.String(), Image: true})
			return map[string]any{"id": s, "type": "Image"}, true
		}
	case ti.profile && ref:
		if _, ok := v.(string); ok {
			return v, false
		}
	case ti.list, t.Kind() == reflect.Slice:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Interface {
			return v, false // @context: the context check reads it as given
		}
		arr, isArr := v.([]any)
		if !isArr {
			*forms = append(*forms, CompactedForm{Path: path.String()})
			arr = []any{v}
		}
		elem := ti.elemInfo()
		var out []any
		for i, e := range arr {
			path.push(pathSeg{index: i})
			ne, ch := expandValue(e, elem, false, path, forms, depth+1)
			path.pop()
			if !ch {
				continue
			}
			if out == nil {
				out = make([]any, len(arr))
				copy(out, arr)
			}
			out[i] = ne
		}
		switch {
		case out != nil:
			return out, true
		case !isArr:
			return arr, true
		}
		return v, false
	}
	if t.Kind() != reflect.Struct {
		return v, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return v, false
	}
	var out map[string]any
	for i := range ti.fields {
		f := &ti.fields[i]
		fv, ok := obj[f.name]
		if !ok {
			continue
		}
		path.push(pathSeg{name: f.name})
		nv, ch := expandValue(fv, f.typeInfo(), f.ref, path, forms, depth+1)
		path.pop()
		if !ch {
			continue
		}
		if out == nil {
			out = maps.Clone(obj)
		}
		out[f.name] = nv
	}
	if out == nil {
		return v, false
	}
	return out, true
}
