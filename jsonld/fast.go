package jsonld

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/rdfc"
)

// This file is the fast path of Canonicalize: for a document whose
// contexts are bundled URLs, one walk over the decoded JSON emits the RDF
// statements directly, with the safe-mode checks done as each term is
// made. It does in one pass what the default path does in five (copy the
// input, expand it with the own expander, check the expanded form, convert
// it with ownQuads, check the statements), with the same processed
// contexts (activectx.go) and the same decisions, step for step.
//
// It never decides anything on its own: whatever it does not cover, and
// any document the checks would refuse, makes it give up with
// errUnsupported, and Canonicalize runs the default path from the start,
// which then accepts, refuses or reports exactly as it always has. The
// statements it emits are those ownQuads emits for the same document (the
// same multiset up to blank node labels, so the same Work.Quads), which
// TestFastPathMatchesDefault and FuzzFastPath hold equal on every JSON-LD
// document of the repository and on mutated ones.

// fastWalker is one walk of the fast path. Walkers are reused through
// the Loader (contextCache.walkers), so a document's statements and values
// are collected in arrays that earlier documents have already grown.
type fastWalker struct {
	l      *Loader
	b      *budget
	quads  []rdfc.Quad
	blanks int
	// objects counts the JSON objects as copyJSON does, against MaxQuads.
	objects int
	// stack holds the expanded values of the properties being walked, the
	// innermost on top.
	stack []item
	// ents holds the entries of the objects being walked, the innermost
	// on top (an array per object cost more to zero than to walk a small
	// one).
	ents []entry
	// derived remembers the last contexts derive gave for a scoped
	// context: most objects of a document are of a few types and
	// properties, and the Loader's cache is a concurrent map, dearer to
	// ask.
	derived     [8]derivedMemo
	derivedNext int
	// okHost is the last http(s) host iriOK accepted.
	okHost string
	// omit is a member of the document (the top-level object) read as
	// absent: a proof's document is the one signed, without its proof.
	omit string
}

// derivedMemo is one context fastWalker.derive remembers.
type derivedMemo struct {
	parent *activeCtx
	td     *termDefinition
	kind   uint8
	ac     *activeCtx
}

// derive is Loader.derive for td's scoped context on top of parent.
func (w *fastWalker) derive(parent *activeCtx, td *termDefinition, kind uint8) (*activeCtx, error) {
	for i := range w.derived {
		if m := &w.derived[i]; m.ac != nil && m.parent == parent && m.td == td && m.kind == kind {
			return m.ac, nil
		}
	}
	ac, err := w.l.derive(parent, td, kind, "", td.scoped)
	if err != nil {
		return nil, err
	}
	w.derived[w.derivedNext] = derivedMemo{parent: parent, td: td, kind: kind, ac: ac}
	w.derivedNext = (w.derivedNext + 1) % len(w.derived)
	return ac, nil
}

// maxPooledQuads keeps a walker that served a huge document from being
// kept for the next ones.
const maxPooledQuads = 4096

// fastQuads returns the statements of doc, or errUnsupported when the
// default path must decide; release gives the walker back once the
// statements are no longer needed.
func (l *Loader) fastQuads(doc any, b *budget) (quads []rdfc.Quad, release func(), err error) {
	return l.fastQuadsOmit(doc, b, "")
}

// fastQuadsOmit is fastQuads of doc without its top-level member omit
// (none when omit is empty), which is not walked.
func (l *Loader) fastQuadsOmit(doc any, b *budget, omit string) (quads []rdfc.Quad, release func(), err error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, nil, errUnsupported
	}
	w, _ := l.processed.walkers.Get().(*fastWalker)
	if w == nil {
		w = &fastWalker{quads: make([]rdfc.Quad, 0, 128), stack: make([]item, 0, 64), ents: make([]entry, 0, 64)}
	}
	*w = fastWalker{l: l, b: b, quads: w.quads[:0], stack: w.stack[:0], ents: w.ents[:0], omit: omit}
	release = func() {
		// The arrays are not cleared: what they still point to is kept
		// only while the pool keeps the walker, which it drops after two
		// garbage collections without use, and clearing them cost more
		// than a small document's whole walk.
		if cap(w.quads) <= maxPooledQuads && cap(w.ents) <= maxPooledQuads {
			w.l, w.b = nil, nil
			l.processed.walkers.Put(w)
		}
	}
	root := l.processed.expand.rootCtx()
	if _, err := w.object(root, root.terms[""], m, 0, rdfc.Term{}, true); err != nil {
		release()
		return nil, nil, err
	}
	return w.quads, release, nil
}

