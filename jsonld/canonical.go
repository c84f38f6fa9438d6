package jsonld

import (
	"github.com/badgesmith/badgesmith/internal/jsonvalue"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/internal/verdict"
	"github.com/badgesmith/badgesmith/rdfc"
)

// ErrMalformed is wrapped by Canonicalize errors for a document that is not
// valid JSON-LD (for example a redefined protected term or a @type that is
// not a string). A context that cannot be loaded is not malformed: that error
// wraps contexts.ErrNotBundled instead.
var ErrMalformed = verdict.NewInvalid("malformed json-ld")

// CanonOptions configures Canonicalize.
type CanonOptions struct {
	// Loader resolves @context URLs. If nil, the bundled loader from
	// NewLoader is used. Canonicalize never fetches anything else. With a
	// *Loader, processed @context arrays of bundled URLs are cached in it;
	// a *contexts.Loader gets the same processing, cached for one call.
	Loader ld.DocumentLoader
	// Unsafe turns safe mode off: the output is whatever json-gold produces,
	// including the cases where it disagrees with RDFC-1.0 and the reference
	// JavaScript stack. It exists for tests that show those differences.
	Unsafe bool
	// Reference runs safe mode on json-gold alone: contexts processed on
	// every call, json-gold's RDF conversion and its URDNA2015. It accepts,
	// refuses and outputs exactly what the default path does (a differential
	// test holds the two equal) but is several times slower; it is the
	// reference for that test and a fallback.
	Reference bool
	// Limits bounds the work of the call; past a bound the error is a
	// *WorkError wrapping ErrTooMuchWork. The zero value takes every
	// default. With Unsafe only the bounds on the JSON input (depth,
	// values per array) apply; with Reference json-gold's URDNA2015 is not
	// bounded by MaxHashCalls.
	Limits Limits
	// Work, if not nil, has the work of the call added to it, whether the
	// call succeeds or not.
	Work *Work
	// Omit, if not empty, names a top-level member of the document that is
	// read as absent: the result is that of a copy of the document without
	// it (a proof's document without its proof member), made only where
	// the path taken needs one. A keyword (a name starting with "@") is
	// always removed from a copy.
	Omit string
	// slowOnly turns the fast path (fast.go) off, for the tests that hold
	// it equal to the default path.
	slowOnly bool
}

// Canonicalize returns the RDFC-1.0 canonical N-Quads of a JSON-LD document
// (every line ends in "\n"). doc is JSON as decoded by encoding/json: maps,
// slices, strings, booleans, nil and numbers as float64 or json.Number.
//
// Safe mode is on unless opts.Unsafe is set: a document whose processing
// would drop a property or type, yield a relative IRI, or hit a case where
// json-gold and the reference stack (jsonld.js, RDFC-1.0) disagree is refused
// with a *DataLossError naming the JSON path; errors.Is(err, ErrDataLoss)
// holds. Where badgesmith can produce the reference form itself it does so
// instead of refusing: numbers are written the way jsonld.js writes them and
// @json literals in their JCS form.
//
// With a *Loader, JSON-LD expansion is badgesmith's own (expand.go) for
// documents whose contexts are bundled URLs, with every processed context
// cached in the Loader, and json-gold's for anything outside that subset;
// the RDF conversion and RDFC-1.0 are badgesmith's own (package rdfc).
// opts.Reference and opts.Unsafe use json-gold throughout.
//
// The work is bounded by opts.Limits and counted in opts.Work; every long
// step looks at ctx from time to time and stops with an error wrapping
// ctx.Err() once it is done.
func Canonicalize(ctx context.Context, doc any, opts CanonOptions) ([]byte, error) {
	return canonicalize(ctx, doc, opts, nil, nil)
}

