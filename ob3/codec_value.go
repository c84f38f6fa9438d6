package ob3

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"sync"
)

// errNotMirrored marks a value fromInfo does not decode the way
// encoding/json would; the caller then decodes the text instead, so the
// result and its errors stay those of json.Unmarshal.
var errNotMirrored = errors.New("value not mirrored")

var extraType = reflect.TypeFor[Extra]()

// fromInfo stores v, a generic JSON value as decodeStrict returns it, in
// rv, of the type ti describes, as json.Unmarshal (with this package's
// UnmarshalJSON methods) would store its text. It walks the tree
// decodeStrict built instead of re-reading the document once per nesting
// level. rv holds its zero value; ref is the field's ob3:"ref" tag (a
// Profile may be an ID string). Values that checkTypes lets through
// decode without errNotMirrored; it remains for what checkTypes does not
// vouch for (numbers beyond float64 inside free-form values, say).
//
// It is at least as strict as typesOK: whatever it stores without an
// error, typesOK accepts (FuzzTypesOK holds it to that), so that
// ParseDocument runs the type check only when the copy fails.
func (a *typedArena) fromInfo(v any, rv reflect.Value, ti *typeInfo, ref bool) error {
	if v == nil {
		return nil // null leaves the zero value, as in encoding/json
	}
	t := ti.t
	switch {
	case ti.raw:
		b, ok := a.encode(v)
		if !ok {
			return errNotMirrored
		}
		rv.SetBytes(b)
		return nil
	case ti.types:
		// Through the field's address: reflect.ValueOf(Types) would box
		// the slice header, one allocation more.
		switch x := v.(type) {
		case string:
			out := a.types(1)
			out[0] = x
			*rv.Addr().Interface().(*Types) = out
			return nil
		case []any:
			out := a.types(len(x))
			for i, e := range x {
				s, ok := e.(string)
				if !ok {
					return errNotMirrored
				}
				out[i] = s
			}
			*rv.Addr().Interface().(*Types) = out
			return nil
		}
		return errNotMirrored
	case ti.profile:
		p := rv.Addr().Interface().(*Profile)
		switch x := v.(type) {
		case string:
			if !ref {
				return errNotMirrored // the type check refuses it
			}
			*p = Profile{ID: x, ref: true}
			return nil
		case map[string]any:
			return a.structFromInfo(x, rv, ti)
		}
		return errNotMirrored
	case ti.subject:
		return a.subjectFromValue(v, rv.Addr().Interface().(*Subject))
	case ti.image:
		if id, ok := v.(string); ok {
			// Through the field's address: reflect.ValueOf(Image{...})
			// would box the struct, an allocation.
			*rv.Addr().Interface().(*Image) = Image{ID: id, ref: true}
			return nil
		}
	case t.Kind() == reflect.Pointer:
		n := reflect.New(t.Elem())
		if err := a.fromInfo(v, n.Elem(), ti.elemInfo(), ref); err != nil {
			return err
		}
		rv.Set(n)
		return nil
	case ti.list:
		arr, ok := v.([]any)
		if !ok {
			arr = []any{v}
		}
		return a.sliceFromValue(arr, rv, ti.elemInfo())
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return errNotMirrored
		}
		p, err := freeValue(v)
		if err != nil {
			return err
		}
		rv.Set(reflect.ValueOf(p))
		return nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t != reflect.TypeFor[map[string]any]() {
			return errNotMirrored
		}
		p, err := freeValue(m)
		if err != nil {
			return err
		}
		rv.Set(reflect.ValueOf(p))
		return nil
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return errNotMirrored
		}
		return a.structFromInfo(m, rv, ti)
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			arr = []any{v} // a compacted one-element array
		}
		return a.sliceFromValue(arr, rv, ti.elemInfo())
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return errNotMirrored
		}
		rv.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return errNotMirrored
		}
		rv.SetBool(b)
		return nil
	case reflect.Float64:
		f, err := floatOf(v)
		if err != nil {
			return err
		}
		rv.SetFloat(f)
		return nil
	}
	return errNotMirrored
}

// sliceFromValue stores arr in rv, a slice of elements of the type elem
// describes.
// rv holds its zero value (nil). A failure may leave it partly filled:
// the callers then discard the whole value.
func (a *typedArena) sliceFromValue(arr []any, rv reflect.Value, elem *typeInfo) error {
	if len(arr) == 0 {
		// Empty, not nil, as encoding/json decodes [].
		rv.Set(reflect.MakeSlice(rv.Type(), 0, 0))
		return nil
	}
	// Grow fills rv in place: reflect.MakeSlice also allocates the
	// header it returns.
	rv.Grow(len(arr))
	rv.SetLen(len(arr))
	for i, e := range arr {
		if err := a.fromInfo(e, rv.Index(i), elem, false); err != nil {
			return err
		}
	}
	return nil
}

