package contexts

import (
	"fmt"
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
}

// expandOwn expands in with the own expander when it can; errUnsupported
// means json-gold must do it.
func (l *Loader) expandOwn(in any, s *safety) ([]any, error) {
	m, ok := in.(map[string]any)
	if !ok {
		l.processed.fallback.Add(1)
		return nil, errUnsupported
	}
	out, err := l.expandDocument(m, s)
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
		if _, ok := l.docs[t]; ok {
			return t, []any{t}, true
		}
	case []any:
		if len(t) == 0 || len(t) > 16 {
			return "", nil, false
		}
		var b strings.Builder
		for i, e := range t {
			u, ok := e.(string)
			if !ok {
				return "", nil, false
			}
			if _, ok := l.docs[u]; !ok {
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
// The @json stand-ins are replaced by their JCS text here.
func (s *safety) toQuads(expanded []any) ([]rdfc.Quad, error) {
	issuer := ld.NewIdentifierIssuer("_:b")
	nodeMap := map[string]any{"@default": map[string]any{}}
	api := ld.NewJsonLdApi()
	if _, err := api.GenerateNodeMap(expanded, nodeMap, "@default", issuer, "", "", nil); err != nil {
		return nil, fmt.Errorf("converting json-ld to rdf: %w", err)
	}
	c := quadConverter{s: s, issuer: issuer}
	for name, gv := range nodeMap {
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
					c.quads = append(c.quads, rdfc.Quad{Subject: subject, Predicate: predicate, Object: o, Graph: c.graph})
				}
			}
		}
	}
	return c.quads, nil
}

// ownQuads converts what the own expander produced (node, value and list
// objects, @graph only from a graph container) straight to quads, without
// json-gold's node map: the dataset is the same set of quads up to blank
// node labels, which RDFC-1.0 replaces anyway. errUnsupported sends
// anything else to toQuads.
func (s *safety) ownQuads(expanded []any) ([]rdfc.Quad, error) {
	// Room for a small credential or a proof's options (which are
	// canonicalized too); a bigger document grows it.
	w := quadWalker{s: s, quads: make([]rdfc.Quad, 0, 24)}
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

// seenValue reports whether item equals one of seen the way json-gold's
// node map compares values (ld.CompareValues): it keeps a value once per
// property, and checkBlankNodes looks at the quad list before RDFC-1.0
// removes duplicates.
func seenValue(seen []any, item any) bool {
	for _, s := range seen {
		if ld.CompareValues(s, item) {
			return true
		}
	}
	return false
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
			for i, t := range items {
				ts, isString := t.(string)
				if !isString {
					return rdfc.Term{}, errUnsupported
				}
				if seenValue(items[:i], t) {
					continue
				}
				o, err := w.term(ts)
				if err != nil {
					return rdfc.Term{}, err
				}
				w.quads = append(w.quads, rdfc.Quad{Subject: subject, Predicate: rdfc.NewIRI(rdfType), Object: o, Graph: g})
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
		for i, it := range items {
			// A repeated node is still walked: json-gold merges the
			// properties of every copy into one node.
			o, err := w.object(it, g)
			if err != nil {
				return rdfc.Term{}, err
			}
			if !seenValue(items[:i], it) {
				w.quads = append(w.quads, rdfc.Quad{Subject: subject, Predicate: predicate, Object: o, Graph: g})
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
			w.quads = append(w.quads,
				rdfc.Quad{Subject: node, Predicate: rdfc.NewIRI(rdfFirst), Object: o, Graph: g},
				rdfc.Quad{Subject: node, Predicate: rdfc.NewIRI(rdfRest), Object: next, Graph: g})
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
		c.quads = append(c.quads,
			rdfc.Quad{Subject: node, Predicate: rdfc.NewIRI(rdfFirst), Object: o, Graph: c.graph},
			rdfc.Quad{Subject: node, Predicate: rdfc.NewIRI(rdfRest), Object: next, Graph: c.graph})
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