// blankLabels are the labels of the first blank nodes of a walk, so that
// most documents label theirs without formatting numbers.
var blankLabels = func() (t [32]string) {
	for i := range t {
		t[i] = "b" + strconv.Itoa(i)
	}
	return t
}()

func (w *fastWalker) blank() rdfc.Term {
	n := w.blanks
	w.blanks++
	if n < len(blankLabels) {
		return rdfc.Term{Kind: rdfc.BlankNode, Value: blankLabels[n]}
	}
	return rdfc.Term{Kind: rdfc.BlankNode, Value: "b" + strconv.Itoa(n)}
}

func (w *fastWalker) add(s, p, o, g rdfc.Term) error {
	// The statement is written field by field into the next slot: a
	// whole Quad copied into the pooled array takes the bulk write
	// barrier while the collector marks, which costs more than the
	// barriers of the twelve strings.
	if len(w.quads) == cap(w.quads) {
		w.quads = slices.Grow(w.quads, 1)
	}
	w.quads = w.quads[:len(w.quads)+1]
	q := &w.quads[len(w.quads)-1]
	setTerm(&q.Subject, &s)
	setTerm(&q.Predicate, &p)
	setTerm(&q.Object, &o)
	setTerm(&q.Graph, &g)
	return w.b.quad()
}

// setTerm sets *t to *x one field at a time (see add).
func setTerm(t, x *rdfc.Term) {
	t.Kind = x.Kind
	t.Value = x.Value
	t.Datatype = x.Datatype
	t.Language = x.Language
}

// iriOK is checkIRI for the fast path: an IRI that safe mode would
// refuse, or a blank node identifier (which ownQuads leaves to toQuads),
// ends the walk. known says the IRI is a term definition's, checked when
// the context was processed.
func (w *fastWalker) iriOK(iri string, known bool) error {
	if known {
		return nil
	}
	// checkIRI, with the last host quickIRI accepted remembered.
	if strings.HasPrefix(iri, "_:") || strings.HasPrefix(iri, undefinedVocab) {
		return errUnsupported
	}
	if !quickIRIHost(iri, &w.okHost) && checkIRISlow(iri) != nil {
		return errUnsupported
	}
	return nil
}

// keywordOf is the keyword value expands to as a key (expandIRI(value,
// _, true)), or "" when it expands to anything else; unlike expandIRI it
// builds no string for a term the context does not define.
func (c *activeCtx) keywordOf(value string) (string, error) {
	td, ok := c.terms[value]
	return c.keywordOfTerm(value, td, ok)
}

// keywordOfTerm is keywordOf with c.terms[value] looked up already.
func (c *activeCtx) keywordOfTerm(value string, td *termDefinition, ok bool) (string, error) {
	if ld.IsKeyword(value) {
		return value, nil
	}
	if isReservedKeyword(value) {
		return "", nil
	}
	if ok {
		if td == nil || !isKeyword(td.id) {
			return "", nil
		}
		return td.id, nil
	}
	if strings.IndexByte(value, ':') > 0 {
		ep, err := c.expandIRI(value, false, true)
		if err != nil || !isKeyword(ep) {
			return "", err
		}
		return ep, nil
	}
	// The vocabulary, if any, is an IRI: the result is no keyword.
	return "", nil
}

// expandKey is expandIRI(value, _, true), which is how keys, types and
// @vocab values expand, also telling whether the result is a term
// definition's IRI known to pass checkIRI.
func (c *activeCtx) expandKey(value string) (string, bool, error) {
	td, ok := c.terms[value]
	return c.expandKeyTerm(value, td, ok)
}

