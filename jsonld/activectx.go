package jsonld

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/piprate/json-gold/ld"
)

// errUnsupported reports that a document or context uses something outside
// the subset the own expander implements (expand.go). It never reaches a
// caller: Canonicalize then expands the document with json-gold, so the
// answer, including any error, is json-gold's.
var errUnsupported = errors.New("outside the expander's subset")

// maxDerivedContexts bounds the processed contexts one Loader keeps for the
// own expander. A credential type touches a few dozen; past the bound a
// context is processed per use instead of cached.
const maxDerivedContexts = 2048

// Containers the own expander implements; a term with any other container
// mapping makes the context unsupported.
const (
	containerSet uint8 = 1 << iota
	containerList
	containerGraph
)

// termDefinition is a processed term definition, the subset of json-gold's
// TermDefinition the bundled contexts use. It is never modified once made,
// so contexts share it.
type termDefinition struct {
	id string
	// typ is the type mapping: "", "@id", "@vocab", "@json", "@none" or a
	// datatype IRI.
	typ string
	// containers is the @container mapping as json-gold keeps it (nil when
	// absent), for the protected-redefinition comparison; container is the
	// same as bits.
	containers []string
	container  uint8
	// scoped is the term's @context (hasScoped tells "@context": null from
	// none).
	scoped    any
	hasScoped bool
	prefix    bool
	protected bool
	// idOK says the IRI id passes safe mode's IRI check (checkIRI), so the
	// fast path (fast.go) need not check it again per use; typOK says the
	// same of typ, a datatype IRI.
	idOK  bool
	typOK bool
}

// activeCtx is a processed JSON-LD active context: json-gold's Context for
// the subset of JSON-LD 1.1 the bundled contexts use, with processing mode
// 1.1, no @base, no default language or direction. It is never modified once
// built, so one value serves concurrent expansions and identifies itself in
// the derivation cache by its address.
type activeCtx struct {
	// terms maps a term to its definition; a nil definition is a term
	// defined as null, which json-gold expands to nothing.
	terms    map[string]*termDefinition
	vocab    string
	hasVocab bool
	// protected is json-gold's len(Context.Protected) != 0: some term was
	// made protected since the context was last nullified.
	protected bool
	// prev is the context to revert to when a type-scoped (non-propagated)
	// context stops applying.
	prev *activeCtx
	// aliases are the terms defined as keywords, which the fast path
	// (fast.go) finds without looking every key up.
	aliases []keywordAlias
}

func (c *activeCtx) clone() *activeCtx {
	n := *c
	n.terms = make(map[string]*termDefinition, len(c.terms)+8)
	for k, v := range c.terms {
		n.terms[k] = v
	}
	return &n
}

// revert is json-gold's RevertToPreviousContext.
func (c *activeCtx) revert() *activeCtx {
	if c.prev != nil {
		return c.prev
	}
	return c
}

func (c *activeCtx) hasContainer(term string, bit uint8) bool {
	td := c.terms[term]
	return td != nil && td.container&bit != 0
}

// Kinds of derived context, with json-gold's propagate and
// overrideProtected flags for each.
const (
	deriveProperty uint8 = iota + 1 // property-scoped: propagate, override protected
	deriveType                      // type-scoped: not propagated
	deriveEmbedded                  // a document's own @context of bundled URLs
)

type deriveKey struct {
	parent *activeCtx
	td     *termDefinition
	kind   uint8
	urls   string
}

// expandCache is the own expander's part of a Loader's contextCache: the
// root context (safe mode's undefined-term vocabulary, nothing else) and
// every context derived from it so far.
type expandCache struct {
	rootOnce sync.Once
	root     *activeCtx
	derived  sync.Map // deriveKey -> *activeCtx (nil: unsupported)
	n        atomic.Int64
}

func (c *expandCache) rootCtx() *activeCtx {
	c.rootOnce.Do(func() {
		c.root = &activeCtx{terms: map[string]*termDefinition{}, vocab: undefinedVocab, hasVocab: true}
	})
	return c.root
}

