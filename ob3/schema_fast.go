package ob3

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The fast schema check answers only "valid", "not valid" or "unsure" for
// a decoded document, walking a tree built once from the library's
// compiled schema, without building errors, scopes or annotation sets.
// Every keyword it does not reproduce exactly makes it unsure, and only
// "valid" is ever trusted on its own: "not valid" and "unsure" run the
// library, which gives the error text, paths and problem list as before.
// It is exact both ways where it answers (valid implies the library says
// valid, not valid implies the library says not valid), because "not"
// and "oneOf" turn one into the other.

// sfVerdict is the fast check's answer.
type sfVerdict uint8

const (
	sfUnsure sfVerdict = iota
	sfValid
	sfInvalid
)

func (v sfVerdict) String() string {
	switch v {
	case sfValid:
		return "valid"
	case sfInvalid:
		return "invalid"
	}
	return "unsure"
}

// sfMaxDepth bounds the walk: deeper documents are left to the library
// (which has its own bounds), so the walk's stack stays small.
const sfMaxDepth = 256

// sfMaxUnique is the longest array whose uniqueItems the fast check
// compares pairwise, the bound up to which the library does the same;
// longer ones are unsure rather than quadratic.
const sfMaxUnique = 20

// sfFormat says how a format is checked: by the library's own function,
// or, for the library's built-in date-time and date, first by a strict
// allocation-free recognizer of a subset of what the library accepts (a
// string outside that subset still goes to the library's function).
type sfFormat uint8

const (
	sfFormatLibrary sfFormat = iota
	sfFormatDateTime
	sfFormatDate
)

// sfNode is one compiled schema, reduced to what validation reads.
type sfNode struct {
	// boolean schema: 0 none, 1 true, -1 false.
	boolSchema int8
	// unsure: the schema has a keyword the fast check does not implement
	// (another draft, $recursiveRef, $dynamicRef, unevaluated*, content*,
	// vocabulary extensions); every value it meets is unsure.
	unsure bool

	types    int // jsonschema.Types bits; 0: no type keyword
	constVal *any
	hasEnum  bool
	enumStr  map[string]struct{}
	enumRest []any // the enum's non-string values
	format   *jsonschema.Format
	fmtKind  sfFormat
	ref      *sfNode

	// object --
	minProps, maxProps int // -1: absent
	required           []string
	props              map[string]*sfNode
	propList           []sfProp // props, sorted by key
	// onlyProps: no patternProperties and no additionalProperties
	// constraint, so keys outside props are never looked at and the
	// walk may go over props instead of over the object.
	onlyProps     bool
	patternProps  []sfPattern
	addlBool      int8 // additionalProperties: 0 absent or a schema, 1 true, -1 false
	addl          *sfNode
	depRequired   []sfDepRequired
	depSchemas    []sfDepSchema
	propertyNames *sfNode

	// array --
	minItems, maxItems       int // -1: absent
	uniqueItems              bool
	items                    *sfNode   // items as one schema
	itemsList                []*sfNode // items as an array of schemas
	hasItemsList             bool
	addItemsBool             int8 // additionalItems: 0 absent or a schema, 1 true, -1 false
	addItems                 *sfNode
	contains                 *sfNode
	minContains, maxContains int // -1: absent

	// string --
	minLen, maxLen int // -1: absent
	pattern        jsonschema.Regexp

	// number --
	numberKeywords bool // minimum, maximum, exclusive*, multipleOf: unsure on numbers

	allOf, anyOf, oneOf []*sfNode
	not                 *sfNode
	ifN, thenN, elseN   *sfNode
}

type sfProp struct {
	key  string
	node *sfNode
}

type sfPattern struct {
	re   jsonschema.Regexp
	node *sfNode
}

type sfDepRequired struct {
	prop     string
	required []string
}

type sfDepSchema struct {
	prop string
	node *sfNode
}

// sfTypes holds the library's jsonschema.Types bit of each JSON type,
// read through its exported Add so no bit value is copied here.
type sfTypes struct {
	null, boolean, number, integer, str, array, object int
}

func sfTypeBit(name string) int {
	var t jsonschema.Types
	t.Add(name)
	return int(t)
}

