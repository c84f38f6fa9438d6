package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"unicode/utf8"
)

// DefaultMaxSize is the document size limit when ParseOptions.MaxSize is
// zero: 1 MiB, far above any real credential and small enough to bound the
// cost of a hostile one.
const DefaultMaxSize = 1 << 20

// maxDepth bounds nesting; real credentials stay under 20 levels even with
// endorsements of endorsements.
const maxDepth = 128

// ParseOptions tunes Parse.
type ParseOptions struct {
	// MaxSize is the largest accepted document in bytes. If zero or
	// negative, DefaultMaxSize is used.
	MaxSize int64
	// AllowDuplicateKeys accepts objects that repeat a property name (the
	// last value wins, as in encoding/json). If false, they are rejected:
	// JSON-LD processors disagree on which value they keep.
	AllowDuplicateKeys bool
}

// Parse decodes a credential (OpenBadgeCredential, EndorsementCredential or
// ClrCredential) from JSON. It checks well-formedness, size, duplicate keys
// and that every known property has the JSON type the data model gives it;
// it does not check required properties or vocabularies (see Validate).
// Forms with the same JSON-LD meaning read the same way: a single value
// where the data model has an array (as JSON-LD compaction writes a
// one-element array) is read as that array, and an image given as its id
// string as Image{ID: s} (IsRef reports it); ExpandCompacted rewrites a
// decoded document to the strict form. Errors are *ParseError values wrapping ErrTooLarge, ErrSyntax,
// ErrDuplicateKey, ErrWrongType or ErrTooDeep.
func Parse(data []byte, opts ParseOptions) (*Credential, error) {
	if _, err := opts.decodeCredential(data); err != nil {
		return nil, err
	}
	return unmarshalCredential(data)
}

// Document is a credential decoded once for every check that reads it.
type Document struct {
	// Value is the document as generic JSON: objects are map[string]any,
	// arrays []any, and numbers json.Number, as the JSON Schema validator
	// reads them (see ValidateSchemaValue and PlainValue).
	Value map[string]any
	// Credential is the typed view, what Parse returns. Its free-form
	// values that hold no number (Proof, an inline @context) are Value's
	// own, so it may not be modified either.
	Credential *Credential
	// Plain is Value as json.Unmarshal decodes it into an any (numbers
	// float64), which shares with Value every subtree that holds no
	// number, so neither may be modified. It is nil when the one-pass
	// decoder could not build it (a number beyond float64, or a document
	// a slower decoder read): PlainValue(Value) gives it then.
	Plain map[string]any
}

// ParseDocument is Parse that also returns the generic JSON value it
// decoded, so callers that need both read the document once. It runs the
// same checks and returns the same errors as Parse. Unknown properties in
// Credential's Extra fields are re-encoded compactly rather than kept
// byte for byte.
func ParseDocument(data []byte, opts ParseOptions) (*Document, error) {
	obj, plain, err := opts.decodeObjectPlain(data, true)
	if err != nil {
		return nil, err
	}
	// The typed copy first: it refuses whatever the type check refuses
	// (see fromInfo), so a document it reads needs no check of its own,
	// the common case walks the document once, and the check runs, for
	// its error, only when the copy fails. The document and its
	// credential take one allocation.
	out := &struct {
		doc Document
		c   Credential
	}{}
	c := &out.c
	var a typedArena
	if err := a.structFromInfo(obj, reflect.ValueOf(c).Elem(), infoOf(credentialType)); err != nil {
		if !typesOK(obj, infoOf(credentialType), false) {
			if err := checkTypes(obj, credentialType, "", ""); err != nil {
				return nil, err
			}
		}
		// A value the tree walk does not mirror: decode the text, which
		// also gives encoding/json's errors.
		cp, err := unmarshalCredential(data)
		if err != nil {
			return nil, err
		}
		*c = *cp
	}
	pm, _ := plain.(map[string]any)
	out.doc = Document{Value: obj, Credential: c, Plain: pm}
	return &out.doc, nil
}

var credentialType = reflect.TypeFor[Credential]()

// decodeCredential decodes data strictly and checks that it is an object
// whose known properties have the JSON types the data model gives them.
func (opts ParseOptions) decodeCredential(data []byte) (map[string]any, error) {
	obj, _, err := opts.decodeCredentialPlain(data, false)
	return obj, err
}

