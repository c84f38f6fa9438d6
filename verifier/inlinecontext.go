package verifier

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/jsonld"
)

// This file is the rule for @context objects written in a credential (issue
// #11, Found 5). VC 2.0 allows them, but an object that redefines a term of
// the bundled vocabularies makes the signed graph say something other than
// the JSON reads: "name" could sign as any property, and several OB 3.0 and
// CLR 2.0 terms are not @protected, so JSON-LD itself would not object. An
// inline context is accepted only when it adds vocabulary and changes none:
//
//   - In a @context array it comes after every bundled context URL, but
//     for the proof suite contexts a signer appends (suiteContexts).
//   - Every term it defines is new. "Taken" is every term any bundled
//     context named anywhere in the credential defines anywhere, top level
//     and type- or property-scoped contexts alike (and the contexts those
//     name), plus the terms of the Ed25519Signature2020 context, which
//     proof verification appends after the document's contexts, plus the
//     terms of every other inline context in the credential (the same
//     definition repeated is no redefinition). This is more
//     than the active context at the inline context's position, on purpose:
//     a term new at the top level could still shadow a scoped term wherever
//     the scoped context does not reach (an untyped nested object), and a
//     set that does not depend on where a node sits cannot be got wrong.
//   - No keyword alias (a term whose IRI is a keyword such as "@id"), no
//     prefix (a simple string definition ending in a gen-delim character:
//     "did": "https://evil.example/" would rewrite every did: value in the
//     graph), no term that looks like a compact or absolute IRI (it would
//     change how that IRI is read), no term defined as null.
//   - Of the context keywords only "@version": 1.1 (the processing mode is
//     1.1 anyway, so it changes nothing) and a boolean "@protected" are
//     allowed. "@vocab", "@base", "@import", "@propagate", "@language",
//     "@direction" and any other keyword change how existing terms or
//     values are read, so they are refused.
//   - A term definition is a string or an object of "@id" (required: an
//     absolute or compact IRI, never a blank node), "@type" ("@id",
//     "@vocab" or a datatype IRI; "@json" and "@none" are left out, being
//     where implementations differ most), "@container" ("@set" or "@list":
//     "@graph" would move statements into named graphs, which the checks
//     do not read as claims, and index, language, id and type maps are
//     where implementations differ) and "@protected". A scoped "@context",
//     "@reverse" (it could make another node the credential), "@prefix",
//     "@nest", "@index", "@language" and "@direction" are refused.
//
// Nested @context values (in credentialSubject, an embedded endorsement, any
// node) follow the same rule: a bundled URL, or an array of bundled URLs
// followed by inline objects. A null @context is refused (it drops every
// term). The @context of the top-level proof objects is the proof's
// business (proof.Verify holds it to the document's).
//
// Expansion of an accepted inline context is per document: Canonicalize
// gives any @context that is not a list of bundled URLs to json-gold, which
// processes it on each call, so nothing derived from an inline context is
// cached across documents.

// contextRule names the part of the rule a @context entry breaks.
type contextRule string

// The parts of the rule, as contextRuleError.Rule gives them.
const (
	ruleOrder        contextRule = "order"           // an inline context before a bundled one
	ruleUnknown      contextRule = "unknown context" // a context url that is not bundled
	ruleNull         contextRule = "null context"    // a null @context or null entry
	ruleRedefinition contextRule = "redefinition"    // a term that is not new
	ruleKeyword      contextRule = "context keyword" // @vocab, @base, @import, @propagate, ...
	ruleAlias        contextRule = "keyword alias"   // a term whose iri is a keyword
	rulePrefix       contextRule = "prefix"          // a term usable as a compact iri prefix
	ruleIRITerm      contextRule = "iri term"        // a term that reads as an iri
	ruleScoped       contextRule = "scoped context"  // @context inside a term definition
	ruleShape        contextRule = "term definition" // anything else outside the simple form
	ruleLimit        contextRule = "too many terms"  // jsonld.DefaultMaxContextTerms
)

// contextRuleError is a @context entry the rule refuses: Path is its JSON
// path ("@context[2].name"), Rule the part of the rule it breaks, Reason a
// sentence naming the term and the rule.
type contextRuleError struct {
	Path   string
	Rule   contextRule
	Reason string
}

func (e *contextRuleError) Error() string { return e.Reason }