// CanonicalizeQuads is Canonicalize that also returns the canonical
// statements as terms: exactly what rdfc.ParseNQuads returns for the
// canonical N-Quads (blank nodes with their canonical labels, in canonical
// order), without writing and parsing the text where the path taken
// allows. It refuses, and reports, exactly what Canonicalize does.
func CanonicalizeQuads(ctx context.Context, doc any, opts CanonOptions) ([]byte, []rdfc.Quad, error) {
	var qs canonQuads
	out, err := canonicalize(ctx, doc, opts, nil, &qs)
	if err != nil {
		return nil, nil, err
	}
	if !qs.set {
		// A path that only wrote the text (json-gold's).
		if qs.quads, err = rdfc.ParseNQuads(out); err != nil {
			return nil, nil, fmt.Errorf("reading canonical n-quads: %w", err)
		}
	}
	return out, qs.quads, nil
}

// canonQuads receives the canonical statements of the paths that make
// them as terms; set says one did.
type canonQuads struct {
	quads []rdfc.Quad
	set   bool
}

// CanonicalizeTo writes what Canonicalize returns to w (a hash, say),
// without building it in memory first where the path taken allows; it
// refuses, and reports, exactly what Canonicalize does. On an error, w
// may have been written to.
func CanonicalizeTo(ctx context.Context, w io.Writer, doc any, opts CanonOptions) error {
	out, err := canonicalize(ctx, doc, opts, w, nil)
	if err != nil || out == nil {
		return err
	}
	// A path that built the document in memory (json-gold's).
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("writing canonical n-quads: %w", err)
	}
	return nil
}