// expandKeyTerm is expandKey with c.terms[value] looked up already.
func (c *activeCtx) expandKeyTerm(value string, td *termDefinition, ok bool) (string, bool, error) {
	if ld.IsKeyword(value) {
		return value, false, nil
	}
	if isReservedKeyword(value) {
		return "", false, nil
	}
	if ok {
		if td == nil {
			return "", false, nil
		}
		return td.id, td.idOK, nil
	}
	ep, err := c.expandIRI(value, false, true)
	return ep, false, err
}

// entry is one key of a JSON object with what it expands to, and its
// term definition in the object's final context (td, defined).
type entry struct {
	key   string
	ep    string
	value any
	td    *termDefinition
	// The flags together, so that an entry is 64 bytes to copy.
	known   bool
	defined bool
	// looked says td and defined were looked up, in the context before
	// type-scoped contexts apply; a key whose keyword-ness aliasOf told
	// is looked up only in the final context.
	looked bool
}

// object walks a JSON object that is the value of a property whose term
// definition in ac is ptd (the document when root) in graph g, as expander.object, safety.node and quadWalker.node
// would one after the other. It returns the term a parent links to and the
// key that makes a node with an @id equal to another (ld.CompareValues).
func (w *fastWalker) object(ac *activeCtx, ptd *termDefinition, el map[string]any, depth int, g rdfc.Term, root bool) (item, error) {
	// copyJSON's bounds (an object's keyword values and their items one
	// and two levels down), then expander.object's steps.
	if depth+2 > w.b.lim.MaxDepth {
		return item{}, errUnsupported
	}
	if w.objects++; w.objects > w.b.lim.MaxQuads {
		return item{}, errUnsupported
	}
	if err := w.b.step(); err != nil {
		return item{}, errUnsupported
	}
	var scopedOwner *termDefinition
	if ptd != nil && ptd.scoped != nil {
		scopedOwner = ptd
	}
	ctxValue, hasContext := el["@context"]
	mustRevert := true
	if ac.prev != nil && len(el) <= 2 && !hasContext {
		for k := range el {
			ep, err := ac.keywordOf(k)
			if err != nil {
				return item{}, errUnsupported
			}
			if ep == "@value" || ep == "@id" && len(el) == 1 {
				mustRevert = false
			}
		}
	}
	if mustRevert {
		ac = ac.revert()
	}
	var err error
	if scopedOwner != nil {
		if ac, err = w.derive(ac, scopedOwner, deriveProperty); err != nil {
			return item{}, errUnsupported
		}
	}
	if hasContext {
		urls, ok := w.l.bundledURLs(ctxValue)
		if !ok {
			return item{}, errUnsupported
		}
		if ac, err = w.l.derive(ac, nil, deriveEmbedded, urls, ctxValue); err != nil {
			return item{}, errUnsupported
		}
	}
	tsc := ac

	// The type key is found with the context before type-scoped
	// contexts apply.
	base := len(w.ents)
	defer func() { w.ents = w.ents[:base] }()
	typeKey := ""
	var typeValue any
	for k, v := range el {
		if root && k == w.omit && k != "" {
			continue
		}
		if a, ok := v.([]any); ok && (len(a) > w.b.lim.MaxValuesPerProperty || (k == "type" || k == "@type") && len(a) > w.b.lim.MaxTypes) {
			return item{}, errUnsupported
		}
		if k == "@context" {
			continue
		}
		if k == "" {
			return item{}, errUnsupported
		}
		// Most keys are terms: whether one is a keyword's alias needs no
		// lookup, and its definition is looked up below, in the final
		// context.
		var (
			td      *termDefinition
			defined bool
			looked  bool
		)
		kw, ok := "", false
		if k[0] != '@' && strings.IndexByte(k, ':') <= 0 {
			kw, ok = ac.aliasOf(k)
		}
		if !ok {
			td, defined = ac.terms[k]
			looked = true
			if kw, err = ac.keywordOfTerm(k, td, defined); err != nil {
				return item{}, errUnsupported
			}
		}
		if kw == "@type" {
			if typeKey != "" {
				return item{}, errUnsupported
			}
			typeKey, typeValue = k, v
		}
		w.ents = append(w.ents, entry{key: k, value: v, td: td, defined: defined, looked: looked})
	}
	// The objects walked below append theirs above these: entries keeps
	// this object's (in whichever array they were written).
	entries := w.ents[base:]
	entriesCtx := ac
	// A lone type's definition in tsc, looked up once for both the
	// scoped context and the type's statement.
	var (
		oneType    string
		oneTD      *termDefinition
		oneDefined bool
	)
	if typeKey != "" {
		var buf [8]string
		types := buf[:0]
		switch v := typeValue.(type) {
		case string:
			types = append(types, v)
		case []any:
			for _, x := range v {
				s, ok := x.(string)
				if !ok {
					return item{}, errUnsupported
				}
				types = append(types, s)
			}
			slices.Sort(types)
		default:
			return item{}, errUnsupported
		}
		for _, tt := range types {
			td, defined := tsc.terms[tt]
			if len(types) == 1 {
				oneType, oneTD, oneDefined = tt, td, defined
			}
			if td != nil && td.hasScoped {
				if ac, err = w.derive(ac, td, deriveType); err != nil {
					return item{}, errUnsupported
				}
			}
		}
		// The expander expands the last type with the final context
		// whether it needs it or not; only its failure matters, which
		// takes a colon (a compact IRI whose prefix is defined as null).
		last := typeValue
		if a, ok := last.([]any); ok {
			last = nil
			if len(a) > 0 {
				last = a[len(a)-1]
			}
		}
		if s, ok := last.(string); ok && strings.IndexByte(s, ':') > 0 {
			if _, err := ac.expandIRI(s, false, true); err != nil {
				return item{}, errUnsupported
			}
		}
	}
	// The keys expand with the final context.
	for i := range entries {
		e := &entries[i]
		if ac != entriesCtx || !e.looked {
			e.td, e.defined = ac.terms[e.key]
		}
		if e.ep, e.known, err = ac.expandKeyTerm(e.key, e.td, e.defined); err != nil {
			return item{}, errUnsupported
		}
	}

	// Keywords first, so the subject is known before any statement.
	var (
		id            string
		hasID         bool
		types         []any
		typeString    string
		hasType       bool
		typeIsString  bool
		keptKeys      int
		typeEntryDone bool
		val           any
		hasValue      bool
		lang          string
		hasLang       bool
		properties    int
	)
	for _, e := range entries {
		ep := e.ep
		// A known IRI (checkIRI passed) has a scheme: no need to look.
		if ep == "" || !e.known && !strings.Contains(ep, ":") && !isKeyword(ep) {
			return item{}, errUnsupported
		}
		if !isKeyword(ep) {
			entries[properties] = e
			properties++
			continue
		}
		switch ep {
		case "@id":
			s, ok := e.value.(string)
			if !ok || hasID {
				return item{}, errUnsupported
			}
			if id, err = ac.expandIRI(s, true, false); err != nil {
				return item{}, errUnsupported
			}
			hasID = true
			keptKeys++
		case "@type":
			if e.key != typeKey || typeEntryDone {
				return item{}, errUnsupported
			}
			typeEntryDone, hasType = true, true
			keptKeys++
			switch v := e.value.(type) {
			case string:
				typeString, typeIsString = v, true
			case []any:
				types = v
			default:
				return item{}, errUnsupported
			}
		case "@value":
			v, ok := fastNumber(e.value)
			if !ok || hasValue {
				return item{}, errUnsupported
			}
			val, hasValue = v, true
		case "@language":
			s, ok := e.value.(string)
			if !ok || hasLang {
				return item{}, errUnsupported
			}
			lang, hasLang = strings.ToLower(s), true
		default:
			return item{}, errUnsupported
		}
	}
	entries = entries[:properties]
	if aliased(entries) {
		// Two keys for one property: the expander merges their values,
		// which this walk does not.
		return item{}, errUnsupported
	}
	if hasValue || hasLang {
		if root || !hasValue || hasID || len(entries) > 0 {
			return item{}, errUnsupported
		}
		return w.valueObject(tsc, val, typeString, typeIsString, hasType, lang, hasLang)
	}

	var subject rdfc.Term
	if hasID {
		if strings.HasPrefix(id, "_:") {
			return item{}, errUnsupported
		}
		subject = rdfc.NewIRI(id)
	} else {
		subject = w.blank()
	}
	if hasType {
		n := len(types)
		if typeIsString {
			n = 1
		}
		if n > w.b.lim.MaxValuesPerProperty {
			return item{}, errUnsupported
		}
		var seen [8]string
		done := seen[:0]
		for i := range n {
			s := typeString
			if !typeIsString {
				s, _ = types[i].(string)
			}
			var t string
			var known bool
			var err error
			if s == oneType && oneType != "" {
				t, known, err = tsc.expandKeyTerm(s, oneTD, oneDefined)
			} else {
				t, known, err = tsc.expandKey(s)
			}
			if err != nil {
				return item{}, errUnsupported
			}
			if err := w.iriOK(t, known); err != nil {
				return item{}, err
			}
			if slices.Contains(done, t) {
				continue
			}
			done = append(done, t)
			if err := w.add(subject, rdfTypeTerm, rdfc.NewIRI(t), g); err != nil {
				return item{}, errUnsupported
			}
		}
	}
	for _, e := range entries {
		kept, err := w.property(ac, e, subject, g, depth+1)
		if err != nil {
			return item{}, err
		}
		if kept {
			keptKeys++
		}
	}
	if root && (keptKeys == 0 || hasID && keptKeys == 1) {
		// The expander drops a top-level object with nothing but an @id,
		// unchecked; nothing was emitted for it.
		return item{}, nil
	}
	if hasID {
		if err := w.iriOK(id, false); err != nil {
			return item{}, err
		}
		return item{term: subject, kind: 'i'}, nil
	}
	return item{term: subject}, nil
}