// structFromValue mirrors unmarshalWithExtra: property names match exactly
// and the properties the struct does not own go to its Extra field.
func structFromValue(obj map[string]any, rv reflect.Value) error {
	var a typedArena
	return a.structFromInfo(obj, rv, infoOf(rv.Type()))
}

// structFromInfo is structFromValue for rv of the type ti describes.
func (a *typedArena) structFromInfo(obj map[string]any, rv reflect.Value, ti *typeInfo) error {
	if ti.extra < 0 {
		// Structs without Extra would decode through encoding/json's
		// case-insensitive matching, which this does not mirror.
		return errNotMirrored
	}
	// One pass over the members, which are fewer than the fields: each
	// goes to the field it names, or to Extra.
	var ex Extra
	for k, fv := range obj {
		if i, ok := ti.byName[k]; ok {
			f := &ti.fields[i]
			if err := a.fromInfo(fv, rv.Field(f.index), f.typeInfo(), f.ref); err != nil {
				return err
			}
			continue
		}
		b, ok := a.encode(fv)
		if !ok {
			return errNotMirrored
		}
		if ex == nil {
			ex = make(Extra)
		}
		ex[k] = b
	}
	if ex != nil {
		rv.Field(ti.extra).Set(reflect.ValueOf(ex))
	}
	return nil
}

// subjectFromValue mirrors Subject.UnmarshalJSON.
func (a *typedArena) subjectFromValue(v any, s *Subject) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return errNotMirrored
	}
	var types Types
	switch x := obj["type"].(type) {
	case string:
		types = Types{x}
	case []any:
		for _, e := range x {
			str, ok := e.(string)
			if !ok {
				types = nil // Types.UnmarshalJSON fails and leaves it unset
				break
			}
			types = append(types, str)
		}
	}
	*s = Subject{}
	switch subjectKind(types) {
	case reflect.TypeFor[EndorsementSubject]():
		s.Endorsement = new(EndorsementSubject)
		return a.structFromInfo(obj, reflect.ValueOf(s.Endorsement).Elem(), infoOf(reflect.TypeFor[EndorsementSubject]()))
	case reflect.TypeFor[ClrSubject]():
		s.Clr = new(ClrSubject)
		return a.structFromInfo(obj, reflect.ValueOf(s.Clr).Elem(), infoOf(reflect.TypeFor[ClrSubject]()))
	default:
		s.Achievement = new(AchievementSubject)
		return a.structFromInfo(obj, reflect.ValueOf(s.Achievement).Elem(), infoOf(reflect.TypeFor[AchievementSubject]()))
	}
}

func floatOf(v any) (float64, error) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return 0, errNotMirrored
		}
		return f, nil
	case float64:
		return n, nil
	}
	return 0, errNotMirrored
}

// freeValue is the value a free-form field (an any or a map, such as a
// proof) holds for v: v itself when it holds no number, which reads the
// same either way (the typed copy then shares it with the document, as
// Document says), else plainValue's copy, numbers as float64.
func freeValue(v any) (any, error) {
	if !holdsNumber(v, 0) {
		return v, nil
	}
	return plainValue(v)
}

// holdsNumber reports whether v holds a number other than a float64 (one
// plainValue would convert), or is deeper than maxDepth (which the
// decoders do not build; plainValue then decides).
func holdsNumber(v any, depth int) bool {
	if depth > maxDepth {
		return true
	}
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if holdsNumber(e, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if holdsNumber(e, depth+1) {
				return true
			}
		}
	case string, bool, nil, float64:
	default:
		return true
	}
	return false
}

// plainValue returns a copy of v as encoding/json decodes into an any:
// numbers become float64. It shares nothing with v but strings.
func plainValue(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			p, err := plainValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = p
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			p, err := plainValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	case json.Number, float64:
		f, err := floatOf(x)
		if err != nil {
			return nil, err
		}
		return f, nil
	case string, bool, nil:
		return x, nil
	}
	return nil, errNotMirrored
}

// PlainValue returns a deep copy of v, a document from ParseDocument, with
// every json.Number turned into a float64: the value json.Unmarshal would
// have produced into an any. It returns an error for a number outside the
// float64 range, which json.Unmarshal rejects too.
func PlainValue(v any) (any, error) {
	p, err := plainValue(v)
	if err != nil {
		return nil, errors.New("a number is out of the float64 range")
	}
	return p, nil
}

// typeInfo is what checkTypes and fromInfo need to know about a Go type,
// worked out once instead of through reflection on every value.
type typeInfo struct {
	t                                         reflect.Type
	types, raw, iface, subject, profile, list bool
	image                                     bool
	fields                                    []fieldInfo
	// byName maps a JSON member name to the first of fields that has it.
	byName map[string]int
	extra  int // index of the Extra field, or -1
	// elem describes t.Elem() for a pointer, slice or map type, once
	// typeInfos has linked it (nil otherwise: see elemInfo).
	elem *typeInfo
}