// canonicalize is Canonicalize; with w, the default and fast paths write
// the document to w and return nil. With qs, they also leave the canonical
// statements there.
func canonicalize(ctx context.Context, doc any, opts CanonOptions, w io.Writer, qs *canonQuads) (_ []byte, err error) {
	b := newBudget(ctx, opts.Limits)
	// json-gold panics on some invalid documents (a number where it expects
	// a string); outside input must never crash the caller.
	defer func() {
		if r := recover(); r != nil {
			if a, ok := r.(abort); ok {
				err = a.err
			} else {
				err = fmt.Errorf("%w: json-ld processor failed: %v", ErrMalformed, r)
			}
		}
		if opts.Work != nil {
			opts.Work.Add(b.work)
		}
	}()
	if err := b.err(); err != nil {
		return nil, err
	}
	loader := withCache(opts.Loader)
	if loader == nil {
		l, err := NewLoader()
		if err != nil {
			return nil, err
		}
		loader = l
	}
	// omit is the member opts.Omit when doc has it; the fast path skips
	// it, every other path reads a copy of doc without it.
	omit := ""
	if m, ok := doc.(map[string]any); ok && opts.Omit != "" {
		if _, has := m[opts.Omit]; has {
			omit = opts.Omit
		}
	}
	if omit != "" {
		// The fast path reads keywords before the keys around them, and
		// what may be a proof's options goes to their own path as it is.
		m := doc.(map[string]any)
		if t, _ := m["type"].(string); strings.HasPrefix(omit, "@") || t == "DataIntegrityProof" {
			doc, omit = withoutMember(m, omit), ""
		}
	}
	if l, ok := loader.(*Loader); ok && !opts.Reference && !opts.Unsafe && !opts.slowOnly {
		if omit == "" {
			if out, done, err := l.canonicalizeProofOptions(doc, b, w, qs); done {
				return out, err
			}
		}
		if out, done, err := l.canonicalizeFast(ctx, doc, omit, b, w, qs); done {
			return out, err
		}
	}
	if omit != "" {
		doc = withoutMember(doc.(map[string]any), omit)
	}
	in, err := b.copyJSON(doc, "", 0)
	if err != nil {
		return nil, err
	}

	// json-gold's options, made only for the paths that run json-gold:
	// the own expander and RDF conversion need none.
	var o *ld.JsonLdOptions
	goldOptions := func() *ld.JsonLdOptions {
		o = ld.NewJsonLdOptions("")
		o.DocumentLoader = loader
		o.ProcessingMode = ld.JsonLd_1_1
		return o
	}
	if opts.Unsafe {
		goldOptions().ExpandedElementHandler = func(string, any) { b.goldNode() }
		return canonicalizeUnsafe(b, in, o)
	}
	s := newSafety(in, b)
	safeOptions := func() *ld.JsonLdOptions {
		goldOptions()
		// A term that no context defines expands against this
		// vocabulary instead of vanishing, so the check below can find
		// it and name it.
		o.ExpandContext = map[string]any{"@vocab": undefinedVocab}
		o.SafeMode = true
		o.ExpandedElementHandler = s.record
		return o
	}
	var expanded []any
	own := false
	if l, ok := loader.(*Loader); ok && !opts.Reference {
		expanded, err = l.expandOwn(in, s)
		own = err == nil
		if err != nil && !errors.Is(err, errUnsupported) {
			return nil, err
		}
		if err != nil {
			// Whatever the own expander does not cover, json-gold
			// expands; a fresh check keeps no trace of the attempt.
			in = presentationGraphs(in)
			s = newSafety(in, b)
			expanded, err = l.expand(in, safeOptions())
		}
	} else {
		in = presentationGraphs(in)
		s = newSafety(in, b)
		expanded, err = ld.NewJsonLdProcessor().Expand(in, safeOptions())
	}
	if err != nil {
		return nil, expandError(err, true)
	}
	if err := b.err(); err != nil {
		return nil, err
	}
	if err := s.check(expanded); err != nil {
		return nil, err
	}
	if opts.Reference {
		return s.canonicalizeReference(expanded, o)
	}

	var quads []rdfc.Quad
	if own {
		quads, err = s.ownQuads(expanded)
	}
	if !own || errors.Is(err, errUnsupported) {
		quads, err = s.toQuads(expanded)
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkQuads(quads); err != nil {
		return nil, err
	}
	if err := checkBlankNodes(quads, b); err != nil {
		return nil, err
	}
	return canonicalQuads(ctx, quads, b, w, qs)
}

// canonicalizeFast is Canonicalize's fast path (fast.go). done is false
// when the document is outside it, the budget then as it was before.
func (l *Loader) canonicalizeFast(ctx context.Context, doc any, omit string, b *budget, w io.Writer, qs *canonQuads) (_ []byte, done bool, _ error) {
	saved := *b
	quads, release, err := l.fastQuadsOmit(doc, b, omit)
	if err != nil {
		*b = saved
		l.processed.slow.Add(1)
		return nil, false, nil
	}
	defer release()
	l.processed.fast.Add(1)
	if err := checkBlankNodes(quads, b); err != nil {
		return nil, true, err
	}
	out, err := canonicalQuads(ctx, quads, b, w, qs)
	return out, true, err
}

// withoutMember is a shallow copy of m without its member key.
func withoutMember(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// canonicalQuads is RDFC-1.0 on the checked statements of a document,
// written to w (returning nil) when w is not nil; with qs, the canonical
// statements are left there too.
func canonicalQuads(ctx context.Context, quads []rdfc.Quad, b *budget, w io.Writer, qs *canonQuads) ([]byte, error) {
	if err := b.err(); err != nil {
		return nil, err
	}
	ro := rdfc.Options{MaxHashCalls: b.lim.MaxHashCalls, HashCalls: &b.work.HashCalls}
	var out []byte
	var err error
	switch {
	case qs != nil:
		// CanonicalizeQuads passes no w: the text is what it returns.
		out, qs.quads, err = rdfc.CanonicalizeQuads(ctx, quads, ro)
		qs.set = err == nil
	case w != nil:
		err = rdfc.CanonicalizeTo(ctx, w, quads, ro)
	default:
		out, err = rdfc.Canonicalize(ctx, quads, ro)
	}
	switch {
	case errors.Is(err, rdfc.ErrHashCalls):
		// The counter stops at the bound; the call refused is one more.
		return nil, &WorkError{Limit: LimitHashCalls, Max: b.lim.MaxHashCalls, Got: b.work.HashCalls + 1}
	case errors.Is(err, rdfc.ErrWorkLimit):
		return nil, &DataLossError{Reason: err.Error()}
	case err != nil:
		return nil, fmt.Errorf("canonicalizing rdf: %w", err)
	}
	return out, nil
}

// canonicalizeReference finishes safe mode with json-gold's RDF conversion
// and URDNA2015, running the same checks on the dataset as the default path.
// The default path's RDF conversion runs first on a copy, for the bounds:
// json-gold's compares every pair of a property's values.
func (s *safety) canonicalizeReference(expanded []any, o *ld.JsonLdOptions) ([]byte, error) {
	if _, err := s.toQuads(jsonvalue.Clone(expanded).([]any)); err != nil {
		return nil, err
	}
	api := ld.NewJsonLdApi()
	dataset, err := api.ToRDF(expanded, o)
	if err != nil {
		return nil, fmt.Errorf("converting json-ld to rdf: %w", err)
	}
	if err := s.restoreJSON(dataset); err != nil {
		return nil, err
	}
	quads := datasetQuads(dataset)
	if err := s.checkQuads(quads); err != nil {
		return nil, err
	}
	if err := checkBlankNodes(quads, s.b); err != nil {
		return nil, err
	}
	if err := s.b.err(); err != nil {
		return nil, err
	}
	return normalize(api, dataset, o)
}

// canonicalizeUnsafe is json-gold from end to end, without any check.
func canonicalizeUnsafe(b *budget, in any, o *ld.JsonLdOptions) ([]byte, error) {
	expanded, err := ld.NewJsonLdProcessor().Expand(in, o)
	if err != nil {
		return nil, expandError(err, false)
	}
	if err := b.err(); err != nil {
		return nil, err
	}
	api := ld.NewJsonLdApi()
	dataset, err := api.ToRDF(expanded, o)
	if err != nil {
		return nil, fmt.Errorf("converting json-ld to rdf: %w", err)
	}
	if err := b.err(); err != nil {
		return nil, err
	}
	return normalize(api, dataset, o)
}

func normalize(api *ld.JsonLdApi, dataset *ld.RDFDataset, o *ld.JsonLdOptions) ([]byte, error) {
	o.Algorithm = ld.AlgorithmURDNA2015
	o.Format = "application/n-quads"
	out, err := api.Normalize(dataset, o)
	if err != nil {
		return nil, fmt.Errorf("canonicalizing rdf: %w", err)
	}
	nq, ok := out.(string)
	if !ok {
		return nil, fmt.Errorf("canonicalizing rdf: unexpected result type %T", out)
	}
	return []byte(nq), nil
}

// expandError classifies an error of json-gold's expansion; in safe mode
// json-gold's refusal to drop a property is data loss.
func expandError(err error, safe bool) error {
	if safe && isDropError(err) {
		return &DataLossError{Reason: err.Error()}
	}
	if errors.Is(err, contexts.ErrNotBundled) || isLoadError(err) {
		return fmt.Errorf("expanding json-ld: %w", err)
	}
	var jerr *ld.JsonLdError
	if errors.As(err, &jerr) && jerr.Details != nil && termDefinitionError(jerr.Code) {
		// json-gold defines a context's terms in map order, so with two bad
		// terms it names either one's value from run to run; the code alone
		// is the same answer every time.
		err = ld.NewJsonLdError(jerr.Code, nil)
	}
	return fmt.Errorf("expanding json-ld: %w: %w", ErrMalformed, err)
}

// termDefinitionError reports whether json-gold raises code while defining
// one term of a context (createTermDefinition), where its details name the
// term it happened to meet first.
func termDefinitionError(code ld.ErrorCode) bool {
	switch code {
	case ld.CyclicIRIMapping, ld.InvalidBaseDirection, ld.InvalidContainerMapping, ld.InvalidIRIMapping,
		ld.InvalidKeywordAlias, ld.InvalidLanguageMapping, ld.InvalidNestValue, ld.InvalidPrefixValue,
		ld.InvalidReverseProperty, ld.InvalidTermDefinition, ld.InvalidTypeMapping, ld.KeywordRedefinition,
		ld.ProtectedTermRedefinition:
		return true
	}
	return false
}

// isDropError reports whether json-gold refused a document in its own safe
// mode, which it does for a property that maps to no IRI (a term defined as
// null, or any term after a context reset wiped our vocabulary).
func isDropError(err error) bool {
	var je *ld.JsonLdError
	return errors.As(err, &je) && je.Code == ld.InvalidProperty
}

func isLoadError(err error) bool {
	var je *ld.JsonLdError
	return errors.As(err, &je) && (je.Code == ld.LoadingDocumentFailed || je.Code == ld.LoadingRemoteContextFailed)
}

// copyJSON deep-copies a decoded JSON value so that neither json-gold nor the
// safe-mode rewrites touch the caller's document. json.Number becomes float64
// because the reference stack reads every JSON number as an IEEE double.
// It enforces MaxDepth, MaxQuads on the objects, MaxContextTerms,
// MaxTypes and, on every array, MaxValuesPerProperty, before any JSON-LD
// processing starts.
func (b *budget) copyJSON(v any, path string, depth int) (any, error) {
	if depth > b.lim.MaxDepth {
		return nil, &WorkError{Limit: LimitDepth, Max: b.lim.MaxDepth, Got: depth, Path: path}
	}
	if err := b.step(); err != nil {
		return nil, err
	}
	b.nvalues++
	switch t := v.(type) {
	case nil, bool, string:
		return t, nil
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("document at %s: number %v is not json", pathOrRoot(path), t)
		}
		return t, nil
	case json.Number:
		f, err := t.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("document at %s: number %s out of range", pathOrRoot(path), t)
		}
		return f, nil
	case int:
		return float64(t), nil
	case int64:
		return float64(t), nil
	case map[string]any:
		if err := b.object(); err != nil {
			return nil, err
		}
		if c, ok := t["@context"]; ok {
			if err := b.contextTerms(c, joinPath(path, "@context")); err != nil {
				return nil, err
			}
		}
		m := make(map[string]any, len(t))
		for k, e := range t {
			if a, ok := e.([]any); ok && b.isTypeKey(k) {
				if err := b.types(len(a), path, k); err != nil {
					return nil, err
				}
			}
			if b.plain(e, depth+1) {
				m[k] = e
				continue
			}
			c, err := b.copyJSON(e, joinPath(path, k), depth+1)
			if err != nil {
				return nil, err
			}
			m[k] = c
		}
		return m, nil
	case []any:
		if err := b.values(len(t), path, ""); err != nil {
			return nil, err
		}
		a := make([]any, len(t))
		for i, e := range t {
			if b.plain(e, depth+1) {
				a[i] = e
				continue
			}
			c, err := b.copyJSON(e, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			a[i] = c
		}
		return a, nil
	case []map[string]any:
		if err := b.values(len(t), path, ""); err != nil {
			return nil, err
		}
		a := make([]any, len(t))
		for i, e := range t {
			c, err := b.copyJSON(e, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			a[i] = c
		}
		return a, nil
	default:
		return nil, fmt.Errorf("document at %s: unsupported value type %T", pathOrRoot(path), v)
	}
}

// plain is copyJSON's shortcut for a string, boolean or null within
// MaxDepth: it does the accounting copyJSON would and reports true, so the
// caller copies the value as is without building its path, which only an
// error needs.
func (b *budget) plain(v any, depth int) bool {
	switch v.(type) {
	case nil, bool, string:
	default:
		return false
	}
	if depth > b.lim.MaxDepth || b.steps <= 1 {
		// Past MaxDepth, or a look at ctx due: copyJSON says so.
		return false
	}
	b.steps--
	b.nvalues++
	return true
}

func joinPath(base, key string) string {
	if key == "" {
		return base
	}
	if base == "" {
		return key
	}
	return base + "." + key
}

func pathOrRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

// lastSegment is the part of an IRI or compact IRI after its last '#', '/' or
// ':'; for most terms it is the term itself.
func lastSegment(iri string) string {
	if i := strings.LastIndexAny(iri, "#/:"); i >= 0 {
		return iri[i+1:]
	}
	return iri
}