var (
	rdfTypeTerm  = rdfc.NewIRI(rdfType)
	rdfFirstTerm = rdfc.NewIRI(rdfFirst)
	rdfRestTerm  = rdfc.NewIRI(rdfRest)
	rdfNilTerm   = rdfc.NewIRI(rdfNil)
)

// item is one expanded value of a property: the object of its statement
// and what ld.CompareValues compares it by. kind is 'i' for a node object
// or reference with an @id (term is the IRI), 's' or 'b' for a value
// object whose @value is a string (numbers are strings by then) or a
// boolean, with typ its @type as the expanded form holds it; 0 for values
// CompareValues calls equal to nothing (blank nodes, lists).
type item struct {
	term rdfc.Term
	kind byte
	typ  string
}

// property walks the values of one property of subject. kept is false
// when the expander would drop the property (its value is null).
func (w *fastWalker) property(ac *activeCtx, e entry, subject, g rdfc.Term, depth int) (kept bool, err error) {
	termCtx := ac
	td := e.td // ac.terms[e.key]
	if td != nil && td.hasScoped {
		if termCtx, err = w.derive(ac, td, deriveProperty); err != nil {
			return false, errUnsupported
		}
	}
	if td != nil && td.typ == "@json" {
		return false, errUnsupported
	}
	if e.value == nil {
		return false, nil
	}
	// safety.property's checks, which hold whatever the values.
	if strings.HasPrefix(e.ep, undefinedVocab) || strings.HasPrefix(e.ep, "_:") {
		return false, errUnsupported
	}
	if err := w.iriOK(e.ep, e.known); err != nil {
		return false, err
	}
	vtd := td
	if termCtx != ac {
		vtd = termCtx.terms[e.key]
	}
	var container uint8
	if vtd != nil {
		container = vtd.container
	}
	// A @graph container is the term's in the active context (JSON-LD 1.1
	// §5.1.2 step 13.5), as the default path reads it: VC 2.0's
	// verifiableCredential has one, and a scoped @context of null.
	if td != nil {
		container |= td.container & containerGraph
	}
	// The values go on the stack above those of the properties being
	// walked further out, and come off it before returning.
	base := len(w.stack)
	defer func() { w.stack = w.stack[:base] }()
	if container&containerList != 0 {
		if err := w.values(termCtx, vtd, e.value, depth, g, true, false); err != nil {
			return false, err
		}
		head, err := w.list(w.stack[base:], g)
		if err != nil {
			return false, err
		}
		w.stack = append(w.stack[:base], item{term: head})
	} else if err := w.values(termCtx, vtd, e.value, depth, g, false, container&containerGraph != 0); err != nil {
		return false, err
	}
	items := w.stack[base:]
	if len(items) > w.b.lim.MaxValuesPerProperty {
		return false, errUnsupported
	}
	predicate := rdfc.NewIRI(e.ep)
	for i, it := range items {
		if it.kind != 0 && seenBefore(items[:i], it) {
			continue
		}
		if err := w.add(subject, predicate, it.term, g); err != nil {
			return false, errUnsupported
		}
	}
	return true, nil
}