// decodeCredentialPlain is decodeCredential that, when plain, also
// returns the document as Document.Plain has it (nil when not built).
func (opts ParseOptions) decodeCredentialPlain(data []byte, plain bool) (map[string]any, map[string]any, error) {
	obj, p, err := opts.decodeObjectPlain(data, plain)
	if err != nil {
		return nil, nil, err
	}
	if ct := credentialType; !typesOK(obj, infoOf(ct), false) {
		if err := checkTypes(obj, ct, "", ""); err != nil {
			return nil, nil, err
		}
	}
	pm, _ := p.(map[string]any)
	return obj, pm, nil
}

// decodeObjectPlain is decodePlain for a document that must be an object,
// without the type check.
func (opts ParseOptions) decodeObjectPlain(data []byte, plain bool) (map[string]any, any, error) {
	doc, p, err := opts.decodePlain(data, plain)
	if err != nil {
		return nil, nil, err
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, nil, &ParseError{Offset: -1, Err: ErrWrongType, Msg: "document: expected object, got " + jsonKind(doc)}
	}
	return obj, p, nil
}

func unmarshalCredential(data []byte) (*Credential, error) {
	var c Credential
	if err := json.Unmarshal(data, &c); err != nil {
		// checkTypes should have caught this; report it rather than panic.
		return nil, &ParseError{Path: pathOfErr(err), Offset: -1, Err: ErrWrongType, Msg: err.Error()}
	}
	return &c, nil
}

// ValidateJSON parses data with default options and checks it against the
// data model rules (Validate). The error is a *ParseError or a
// *ValidationError; both report a JSON path through a JSONPath method.
func ValidateJSON(data []byte) error {
	c, err := Parse(data, ParseOptions{})
	if err != nil {
		return err
	}
	return Validate(c)
}

func pathOfErr(err error) string {
	var p interface{ JSONPath() string }
	if errors.As(err, &p) {
		return p.JSONPath()
	}
	return ""
}

// decodeStrict decodes data into generic values (numbers as json.Number),
// reporting syntax errors and duplicate keys with their position.
func decodeStrict(data []byte, rejectDup bool) (any, error) {
	v, _, err := decodeStrictPlain(data, rejectDup, false)
	return v, err
}

// decodeStrictPlain is decodeStrict that, when plain, also returns the
// value json.Unmarshal gives an any (numbers float64), sharing the
// subtrees without numbers, or nil when onePass did not build it. The
// decoders run fastest first; each declines what it does not plainly
// accept, and the last, decodeTokens, reports every error.
func decodeStrictPlain(data []byte, rejectDup, plain bool) (v, p any, err error) {
	if v, p, plainOK, ok := onePass(data, plain); ok {
		if !plainOK {
			p = nil
		}
		return v, p, nil
	}
	if v, ok := decodeFast(data, rejectDup); ok {
		return v, nil, nil
	}
	v, err = decodeTokens(data, rejectDup)
	return v, nil, err
}

// decodeTokens is decodeStrict reading token by token, which locates every
// problem.
func decodeTokens(data []byte, rejectDup bool) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	d := strictDecoder{dec: dec, data: data, rejectDup: rejectDup}
	v, err := d.value(0, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		off := dec.InputOffset()
		if err != nil {
			return nil, d.syntax(err)
		}
		return nil, d.errAt(off, "", ErrSyntax, "unexpected data after the top-level value")
	}
	return v, nil
}

// fastMaxDepth and fastMaxKeys keep decodeFast to documents it checks
// cheaply: well inside maxDepth, and objects small enough that comparing
// each key with its siblings costs little.
const (
	fastMaxDepth = maxDepth / 2
	fastMaxKeys  = 64
)

// decodeFast decodes data in one encoding/json pass, which builds the same
// value as the token-by-token strictDecoder at a fraction of the cost. It
// reports false, leaving the verdict and any error to strictDecoder, for
// anything that is not plainly acceptable: invalid JSON, trailing data,
// deep nesting, large objects, keys whose equality a byte comparison might
// misjudge (escaped or invalid UTF-8), and duplicate keys when rejectDup.
func decodeFast(data []byte, rejectDup bool) (any, bool) {
	if !keysPlain(data, rejectDup) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	for _, c := range data[dec.InputOffset():] {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return nil, false
		}
	}
	return v, true
}