// derive returns the context json-gold builds by processing the scoped
// context of td (or the bundled URLs of an embedded @context) on top of
// parent, from the cache when it was built before.
func (l *Loader) derive(parent *activeCtx, td *termDefinition, kind uint8, urls string, local any) (*activeCtx, error) {
	c := &l.processed.expand
	key := deriveKey{parent: parent, td: td, kind: kind, urls: urls}
	if v, ok := c.derived.Load(key); ok {
		if ac := v.(*activeCtx); ac != nil {
			return ac, nil
		}
		return nil, errUnsupported
	}
	var ac *activeCtx
	var err error
	switch kind {
	case deriveProperty:
		ac, err = l.process(parent, local, true, true)
	case deriveType:
		ac, err = l.process(parent, local, false, false)
	default:
		ac, err = l.process(parent, local, true, false)
	}
	if err != nil {
		// Whatever went wrong, json-gold decides what it means.
		ac, err = nil, errUnsupported
	}
	if c.n.Load() < maxDerivedContexts {
		if _, loaded := c.derived.LoadOrStore(key, ac); !loaded {
			c.n.Add(1)
		}
	}
	return ac, err
}

// process is json-gold's Context.parse for the supported subset: local is
// a context value (null, a bundled URL, a context object, or an array of
// them).
func (l *Loader) process(parent *activeCtx, local any, propagate, override bool) (*activeCtx, error) {
	return l.processDepth(parent, local, propagate, override, 0)
}

func (l *Loader) processDepth(parent *activeCtx, local any, propagate, override bool, depth int) (*activeCtx, error) {
	if depth > 4 {
		return nil, errUnsupported
	}
	list, isList := local.([]any)
	if !isList {
		list = []any{local}
	}
	if len(list) == 0 {
		return parent, nil
	}
	if m, ok := list[0].(map[string]any); ok {
		if p, ok := m["@propagate"].(bool); ok {
			propagate = p
		}
	}
	result := parent.clone()
	if !propagate && result.prev == nil {
		result.prev = parent
	}
	for _, item := range list {
		switch t := item.(type) {
		case nil:
			if !override && result.protected {
				return nil, errUnsupported
			}
			n := &activeCtx{terms: map[string]*termDefinition{}}
			if !propagate {
				n.prev = result
			}
			result = n
		case string:
			if depth > 0 {
				// A bundled context that names another: json-gold does not
				// track such chains reliably, so leave it to json-gold.
				return nil, errUnsupported
			}
			rd, err := l.LoadDocument(t)
			if err != nil {
				return nil, errUnsupported
			}
			doc, _ := rd.Document.(map[string]any)
			inner, ok := doc["@context"]
			if !ok {
				return nil, errUnsupported
			}
			r, err := l.processDepth(result, inner, true, override, depth+1)
			if err != nil {
				return nil, err
			}
			result = r
		case map[string]any:
			if err := result.define(t, override); err != nil {
				return nil, err
			}
		default:
			return nil, errUnsupported
		}
	}
	return result, nil
}

// define processes one context object into c (a fresh clone owned by the
// caller).
func (c *activeCtx) define(m map[string]any, override bool) error {
	defined := make(map[string]bool, len(m))
	for k, v := range m {
		switch k {
		case "@version":
			if f, ok := v.(float64); !ok || f != 1.1 {
				return errUnsupported
			}
		case "@propagate":
			if _, ok := v.(bool); !ok {
				return errUnsupported
			}
			defined[k] = true
		case "@protected":
			b, ok := v.(bool)
			if !ok {
				return errUnsupported
			}
			defined[k] = b
		default:
			if strings.HasPrefix(k, "@") {
				// @base, @vocab, @language, @direction, @import, @context,
				// keyword redefinitions, reserved names.
				return errUnsupported
			}
		}
	}
	for _, k := range sortedKeys(m) {
		if strings.HasPrefix(k, "@") {
			continue
		}
		if err := c.createTerm(m, k, defined, override); err != nil {
			return err
		}
	}
	c.aliases = nil
	for term, td := range c.terms {
		if td != nil && isKeyword(td.id) {
			c.aliases = append(c.aliases, keywordAlias{term: term, keyword: td.id})
		}
	}
	return nil
}

// keywordAlias is a term defined as a keyword ("type": "@type").
type keywordAlias struct{ term, keyword string }

// maxAliases bounds the aliases aliasOf scans; a context with more
// leaves its keys to the full lookup.
const maxAliases = 8