// aliased reports whether two entries expand to the same IRI.
func aliased(entries []entry) bool {
	if len(entries) > 16 {
		seen := make(map[string]struct{}, len(entries))
		for _, e := range entries {
			if _, dup := seen[e.ep]; dup {
				return true
			}
			seen[e.ep] = struct{}{}
		}
		return false
	}
	for i := range entries {
		for j := range i {
			if entries[i].ep == entries[j].ep {
				return true
			}
		}
	}
	return false
}

// seenBefore is dedupe for the fast path's values: whether an earlier
// value equals it as ld.CompareValues compares expanded values (node
// objects by @id, value objects by @value, @type and @language).
func seenBefore(items []item, it item) bool {
	for _, x := range items {
		if x.kind == it.kind && x.term.Value == it.term.Value && x.typ == it.typ && x.term.Language == it.term.Language {
			return true
		}
	}
	return false
}

// values walks the value v of a property (term definition td in ac) and
// pushes its expanded values on the stack: arrays flattened, nulls
// dropped, each item of a graph container in a graph of its own.
func (w *fastWalker) values(ac *activeCtx, td *termDefinition, v any, depth int, g rdfc.Term, inList, graph bool) error {
	if depth > w.b.lim.MaxDepth {
		return errUnsupported
	}
	if err := w.b.step(); err != nil {
		return errUnsupported
	}
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		if len(t) > w.b.lim.MaxValuesPerProperty {
			return errUnsupported
		}
		for _, x := range t {
			if _, nested := x.([]any); nested && inList {
				return errUnsupported // a list of lists
			}
			if err := w.values(ac, td, x, depth+1, g, inList, graph); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		if graph {
			gb := w.blank()
			inner, err := w.object(ac, td, t, depth, gb, false)
			if err != nil {
				return err
			}
			if inner.term.Kind == rdfc.Literal {
				return errUnsupported // a value in a graph: ownQuads leaves it to toQuads
			}
			w.stack = append(w.stack, item{term: gb})
			return nil
		}
		it, err := w.object(ac, td, t, depth, g, false)
		if err != nil {
			return err
		}
		w.stack = append(w.stack, it)
		return nil
	}
	it, isRef, err := w.scalar(ac, td, v)
	if err != nil {
		return err
	}
	if graph {
		if !isRef {
			return errUnsupported
		}
		it = item{term: w.blank()}
	}
	w.stack = append(w.stack, it)
	return nil
}