// keysPlain scans data, assumed to be JSON (decodeFast's decoder checks
// that), and reports whether it stays within fastMaxDepth and fastMaxKeys,
// every object key is unescaped valid UTF-8, and, if rejectDup, no object
// repeats a key. It gives up (false) on anything it does not expect.
func keysPlain(data []byte, rejectDup bool) bool {
	type frame struct {
		obj   bool
		first int // index in keys of the frame's first key
	}
	var stackBuf [16]frame
	stack := stackBuf[:0]
	var keyBuf [64][]byte
	keys := keyBuf[:0]
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{', '[':
			if len(stack) >= fastMaxDepth {
				return false
			}
			stack = append(stack, frame{obj: c == '{', first: len(keys)})
			expectKey = c == '{'
		case '}', ']':
			if len(stack) == 0 {
				return false
			}
			keys = keys[:stack[len(stack)-1].first]
			stack = stack[:len(stack)-1]
			expectKey = false
		case ',':
			expectKey = len(stack) > 0 && stack[len(stack)-1].obj
		case '"':
			start := i + 1
			escaped := false
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					escaped = true
					i++
				}
			}
			if i >= len(data) {
				return false
			}
			if !expectKey {
				continue
			}
			expectKey = false
			key := data[start:i]
			if escaped || !utf8.Valid(key) || len(stack) == 0 {
				return false
			}
			first := stack[len(stack)-1].first
			if len(keys)-first >= fastMaxKeys {
				return false
			}
			if rejectDup {
				for _, k := range keys[first:] {
					if bytes.Equal(k, key) {
						return false
					}
				}
			}
			keys = append(keys, key)
		}
	}
	return len(stack) == 0
}

type strictDecoder struct {
	dec       *json.Decoder
	data      []byte
	rejectDup bool
}

func (d *strictDecoder) errAt(off int64, path string, sentinel error, msg string) *ParseError {
	line, col := lineCol(d.data, off)
	return &ParseError{Path: path, Offset: off, Line: line, Column: col, Err: sentinel, Msg: msg}
}

func (d *strictDecoder) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return d.errAt(se.Offset, "", ErrSyntax, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return d.errAt(int64(len(d.data)), "", ErrSyntax, "unexpected end of json input")
	}
	return d.errAt(d.dec.InputOffset(), "", ErrSyntax, err.Error())
}

func (d *strictDecoder) value(depth int, path string) (any, error) {
	if depth > maxDepth {
		return nil, d.errAt(d.dec.InputOffset(), path, ErrTooDeep, fmt.Sprintf("nesting deeper than %d levels", maxDepth))
	}
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntax(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := map[string]any{}
			for d.dec.More() {
				off := d.dec.InputOffset()
				kt, err := d.dec.Token()
				if err != nil {
					return nil, d.syntax(err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, d.errAt(off, path, ErrSyntax, "object key is not a string")
				}
				if _, dup := obj[key]; dup && d.rejectDup {
					return nil, d.errAt(skipSpace(d.data, off), joinPath(path, key), ErrDuplicateKey,
						fmt.Sprintf("property %q appears twice", key))
				}
				v, err := d.value(depth+1, joinPath(path, key))
				if err != nil {
					return nil, err
				}
				obj[key] = v
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, d.syntax(err)
			}
			return obj, nil
		case '[':
			arr := []any{}
			for i := 0; d.dec.More(); i++ {
				v, err := d.value(depth+1, indexPath(path, i))
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, d.syntax(err)
			}
			return arr, nil
		}
		return nil, d.errAt(d.dec.InputOffset(), path, ErrSyntax, fmt.Sprintf("unexpected %q", t))
	default:
		return t, nil
	}
}

// skipSpace moves off past the separator and whitespace the decoder's
// offset still points at, so the reported column is that of the key.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\n', '\r', ',':
			off++
			continue
		}
		break
	}
	return off
}