// aliasOf is keywordOf(key) for a key that is no keyword itself and has
// no colon past its first byte, without looking the key up: the keyword
// it is an alias of, or "". ok is false when c has too many aliases to
// scan.
func (c *activeCtx) aliasOf(key string) (kw string, ok bool) {
	if len(c.aliases) > maxAliases {
		return "", false
	}
	for _, a := range c.aliases {
		if a.term == key {
			return a.keyword, true
		}
	}
	return "", true
}

// createTerm is json-gold's createTermDefinition for the subset: term
// definitions with @id, @type, @container (@set, @list or @graph),
// @context and @protected.
func (c *activeCtx) createTerm(local map[string]any, term string, defined map[string]bool, override bool) error {
	if done, ok := defined[term]; ok {
		if done {
			return nil
		}
		return errUnsupported // cyclic IRI mapping
	}
	defined[term] = false
	value := local[term]
	val, isMap := value.(map[string]any)
	if idv, hasID := val["@id"]; value == nil || isMap && hasID && idv == nil {
		c.terms[term] = nil
		defined[term] = true
		return nil
	}
	simple := false
	if s, ok := value.(string); ok {
		val = map[string]any{"@id": s}
		simple = true
	} else if !isMap {
		return errUnsupported
	}
	prev := c.terms[term]
	delete(c.terms, term)

	def := &termDefinition{}
	for k := range val {
		switch k {
		case "@id", "@type", "@container", "@context", "@protected":
		default:
			return errUnsupported
		}
	}
	colon := strings.IndexByte(term, ':')
	hasColon := colon > 0
	if idv, ok := val["@id"]; ok {
		id, ok := idv.(string)
		if !ok {
			return errUnsupported
		}
		if term != id {
			if !ld.IsKeyword(id) && isReservedKeyword(id) {
				// json-gold ignores the definition (and has already
				// removed the previous one).
				return nil
			}
			res, err := c.expandIRIDefining(id, false, true, local, defined, override)
			if err != nil {
				return err
			}
			if !ld.IsKeyword(res) && !ld.IsAbsoluteIri(res) || res == "@context" {
				return errUnsupported
			}
			def.id = res
			if isIRILikeTerm(term) {
				defined[term] = true
				termIRI, err := c.expandIRIDefining(term, false, true, local, defined, override)
				if err != nil {
					return err
				}
				if termIRI != res {
					return errUnsupported
				}
				delete(defined, term)
			}
			suffix := false
			if res != "" {
				suffix = strings.IndexByte(":/?#[]@", res[len(res)-1]) >= 0
			}
			def.prefix = !hasColon && suffix && simple
		}
	}
	if def.id == "" {
		switch {
		case hasColon:
			prefix := term[:colon]
			if _, ok := local[prefix]; ok {
				if err := c.createTerm(local, prefix, defined, override); err != nil {
					return err
				}
			}
			if ptd, ok := c.terms[prefix]; ok {
				if ptd == nil {
					return errUnsupported // json-gold dereferences nil here
				}
				def.id = ptd.id + term[colon+1:]
			} else {
				def.id = term
			}
		case c.hasVocab:
			def.id = c.vocab + term
		default:
			return errUnsupported
		}
	}
	pv, hasProtected := val["@protected"]
	pb, ok := pv.(bool)
	if hasProtected && !ok {
		return errUnsupported
	}
	if hasProtected && pb || defined["@protected"] && !(hasProtected && !pb) {
		c.protected = true
		def.protected = true
	}
	defined[term] = true

	if tv, ok := val["@type"]; ok {
		typ, ok := tv.(string)
		if !ok {
			return errUnsupported
		}
		switch typ {
		case "@id", "@vocab", "@json", "@none":
		default:
			exp, err := c.expandIRIDefining(typ, false, true, local, defined, override)
			if err != nil {
				return err
			}
			if !ld.IsAbsoluteIri(exp) || strings.HasPrefix(exp, "_:") {
				return errUnsupported
			}
			typ = exp
		}
		def.typ = typ
	}
	if cv, ok := val["@container"]; ok {
		var name string
		switch t := cv.(type) {
		case string:
			name = t
		case []any:
			if len(t) != 1 {
				return errUnsupported
			}
			name, _ = t[0].(string)
		}
		switch name {
		case "@set":
			def.container = containerSet
		case "@list":
			def.container = containerList
		case "@graph":
			def.container = containerGraph
		default:
			return errUnsupported
		}
		def.containers = []string{name}
	}
	if sc, ok := val["@context"]; ok {
		def.scoped, def.hasScoped = sc, true
	}
	if def.id == "@context" || def.id == "@preserve" {
		return errUnsupported
	}
	if prev != nil && prev.protected && !override {
		c.protected = true
		def.protected = true
		if !sameDefinition(prev, def) {
			// json-gold refuses the redefinition of a protected term.
			return errUnsupported
		}
	}
	def.idOK = !strings.HasPrefix(def.id, "_:") && checkIRI(def.id) == nil
	def.typOK = def.typ != "" && def.typ[0] != '@' && !strings.HasPrefix(def.typ, "_:") && checkIRI(def.typ) == nil
	c.terms[term] = def
	return nil
}