// scalar is expandValue, safety.literal and literalTerm for a string,
// number or boolean; isRef says it became a node reference.
func (w *fastWalker) scalar(ac *activeCtx, td *termDefinition, v any) (_ item, isRef bool, _ error) {
	v, ok := fastNumber(v)
	if !ok {
		return item{}, false, errUnsupported
	}
	var typ string
	var typOK bool
	if td != nil {
		typ, typOK = td.typ, td.typOK
	}
	if s, ok := v.(string); ok && (typ == "@id" || typ == "@vocab") {
		var id string
		var known bool
		var err error
		if typ == "@vocab" {
			id, known, err = ac.expandKey(s)
		} else {
			id, err = ac.expandIRI(s, true, false)
		}
		if err != nil {
			return item{}, false, errUnsupported
		}
		if err := w.iriOK(id, known); err != nil {
			return item{}, false, err
		}
		return item{term: rdfc.NewIRI(id), kind: 'i'}, true, nil
	}
	dt := ""
	if typ != "" && typ != "@id" && typ != "@vocab" && typ != "@none" {
		dt = typ
		if err := w.iriOK(dt, typOK); err != nil {
			return item{}, false, err
		}
	}
	switch t := v.(type) {
	case string:
		if checkLiteral(t) != nil {
			return item{}, false, errUnsupported
		}
		lt := dt
		if lt == "" {
			lt = xsdString
		}
		return item{term: rdfc.NewLiteral(t, lt, ""), kind: 's', typ: dt}, false, nil
	case bool:
		lex := strconv.FormatBool(t)
		lt := dt
		if lt == "" {
			lt = xsdBoolean
		}
		return item{term: rdfc.NewLiteral(lex, lt, ""), kind: 'b', typ: dt}, false, nil
	case float64:
		lex, dtype, err := numberLexical(t, dt)
		if err != nil {
			return item{}, false, errUnsupported
		}
		return item{term: rdfc.NewLiteral(lex, dtype, ""), kind: 's', typ: dtype}, false, nil
	}
	return item{}, false, errUnsupported
}

