package jsonld

import (
	"context"
	"fmt"

	"github.com/badgesmith/badgesmith/internal/verdict"
)

// ErrTooMuchWork is wrapped by every *WorkError: canonicalizing the
// document would take more work than CanonOptions.Limits allows. The
// document is not shown to be bad, only too big to judge within the bounds.
var ErrTooMuchWork = verdict.NewInconclusive("too much json-ld work")

// Defaults of Limits. They let every genuine credential through with a wide
// margin (a full OB 3.0 credential is a few hundred statements and a dozen
// blank nodes) and stop hostile input in well under a second. They equal
// the verifier's defaults (verifier.DefaultMaxQuads and the others).
const (
	DefaultMaxQuads             = 20000
	DefaultMaxHashCalls         = 50000
	DefaultMaxValuesPerProperty = 5000
	DefaultMaxDepth             = 64
	DefaultMaxContextTerms      = 1000
	DefaultMaxJSONGoldNodes     = 1000
	DefaultMaxTypes             = 64
)

// Limits bounds the work of one Canonicalize call. A zero field takes the
// default named beside it.
type Limits struct {
	// MaxQuads bounds the RDF statements the document yields, and the JSON
	// objects in it, counted before any JSON-LD processing (a node object
	// yields at least one statement, and the expansion of an object can
	// cost far more than its conversion). If zero, DefaultMaxQuads.
	MaxQuads int
	// MaxHashCalls bounds the RDFC-1.0 blank node hash computations
	// (first-degree, related and N-degree hashes; see rdfc.Options). If
	// zero, DefaultMaxHashCalls.
	MaxHashCalls int
	// MaxValuesPerProperty bounds the values of one property of one node:
	// the length of any JSON array in the document, and the values a
	// property collects once aliases and repeated node ids are merged. If
	// zero, DefaultMaxValuesPerProperty.
	MaxValuesPerProperty int
	// MaxDepth bounds the nesting of JSON objects and arrays. If zero,
	// DefaultMaxDepth.
	MaxDepth int
	// MaxContextTerms bounds the keys of the @context objects written in
	// the document (bundled context URLs are not counted): json-gold copies
	// the whole active context at every node with a scoped context. If
	// zero, DefaultMaxContextTerms.
	MaxContextTerms int
	// MaxJSONGoldNodes bounds the node objects json-gold expands, which it
	// does for documents outside the own expander's subset (an embedded
	// context object, @graph, @list, ...) at tens of microseconds per node.
	// If zero, DefaultMaxJSONGoldNodes.
	MaxJSONGoldNodes int
	// MaxTypes bounds the entries of one type array ("type", "@type" or
	// another alias of @type the document defines): each entry with a
	// type-scoped context makes the expander process that context again.
	// If zero, DefaultMaxTypes.
	MaxTypes int
}

