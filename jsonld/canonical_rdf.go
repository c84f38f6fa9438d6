package jsonld

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/rdfc"
)

const (
	rdfType    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	rdfFirst   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
	rdfRest    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
	rdfNil     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
	xsdString  = "http://www.w3.org/2001/XMLSchema#string"
	xsdBoolean = "http://www.w3.org/2001/XMLSchema#boolean"
)

// maxProcessedContexts bounds the processed @context arrays one Loader
// keeps. Credentials use a handful of arrays; the bound only stops a stream
// of odd documents from growing the cache without end.
const maxProcessedContexts = 256

// contextCache holds, per @context array of bundled URLs, the active
// context json-gold builds from it for safe mode. json-gold copies a context
// before changing anything derived from it (Context.parse starts with
// CopyContext, term definitions are never modified once made), so one
// processed context can serve concurrent expansions; TestContextCacheRace
// checks that under -race.
//
// expand holds the contexts of badgesmith's own expander (expand.go), which
// handles most documents before json-gold is asked; own and fallback count
// the documents it expanded and those it left to json-gold, for tests.
type contextCache struct {
	m        sync.Map // key string -> *ld.Context
	n        atomic.Int64
	expand   expandCache
	own      atomic.Int64
	fallback atomic.Int64
	// fast and slow count the documents the fast path (fast.go)
	// canonicalized and those it left to the default path.
	fast atomic.Int64
	slow atomic.Int64
	// walkers are the fast path's, for reuse.
	walkers sync.Pool
}

// expandOwn expands in with the own expander when it can; errUnsupported
// means json-gold must do it. Any other error (the context done) stops
// Canonicalize.
func (l *Loader) expandOwn(in any, s *safety) ([]any, error) {
	m, ok := in.(map[string]any)
	if !ok {
		l.processed.fallback.Add(1)
		return nil, errUnsupported
	}
	out, err := l.expandDocument(m, s)
	if err != nil && !errors.Is(err, errUnsupported) {
		return nil, err
	}
	if err != nil {
		l.processed.fallback.Add(1)
		return nil, errUnsupported
	}
	l.processed.own.Add(1)
	return out, nil
}

// expand is json-gold's expansion of in (safe-mode options o) with the
// document's @context taken from the Loader's cache when it is a list of
// bundled URLs, and processed on every call otherwise.
func (l *Loader) expand(in any, o *ld.JsonLdOptions) ([]any, error) {
	m, ok := in.(map[string]any)
	if !ok {
		return ld.NewJsonLdProcessor().Expand(in, o)
	}
	key, urls, ok := l.contextKey(m["@context"])
	if !ok {
		return ld.NewJsonLdProcessor().Expand(in, o)
	}
	active, err := l.processed.get(l, key, urls)
	if err != nil {
		return nil, err
	}
	body := make(map[string]any, len(m))
	for k, v := range m {
		if k != "@context" {
			body[k] = v
		}
	}
	// What json-gold's JsonLdProcessor.Expand does around the expansion
	// algorithm, minus processing the expand context and the document's
	// @context, which active already holds.
	out, err := ld.NewJsonLdApi().Expand(active, "", body, o, false, nil)
	if err != nil {
		return nil, err
	}
	if om, isMap := out.(map[string]any); isMap {
		if len(om) == 0 {
			out = nil
		} else if g, has := om["@graph"]; has && len(om) == 1 {
			out = g
		}
	}
	switch t := out.(type) {
	case nil:
		return []any{}, nil
	case []any:
		return t, nil
	}
	return []any{out}, nil
}

// contextKey names a @context value made only of URLs the loader serves.
func (l *Loader) contextKey(c any) (string, []any, bool) {
	switch t := c.(type) {
	case string:
		if l.Has(t) {
			return t, []any{t}, true
		}
	case []any:
		if len(t) == 0 || len(t) > 16 {
			return "", nil, false
		}
		n := len(t)
		for _, e := range t {
			u, ok := e.(string)
			if !ok {
				return "", nil, false
			}
			n += len(u)
		}
		var b strings.Builder
		b.Grow(n)
		for i, e := range t {
			u := e.(string)
			if !l.Has(u) {
				return "", nil, false
			}
			if i > 0 {
				// URLs served by the loader never contain a space.
				b.WriteByte(' ')
			}
			b.WriteString(u)
		}
		return b.String(), t, true
	}
	return "", nil, false
}