func lineCol(data []byte, off int64) (line, col int) {
	if off < 0 {
		return 0, 0
	}
	off = min(off, int64(len(data)))
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	col = int(off) - (bytes.LastIndexByte(data[:off], '\n') + 1) + 1
	return line, col
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

type oneOrManyer interface{ oneOrMany() }

var (
	typesType   = reflect.TypeFor[Types]()
	rawType     = reflect.TypeFor[json.RawMessage]()
	subjectType = reflect.TypeFor[Subject]()
	profileType = reflect.TypeFor[Profile]()
	listType    = reflect.TypeFor[oneOrManyer]()
	imageType   = reflect.TypeFor[Image]()
)

// checkTypes walks a generic JSON value beside the Go type it will decode
// into and reports the first JSON type mismatch by path. tag is the field's
// ob3 struct tag ("ref" allows a Profile to be an ID string).
func checkTypes(v any, t reflect.Type, tag, path string) error {
	if v == nil {
		return nil // null decodes to the zero value; Validate reports missing required values
	}
	wrong := func(want string) error {
		return &ParseError{Path: path, Offset: -1, Err: ErrWrongType,
			Msg: fmt.Sprintf("expected %s, got %s", want, jsonKind(v))}
	}
	switch {
	case t == typesType:
		switch x := v.(type) {
		case string:
			return nil
		case []any:
			for i, e := range x {
				if _, ok := e.(string); !ok {
					return checkTypes(e, reflect.TypeFor[string](), "", indexPath(path, i))
				}
			}
			return nil
		}
		return wrong("string or array of strings")
	case t == rawType, t.Kind() == reflect.Interface:
		return nil
	case t.Kind() == reflect.Pointer:
		return checkTypes(v, t.Elem(), tag, path)
	case t == subjectType:
		obj, ok := v.(map[string]any)
		if !ok {
			return wrong("object")
		}
		return checkTypes(v, subjectKindOf(obj), "", path)
	case t == profileType && tag == "ref":
		if _, ok := v.(string); ok {
			return nil
		}
		if _, ok := v.(map[string]any); !ok {
			return wrong("string or object")
		}
		return checkTypes(v, t, "", path)
	case t == imageType:
		if _, ok := v.(string); ok {
			return nil // just the image's id, as the Image class allows
		}
		if _, ok := v.(map[string]any); !ok {
			return wrong("string or object")
		}
	case t.Implements(listType):
		if arr, ok := v.([]any); ok {
			for i, e := range arr {
				if err := checkTypes(e, t.Elem(), "", indexPath(path, i)); err != nil {
					return err
				}
			}
			return nil
		}
		return checkTypes(v, t.Elem(), "", path)
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return wrong("object")
		}
		for i := range t.NumField() {
			f := t.Field(i)
			name := jsonName(f)
			if name == "" {
				continue
			}
			fv, ok := obj[name]
			if !ok {
				continue
			}
			if err := checkTypes(fv, f.Type, f.Tag.Get("ob3"), joinPath(path, name)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			// A single value stands for a one-element array, as
			// JSON-LD compaction writes it.
			return checkTypes(v, t.Elem(), "", path)
		}
		for i, e := range arr {
			if err := checkTypes(e, t.Elem(), "", indexPath(path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if _, ok := v.(map[string]any); !ok {
			return wrong("object")
		}
		return nil
	case reflect.String:
		if _, ok := v.(string); !ok {
			return wrong("string")
		}
		return nil
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return wrong("boolean")
		}
		return nil
	case reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			return wrong("number")
		}
		if _, err := n.Float64(); err != nil {
			return &ParseError{Path: path, Offset: -1, Err: ErrWrongType, Msg: fmt.Sprintf("number %s out of range", n)}
		}
		return nil
	}
	return wrong(t.Kind().String())
}

// ParseProfile decodes a standalone Profile (the OB API profile body) with
// the same checks as Parse.
func ParseProfile(data []byte, opts ParseOptions) (*Profile, error) {
	doc, err := opts.decode(data)
	if err != nil {
		return nil, err
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, &ParseError{Offset: -1, Err: ErrWrongType, Msg: "document: expected object, got " + jsonKind(doc)}
	}
	if err := checkTypes(doc, profileType, "", ""); err != nil {
		return nil, err
	}
	var p Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, &ParseError{Path: pathOfErr(err), Offset: -1, Err: ErrWrongType, Msg: err.Error()}
	}
	return &p, nil
}

// decode applies the size limit and decodes data strictly.
func (opts ParseOptions) decode(data []byte) (any, error) {
	v, _, err := opts.decodePlain(data, false)
	return v, err
}

// decodePlain is decode that, when plain, also returns the plain value
// decodeStrictPlain gives.
func (opts ParseOptions) decodePlain(data []byte, plain bool) (any, any, error) {
	max := opts.MaxSize
	if max <= 0 {
		max = DefaultMaxSize
	}
	if int64(len(data)) > max {
		return nil, nil, &ParseError{Offset: -1, Err: ErrTooLarge,
			Msg: fmt.Sprintf("document is %d bytes, over the %d-byte limit", len(data), max)}
	}
	return decodeStrictPlain(data, !opts.AllowDuplicateKeys, plain)
}