// elemInfo describes ti.t.Elem().
func (ti *typeInfo) elemInfo() *typeInfo {
	if ti.elem != nil {
		return ti.elem
	}
	return infoOf(ti.t.Elem())
}

// typeInfo describes the field's type.
func (f *fieldInfo) typeInfo() *typeInfo {
	if f.info != nil {
		return f.info
	}
	return infoOf(f.t)
}

type fieldInfo struct {
	index int
	name  string
	ref   bool // ob3:"ref"
	t     reflect.Type
	// info describes t once typeInfos has linked it (nil otherwise).
	info *typeInfo
}

func newTypeInfo(t reflect.Type) *typeInfo {
	ti := &typeInfo{t: t, extra: -1,
		types: t == typesType, raw: t == rawType, subject: t == subjectType, profile: t == profileType,
		image: t == imageType,
		iface: t.Kind() == reflect.Interface, list: t.Implements(listType)}
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Type == extraType && f.Name == "Extra" {
				ti.extra = i
				continue
			}
			if name := jsonName(f); name != "" {
				if _, dup := ti.byName[name]; !dup {
					if ti.byName == nil {
						ti.byName = make(map[string]int)
					}
					ti.byName[name] = len(ti.fields)
				}
				ti.fields = append(ti.fields, fieldInfo{index: i, name: name, ref: f.Tag.Get("ob3") == "ref", t: f.Type})
			}
		}
	}
	return ti
}

// typeInfos covers every type reachable from the credential and profile
// types; it is built once per process and only read after.
var typeInfos = sync.OnceValue(func() map[reflect.Type]*typeInfo {
	m := map[reflect.Type]*typeInfo{}
	var add func(t reflect.Type)
	add = func(t reflect.Type) {
		if _, ok := m[t]; ok {
			return
		}
		ti := newTypeInfo(t)
		m[t] = ti
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			add(t.Elem())
		}
		for _, f := range ti.fields {
			add(f.t)
		}
	}
	for _, t := range []reflect.Type{reflect.TypeFor[Credential](), profileType, subjectType,
		reflect.TypeFor[AchievementSubject](), reflect.TypeFor[EndorsementSubject](), reflect.TypeFor[ClrSubject]()} {
		add(t)
	}
	// Link each type to the types it holds, so that walks follow
	// pointers instead of looking types up in m.
	for t, ti := range m {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			ti.elem = m[t.Elem()]
		}
		for i := range ti.fields {
			ti.fields[i].info = m[ti.fields[i].t]
		}
	}
	return m
})

func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos()[t]; ok {
		return ti
	}
	return newTypeInfo(t)
}

// typesOK is checkTypes without the error: it reports whether checkTypes
// would return nil, building no paths, so the common case costs little.
// Callers run checkTypes for the error when it reports false.
func typesOK(v any, ti *typeInfo, ref bool) bool {
	if v == nil {
		return true
	}
	t := ti.t
	switch {
	case ti.types:
		switch x := v.(type) {
		case string:
			return true
		case []any:
			for _, e := range x {
				if _, ok := e.(string); !ok {
					return e == nil // checkTypes accepts a null element
				}
			}
			return true
		}
		return false
	case ti.raw, ti.iface:
		return true
	case t.Kind() == reflect.Pointer:
		return typesOK(v, ti.elemInfo(), ref)
	case ti.subject:
		obj, ok := v.(map[string]any)
		if !ok {
			return false
		}
		return typesOK(v, infoOf(subjectKindOf(obj)), false)
	case ti.image:
		switch v.(type) {
		case string:
			return true
		case map[string]any:
		default:
			return false
		}
	case ti.profile && ref:
		if _, ok := v.(string); ok {
			return true
		}
		if _, ok := v.(map[string]any); !ok {
			return false
		}
		return typesOK(v, ti, false)
	case ti.list:
		elem := ti.elemInfo()
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				if !typesOK(e, elem, false) {
					return false
				}
			}
			return true
		}
		return typesOK(v, elem, false)
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return false
		}
		// The members, which are fewer than the fields, each against the
		// field it names.
		for k, fv := range obj {
			i, ok := ti.byName[k]
			if !ok {
				continue
			}
			if f := &ti.fields[i]; !typesOK(fv, f.typeInfo(), f.ref) {
				return false
			}
		}
		return true
	case reflect.Slice:
		elem := ti.elemInfo()
		arr, ok := v.([]any)
		if !ok {
			return typesOK(v, elem, false) // a compacted one-element array
		}
		for _, e := range arr {
			if !typesOK(e, elem, false) {
				return false
			}
		}
		return true
	case reflect.Map:
		_, ok := v.(map[string]any)
		return ok
	case reflect.String:
		_, ok := v.(string)
		return ok
	case reflect.Bool:
		_, ok := v.(bool)
		return ok
	case reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Float64()
		return err == nil
	}
	return false
}