// ruleErr builds a *contextRuleError.
func ruleErr(path string, rule contextRule, format string, args ...any) *contextRuleError {
	return &contextRuleError{Path: path, Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// contextSite is one @context value of the credential and its JSON path.
type contextSite struct {
	path  string
	value any
}

// inlineRule is one application of the rule to a credential.
type inlineRule struct {
	loader ld.DocumentLoader
	// taken maps each term that may not be defined to where it is defined
	// (a context URL or the path of an inline context).
	taken map[string]string
	// loaded marks the bundled documents already walked.
	loaded map[string]bool
	// urls are the bundled context URLs the credential names.
	urls []string
	// inlineDefs holds the definition of each term an inline context
	// defined.
	inlineDefs map[string]any
	// terms counts the keys of inline contexts, against
	// jsonld.DefaultMaxContextTerms.
	terms int
	// inline lists the accepted inline contexts' paths, for the pass reason.
	accepted []string
}

// maxContextWalkDepth stops the search for nested @context values; JSON-LD
// processing refuses deeper documents (jsonld.DefaultMaxDepth) anyway.
const maxContextWalkDepth = jsonld.DefaultMaxDepth + 1

// maxInlineContexts bounds the inline @context objects of one document.
// Each one makes JSON-LD processing re-read its active context at every
// node it scopes (about 2 ms per node with a dozen bundled contexts
// beside it), so hundreds of them in a document under 1 MiB would cost
// seconds; genuine credentials carry one or two.
const maxInlineContexts = 16

// checkInlineContexts applies the inline context rule to cred: every
// @context value (the top-level one, whose array checkContext has already
// found, and every nested one). It returns the paths of the inline contexts
// it accepted, or a *contextRuleError.
func checkInlineContexts(loader ld.DocumentLoader, cred map[string]any) ([]string, error) {
	return inlineContexts(loader, cred, hasNestedContexts(cred))
}

// hasNestedContexts reports whether cred has a @context value below its
// top level, outside its top-level proof.
func hasNestedContexts(cred map[string]any) bool {
	for k, x := range cred {
		if k != "@context" && k != "proof" && hasContexts(x, 1) {
			return true
		}
	}
	return false
}

// inlineContexts is checkInlineContexts once whether cred has nested
// @context values is known.
func inlineContexts(loader ld.DocumentLoader, cred map[string]any, nested bool) ([]string, error) {
	var sites []contextSite
	if c, ok := cred["@context"]; ok {
		sites = append(sites, contextSite{path: "@context", value: c})
	}
	// Most credentials have only the top-level @context: then there is no
	// walk for the others at all.
	if nested {
		sites = collectContexts(cred, sites)
	}
	r := &inlineRule{loader: loader}
	// First the shape of every @context value and every bundled URL
	// anywhere, so that the taken set is complete before any inline
	// context is judged.
	lists := make([][]any, len(sites))
	inlines := 0
	for i, s := range sites {
		list, n, err := r.bundledPart(s)
		if err != nil {
			return nil, err
		}
		lists[i] = list
		inlines += n
	}
	if inlines > maxInlineContexts {
		return nil, fmt.Errorf("%w: %d inline @context objects, more than %d", ErrLimit, inlines, maxInlineContexts)
	}
	if inlines == 0 {
		// Nothing to judge: a credential of bundled URLs only pays for
		// the walk, not for reading the contexts' terms.
		return nil, nil
	}
	r.taken, r.loaded, r.inlineDefs = make(map[string]string), make(map[string]bool), make(map[string]any)
	r.addBundled(contexts.Ed25519Signature2020V1)
	for _, u := range r.urls {
		r.addBundled(u)
	}
	for i, s := range sites {
		for j, e := range lists[i] {
			p := s.path
			if _, isList := s.value.([]any); isList {
				p += "[" + strconv.Itoa(j) + "]"
			}
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			if err := r.inline(m, p); err != nil {
				return nil, err
			}
		}
	}
	return r.accepted, nil
}

// collectContexts appends to sites every @context value of cred below
// its top level, outside its top-level proof, in the order of their JSON
// paths (members by name, array elements by index), within
// maxContextWalkDepth.
func collectContexts(cred map[string]any, sites []contextSite) []contextSite {
	w := &contextWalk{}
	for k, x := range cred {
		if k == "@context" || k == "proof" {
			continue
		}
		w.stack = append(w.stack[:0], pathStep{key: k, index: -1})
		w.walk(x, 1)
	}
	slices.SortFunc(w.found, func(a, b foundContext) int { return slices.CompareFunc(a.steps, b.steps, comparePathSteps) })
	for _, f := range w.found {
		var path strings.Builder
		for i, st := range f.steps {
			switch {
			case st.index >= 0:
				path.WriteString("[" + strconv.Itoa(st.index) + "]")
			case i > 0:
				path.WriteString("." + st.key)
			default:
				path.WriteString(st.key)
			}
		}
		sites = append(sites, contextSite{path: path.String(), value: f.value})
	}
	return sites
}

// contextWalk finds the @context values under a value. Paths are kept as
// steps and written out only for the values found: most of a document is
// no @context's ancestor.
type contextWalk struct {
	stack []pathStep
	found []foundContext
}

// pathStep is one step of a JSON path: member key, or array element index
// when index is not negative.
type pathStep struct {
	key   string
	index int
}

// foundContext is a @context value and the steps of its path.
type foundContext struct {
	steps []pathStep
	value any
}

// comparePathSteps orders steps as sorting each object's keys orders
// them; the steps compared are children of one parent, so both are keys
// or both indices.
func comparePathSteps(a, b pathStep) int {
	if c := cmp.Compare(a.index, b.index); c != 0 {
		return c
	}
	return strings.Compare(a.key, b.key)
}

func (w *contextWalk) walk(v any, depth int) {
	if depth > maxContextWalkDepth {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			w.stack = append(w.stack, pathStep{key: k, index: -1})
			if k == "@context" {
				w.found = append(w.found, foundContext{steps: slices.Clone(w.stack), value: e})
			} else if isContainer(e) {
				w.walk(e, depth+1)
			}
			w.stack = w.stack[:len(w.stack)-1]
		}
	case []any:
		for i, e := range t {
			if !isContainer(e) {
				continue
			}
			w.stack = append(w.stack, pathStep{index: i})
			w.walk(e, depth+1)
			w.stack = w.stack[:len(w.stack)-1]
		}
	}
}

// hasContexts reports whether collectContexts would find an @context
// value under v.
func hasContexts(v any, depth int) bool {
	if depth > maxContextWalkDepth {
		return false
	}
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["@context"]; ok {
			return true
		}
		for _, e := range t {
			if hasContexts(e, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if hasContexts(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// bundledPart checks the shape of one @context value (bundled URLs, then
// inline objects), records its bundled URLs in r.urls and returns its
// entries and how many of them are inline objects.
func (r *inlineRule) bundledPart(s contextSite) ([]any, int, error) {
	var list []any
	switch t := s.value.(type) {
	case []any:
		list = t
	case nil:
		return nil, 0, ruleErr(s.path, ruleNull, "a null @context drops every term of the bundled contexts")
	default:
		list = []any{t}
	}
	at := func(i int) string {
		if _, isList := s.value.([]any); isList {
			return s.path + "[" + strconv.Itoa(i) + "]"
		}
		return s.path
	}
	firstInline, inlines := -1, 0
	for i, e := range list {
		switch t := e.(type) {
		case string:
			if firstInline >= 0 && !suiteContexts[t] {
				return nil, 0, ruleErr(at(firstInline), ruleOrder, "inline context comes before the bundled context %s at %s: an inline context must come after every bundled context", t, at(i))
			}
			// A url that is not bundled is not this rule's to judge: the
			// context check reports it as could not check, and nothing
			// under it can be canonicalized.
			if _, err := r.loader.LoadDocument(t); err == nil {
				if r.urls == nil {
					r.urls = make([]string, 0, len(list))
				}
				r.urls = append(r.urls, t)
			}
		case map[string]any:
			if firstInline < 0 {
				firstInline = i
			}
			inlines++
		case nil:
			return nil, 0, ruleErr(at(i), ruleNull, "a null context drops every term of the contexts before it")
		default:
			return nil, 0, ruleErr(at(i), ruleShape, "a context must be a bundled context url or an object, got %s", jsonKind(e))
		}
	}
	return list, inlines, nil
}

// addBundled adds every term the bundled context at url defines, anywhere
// in it, to the taken set. A url the loader does not serve adds nothing
// (bundledPart has refused it already, or canonicalization will).
func (r *inlineRule) addBundled(url string) {
	if r.loaded[url] {
		return
	}
	rd, err := r.loader.LoadDocument(url)
	if err != nil {
		return
	}
	r.loaded[url] = true
	doc, _ := rd.Document.(map[string]any)
	r.addTerms(doc["@context"], url, 0)
}

// addTerms walks a context value of the bundled context url: term names at
// every level, scoped contexts included, and the bundled contexts it names.
func (r *inlineRule) addTerms(c any, url string, depth int) {
	if depth > maxContextWalkDepth {
		return
	}
	switch t := c.(type) {
	case string:
		r.addBundled(t)
	case []any:
		for _, e := range t {
			r.addTerms(e, url, depth+1)
		}
	case map[string]any:
		for k, v := range t {
			if strings.HasPrefix(k, "@") {
				continue
			}
			if _, ok := r.taken[k]; !ok {
				r.taken[k] = url
			}
			if d, ok := v.(map[string]any); ok {
				if sc, ok := d["@context"]; ok {
					r.addTerms(sc, url, depth+1)
				}
			}
		}
	}
}

// suiteContexts are the proof suite contexts a signer appends to a
// credential's @context when it lacks them (badgesmith's proof.Sign and the
// reference stack both do for Ed25519Signature2020, and the reference stack
// for Data Integrity on VCDM 1.1): they may follow an inline context. Their
// terms are in the taken set, so they cannot rebind an inline term.
var suiteContexts = map[string]bool{
	contexts.Ed25519Signature2020V1: true,
	contexts.DataIntegrityV2:        true,
	contexts.DataIntegrityV1:        true,
}

// genDelims are the characters that make a simple term definition a prefix
// (JSON-LD 1.1 §4.2.2, create term definition step 14.2.3).
const genDelims = ":/?#[]@"

// inline judges one inline context object at path.
func (r *inlineRule) inline(m map[string]any, path string) error {
	r.terms += len(m)
	if r.terms > jsonld.DefaultMaxContextTerms {
		return ruleErr(path, ruleLimit, "inline contexts define more than %d keys (%s)", jsonld.DefaultMaxContextTerms, jsonld.LimitContextTerms)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		p := path + "." + k
		switch {
		case k == "@version":
			if f, ok := v.(float64); !ok || f != 1.1 {
				return ruleErr(p, ruleKeyword, "inline context sets @version to %v: only 1.1 is allowed", v)
			}
			continue
		case k == "@protected":
			if _, ok := v.(bool); !ok {
				return ruleErr(p, ruleShape, "inline context sets @protected to %s: it must be true or false", jsonKind(v))
			}
			continue
		case strings.HasPrefix(k, "@"):
			return ruleErr(p, ruleKeyword, "inline context sets %s: an inline context may define new terms only, never %s (it changes how existing terms or values are read)", k, k)
		case k == "":
			return ruleErr(p, ruleShape, "inline context defines the empty term")
		}
		if d, ok := r.inlineDefs[k]; ok && reflect.DeepEqual(d, v) {
			// The same definition again (an embedded credential's
			// eddsa-jcs-2022 proof repeats its @context): nothing changes.
			continue
		}
		if where, ok := r.taken[k]; ok {
			return ruleErr(p, ruleRedefinition, "inline context redefines %q, a term of %s: an inline context may define new terms only, protected or not", k, where)
		}
		if strings.Contains(k, ":") {
			return ruleErr(p, ruleIRITerm, "inline context defines %q, which reads as a compact or absolute iri: an inline context may not change how an iri is read", k)
		}
		if err := checkTermDefinition(k, v, p); err != nil {
			return err
		}
		r.taken[k] = "the inline context at " + path
		r.inlineDefs[k] = v
	}
	r.accepted = append(r.accepted, path)
	return nil
}

// checkTermDefinition judges the definition v of the new term at path p.
func checkTermDefinition(term string, v any, p string) error {
	switch t := v.(type) {
	case nil:
		return ruleErr(p, ruleShape, "inline context defines %q as null: a term must map to an iri", term)
	case string:
		if err := checkTermIRI(term, t, p); err != nil {
			return err
		}
		if strings.IndexByte(genDelims, t[len(t)-1]) >= 0 {
			return ruleErr(p, rulePrefix, "inline context makes %q a prefix (its iri %s ends in %q): compact iris such as %s:x would expand differently than they read; write {\"@id\": ...} instead", term, t, t[len(t)-1], term)
		}
		return nil
	case map[string]any:
	default:
		return ruleErr(p, ruleShape, "inline context defines %q as %s: a term definition is an iri or an object", term, jsonKind(v))
	}
	def := v.(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(def)) {
		x := def[k]
		kp := p + "." + k
		switch k {
		case "@id":
			s, ok := x.(string)
			if !ok {
				return ruleErr(kp, ruleShape, "inline context gives %q an @id that is %s, not an iri", term, jsonKind(x))
			}
			if err := checkTermIRI(term, s, kp); err != nil {
				return err
			}
		case "@type":
			s, ok := x.(string)
			if !ok {
				return ruleErr(kp, ruleShape, "inline context gives %q a @type that is %s, not a string", term, jsonKind(x))
			}
			switch {
			case s == "@id" || s == "@vocab":
			case strings.HasPrefix(s, "@"):
				return ruleErr(kp, ruleShape, "inline context gives %q the type %s: only @id, @vocab or a datatype iri is allowed", term, s)
			case strings.HasPrefix(s, "_:") || !strings.Contains(s, ":"):
				return ruleErr(kp, ruleShape, "inline context gives %q the type %q: a datatype must be an absolute or compact iri", term, s)
			}
		case "@container":
			s, _ := x.(string)
			if a, ok := x.([]any); ok && len(a) == 1 {
				s, _ = a[0].(string)
			}
			if s != "@set" && s != "@list" {
				return ruleErr(kp, ruleShape, "inline context gives %q the container %v: only @set or @list is allowed", term, x)
			}
		case "@protected":
			if _, ok := x.(bool); !ok {
				return ruleErr(kp, ruleShape, "inline context sets @protected of %q to %s: it must be true or false", term, jsonKind(x))
			}
		case "@context":
			return ruleErr(kp, ruleScoped, "inline context gives %q a scoped context: an inline context may not nest contexts", term)
		default:
			return ruleErr(kp, ruleShape, "inline context gives %q the key %s: a term definition may have only @id, @type, @container and @protected", term, k)
		}
	}
	if _, ok := def["@id"]; !ok {
		return ruleErr(p, ruleShape, "inline context defines %q without an @id: a new term must name its iri", term)
	}
	return nil
}

// checkTermIRI judges the iri a new term maps to.
func checkTermIRI(term, iri, p string) error {
	switch {
	case strings.HasPrefix(iri, "@"):
		return ruleErr(p, ruleAlias, "inline context makes %q an alias of the keyword %s: an inline context may not alias keywords", term, iri)
	case iri == rdfType:
		// The statements rdf:type gives are the node's types, as @type's
		// are, but no type-scoped context applies and the JSON's type
		// member does not show them: "kind": "OpenBadgeCredential" would
		// make a plain VC an Open Badge.
		return ruleErr(p, ruleAlias, "inline context makes %q an alias of @type (it maps to %s): an inline context may not alias keywords", term, iri)
	case strings.HasPrefix(iri, "_:"):
		return ruleErr(p, ruleShape, "inline context maps %q to the blank node %s: a term must map to an iri", term, iri)
	case !strings.Contains(iri, ":"):
		// A bare word would be read as another term (which may be a
		// keyword alias such as "id") or against @vocab.
		return ruleErr(p, ruleShape, "inline context maps %q to %q, which is not an absolute or compact iri", term, iri)
	}
	return nil
}

// jsonKind names the JSON type of v for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// rulePath is the JSON path of a *contextRuleError, "@context" otherwise.
func rulePath(err error) string {
	var ce *contextRuleError
	if errors.As(err, &ce) {
		return ce.Path
	}
	return "@context"
}

// contextPassReason is the context check's pass reason for n top-level
// contexts and the accepted inline contexts at the given paths.
func contextPassReason(n int, inline []string) string {
	if len(inline) == 0 {
		return strconv.Itoa(n) + " contexts, all bundled, in the required order"
	}
	return fmt.Sprintf("%d contexts in the required order, bundled ones first; inline contexts at %s define only new terms", n, strings.Join(inline, ", "))
}