// withDefaults fills in every zero field.
func (l Limits) withDefaults() Limits {
	if l.MaxQuads <= 0 {
		l.MaxQuads = DefaultMaxQuads
	}
	if l.MaxHashCalls <= 0 {
		l.MaxHashCalls = DefaultMaxHashCalls
	}
	if l.MaxValuesPerProperty <= 0 {
		l.MaxValuesPerProperty = DefaultMaxValuesPerProperty
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxContextTerms <= 0 {
		l.MaxContextTerms = DefaultMaxContextTerms
	}
	if l.MaxJSONGoldNodes <= 0 {
		l.MaxJSONGoldNodes = DefaultMaxJSONGoldNodes
	}
	if l.MaxTypes <= 0 {
		l.MaxTypes = DefaultMaxTypes
	}
	return l
}

// Work counts what canonicalization did. The counts are deterministic for
// a given document, options and Loader, so tests bound them instead of
// timing.
type Work struct {
	// Quads is the number of RDF statements produced from the documents
	// (before duplicates are dropped).
	Quads int
	// HashCalls is the number of RDFC-1.0 blank node hash computations.
	// json-gold's canonicalization (CanonOptions.Reference or Unsafe) is
	// not counted.
	HashCalls int
}

// Add adds the counts of o to w.
func (w *Work) Add(o Work) {
	w.Quads += o.Quads
	w.HashCalls += o.HashCalls
}

// Names of the bounds, as WorkError.Limit gives them.
const (
	LimitQuads             = "MaxQuads"
	LimitHashCalls         = "MaxHashCalls"
	LimitValuesPerProperty = "MaxValuesPerProperty"
	LimitDepth             = "MaxDepth"
	LimitContextTerms      = "MaxContextTerms"
	LimitJSONGoldNodes     = "MaxJSONGoldNodes"
	LimitTypes             = "MaxTypes"
)

// WorkError reports which bound of Limits a document exceeded.
type WorkError struct {
	// Limit names the bound: LimitQuads, LimitHashCalls,
	// LimitValuesPerProperty, LimitDepth, LimitContextTerms,
	// LimitJSONGoldNodes or LimitTypes.
	Limit string
	// Max is the bound's value.
	Max int
	// Got is the amount found. Work that stops as soon as it passes the
	// bound reports Max+1.
	Got int
	// Path is the JSON path (or, for values merged from several places,
	// the property) the bound was exceeded at; empty for the whole
	// document.
	Path string
}

// Error implements error.
func (e *WorkError) Error() string {
	var what string
	switch e.Limit {
	case LimitValuesPerProperty:
		what = fmt.Sprintf("document has %d values for %s, more than the limit of %d", e.Got, pathOrRoot(e.Path), e.Max)
	case LimitDepth:
		what = fmt.Sprintf("document nests deeper than the limit of %d levels at %s", e.Max, pathOrRoot(e.Path))
	case LimitQuads:
		what = fmt.Sprintf("document yields more than the limit of %d rdf statements (or has more json objects)", e.Max)
	case LimitHashCalls:
		what = fmt.Sprintf("canonicalization needs more than the limit of %d blank node hash calls", e.Max)
	case LimitTypes:
		what = fmt.Sprintf("document has %d types at %s, more than the limit of %d", e.Got, pathOrRoot(e.Path), e.Max)
	case LimitContextTerms:
		what = fmt.Sprintf("document's own @context objects have more than the limit of %d keys", e.Max)
	case LimitJSONGoldNodes:
		what = fmt.Sprintf("document needs json-gold's expansion and has more than the limit of %d node objects for it", e.Max)
	default:
		what = fmt.Sprintf("%s: %d, more than the limit of %d", e.Limit, e.Got, e.Max)
	}
	return fmt.Sprintf("%s: %s (%s)", ErrTooMuchWork, what, e.Limit)
}

// Unwrap makes errors.Is(err, ErrTooMuchWork) hold.
func (e *WorkError) Unwrap() error { return ErrTooMuchWork }

// checkEvery is how many steps of a long loop run between two looks at the
// context.
const checkEvery = 1024

// budget is the context, the limits and the counts of one Canonicalize
// call, shared by its steps.
type budget struct {
	ctx     context.Context
	lim     Limits
	work    Work
	steps   int // steps left before the next look at ctx
	objects int // JSON objects in the input
	nvalues int // JSON values in the input, a guess at its statements
	terms   int // keys of @context objects in the input
	gold    int // node objects expanded by json-gold
	// typeAliases holds every alias of @type the document's own contexts
	// define (nil until one is found).
	typeAliases map[string]bool
}

func newBudget(ctx context.Context, lim Limits) *budget {
	return &budget{ctx: ctx, lim: lim.withDefaults(), steps: checkEvery}
}

// step accounts for one step of a long loop; every checkEvery steps it
// returns the context's error, if any.
func (b *budget) step() error {
	if b.steps--; b.steps > 0 {
		return nil
	}
	b.steps = checkEvery
	return b.err()
}

// err is the context's error, wrapped, or nil.
func (b *budget) err() error {
	if err := b.ctx.Err(); err != nil {
		return fmt.Errorf("canonicalizing json-ld: %w", err)
	}
	return nil
}

// quad counts one RDF statement against MaxQuads.
func (b *budget) quad() error {
	// The statement refused is not counted as work done: Work.Quads never
	// exceeds the bound it is checked against.
	if n := b.work.Quads + 1; n > b.lim.MaxQuads {
		return &WorkError{Limit: LimitQuads, Max: b.lim.MaxQuads, Got: n}
	}
	b.work.Quads++
	return b.step()
}

// object counts one JSON object of the input against MaxQuads.
func (b *budget) object() error {
	b.objects++
	if b.objects > b.lim.MaxQuads {
		return &WorkError{Limit: LimitQuads, Max: b.lim.MaxQuads, Got: b.objects}
	}
	return nil
}

// contextTerms counts the keys of the @context value c (and of every
// object in it) against MaxContextTerms.
func (b *budget) contextTerms(c any, path string) error {
	switch t := c.(type) {
	case []any:
		for _, e := range t {
			if err := b.contextTerms(e, path); err != nil {
				return err
			}
		}
	case map[string]any:
		b.terms += len(t)
		if b.terms > b.lim.MaxContextTerms {
			return &WorkError{Limit: LimitContextTerms, Max: b.lim.MaxContextTerms, Got: b.terms, Path: path}
		}
		for k, e := range t {
			if d, ok := e.(map[string]any); e == "@type" || ok && d["@id"] == "@type" {
				if b.typeAliases == nil {
					b.typeAliases = make(map[string]bool)
				}
				b.typeAliases[k] = true
			}
			if err := b.contextTerms(e, path); err != nil {
				return err
			}
		}
	}
	return nil
}

// goldNode is json-gold's ExpandedElementHandler for a node it expanded:
// it counts the node against MaxJSONGoldNodes and looks at the context
// from time to time. json-gold offers no other way to stop, so it panics
// with an abort, which Canonicalize turns back into the error.
func (b *budget) goldNode() {
	b.gold++
	if b.gold > b.lim.MaxJSONGoldNodes {
		panic(abort{&WorkError{Limit: LimitJSONGoldNodes, Max: b.lim.MaxJSONGoldNodes, Got: b.gold}})
	}
	if err := b.step(); err != nil {
		panic(abort{err})
	}
}

// isTypeKey reports whether k is "type", "@type" or an alias of @type.
func (b *budget) isTypeKey(k string) bool {
	return k == "type" || k == "@type" || b.typeAliases[k]
}

// types checks the entries of a type array at key in the object at path
// against MaxTypes.
func (b *budget) types(n int, path, key string) error {
	if n > b.lim.MaxTypes {
		return &WorkError{Limit: LimitTypes, Max: b.lim.MaxTypes, Got: n, Path: joinPath(path, key)}
	}
	return nil
}

// values checks the n values of the property key of the object at path
// against MaxValuesPerProperty (key may be empty when path names the
// property).
func (b *budget) values(n int, path, key string) error {
	if n > b.lim.MaxValuesPerProperty {
		return &WorkError{Limit: LimitValuesPerProperty, Max: b.lim.MaxValuesPerProperty, Got: n, Path: joinPath(path, key)}
	}
	return nil
}

// abort carries an error out of json-gold through a panic (see goldNode).
type abort struct{ err error }