// sameDefinition is json-gold's DeepCompareTermDef for the subset. Scoped
// contexts that are not identical count as different, which only sends the
// document to json-gold.
func sameDefinition(a, b *termDefinition) bool {
	return a.id == b.id && a.typ == b.typ && a.hasScoped == b.hasScoped && a.protected == b.protected &&
		slices.Equal(a.containers, b.containers) && (a.containers == nil) == (b.containers == nil) &&
		reflect.DeepEqual(a.scoped, b.scoped)
}

// isReservedKeyword is json-gold's ignoredKeywordPattern, ^@[a-zA-Z]+$.
func isReservedKeyword(s string) bool {
	if len(s) < 2 || s[0] != '@' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return true
}

// isIRILikeTerm is json-gold's iriLikeTermPattern, (?::[^:])|/.
func isIRILikeTerm(s string) bool {
	if strings.IndexByte(s, '/') >= 0 {
		return true
	}
	for i := 0; i+1 < len(s); i++ {
		if s[i] == ':' && s[i+1] != ':' {
			return true
		}
	}
	return false
}

// expandIRIDefining is json-gold's ExpandIri during context processing: a
// term of the local context that is not defined yet is defined first.
func (c *activeCtx) expandIRIDefining(value string, relative, vocab bool, local map[string]any, defined map[string]bool, override bool) (string, error) {
	if ld.IsKeyword(value) {
		return value, nil
	}
	if isReservedKeyword(value) {
		return "", nil
	}
	if _, ok := local[value]; ok && !defined[value] {
		if err := c.createTerm(local, value, defined, false); err != nil {
			return "", err
		}
	}
	if i := strings.IndexByte(value, ':'); i > 0 {
		prefix := value[:i]
		if _, ok := local[prefix]; ok && !defined[prefix] && prefix != "_" && !strings.HasPrefix(value[i+1:], "//") {
			if err := c.createTerm(local, prefix, defined, false); err != nil {
				return "", err
			}
		}
	}
	out, err := c.expandIRI(value, relative, vocab)
	if err != nil {
		return "", err
	}
	if !vocab || !c.hasVocab {
		if !relative && ld.IsRelativeIri(out) {
			// json-gold: "not an absolute IRI" while processing a context.
			return "", errUnsupported
		}
	}
	return out, nil
}

// expandIRI is json-gold's ExpandIri outside context processing. The base
// IRI is always empty, so document-relative resolution leaves the value as
// it is.
func (c *activeCtx) expandIRI(value string, relative, vocab bool) (string, error) {
	if ld.IsKeyword(value) {
		return value, nil
	}
	if isReservedKeyword(value) {
		return "", nil
	}
	if vocab {
		if td, ok := c.terms[value]; ok {
			if td == nil {
				return "", nil
			}
			return td.id, nil
		}
	}
	if i := strings.IndexByte(value, ':'); i > 0 {
		prefix, suffix := value[:i], value[i+1:]
		if prefix == "_" || strings.HasPrefix(suffix, "//") {
			return value, nil
		}
		td, ok := c.terms[prefix]
		if ok && td == nil {
			// json-gold dereferences the nil definition and panics.
			return "", errUnsupported
		}
		if ok && td.id != "" && td.prefix {
			return td.id + suffix, nil
		}
		// Without a vocabulary to apply the answer is value either way,
		// and json-gold's absolute-IRI test parses a URL.
		if !vocab || !c.hasVocab || ld.IsAbsoluteIri(value) {
			return value, nil
		}
	}
	if vocab && c.hasVocab {
		return c.vocab + value, nil
	}
	return value, nil
}