// fastNumber is a JSON scalar as copyJSON leaves it: strings and booleans
// as they are, every number a finite float64; ok is false for anything
// else.
func fastNumber(v any) (any, bool) {
	switch t := v.(type) {
	case string, bool:
		return v, true
	case float64:
		return v, !math.IsNaN(t) && !math.IsInf(t, 0)
	case json.Number:
		f, err := t.Float64()
		return f, err == nil && !math.IsInf(f, 0)
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	}
	return nil, false
}

// valueObject is a value object of the input ({"@value": ..., "@type" or
// "@language": ...}) as the expander's valueObject, safety.literal and
// literalTerm take it.
func (w *fastWalker) valueObject(tsc *activeCtx, v any, typ string, typeIsString, hasType bool, lang string, hasLang bool) (item, error) {
	if hasType && !typeIsString || hasType && hasLang {
		return item{}, errUnsupported
	}
	dt := ""
	if hasType {
		var err error
		var known bool
		if dt, known, err = tsc.expandKey(typ); err != nil {
			return item{}, errUnsupported
		}
		if err := w.iriOK(dt, known); err != nil {
			return item{}, err
		}
	}
	if hasLang && !languageRE.MatchString(lang) {
		return item{}, errUnsupported
	}
	switch t := v.(type) {
	case string:
		if checkLiteral(t) != nil {
			return item{}, errUnsupported
		}
		if hasLang {
			// Spelled as rdfc normalizes it, so rdfc need not copy the
			// statements to respell them.
			return item{term: rdfc.NewLiteral(t, rdfc.RDFLangString, lang), kind: 's', typ: dt}, nil
		}
		lt := dt
		if lt == "" {
			lt = xsdString
		}
		return item{term: rdfc.NewLiteral(t, lt, ""), kind: 's', typ: dt}, nil
	case bool:
		if hasLang {
			return item{}, errUnsupported
		}
		lex := strconv.FormatBool(t)
		lt := dt
		if lt == "" {
			lt = xsdBoolean
		}
		return item{term: rdfc.NewLiteral(lex, lt, ""), kind: 'b', typ: dt}, nil
	case float64:
		if hasLang {
			return item{}, errUnsupported
		}
		lex, dtype, err := numberLexical(t, dt)
		if err != nil {
			return item{}, errUnsupported
		}
		return item{term: rdfc.NewLiteral(lex, dtype, ""), kind: 's', typ: dtype}, nil
	}
	return item{}, errUnsupported
}

// list writes an RDF collection of items in graph g and returns its head.
func (w *fastWalker) list(items []item, g rdfc.Term) (rdfc.Term, error) {
	if len(items) == 0 {
		return rdfNilTerm, nil
	}
	head := w.blank()
	node := head
	for i, it := range items {
		next := rdfNilTerm
		if i < len(items)-1 {
			next = w.blank()
		}
		if err := w.add(node, rdfFirstTerm, it.term, g); err != nil {
			return rdfc.Term{}, errUnsupported
		}
		if err := w.add(node, rdfRestTerm, next, g); err != nil {
			return rdfc.Term{}, errUnsupported
		}
		node = next
	}
	return head, nil
}
