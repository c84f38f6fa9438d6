package ob3

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// jsonName returns the JSON property name of a struct field, or "" when the
// field is not encoded (unexported or tagged "-").
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || name == "" {
		return ""
	}
	return name
}

// unmarshalWithExtra decodes a JSON object into the struct p points to,
// matching property names exactly (JSON-LD terms are case-sensitive, unlike
// encoding/json's field matching), and returns the properties it did not
// know.
func unmarshalWithExtra(data []byte, p any) (Extra, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	rv := reflect.ValueOf(p).Elem()
	rt := rv.Type()
	for i := range rt.NumField() {
		name := jsonName(rt.Field(i))
		if name == "" {
			continue
		}
		raw, ok := m[name]
		if !ok {
			continue
		}
		delete(m, name)
		if singleForList(rt.Field(i).Type, raw) {
			// JSON-LD compaction writes a one-element array as its
			// element; the statements are the same.
			raw = append(append([]byte{'['}, raw...), ']')
		}
		if err := json.Unmarshal(raw, rv.Field(i).Addr().Interface()); err != nil {
			return nil, prefixPath(name, err)
		}
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// singleForList reports whether raw, the value of a field of type t, is a
// single value where the data model has an array (a plain slice field,
// not one with its own one-or-many decoding): JSON-LD compaction writes a
// one-element array that way.
func singleForList(t reflect.Type, raw json.RawMessage) bool {
	if t.Kind() != reflect.Slice || t == rawType || t == typesType || t.Implements(listType) {
		return false
	}
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] != '[' && !bytes.Equal(raw, []byte("null"))
}

// marshalWithExtra encodes v (a struct without JSON methods) and appends the
// extra properties whose names the struct does not own, in sorted order so
// the output is deterministic.
func marshalWithExtra(v any, extra Extra) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	owned := map[string]bool{}
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		if name := jsonName(rt.Field(i)); name != "" {
			owned[name] = true
		}
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if !owned[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1])
	first := len(b) == 2
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(extra[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON accepts a single string or an array of strings.
func (t *Types) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*t = Types{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return err
	}
	*t = list
	return nil
}

// UnmarshalJSON accepts a single value or an array of values.
func (l *OneOrMany[T]) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*l = nil
		return nil
	}
	if len(data) > 0 && data[0] == '[' {
		var list []T
		if err := json.Unmarshal(data, &list); err != nil {
			return err
		}
		*l = list
		return nil
	}
	var one T
	if err := json.Unmarshal(data, &one); err != nil {
		return err
	}
	*l = OneOrMany[T]{one}
	return nil
}

func (OneOrMany[T]) oneOrMany() {}

// MarshalJSON encodes a reference-only profile as its ID string and any
// other profile as an object.
func (p Profile) MarshalJSON() ([]byte, error) {
	if p.IsRef() {
		return json.Marshal(p.ID)
	}
	type plain Profile
	return marshalWithExtra(plain(p), p.Extra)
}

// UnmarshalJSON decodes a profile object, or an ID string as a reference.
func (p *Profile) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var id string
		if err := json.Unmarshal(data, &id); err != nil {
			return err
		}
		*p = Profile{ID: id, ref: true}
		return nil
	}
	type plain Profile
	var q plain
	extra, err := unmarshalWithExtra(data, &q)
	if err != nil {
		return err
	}
	q.Extra = extra
	*p = Profile(q)
	return nil
}

// subjectKind names the Go type a credentialSubject decodes into, chosen
// from its type list.
func subjectKind(t Types) reflect.Type {
	switch {
	case t.Has("EndorsementSubject"):
		return reflect.TypeFor[EndorsementSubject]()
	case t.Has("ClrSubject"):
		return reflect.TypeFor[ClrSubject]()
	default:
		return reflect.TypeFor[AchievementSubject]()
	}
}

// subjectKindOf is subjectKind for a decoded subject object, reading the
// string entries of its type (the type checks report any other entry).
func subjectKindOf(obj map[string]any) reflect.Type {
	var types Types
	switch x := obj["type"].(type) {
	case string:
		types = Types{x}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				types = append(types, s)
			}
		}
	}
	return subjectKind(types)
}

// MarshalJSON encodes whichever subject is set.
func (s Subject) MarshalJSON() ([]byte, error) {
	switch {
	case s.Achievement != nil:
		return json.Marshal(s.Achievement)
	case s.Endorsement != nil:
		return json.Marshal(s.Endorsement)
	case s.Clr != nil:
		return json.Marshal(s.Clr)
	}
	return []byte("{}"), nil
}

// UnmarshalJSON decodes the subject into the Go type its type list names.
func (s *Subject) UnmarshalJSON(data []byte) error {
	var peek map[string]json.RawMessage
	if err := json.Unmarshal(data, &peek); err != nil {
		return err
	}
	var t Types
	if raw, ok := peek["type"]; ok {
		_ = t.UnmarshalJSON(raw) // a malformed type is reported by the decoder below or by Validate
	}
	*s = Subject{}
	switch subjectKind(t) {
	case reflect.TypeFor[EndorsementSubject]():
		s.Endorsement = new(EndorsementSubject)
		return json.Unmarshal(data, s.Endorsement)
	case reflect.TypeFor[ClrSubject]():
		s.Clr = new(ClrSubject)
		return json.Unmarshal(data, s.Clr)
	default:
		s.Achievement = new(AchievementSubject)
		return json.Unmarshal(data, s.Achievement)
	}
}