func (c *contextCache) get(l *Loader, key string, urls []any) (*ld.Context, error) {
	if v, ok := c.m.Load(key); ok {
		return v.(*ld.Context), nil
	}
	// The processed context keeps these options for the contexts it
	// loads and for json-gold's safe-mode check; they match what
	// Canonicalize passes per call, and are never modified afterwards.
	o := ld.NewJsonLdOptions("")
	o.DocumentLoader = l
	o.ProcessingMode = ld.JsonLd_1_1
	o.SafeMode = true
	active, err := ld.NewContext(nil, o).Parse(map[string]any{"@vocab": undefinedVocab})
	if err != nil {
		return nil, err
	}
	active, err = active.Parse(append([]any(nil), urls...))
	if err != nil {
		return nil, err
	}
	if c.n.Load() < maxProcessedContexts {
		if v, loaded := c.m.LoadOrStore(key, active); loaded {
			return v.(*ld.Context), nil
		}
		c.n.Add(1)
	}
	return active, nil
}

// toQuads converts the checked expanded document to RDF the way json-gold's
// ToRDF does (its node map, then one quad per value), without its per-IRI
// URL validation: checkQuads refuses every IRI that validation would drop.
// The @json stand-ins are replaced by their JCS text here. The node map is
// nodeMapper's, which is json-gold's GenerateNodeMap with hashed
// de-duplication.
func (s *safety) toQuads(expanded []any) ([]rdfc.Quad, error) {
	issuer := ld.NewIdentifierIssuer("_:b")
	nm := nodeMapper{
		issuer: issuer,
		graphs: map[string]any{"@default": map[string]any{}},
		seen:   make(map[valueKey]struct{}),
		b:      s.b,
	}
	if _, err := nm.walk(expanded, "@default", "", "", nil); err != nil {
		return nil, fmt.Errorf("converting json-ld to rdf: %w", err)
	}
	c := quadConverter{s: s, issuer: issuer}
	for name, gv := range nm.graphs {
		graph, _ := gv.(map[string]any)
		c.graph = rdfc.Term{}
		if name != "@default" {
			c.graph = nodeTerm(name)
		}
		for id, nv := range graph {
			node, _ := nv.(map[string]any)
			subject := nodeTerm(id)
			for prop, vals := range node {
				var predicate rdfc.Term
				switch {
				case prop == "@type":
					predicate = rdfc.NewIRI(rdfType)
				case ld.IsKeyword(prop), strings.HasPrefix(prop, "_:"):
					continue
				default:
					predicate = rdfc.NewIRI(prop)
				}
				items, _ := vals.([]any)
				for _, it := range items {
					o, err := c.object(it)
					if err != nil {
						return nil, err
					}
					if err := c.add(rdfc.Quad{Subject: subject, Predicate: predicate, Object: o, Graph: c.graph}); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return c.quads, nil
}

// valueKey identifies a value of one property of one node map entry (m is
// the entry's address) for de-duplication; v is keyOf the value.
type valueKey struct {
	m    uintptr
	prop string
	v    string
}

// keyOf returns a string that two values share exactly when json-gold's
// ld.CompareValues calls them equal: primitives by type and value, value
// objects by @value, @type, @language and @index, other objects by @id.
// Values that CompareValues never calls equal to anything (lists, nodes
// without an @id) have no key.
func keyOf(v any) (string, bool) {
	m, isMap := v.(map[string]any)
	if !isMap {
		return primitiveKey('p', v)
	}
	if val, ok := m["@value"]; ok {
		var b strings.Builder
		b.WriteByte('v')
		for _, x := range [...]any{val, m["@type"], m["@language"], m["@index"]} {
			k, ok := primitiveKey('.', x)
			if !ok {
				return "", false
			}
			b.WriteString(strconv.Itoa(len(k)))
			b.WriteString(k)
		}
		return b.String(), true
	}
	if id, ok := m["@id"].(string); ok {
		return "i" + id, true
	}
	return "", false
}

// primitiveKey encodes a JSON primitive so that keys are equal exactly when
// the values are == (0 and -0 alike); anything else has no key.
func primitiveKey(prefix byte, v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return string(prefix) + "n", true
	case string:
		return string(prefix) + "s" + t, true
	case bool:
		return string(prefix) + "b" + strconv.FormatBool(t), true
	case float64:
		if t == 0 {
			t = 0 // -0 == 0
		}
		if math.IsNaN(t) {
			return "", false // NaN != NaN
		}
		return string(prefix) + "f" + strconv.FormatFloat(t, 'g', -1, 64), true
	}
	return "", false
}

// nodeMapper is json-gold's GenerateNodeMap (JSON-LD 1.1 Processing
// Algorithms §7.2) with one change: json-gold's AddValue looks for a value
// among all the values the property already has, which is quadratic in
// their number; seen answers the same question by hash. It also counts the
// values each property collects against MaxValuesPerProperty.
type nodeMapper struct {
	issuer *ld.IdentifierIssuer
	graphs map[string]any // graph name -> node id -> node
	seen   map[valueKey]struct{}
	b      *budget
}

// add is json-gold's AddValue(subject, property, value, true, false,
// false, false): value (or each of its items) is appended to the property's
// array unless an equal one is there.
func (nm *nodeMapper) add(subject map[string]any, prop string, value any) error {
	if subject == nil {
		// json-gold would write to a nil map; expansion never produces
		// the values that lead here.
		return fmt.Errorf("%w: value outside any node", ErrMalformed)
	}
	if arr, ok := value.([]any); ok {
		if _, found := subject[prop]; !found && len(arr) == 0 {
			subject[prop] = []any{}
		}
		for _, v := range arr {
			if err := nm.add(subject, prop, v); err != nil {
				return err
			}
		}
		return nil
	}
	k, hasKey := keyOf(value)
	var key valueKey
	if hasKey {
		key = valueKey{m: reflect.ValueOf(subject).Pointer(), prop: prop, v: k}
		if _, dup := nm.seen[key]; dup {
			return nil
		}
	}
	var list []any
	switch t := subject[prop].(type) {
	case []any:
		list = t
	case nil:
	default:
		list = []any{t}
	}
	list = append(list, value)
	subject[prop] = list
	if hasKey {
		nm.seen[key] = struct{}{}
	}
	if err := nm.b.values(len(list), prop, ""); err != nil {
		return err
	}
	return nm.b.step()
}

// walk is GenerateNodeMap(element, graphs, activeGraph, issuer,
// activeSubject, activeProperty, list), step for step.
func (nm *nodeMapper) walk(element any, activeGraph string, activeSubject any, activeProperty string, list map[string]any) (map[string]any, error) {
	if arr, ok := element.([]any); ok {
		for _, item := range arr {
			var err error
			if list, err = nm.walk(item, activeGraph, activeSubject, activeProperty, list); err != nil {
				return nil, err
			}
		}
		return list, nil
	}
	elem, ok := element.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected map or list to GenerateNodeMap, got %T", element)
	}
	graph, _ := nm.graphs[activeGraph].(map[string]any)
	if graph == nil {
		graph = make(map[string]any)
		nm.graphs[activeGraph] = graph
	}
	var subjectNode map[string]any
	switch t := activeSubject.(type) {
	case nil:
		subjectNode = graph
	case string:
		subjectNode, _ = graph[t].(map[string]any)
	default:
		subjectNode = make(map[string]any)
	}

	if typeVal, hasType := elem["@type"]; hasType {
		types := ld.Arrayify(typeVal)
		newTypes := make([]any, len(types))
		for i, t := range types {
			ts, isString := t.(string)
			if !isString {
				return nil, fmt.Errorf("%w: @type %T is not a string", ErrMalformed, t)
			}
			if strings.HasPrefix(ts, "_:") {
				ts = nm.issuer.GetId(ts)
			}
			newTypes[i] = ts
		}
		if ld.IsValue(element) {
			if len(newTypes) == 0 {
				return nil, fmt.Errorf("%w: value object with an empty @type", ErrMalformed)
			}
			elem["@type"] = newTypes[0]
		} else {
			elem["@type"] = newTypes
		}
	}

	if ld.IsValue(element) {
		if list == nil {
			return nil, nm.add(subjectNode, activeProperty, element)
		}
		list["@list"] = append(list["@list"].([]any), element)
		return list, nil
	}
	if ld.IsList(element) {
		result, err := nm.walk(elem["@list"], activeGraph, activeSubject, activeProperty, map[string]any{"@list": []any{}})
		if err != nil {
			return nil, err
		}
		if list == nil {
			return nil, nm.add(subjectNode, activeProperty, result)
		}
		list["@list"] = append(list["@list"].([]any), result)
		return list, nil
	}

	// A node object.
	var id string
	switch t := elem["@id"].(type) {
	case nil:
		id = nm.issuer.GetId("")
	case string:
		id = t
		if strings.HasPrefix(id, "_:") {
			id = nm.issuer.GetId(id)
		}
	default:
		return nil, fmt.Errorf("%w: @id %T is not a string", ErrMalformed, t)
	}
	node, _ := graph[id].(map[string]any)
	if node == nil {
		node = map[string]any{"@id": id}
		graph[id] = node
	}

	if subj, isMap := activeSubject.(map[string]any); isMap {
		// A reverse property: the node points at the subject.
		if err := nm.add(node, activeProperty, subj); err != nil {
			return nil, err
		}
	} else if activeProperty != "" {
		ref := map[string]any{"@id": id}
		if list == nil {
			if err := nm.add(subjectNode, activeProperty, ref); err != nil {
				return nil, err
			}
		} else {
			list["@list"] = append(list["@list"].([]any), ref)
		}
	}

	if typeVal, hasType := elem["@type"]; hasType {
		if err := nm.add(node, "@type", typeVal); err != nil {
			return nil, err
		}
	}
	if idx, hasIndex := elem["@index"]; hasIndex {
		if nodeIdx, found := node["@index"]; found && nodeIdx != idx {
			return nil, ld.NewJsonLdError(ld.ConflictingIndexes, "conflicting @index property detected")
		}
		node["@index"] = idx
	}
	if rv, hasReverse := elem["@reverse"]; hasReverse {
		referenced := map[string]any{"@id": id}
		rm, _ := rv.(map[string]any)
		props := make([]string, 0, len(rm))
		for p := range rm {
			props = append(props, p)
		}
		sort.Strings(props)
		for _, p := range props {
			values, _ := rm[p].([]any)
			for _, v := range values {
				if _, err := nm.walk(v, activeGraph, referenced, p, nil); err != nil {
					return nil, err
				}
			}
		}
	}
	if g, hasGraph := elem["@graph"]; hasGraph {
		if _, err := nm.walk(g, id, "", "", nil); err != nil {
			return nil, err
		}
	}
	if inc, hasIncluded := elem["@included"]; hasIncluded {
		if _, err := nm.walk(inc, activeGraph, "", "", nil); err != nil {
			return nil, err
		}
	}
	for _, property := range sortedKeys(elem) {
		switch property {
		case "@id", "@type", "@index", "@reverse", "@graph", "@included":
			continue
		}
		value := elem[property]
		if strings.HasPrefix(property, "_:") {
			property = nm.issuer.GetId(property)
		}
		if _, found := node[property]; !found {
			node[property] = []any{}
		}
		if _, err := nm.walk(value, activeGraph, id, property, nil); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// ownQuads converts what the own expander produced (node, value and list
// objects, @graph only from a graph container) straight to quads, without
// json-gold's node map: the dataset is the same set of quads up to blank
// node labels, which RDFC-1.0 replaces anyway. errUnsupported sends
// anything else to toQuads.
func (s *safety) ownQuads(expanded []any) ([]rdfc.Quad, error) {
	// A document has about as many statements as JSON values: room for
	// that many (within MaxQuads) saves regrowing the list.
	w := quadWalker{s: s, quads: make([]rdfc.Quad, 0, min(max(s.b.nvalues, 8), s.b.lim.MaxQuads))}
	for _, n := range expanded {
		m, ok := n.(map[string]any)
		if !ok {
			return nil, errUnsupported
		}
		if _, err := w.node(m, rdfc.Term{}); err != nil {
			return nil, err
		}
	}
	return w.quads, nil
}

type quadWalker struct {
	s     *safety
	quads []rdfc.Quad
	n     int
}

func (w *quadWalker) blank() rdfc.Term {
	w.n++
	return rdfc.NewBlankNode("b" + strconv.Itoa(w.n-1))
}

// term maps an @id or @type value to a term. A blank node the document
// names itself can be shared between places, which json-gold's node map
// merges; ownQuads leaves such documents to toQuads.
func (w *quadWalker) term(id string) (rdfc.Term, error) {
	if strings.HasPrefix(id, "_:") {
		return rdfc.Term{}, errUnsupported
	}
	return rdfc.NewIRI(id), nil
}

// dedupe tells, for the values of one property of one node, which repeat
// an earlier one the way json-gold's node map compares values
// (ld.CompareValues): it keeps a value once per property, and
// checkBlankNodes looks at the quad list before RDFC-1.0 removes
// duplicates. A few values are compared pairwise; more go through a set of
// keyOf keys, so the cost stays linear.
type dedupe struct {
	items []any
	set   map[string]struct{}
}

// smallDedupe is the number of values below which pairwise comparison is
// cheaper than hashing.
const smallDedupe = 16

func newDedupe(items []any) dedupe {
	d := dedupe{items: items}
	if len(items) > smallDedupe {
		d.set = make(map[string]struct{}, len(items))
	}
	return d
}

// seen reports whether items[i] equals an earlier item; it must be called
// for i = 0, 1, 2, ... in order.
func (d *dedupe) seen(i int) bool {
	it := d.items[i]
	if d.set == nil {
		for _, s := range d.items[:i] {
			if ld.CompareValues(s, it) {
				return true
			}
		}
		return false
	}
	k, ok := keyOf(it)
	if !ok {
		return false
	}
	if _, dup := d.set[k]; dup {
		return true
	}
	d.set[k] = struct{}{}
	return false
}

// add appends q, counting it against MaxQuads.
func (w *quadWalker) add(q rdfc.Quad) error {
	w.quads = append(w.quads, q)
	return w.s.b.quad()
}

// node writes the quads of a node object in graph g and returns its
// subject.
func (w *quadWalker) node(m map[string]any, g rdfc.Term) (rdfc.Term, error) {
	var subject rdfc.Term
	if id, ok := m["@id"]; ok {
		s, isString := id.(string)
		if !isString {
			return rdfc.Term{}, errUnsupported
		}
		var err error
		if subject, err = w.term(s); err != nil {
			return rdfc.Term{}, err
		}
	} else {
		subject = w.blank()
	}
	for k, v := range m {
		items, ok := v.([]any)
		switch k {
		case "@id":
			continue
		case "@type":
			if !ok && v != nil {
				return rdfc.Term{}, errUnsupported
			}
			d := newDedupe(items)
			for i, t := range items {
				ts, isString := t.(string)
				if !isString {
					return rdfc.Term{}, errUnsupported
				}
				if d.seen(i) {
					continue
				}
				o, err := w.term(ts)
				if err != nil {
					return rdfc.Term{}, err
				}
				if err := w.add(rdfc.Quad{Subject: subject, Predicate: rdfc.NewIRI(rdfType), Object: o, Graph: g}); err != nil {
					return rdfc.Term{}, err
				}
			}
			continue
		case "@graph":
			if !ok {
				return rdfc.Term{}, errUnsupported
			}
			for _, it := range items {
				im, isMap := it.(map[string]any)
				if !isMap || im["@value"] != nil || im["@list"] != nil {
					return rdfc.Term{}, errUnsupported
				}
				if _, err := w.node(im, subject); err != nil {
					return rdfc.Term{}, err
				}
			}
			continue
		}
		if !ok || strings.HasPrefix(k, "@") {
			return rdfc.Term{}, errUnsupported
		}
		if strings.HasPrefix(k, "_:") {
			// json-gold writes no generalized RDF; safe mode refuses these.
			continue
		}
		predicate := rdfc.NewIRI(k)
		d := newDedupe(items)
		for i, it := range items {
			// A repeated node is still walked: json-gold merges the
			// properties of every copy into one node.
			o, err := w.object(it, g)
			if err != nil {
				return rdfc.Term{}, err
			}
			if !d.seen(i) {
				if err := w.add(rdfc.Quad{Subject: subject, Predicate: predicate, Object: o, Graph: g}); err != nil {
					return rdfc.Term{}, err
				}
			}
		}
	}
	return subject, nil
}

func (w *quadWalker) object(it any, g rdfc.Term) (rdfc.Term, error) {
	m, ok := it.(map[string]any)
	if !ok {
		return rdfc.Term{}, errUnsupported
	}
	if v, ok := m["@value"]; ok {
		return w.s.literalTerm(m, v)
	}
	if l, ok := m["@list"]; ok {
		items, isList := l.([]any)
		if !isList {
			return rdfc.Term{}, errUnsupported
		}
		if len(items) == 0 {
			return rdfc.NewIRI(rdfNil), nil
		}
		head := w.blank()
		node := head
		for i, x := range items {
			o, err := w.object(x, g)
			if err != nil {
				return rdfc.Term{}, err
			}
			next := rdfc.NewIRI(rdfNil)
			if i < len(items)-1 {
				next = w.blank()
			}
			if err := w.add(rdfc.Quad{Subject: node, Predicate: rdfc.NewIRI(rdfFirst), Object: o, Graph: g}); err != nil {
				return rdfc.Term{}, err
			}
			if err := w.add(rdfc.Quad{Subject: node, Predicate: rdfc.NewIRI(rdfRest), Object: next, Graph: g}); err != nil {
				return rdfc.Term{}, err
			}
			node = next
		}
		return head, nil
	}
	return w.node(m, g)
}

type quadConverter struct {
	s      *safety
	issuer *ld.IdentifierIssuer
	graph  rdfc.Term
	quads  []rdfc.Quad
}

// add appends q, counting it against MaxQuads.
func (c *quadConverter) add(q rdfc.Quad) error {
	c.quads = append(c.quads, q)
	return c.s.b.quad()
}

func nodeTerm(id string) rdfc.Term {
	if strings.HasPrefix(id, "_:") {
		return rdfc.NewBlankNode(id[2:])
	}
	return rdfc.NewIRI(id)
}

// object converts a node map value: a value object, a list or a node
// reference.
func (c *quadConverter) object(item any) (rdfc.Term, error) {
	switch t := item.(type) {
	case string:
		return nodeTerm(t), nil
	case map[string]any:
		if v, ok := t["@value"]; ok {
			return c.s.literalTerm(t, v)
		}
		if l, ok := t["@list"]; ok {
			items, _ := l.([]any)
			return c.list(items)
		}
		if id, ok := t["@id"].(string); ok {
			return nodeTerm(id), nil
		}
	}
	return rdfc.Term{}, &DataLossError{Reason: fmt.Sprintf("unexpected %T in the node map", item)}
}

// list writes an RDF collection and returns its head.
func (c *quadConverter) list(items []any) (rdfc.Term, error) {
	if len(items) == 0 {
		return rdfc.NewIRI(rdfNil), nil
	}
	head := nodeTerm(c.issuer.GetId(""))
	node := head
	for i, it := range items {
		o, err := c.object(it)
		if err != nil {
			return rdfc.Term{}, err
		}
		next := rdfc.NewIRI(rdfNil)
		if i < len(items)-1 {
			next = nodeTerm(c.issuer.GetId(""))
		}
		if err := c.add(rdfc.Quad{Subject: node, Predicate: rdfc.NewIRI(rdfFirst), Object: o, Graph: c.graph}); err != nil {
			return rdfc.Term{}, err
		}
		if err := c.add(rdfc.Quad{Subject: node, Predicate: rdfc.NewIRI(rdfRest), Object: next, Graph: c.graph}); err != nil {
			return rdfc.Term{}, err
		}
		node = next
	}
	return head, nil
}

// literalTerm converts a value object that check has already rewritten:
// numbers are lexical strings by now and @json values stand-ins.
func (s *safety) literalTerm(m map[string]any, v any) (rdfc.Term, error) {
	dt, _ := m["@type"].(string)
	switch t := v.(type) {
	case bool:
		if dt == "" {
			dt = xsdBoolean
		}
		return rdfc.NewLiteral(strconv.FormatBool(t), dt, ""), nil
	case string:
		if lang, ok := m["@language"].(string); ok {
			return rdfc.NewLiteral(t, "", lang), nil
		}
		switch dt {
		case "":
			dt = xsdString
		case jsonPlaceholder:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(s.jsonLits) {
				return rdfc.Term{}, fmt.Errorf("restoring @json literal %q", t)
			}
			return rdfc.NewLiteral(s.jsonLits[i], rdfJSON, ""), nil
		}
		return rdfc.NewLiteral(t, dt, ""), nil
	}
	return rdfc.Term{}, &DataLossError{Reason: fmt.Sprintf("unexpected @value of type %T after checking", v)}
}

// datasetQuads converts json-gold's dataset for the checks the reference
// path shares with the default one.
func datasetQuads(ds *ld.RDFDataset) []rdfc.Quad {
	term := func(n ld.Node) rdfc.Term {
		switch t := n.(type) {
		case ld.IRI:
			return rdfc.NewIRI(t.Value)
		case ld.BlankNode:
			return nodeTerm(t.Attribute)
		case ld.Literal:
			return rdfc.NewLiteral(t.Value, t.Datatype, t.Language)
		}
		return rdfc.Term{}
	}
	var out []rdfc.Quad
	for g, quads := range ds.Graphs {
		var graph rdfc.Term
		if g != "@default" && g != "" {
			graph = nodeTerm(g)
		}
		for _, q := range quads {
			out = append(out, rdfc.Quad{Subject: term(q.Subject), Predicate: term(q.Predicate), Object: term(q.Object), Graph: graph})
		}
	}
	return out
}