// sfBuiltins are the library's own date-time and date formats, taken
// from a probe schema compiled by a bare compiler (no format registered,
// so these are the library's built-in ones); a schema's format is
// recognized as built-in only by pointer identity, so a format that
// newSchemaCompiler might one day register under the same name is run
// as it is.
type sfBuiltins struct {
	dateTime, date *jsonschema.Format
}

func sfProbeFormats() (sfBuiltins, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(noFetch{})
	var out sfBuiltins
	for name, dst := range map[string]**jsonschema.Format{"date-time": &out.dateTime, "date": &out.date} {
		url := "https://badgesmith.invalid/schema/probe-" + name + ".json"
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"$schema":"https://json-schema.org/draft/2019-09/schema","format":"` + name + `"}`)))
		if err != nil {
			return out, fmt.Errorf("probe %s: %w", name, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			return out, fmt.Errorf("probe %s: %w", name, err)
		}
		s, err := c.Compile(url)
		if err != nil {
			return out, fmt.Errorf("probe %s: %w", name, err)
		}
		*dst = s.Format
	}
	return out, nil
}

// sfCompiler turns library schemas into fastNodes, once per schema.
type sfCompiler struct {
	t     sfTypes
	fmts  sfBuiltins
	nodes map[*jsonschema.Schema]*sfNode
}

func newSFCompiler() (*sfCompiler, error) {
	fmts, err := sfProbeFormats()
	if err != nil {
		return nil, err
	}
	return &sfCompiler{
		t: sfTypes{
			null: sfTypeBit("null"), boolean: sfTypeBit("boolean"), number: sfTypeBit("number"),
			integer: sfTypeBit("integer"), str: sfTypeBit("string"), array: sfTypeBit("array"), object: sfTypeBit("object"),
		},
		fmts:  fmts,
		nodes: map[*jsonschema.Schema]*sfNode{},
	}, nil
}

func sfOptInt(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func (c *sfCompiler) node(s *jsonschema.Schema) *sfNode {
	if s == nil {
		return nil
	}
	if n, ok := c.nodes[s]; ok {
		return n
	}
	n := &sfNode{}
	c.nodes[s] = n // before the children: refs may loop back here
	if s.Bool != nil {
		n.boolSchema = -1
		if *s.Bool {
			n.boolSchema = 1
		}
		return n
	}
	if s.DraftVersion != 2019 || s.RecursiveRef != nil || s.DynamicRef != nil ||
		len(s.Extensions) > 0 || s.UnevaluatedProperties != nil || s.UnevaluatedItems != nil ||
		s.ContentEncoding != nil || s.ContentMediaType != nil || s.ContentSchema != nil ||
		len(s.PrefixItems) > 0 || s.Items2020 != nil {
		n.unsure = true
		return n
	}
	if s.Types != nil {
		n.types = int(*s.Types)
	}
	n.constVal = s.Const
	if s.Enum != nil {
		n.hasEnum = true
		n.enumStr = map[string]struct{}{}
		for _, e := range s.Enum.Values {
			if str, ok := e.(string); ok {
				n.enumStr[str] = struct{}{}
			} else {
				n.enumRest = append(n.enumRest, e)
			}
		}
	}
	if s.Format != nil {
		n.format = s.Format
		switch s.Format {
		case c.fmts.dateTime:
			n.fmtKind = sfFormatDateTime
		case c.fmts.date:
			n.fmtKind = sfFormatDate
		}
	}
	n.ref = c.node(s.Ref)

	n.minProps, n.maxProps = sfOptInt(s.MinProperties), sfOptInt(s.MaxProperties)
	n.required = s.Required
	if len(s.Properties) > 0 {
		n.props = make(map[string]*sfNode, len(s.Properties))
		for k, p := range s.Properties {
			n.props[k] = c.node(p)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(n.props)) {
		n.propList = append(n.propList, sfProp{k, n.props[k]})
	}
	for re, p := range s.PatternProperties {
		n.patternProps = append(n.patternProps, sfPattern{re, c.node(p)})
	}
	switch a := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		n.addlBool = -1
		if a {
			n.addlBool = 1
		}
	case *jsonschema.Schema:
		n.addl = c.node(a)
	default:
		n.unsure = true
	}
	for prop, dep := range s.Dependencies {
		switch d := dep.(type) {
		case []string:
			n.depRequired = append(n.depRequired, sfDepRequired{prop, d})
		case *jsonschema.Schema:
			n.depSchemas = append(n.depSchemas, sfDepSchema{prop, c.node(d)})
		default:
			n.unsure = true
		}
	}
	for prop, req := range s.DependentRequired {
		n.depRequired = append(n.depRequired, sfDepRequired{prop, req})
	}
	for prop, d := range s.DependentSchemas {
		n.depSchemas = append(n.depSchemas, sfDepSchema{prop, c.node(d)})
	}
	n.propertyNames = c.node(s.PropertyNames)
	n.onlyProps = len(n.patternProps) == 0 && n.addl == nil && n.addlBool >= 0

	n.minItems, n.maxItems = sfOptInt(s.MinItems), sfOptInt(s.MaxItems)
	n.uniqueItems = s.UniqueItems
	switch it := s.Items.(type) {
	case nil:
	case *jsonschema.Schema:
		n.items = c.node(it)
	case []*jsonschema.Schema:
		n.hasItemsList = true
		for _, x := range it {
			n.itemsList = append(n.itemsList, c.node(x))
		}
	default:
		n.unsure = true
	}
	switch a := s.AdditionalItems.(type) {
	case nil:
	case bool:
		n.addItemsBool = -1
		if a {
			n.addItemsBool = 1
		}
	case *jsonschema.Schema:
		n.addItems = c.node(a)
	default:
		n.unsure = true
	}
	n.contains = c.node(s.Contains)
	n.minContains, n.maxContains = sfOptInt(s.MinContains), sfOptInt(s.MaxContains)

	n.minLen, n.maxLen = sfOptInt(s.MinLength), sfOptInt(s.MaxLength)
	n.pattern = s.Pattern

	n.numberKeywords = s.Minimum != nil || s.Maximum != nil || s.ExclusiveMinimum != nil ||
		s.ExclusiveMaximum != nil || s.MultipleOf != nil

	for _, x := range s.AllOf {
		n.allOf = append(n.allOf, c.node(x))
	}
	for _, x := range s.AnyOf {
		n.anyOf = append(n.anyOf, c.node(x))
	}
	for _, x := range s.OneOf {
		n.oneOf = append(n.oneOf, c.node(x))
	}
	n.not = c.node(s.Not)
	n.ifN, n.thenN, n.elseN = c.node(s.If), c.node(s.Then), c.node(s.Else)
	return n
}

// sfSameValueCycle reports whether a chain of keywords that apply to the
// same value ($ref, allOf, anyOf, oneOf, not, if/then/else, dependent
// schemas) leads from root back to a schema already on the chain: the
// library reports such a cycle as an error, the fast walk would not end.
func sfSameValueCycle(root *sfNode) bool {
	const (
		white = iota
		grey
		black
	)
	color := map[*sfNode]int{}
	var visit func(n *sfNode) bool
	var visitAll func(n *sfNode) bool
	// visit follows same-value edges only; visitAll starts a fresh chain
	// at every schema applied to a child value.
	seen := map[*sfNode]bool{}
	visit = func(n *sfNode) bool {
		if n == nil {
			return false
		}
		switch color[n] {
		case grey:
			return true
		case black:
			return false
		}
		color[n] = grey
		same := []*sfNode{n.ref, n.not, n.ifN, n.thenN, n.elseN}
		same = append(same, n.allOf...)
		same = append(same, n.anyOf...)
		same = append(same, n.oneOf...)
		for _, d := range n.depSchemas {
			same = append(same, d.node)
		}
		for _, m := range same {
			if visit(m) {
				return true
			}
		}
		color[n] = black
		return false
	}
	visitAll = func(n *sfNode) bool {
		if n == nil || seen[n] {
			return false
		}
		seen[n] = true
		clear(color)
		if visit(n) {
			return true
		}
		next := []*sfNode{n.ref, n.not, n.ifN, n.thenN, n.elseN, n.addl, n.propertyNames, n.items, n.addItems, n.contains}
		next = append(next, n.allOf...)
		next = append(next, n.anyOf...)
		next = append(next, n.oneOf...)
		next = append(next, n.itemsList...)
		for _, p := range n.props {
			next = append(next, p)
		}
		for _, p := range n.patternProps {
			next = append(next, p.node)
		}
		for _, d := range n.depSchemas {
			next = append(next, d.node)
		}
		for _, m := range next {
			if visitAll(m) {
				return true
			}
		}
		return false
	}
	return visitAll(root)
}

// sfSchemas is the fast tree of every embedded schema, built once from
// the compiled library schemas; a schema missing from it (one with a
// same-value cycle, or none if the build fails) is always left to the
// library.
var sfSchemas = sync.OnceValue(buildSFSchemas)

// sfValidator checks values against one root schema.
type sfValidator struct {
	root *sfNode
	t    sfTypes
	fmts sfBuiltins
}

func buildSFSchemas() map[string]*sfValidator {
	schemas, err := compiledSchemas()
	if err != nil {
		return nil
	}
	c, err := newSFCompiler()
	if err != nil {
		return nil
	}
	out := map[string]*sfValidator{}
	for url, s := range schemas {
		root := c.node(s)
		if sfSameValueCycle(root) {
			continue
		}
		out[url] = &sfValidator{root: root, t: c.t, fmts: c.fmts}
	}
	return out
}

// check runs the fast check of v against the validator's root schema.
func (fv *sfValidator) check(v any) sfVerdict {
	return fv.eval(fv.root, v, 0)
}

// and folds one keyword's verdict into the verdict so far: any invalid
// keyword makes the value invalid, else any unsure one makes it unsure.
func sfAnd(acc, v sfVerdict) sfVerdict {
	if acc == sfInvalid || v == sfInvalid {
		return sfInvalid
	}
	if acc == sfUnsure || v == sfUnsure {
		return sfUnsure
	}
	return sfValid
}

// value kinds as the library's typeOf sees them, plus the shapes the
// fast check reads exactly (json.Number) or not (other numbers).
const (
	sfKInvalid = iota
	sfKNull
	sfKBool
	sfKJSONNumber
	sfKOtherNumber
	sfKString
	sfKArray
	sfKObject
)

func sfKindOf(v any) int {
	switch x := v.(type) {
	case nil:
		return sfKNull
	case bool:
		return sfKBool
	case json.Number:
		return sfKJSONNumber
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return sfKInvalid
		}
		return sfKOtherNumber
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return sfKInvalid
		}
		return sfKOtherNumber
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return sfKOtherNumber
	case string:
		return sfKString
	case []any:
		return sfKArray
	case map[string]any:
		return sfKObject
	}
	return sfKInvalid
}

func (fv *sfValidator) typeBitOf(k int) int {
	switch k {
	case sfKNull:
		return fv.t.null
	case sfKBool:
		return fv.t.boolean
	case sfKJSONNumber, sfKOtherNumber:
		return fv.t.number
	case sfKString:
		return fv.t.str
	case sfKArray:
		return fv.t.array
	case sfKObject:
		return fv.t.object
	}
	return 0
}

// sfIsDigits reports whether s is a non-empty run of ASCII digits.
func sfIsDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// sfPlainInteger reports whether n is -?[0-9]+, a form big.Rat reads as an
// integer; any other form (fractions, exponents, -0.0) is left unsure.
func sfPlainInteger(n json.Number) bool {
	s := string(n)
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	return sfIsDigits(s)
}

// sfEqual is the library's equals, unsure where numbers would need
// exact rational comparison.
func sfEqual(a, b any) sfVerdict {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return sfInvalid
		}
		acc := sfValid
		for k, xv := range x {
			yv, ok := y[k]
			if !ok {
				return sfInvalid
			}
			if r := sfEqual(xv, yv); r == sfInvalid {
				return sfInvalid
			} else if r == sfUnsure {
				acc = sfUnsure
			}
		}
		return acc
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return sfInvalid
		}
		acc := sfValid
		for i := range x {
			if r := sfEqual(x[i], y[i]); r == sfInvalid {
				return sfInvalid
			} else if r == sfUnsure {
				acc = sfUnsure
			}
		}
		return acc
	case nil:
		if b == nil {
			return sfValid
		}
		return sfInvalid
	case bool:
		if y, ok := b.(bool); ok && x == y {
			return sfValid
		}
		return sfInvalid
	case string:
		if y, ok := b.(string); ok && x == y {
			return sfValid
		}
		return sfInvalid
	}
	switch sfKindOf(a) {
	case sfKJSONNumber, sfKOtherNumber:
		switch sfKindOf(b) {
		case sfKJSONNumber, sfKOtherNumber:
			x, ok1 := a.(json.Number)
			y, ok2 := b.(json.Number)
			if ok1 && ok2 && x == y && sfPlainInteger(x) {
				return sfValid
			}
			return sfUnsure
		case sfKInvalid:
			return sfUnsure
		}
		return sfInvalid
	}
	return sfUnsure // the library reports an invalid JSON value
}

func (fv *sfValidator) eval(n *sfNode, v any, depth int) sfVerdict {
	switch n.boolSchema {
	case 1:
		return sfValid
	case -1:
		return sfInvalid
	}
	if n.unsure || depth > sfMaxDepth {
		return sfUnsure
	}
	k := sfKindOf(v)
	if k == sfKInvalid {
		return sfUnsure
	}
	acc := sfValid

	// type --
	if n.types != 0 && n.types&fv.typeBitOf(k) == 0 {
		if n.types&fv.t.integer == 0 {
			return sfInvalid
		}
		switch k {
		case sfKJSONNumber:
			if !sfPlainInteger(v.(json.Number)) {
				acc = sfUnsure
			}
		case sfKOtherNumber:
			acc = sfUnsure
		default:
			return sfInvalid
		}
	}

	// const, enum --
	if n.constVal != nil {
		if acc = sfAnd(acc, sfEqual(v, *n.constVal)); acc == sfInvalid {
			return acc
		}
	}
	if n.hasEnum {
		if acc = sfAnd(acc, fv.enum(n, v, k)); acc == sfInvalid {
			return acc
		}
	}

	// format --
	if n.format != nil {
		if acc = sfAnd(acc, fv.format(n, v, k)); acc == sfInvalid {
			return acc
		}
	}

	// $ref --
	if n.ref != nil {
		if acc = sfAnd(acc, fv.eval(n.ref, v, depth)); acc == sfInvalid {
			return acc
		}
	}

	switch k {
	case sfKObject:
		acc = sfAnd(acc, fv.object(n, v.(map[string]any), depth))
	case sfKArray:
		acc = sfAnd(acc, fv.array(n, v.([]any), depth))
	case sfKString:
		acc = sfAnd(acc, fv.str(n, v.(string)))
	case sfKJSONNumber, sfKOtherNumber:
		if n.numberKeywords {
			acc = sfAnd(acc, sfUnsure)
		}
	}
	if acc == sfInvalid {
		return acc
	}
	return sfAnd(acc, fv.cond(n, v, depth))
}

func (fv *sfValidator) enum(n *sfNode, v any, k int) sfVerdict {
	if k == sfKString {
		// equals never matches a string with a non-string value
		if _, ok := n.enumStr[v.(string)]; ok {
			return sfValid
		}
		return sfInvalid
	}
	acc := sfInvalid
	for _, e := range n.enumRest {
		switch sfEqual(v, e) {
		case sfValid:
			return sfValid
		case sfUnsure:
			acc = sfUnsure
		}
	}
	return acc
}

func (fv *sfValidator) format(n *sfNode, v any, k int) sfVerdict {
	if k == sfKString {
		switch n.fmtKind {
		case sfFormatDateTime:
			if sfStrictDateTime(v.(string)) {
				return sfValid
			}
		case sfFormatDate:
			if sfStrictDate(v.(string)) {
				return sfValid
			}
		}
	}
	if n.format.Validate == nil {
		return sfUnsure
	}
	if n.format.Validate(v) != nil {
		return sfInvalid
	}
	return sfValid
}

func (fv *sfValidator) object(n *sfNode, obj map[string]any, depth int) sfVerdict {
	if n.minProps >= 0 && len(obj) < n.minProps {
		return sfInvalid
	}
	if n.maxProps >= 0 && len(obj) > n.maxProps {
		return sfInvalid
	}
	for _, r := range n.required {
		if _, ok := obj[r]; !ok {
			return sfInvalid
		}
	}
	acc := sfValid
	for _, d := range n.depRequired {
		if _, ok := obj[d.prop]; !ok {
			continue
		}
		for _, r := range d.required {
			if _, ok := obj[r]; !ok {
				return sfInvalid
			}
		}
	}
	for _, d := range n.depSchemas {
		if _, ok := obj[d.prop]; ok {
			if acc = sfAnd(acc, fv.eval(d.node, obj, depth)); acc == sfInvalid {
				return acc
			}
		}
	}
	if n.onlyProps && len(n.propList) <= len(obj) {
		// The same evaluations as the loop below, by lookups alone,
		// cheaper than iterating the map when props are few.
		for _, p := range n.propList {
			if val, ok := obj[p.key]; ok {
				if acc = sfAnd(acc, fv.eval(p.node, val, depth+1)); acc == sfInvalid {
					return acc
				}
			}
		}
		return fv.propertyNames(n, obj, acc, depth)
	}
	for key, val := range obj {
		evaluated := false
		if p, ok := n.props[key]; ok {
			evaluated = true
			if acc = sfAnd(acc, fv.eval(p, val, depth+1)); acc == sfInvalid {
				return acc
			}
		}
		for _, pp := range n.patternProps {
			if pp.re.MatchString(key) {
				evaluated = true
				if acc = sfAnd(acc, fv.eval(pp.node, val, depth+1)); acc == sfInvalid {
					return acc
				}
			}
		}
		if evaluated {
			continue
		}
		switch {
		case n.addlBool < 0:
			return sfInvalid
		case n.addl != nil:
			if acc = sfAnd(acc, fv.eval(n.addl, val, depth+1)); acc == sfInvalid {
				return acc
			}
		}
	}
	return fv.propertyNames(n, obj, acc, depth)
}

func (fv *sfValidator) propertyNames(n *sfNode, obj map[string]any, acc sfVerdict, depth int) sfVerdict {
	if n.propertyNames != nil {
		for key := range obj {
			if acc = sfAnd(acc, fv.eval(n.propertyNames, key, depth+1)); acc == sfInvalid {
				return acc
			}
		}
	}
	return acc
}

func (fv *sfValidator) array(n *sfNode, arr []any, depth int) sfVerdict {
	if n.minItems >= 0 && len(arr) < n.minItems {
		return sfInvalid
	}
	if n.maxItems >= 0 && len(arr) > n.maxItems {
		return sfInvalid
	}
	acc := sfValid
	if n.uniqueItems && len(arr) > 1 {
		if len(arr) > sfMaxUnique {
			acc = sfUnsure
		} else {
			for i := 1; i < len(arr); i++ {
				for j := 0; j < i; j++ {
					switch sfEqual(arr[i], arr[j]) {
					case sfValid:
						return sfInvalid
					case sfUnsure:
						acc = sfUnsure
					}
				}
			}
		}
	}
	// items, additionalItems (draft 2019: additionalItems applies past a
	// list of items, or to every item when items is absent, as the
	// library reads it).
	evaluated := 0
	switch {
	case n.items != nil:
		for _, item := range arr {
			if acc = sfAnd(acc, fv.eval(n.items, item, depth+1)); acc == sfInvalid {
				return acc
			}
		}
		evaluated = len(arr)
	case n.hasItemsList:
		evaluated = min(len(arr), len(n.itemsList))
		for i, item := range arr[:evaluated] {
			if acc = sfAnd(acc, fv.eval(n.itemsList[i], item, depth+1)); acc == sfInvalid {
				return acc
			}
		}
	}
	switch {
	case n.addItemsBool < 0:
		if evaluated != len(arr) {
			return sfInvalid
		}
	case n.addItems != nil:
		for _, item := range arr[evaluated:] {
			if acc = sfAnd(acc, fv.eval(n.addItems, item, depth+1)); acc == sfInvalid {
				return acc
			}
		}
	}
	if n.contains != nil {
		sure, maybe := 0, 0
		for _, item := range arr {
			switch fv.eval(n.contains, item, depth+1) {
			case sfValid:
				sure++
			case sfUnsure:
				maybe++
			}
		}
		least := 1
		if n.minContains >= 0 {
			least = n.minContains
		}
		switch {
		case sure >= least:
		case sure+maybe < least:
			return sfInvalid
		default:
			acc = sfUnsure
		}
		if n.maxContains >= 0 {
			switch {
			case sure > n.maxContains:
				return sfInvalid
			case sure+maybe > n.maxContains:
				acc = sfUnsure
			}
		}
	}
	return acc
}

func (fv *sfValidator) str(n *sfNode, s string) sfVerdict {
	if n.minLen >= 0 || n.maxLen >= 0 {
		l := utf8.RuneCountInString(s)
		if n.minLen >= 0 && l < n.minLen {
			return sfInvalid
		}
		if n.maxLen >= 0 && l > n.maxLen {
			return sfInvalid
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(s) {
		return sfInvalid
	}
	return sfValid
}

func (fv *sfValidator) cond(n *sfNode, v any, depth int) sfVerdict {
	acc := sfValid
	if n.not != nil {
		switch fv.eval(n.not, v, depth) {
		case sfValid:
			return sfInvalid
		case sfUnsure:
			acc = sfUnsure
		}
	}
	for _, s := range n.allOf {
		if acc = sfAnd(acc, fv.eval(s, v, depth)); acc == sfInvalid {
			return acc
		}
	}
	if len(n.anyOf) > 0 {
		some := sfInvalid
		for _, s := range n.anyOf {
			r := fv.eval(s, v, depth)
			if r == sfValid {
				some = sfValid
				break
			}
			if r == sfUnsure {
				some = sfUnsure
			}
		}
		if acc = sfAnd(acc, some); acc == sfInvalid {
			return acc
		}
	}
	if len(n.oneOf) > 0 {
		sure, maybe := 0, 0
		for _, s := range n.oneOf {
			switch fv.eval(s, v, depth) {
			case sfValid:
				sure++
			case sfUnsure:
				maybe++
			}
			if sure > 1 {
				return sfInvalid
			}
		}
		switch {
		case sure == 1 && maybe == 0:
		case sure+maybe == 0:
			return sfInvalid
		default:
			acc = sfUnsure
		}
	}
	if n.ifN != nil {
		var r sfVerdict
		switch fv.eval(n.ifN, v, depth) {
		case sfValid:
			r = sfValid
			if n.thenN != nil {
				r = fv.eval(n.thenN, v, depth)
			}
		case sfInvalid:
			r = sfValid
			if n.elseN != nil {
				r = fv.eval(n.elseN, v, depth)
			}
		default:
			r = sfUnsure
		}
		acc = sfAnd(acc, r)
	}
	return acc
}

// sfStrictDateTime recognizes a subset of what the library's date-time
// format accepts, with no allocation:
// YYYY-MM-DDTHH:MM:SS[.frac](Z|z|+HH:MM|-HH:MM), a real calendar day,
// hour ≤ 23, minute and second ≤ 59 (no leap second), offset hour ≤ 23
// and minute ≤ 59. The library accepts more (leap seconds, signed
// fields); those strings go to its own function.
func sfStrictDateTime(s string) bool {
	if len(s) < 20 || (s[10] != 'T' && s[10] != 't') || !sfStrictDate(s[:10]) {
		return false
	}
	t := s[11:]
	if t[2] != ':' || t[5] != ':' {
		return false
	}
	h, ok1 := sfTwoDigits(t[0:2])
	m, ok2 := sfTwoDigits(t[3:5])
	sec, ok3 := sfTwoDigits(t[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return false
	}
	t = t[8:]
	if len(t) > 0 && t[0] == '.' {
		i := 1
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i == 1 {
			return false
		}
		t = t[i:]
	}
	if t == "Z" || t == "z" {
		return true
	}
	if len(t) != 6 || (t[0] != '+' && t[0] != '-') || t[3] != ':' {
		return false
	}
	zh, ok1 := sfTwoDigits(t[1:3])
	zm, ok2 := sfTwoDigits(t[4:6])
	return ok1 && ok2 && zh <= 23 && zm <= 59
}

// sfStrictDate recognizes exactly YYYY-MM-DD with a real calendar day, a
// subset of what time.Parse("2006-01-02", s) accepts.
func sfStrictDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !sfIsDigits(s[0:4]) {
		return false
	}
	month, ok1 := sfTwoDigits(s[5:7])
	day, ok2 := sfTwoDigits(s[8:10])
	if !ok1 || !ok2 || month < 1 || month > 12 || day < 1 {
		return false
	}
	year := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	return day <= sfDaysIn(month, year)
}

func sfTwoDigits(s string) (int, bool) {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

func sfDaysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
