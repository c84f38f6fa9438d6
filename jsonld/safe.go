package jsonld

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/internal/verdict"
	jcspkg "github.com/badgesmith/badgesmith/jcs"
	"github.com/badgesmith/badgesmith/rdfc"
)

// ErrDataLoss is wrapped by every *DataLossError: JSON-LD processing of the
// document would lose or alter data, or implementations would disagree on its
// canonical form, so a signature over it could not be checked everywhere.
// Data Integrity calls this DATA_LOSS_DETECTION_ERROR.
var ErrDataLoss = verdict.NewInvalid("json-ld data loss")

// DataLossError reports where and why safe-mode canonicalization refused a
// document.
type DataLossError struct {
	// Path is the JSON path of the offending property, e.g.
	// "credentialSubject.achievement.foo" or "issuer.type"; empty when the
	// problem cannot be tied to one property.
	Path string
	// Reason says what would be lost or differ.
	Reason string
}

// Error implements error.
func (e *DataLossError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s: %s", ErrDataLoss, e.Reason)
	}
	return fmt.Sprintf("%s at %s: %s", ErrDataLoss, e.Path, e.Reason)
}

// Unwrap makes errors.Is(err, ErrDataLoss) hold.
func (e *DataLossError) Unwrap() error { return ErrDataLoss }

const (
	// undefinedVocab is the vocabulary safe mode puts under every document:
	// an IRI starting with it came from a term no context defines.
	undefinedVocab = "urn:badgesmith:undefined:"
	// jsonPlaceholder stands in for rdf:JSON while json-gold converts to RDF,
	// because json-gold re-canonicalizes rdf:JSON literals itself and fails
	// on anything but an object.
	jsonPlaceholder = "urn:badgesmith:json-literal"
	rdfJSON         = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
	xsdDouble       = "http://www.w3.org/2001/XMLSchema#double"
	xsdInteger      = "http://www.w3.org/2001/XMLSchema#integer"
)

var (
	// schemeRE is RFC 3986's scheme followed by ':'; jsonld.js calls an IRI
	// absolute when it has one and no white space.
	schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:`)
	// languageRE is BCP 47's shape as jsonld.js checks it; json-gold drops
	// literals whose tag does not match a looser form.
	languageRE = regexp.MustCompile(`^[a-z]{1,8}(-[a-z0-9]{1,8})*$`)
)

// safety carries the state of one safe-mode check: the (copied) input and
// the JSON Pointer json-gold reported for each expanded node object.
type safety struct {
	doc      any
	pointers map[uintptr]string
	// located is what the own expander reports instead of pointers: the
	// dotted path and input object of each expanded node.
	located  map[uintptr]location
	jsonLits []string
	// iris remembers checkIRI per IRI: a credential repeats the same
	// predicates and types, and json-gold's URL check is a costly regexp.
	iris map[string]error
	// segments indexes, per input object, its keys by last segment, for
	// compactKey on objects with many keys.
	segments map[uintptr]map[string]string
	// b is the budget of the Canonicalize call.
	b *budget
}

func newSafety(doc any, b *budget) *safety {
	// A document has fewer distinct IRIs than JSON values; room for a good
	// share of them saves growing the memo.
	return &safety{doc: doc, pointers: make(map[uintptr]string), iris: make(map[string]error, min(b.nvalues, 256)), b: b}
}

// record is json-gold's ExpandedElementHandler: it remembers where in the
// input each expanded node came from, so errors can name the JSON path. It
// also keeps json-gold to the budget (budget.goldNode).
func (s *safety) record(pointer string, expanded any) {
	s.b.goldNode()
	if m, ok := expanded.(map[string]any); ok {
		s.pointers[reflect.ValueOf(m).Pointer()] = pointer
	}
}

type location struct {
	path string
	obj  map[string]any
}

// locate is record for the own expander, which knows the dotted path and
// the input object of a node directly.
func (s *safety) locate(expanded map[string]any, path string, obj map[string]any) {
	if s.located == nil {
		// One entry per node object: about one per JSON object.
		s.located = make(map[uintptr]location, s.b.objects)
	}
	s.located[reflect.ValueOf(expanded).Pointer()] = location{path: path, obj: obj}
}

// where returns the dotted path and the input object of an expanded node,
// if the expander reported one.
func (s *safety) where(m map[string]any) (string, map[string]any, bool) {
	if loc, ok := s.located[reflect.ValueOf(m).Pointer()]; ok {
		return loc.path, loc.obj, true
	}
	p, ok := s.pointers[reflect.ValueOf(m).Pointer()]
	if !ok {
		return "", nil, false
	}
	path, v := resolvePointer(s.doc, p)
	obj, _ := v.(map[string]any)
	return path, obj, true
}

// check walks the expanded document, refusing what would be lost or written
// differently by the reference stack, and rewrites numbers and @json values
// into the exact lexical forms the reference produces.
func (s *safety) check(expanded []any) error {
	for _, n := range expanded {
		if err := s.value(n, "", nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *safety) value(v any, path string, compact any) error {
	if err := s.b.step(); err != nil {
		return err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return &DataLossError{Path: path, Reason: fmt.Sprintf("unexpected %T in expanded form", v)}
	}
	if _, ok := m["@value"]; ok {
		return s.literal(m, path)
	}
	if l, ok := m["@list"]; ok {
		items, _ := l.([]any)
		for _, it := range items {
			if err := s.value(it, path, nil); err != nil {
				return err
			}
		}
		return nil
	}
	return s.node(m, path, compact)
}

func (s *safety) node(m map[string]any, path string, compact any) error {
	obj, _ := compact.(map[string]any)
	if p, o, ok := s.where(m); ok {
		path, obj = p, o
	}
	// A node has a few keys: sort them in an array on the stack.
	var buf [16]string
	for _, k := range appendSortedKeys(buf[:0], m) {
		v := m[k]
		switch k {
		case "@id":
			id, _ := v.(string)
			if err := s.checkIRI(id); err != nil {
				return &DataLossError{Path: joinPath(path, aliasOf(obj, "@id", "id")), Reason: "@id " + err.Error()}
			}
		case "@type":
			types, _ := v.([]any)
			if err := s.b.values(len(types), path, aliasOf(obj, "@type", "type")); err != nil {
				return err
			}
			for _, t := range types {
				ts, _ := t.(string)
				if err := s.checkIRI(ts); err != nil {
					return &DataLossError{Path: joinPath(path, aliasOf(obj, "@type", "type")), Reason: "type " + err.Error()}
				}
			}
		case "@graph", "@included":
			items, _ := v.([]any)
			for _, it := range items {
				if err := s.value(it, path, nil); err != nil {
					return err
				}
			}
		case "@reverse":
			rev, _ := v.(map[string]any)
			for _, rk := range sortedKeys(rev) {
				if err := s.property(rk, rev[rk], joinPath(path, "@reverse"), nil); err != nil {
					return err
				}
			}
		case "@index":
			// Index keys are not part of the RDF graph in either stack.
		default:
			if strings.HasPrefix(k, "@") {
				return &DataLossError{Path: path, Reason: fmt.Sprintf("unsupported keyword %s", k)}
			}
			if err := s.property(k, v, path, obj); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *safety) property(iri string, v any, path string, obj map[string]any) error {
	key := s.compactKey(obj, iri)
	if strings.HasPrefix(iri, undefinedVocab) {
		return &DataLossError{
			Path:   joinPath(path, strings.TrimPrefix(iri, undefinedVocab)),
			Reason: "property is not defined by the active context",
		}
	}
	if strings.HasPrefix(iri, "_:") {
		return &DataLossError{Path: joinPath(path, key), Reason: "property expands to a blank node"}
	}
	if err := s.checkIRI(iri); err != nil {
		return &DataLossError{Path: joinPath(path, key), Reason: "property " + err.Error()}
	}
	var cv any
	if obj != nil {
		cv = obj[key]
	}
	items, _ := v.([]any)
	if err := s.b.values(len(items), path, key); err != nil {
		return err
	}
	// Every value of the property has the property's path.
	vpath := joinPath(path, key)
	for i, it := range items {
		c := cv
		if a, ok := cv.([]any); ok {
			c = nil
			if len(a) == len(items) {
				c = a[i]
			}
		}
		if err := s.value(it, vpath, c); err != nil {
			return err
		}
	}
	return nil
}

func (s *safety) literal(m map[string]any, path string) error {
	dt, _ := m["@type"].(string)
	if dt == "@json" {
		text, err := jcs(m["@value"], 0)
		if err != nil {
			return &DataLossError{Path: path, Reason: "@json value " + err.Error()}
		}
		if err := checkLiteral(text); err != nil {
			return &DataLossError{Path: path, Reason: "@json value " + err.Error()}
		}
		m["@value"] = strconv.Itoa(len(s.jsonLits))
		m["@type"] = jsonPlaceholder
		s.jsonLits = append(s.jsonLits, text)
		return nil
	}
	if dt != "" {
		if err := s.checkIRI(dt); err != nil {
			return &DataLossError{Path: path, Reason: "datatype " + err.Error()}
		}
	}
	if _, ok := m["@direction"]; ok {
		return &DataLossError{Path: path, Reason: "@direction is written differently by json-ld implementations"}
	}
	if l, ok := m["@language"]; ok {
		ls, _ := l.(string)
		if !languageRE.MatchString(ls) {
			return &DataLossError{Path: path, Reason: fmt.Sprintf("language tag %q is not well-formed", ls)}
		}
	}
	switch v := m["@value"].(type) {
	case string:
		if err := checkLiteral(v); err != nil {
			return &DataLossError{Path: path, Reason: err.Error()}
		}
	case float64:
		lex, dtype, err := numberLexical(v, dt)
		if err != nil {
			return &DataLossError{Path: path, Reason: err.Error()}
		}
		m["@value"] = lex
		m["@type"] = dtype
	case bool:
	default:
		return &DataLossError{Path: path, Reason: fmt.Sprintf("unsupported @value of type %T", v)}
	}
	return nil
}

// restoreJSON puts the JCS text of each @json value back with datatype
// rdf:JSON, after json-gold has built the dataset.
func (s *safety) restoreJSON(ds *ld.RDFDataset) error {
	if len(s.jsonLits) == 0 {
		return nil
	}
	for _, quads := range ds.Graphs {
		for _, q := range quads {
			l, ok := q.Object.(ld.Literal)
			if !ok || l.Datatype != jsonPlaceholder {
				continue
			}
			i, err := strconv.Atoi(l.Value)
			if err != nil || i < 0 || i >= len(s.jsonLits) {
				return fmt.Errorf("restoring @json literal %q", l.Value)
			}
			q.Object = ld.NewLiteral(s.jsonLits[i], rdfJSON, "")
		}
	}
	return nil
}

// checkQuads is the last line of defence: whatever the walk over the
// expanded form missed, no IRI or literal that the reference would write
// differently may reach the canonical output.
func (s *safety) checkQuads(quads []rdfc.Quad) error {
	for i := range quads {
		if err := s.b.step(); err != nil {
			return err
		}
		q := &quads[i]
		for _, t := range [...]*rdfc.Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
			switch t.Kind {
			case rdfc.IRI:
				if err := s.checkIRI(t.Value); err != nil {
					return &DataLossError{Reason: "IRI " + err.Error()}
				}
			case rdfc.Literal:
				if err := checkLiteral(t.Value); err != nil {
					return &DataLossError{Reason: err.Error()}
				}
				if t.Datatype == jsonPlaceholder {
					return &DataLossError{Reason: "unrestored @json literal"}
				}
			}
		}
	}
	return nil
}

// checkBlankNodes bounds the work of canonicalization. RDFC-1.0 resolves
// blank nodes that look alike (same first-degree hash) by trying every
// permutation of their look-alike neighbours, which grows factorially; a few
// hundred bytes of JSON can keep json-gold busy for hours, and json-gold has
// no limit of its own. Look-alike nodes whose neighbours are all
// distinguishable are cheap (identical sibling objects under a named node),
// so only a look-alike node next to another look-alike node is refused. The
// reference stack refuses these too ("maximum deep iterations exceeded").
func checkBlankNodes(quads []rdfc.Quad, b *budget) error {
	sc := alikePool.Get().(*alikeScratch)
	defer sc.release()
	// Only nodes with a fingerprint another node shares can look alike;
	// every other node has a first-degree serialization of its own, as
	// below.
	if !sc.lookAlike(quads) {
		return nil
	}
	// The first-degree "hash" is SHA-256 of the sorted serialization, as
	// RDFC-1.0's own: only equality matters here. A node whose
	// fingerprint no other shares has a serialization of its own too, so
	// only candidates are serialized.
	buf, spans := sc.serial[:0], sc.spans[:0]
	for c := range sc.cands {
		if err := b.step(); err != nil {
			return err
		}
		cd := &sc.cands[c]
		id := sc.labels[cd.node]
		buf, spans = buf[:0], spans[:0]
		for _, r := range sc.refsOf(c) {
			// Any encoding that tells terms apart does: only equality
			// matters. Lengths in front of values keep it unambiguous.
			start := len(buf)
			q := &quads[r]
			for _, t := range [...]*rdfc.Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
				switch t.Kind {
				case rdfc.BlankNode:
					if t.Value == id {
						buf = append(buf, "_:a"...)
					} else {
						buf = append(buf, "_:z"...)
					}
				case rdfc.IRI:
					buf = append(buf, '<')
					buf = strconv.AppendInt(buf, int64(len(t.Value)), 10)
					buf = append(buf, ':')
					buf = append(buf, t.Value...)
				case rdfc.Literal:
					dt := t.Datatype
					switch {
					case t.Language != "":
						dt = rdfc.RDFLangString
					case dt == "":
						dt = xsdString
					}
					for _, part := range [...]string{t.Value, dt, t.Language} {
						buf = append(buf, '"')
						buf = strconv.AppendInt(buf, int64(len(part)), 10)
						buf = append(buf, ':')
						buf = append(buf, part...)
					}
				default:
					buf = append(buf, '-')
				}
				buf = append(buf, ' ')
			}
			spans = append(spans, [2]int{start, len(buf)})
			// RDFC-1.0 relates a node only to the nodes of its own
			// statements, so its permutations are among look-alikes of
			// one graph: nodes alike in different named graphs (two
			// credentials of one achievement in a presentation) never
			// meet in one. The node's graph is that of its first
			// statement as subject or object.
			if !cd.homed && (q.Subject.Kind == rdfc.BlankNode && q.Subject.Value == id || q.Object.Kind == rdfc.BlankNode && q.Object.Value == id) {
				cd.home, cd.homed = q.Graph.Value, true
			}
		}
		slices.SortFunc(spans, func(x, y [2]int) int { return bytes.Compare(buf[x[0]:x[1]], buf[y[0]:y[1]]) })
		sc.h.Reset()
		for _, sp := range spans {
			sc.h.Write(append(strconv.AppendInt(sc.num[:0], int64(sp[1]-sp[0]), 10), ':'))
			sc.h.Write(buf[sp[0]:sp[1]])
		}
		sc.h.Sum(cd.first[:0])
	}
	if cap(buf) <= maxPooledSerial {
		sc.serial, sc.spans = buf[:0], spans[:0]
	}
	// A node looks alike if another has its first-degree hash, and
	// another of its graph does; in a document without named graphs
	// that is any other node. Counted in runs of equal hashes, and of
	// equal hashes and graphs, of the candidates sorted.
	order := sc.order[:0]
	for c := range sc.cands {
		order = append(order, c)
	}
	sc.order = order
	cands := sc.cands
	slices.SortFunc(order, func(x, y int) int {
		if c := bytes.Compare(cands[x].first[:], cands[y].first[:]); c != 0 {
			return c
		}
		return strings.Compare(cands[x].home, cands[y].home)
	})
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && cands[order[j]].first == cands[order[i]].first {
			j++
		}
		for k := i; k < j; {
			l := k + 1
			for l < j && cands[order[l]].home == cands[order[k]].home {
				l++
			}
			for m := k; m < l; m++ {
				cands[order[m]].alike = j-i > 1 && l-k > 1
			}
			k = l
		}
		i = j
	}
	for c := range cands {
		if !cands[c].alike {
			continue
		}
		id := sc.labels[cands[c].node]
		for _, r := range sc.refsOf(c) {
			q := &quads[r]
			for _, t := range [...]*rdfc.Term{&q.Subject, &q.Object, &q.Graph} {
				if t.Kind == rdfc.BlankNode && t.Value != id && sc.alike(t.Value) {
					return &DataLossError{Reason: "indistinguishable blank nodes next to each other make canonicalization too expensive; give the nested objects ids or make them differ"}
				}
			}
		}
	}
	return nil
}

// nodePrint is a blank node's fingerprint in alikeScratch.lookAlike: its
// statements and a sum of their hashes, and the node's position.
type nodePrint struct {
	n    int
	sum  uint64
	node int
}

// nodeRef is a statement (its position) that names a blank node.
type nodeRef struct{ node, quad int }

// candidate is a blank node whose fingerprint another shares: its
// position, first-degree hash, graph, and whether it looks alike.
type candidate struct {
	node  int
	first [sha256.Size]byte
	home  string
	homed bool
	alike bool
}

// alikeScratch is checkBlankNodes' memory, pooled: grown from nothing,
// it cost a credential more allocations than the rest of the check.
type alikeScratch struct {
	// index finds a node by its label; numbered finds the nodes labelled
	// b0, b1, ... (as the walks label them) without hashing the label:
	// numbered[k] is the node b<k> plus one, 0 for none.
	index    map[string]int
	numbered []int
	labels   []string
	prints   []nodePrint
	// refs are the statements of every node, in order; slot is a node's
	// candidate plus one, 0 for none; the candidate c's statements are
	// byNode[start[c]:start[c+1]].
	refs   []nodeRef
	slot   []int
	start  []int
	byNode []int
	cands  []candidate
	order  []int
	// serial and spans are the candidates' serializations.
	serial []byte
	spans  [][2]int
	h      hash.Hash
	// num is a length written for h: an array on the stack would escape
	// through the hash.Hash interface.
	num  [24]byte
	seed maphash.Seed
}

// maxPooledSerial keeps the serializations of a huge document's nodes
// from being kept for the next ones.
const maxPooledSerial = 1 << 16

var alikePool = sync.Pool{New: func() any {
	return &alikeScratch{index: make(map[string]int), seed: maphash.MakeSeed(), h: sha256.New()}
}}

// release gives sc back to the pool, without what it holds of the
// statements.
func (sc *alikeScratch) release() {
	clear(sc.index)
	clear(sc.numbered)
	clear(sc.labels)
	for i := range sc.cands {
		sc.cands[i].home = ""
	}
	sc.numbered, sc.labels, sc.cands = sc.numbered[:0], sc.labels[:0], sc.cands[:0]
	alikePool.Put(sc)
}

// node is the position of the node labelled label, -1 for none.
func (sc *alikeScratch) node(label string) int {
	if k := rdfc.LabelNumber(label); k >= 0 {
		if k < len(sc.numbered) && sc.numbered[k] > 0 {
			return sc.numbered[k] - 1
		}
		return -1
	}
	if n, ok := sc.index[label]; ok {
		return n
	}
	return -1
}

// add records a new node labelled label and returns its position.
func (sc *alikeScratch) add(label string) int {
	n := len(sc.labels)
	sc.labels = append(sc.labels, label)
	if k := rdfc.LabelNumber(label); k >= 0 {
		if k >= len(sc.numbered) {
			sc.numbered = slices.Grow(sc.numbered, k+1-len(sc.numbered))[:k+1]
		}
		sc.numbered[k] = n + 1
		return n
	}
	sc.index[label] = n
	return n
}

// refsOf are the statements of candidate c, in order.
func (sc *alikeScratch) refsOf(c int) []int {
	return sc.byNode[sc.start[c]:sc.start[c+1]]
}

// alike reports whether the node labelled label is a candidate found to
// look alike.
func (sc *alikeScratch) alike(label string) bool {
	n := sc.node(label)
	return n >= 0 && sc.slot[n] > 0 && sc.cands[sc.slot[n]-1].alike
}

// lookAlike is checkBlankNodes' first look: it finds the blank nodes that
// have as many statements with the same hashes as another once the node
// itself is written _:a and every other blank node _:z, the candidates,
// and their statements, and reports whether there are any. Nodes that look
// alike have equal fingerprints, so only these can; a credential's nodes
// nearly always all differ.
func (sc *alikeScratch) lookAlike(quads []rdfc.Quad) bool {
	sc.prints, sc.labels, sc.refs, sc.cands = sc.prints[:0], sc.labels[:0], sc.refs[:0], sc.cands[:0]
	for i := range quads {
		q := &quads[i]
		var done [3]string
		nd := 0
		for _, t := range [...]*rdfc.Term{&q.Subject, &q.Object, &q.Graph} {
			if t.Kind != rdfc.BlankNode || slices.Contains(done[:nd], t.Value) {
				continue
			}
			done[nd] = t.Value
			nd++
			k := sc.node(t.Value)
			if k < 0 {
				k = sc.add(t.Value)
				sc.prints = append(sc.prints, nodePrint{node: k})
			}
			p := &sc.prints[k]
			p.n++
			p.sum += quadPrint(sc.seed, q, t.Value)
			sc.refs = append(sc.refs, nodeRef{node: k, quad: i})
		}
	}
	if len(sc.prints) < 2 {
		return false
	}
	slices.SortFunc(sc.prints, func(x, y nodePrint) int {
		if c := cmp.Compare(x.n, y.n); c != 0 {
			return c
		}
		return cmp.Compare(x.sum, y.sum)
	})
	sc.slot = slices.Grow(sc.slot[:0], len(sc.labels))[:len(sc.labels)]
	clear(sc.slot)
	for i := 1; i < len(sc.prints); i++ {
		x, y := sc.prints[i-1], sc.prints[i]
		if x.n == y.n && x.sum == y.sum {
			for _, n := range [...]int{x.node, y.node} {
				if sc.slot[n] == 0 {
					sc.cands = append(sc.cands, candidate{node: n})
					sc.slot[n] = len(sc.cands)
				}
			}
		}
	}
	if len(sc.cands) == 0 {
		return false
	}
	// Each candidate's statements, side by side and in order.
	sc.start = slices.Grow(sc.start[:0], len(sc.cands)+1)[:len(sc.cands)+1]
	clear(sc.start)
	total := 0
	for _, r := range sc.refs {
		if c := sc.slot[r.node]; c > 0 {
			sc.start[c]++
			total++
		}
	}
	for c := 1; c <= len(sc.cands); c++ {
		sc.start[c] += sc.start[c-1]
	}
	sc.byNode = slices.Grow(sc.byNode[:0], total)[:total]
	// start[c] is where candidate c's next statement goes while they
	// are copied, so it ends up where c+1's start: it is shifted back
	// after.
	for _, r := range sc.refs {
		if c := sc.slot[r.node]; c > 0 {
			sc.byNode[sc.start[c-1]] = r.quad
			sc.start[c-1]++
		}
	}
	for c := len(sc.cands); c > 0; c-- {
		sc.start[c] = sc.start[c-1]
	}
	sc.start[0] = 0
	return true
}

// quadPrint hashes q with the blank node id written _:a and every other
// _:z, terms spelled as RDFC-1.0 writes them (a literal's datatype
// xsd:string or rdf:langString alike whether given or not).
func quadPrint(seed maphash.Seed, q *rdfc.Quad, id string) uint64 {
	var h uint64
	for _, t := range [...]*rdfc.Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
		var x uint64
		switch t.Kind {
		case rdfc.BlankNode:
			x = 'z'
			if t.Value == id {
				x = 'a'
			}
		case rdfc.IRI:
			x = maphash.String(seed, t.Value)
		case rdfc.Literal:
			dt := t.Datatype
			switch {
			case t.Language != "":
				dt = rdfc.RDFLangString
			case dt == "":
				dt = xsdString
			}
			x = maphash.String(seed, t.Value)*31 + maphash.String(seed, dt)*7 + maphash.String(seed, t.Language)
		default:
			x = '-'
		}
		h = h*1000003 ^ x
	}
	return h
}

// checkIRI is the package-level checkIRI, remembered per IRI: a document
// names the same predicates and types again and again, and the walk and
// checkQuads both look at every one.
func (s *safety) checkIRI(iri string) error {
	if err, ok := s.iris[iri]; ok {
		return err
	}
	err := checkIRI(iri)
	s.iris[iri] = err
	return err
}

// checkIRI accepts an absolute IRI (or a blank node label) that json-gold
// keeps and that both json-gold and RDFC-1.0 serialize identically.
func checkIRI(iri string) error {
	if strings.HasPrefix(iri, undefinedVocab) {
		return fmt.Errorf("term %q is not defined by the active context", strings.TrimPrefix(iri, undefinedVocab))
	}
	if strings.HasPrefix(iri, "_:") || quickIRI(iri) {
		return nil
	}
	return checkIRISlow(iri)
}

// checkIRISlow is checkIRI for an IRI that quickIRI cannot vouch for.
func checkIRISlow(iri string) error {
	if strings.HasPrefix(iri, undefinedVocab) {
		return fmt.Errorf("term %q is not defined by the active context", strings.TrimPrefix(iri, undefinedVocab))
	}
	if strings.HasPrefix(iri, "_:") {
		return nil
	}
	if !utf8.ValidString(iri) {
		return fmt.Errorf("%q is not valid utf-8", iri)
	}
	if !schemeRE.MatchString(iri) {
		return fmt.Errorf("%q is a relative IRI", iri)
	}
	for _, r := range iri {
		if r <= 0x20 || r == 0x7f || strings.ContainsRune("<>\"{}|^`\\", r) || isJSSpace(r) {
			return fmt.Errorf("%q contains %U, which implementations drop or escape differently", clip(iri), r)
		}
	}
	if !ld.IsAbsoluteIri(iri) {
		return fmt.Errorf("%q does not parse as a URL, so json-gold drops it", clip(iri))
	}
	if (strings.HasPrefix(iri, "http://") || strings.HasPrefix(iri, "https://")) && !ld.IsURL(iri) {
		return fmt.Errorf("%q is rejected by json-gold's URL check, so it would be dropped", clip(iri))
	}
	return nil
}

// maxQuickIRI keeps quickIRI well below json-gold's URL length limit.
const maxQuickIRI = 2000

// quickIRI reports whether checkIRI would accept iri, for the IRIs
// credentials are made of, without json-gold's URL regular expression or
// URL parsing. It answers true only for a subset of what the full check
// accepts: ASCII without '%', spaces or the characters checkIRI refuses; for
// http and https a host of two or more dot-separated labels of letters,
// digits and single inner hyphens whose last label is letters only, an
// optional port, then '/', '?' or '#' and the rest. Everything else takes the
// full check; TestQuickIRIIsConservative and FuzzQuickIRI hold the subset
// property.
func quickIRI(iri string) bool {
	return quickIRIHost(iri, nil)
}

// quickIRIHost is quickIRI remembering, in *okHost when okHost is not nil,
// the last http(s) host it accepted: the IRIs of a document mostly share a
// host, which it then need not look at again.
func quickIRIHost(iri string, okHost *string) bool {
	if len(iri) > maxQuickIRI {
		return false
	}
	i := 0
	for i < len(iri) && (isLetter(iri[i]) || i > 0 && (isDigit(iri[i]) || iri[i] == '+' || iri[i] == '-' || iri[i] == '.')) {
		i++
	}
	if i == 0 || i == len(iri) || iri[i] != ':' {
		return false
	}
	scheme, rest := iri[:i], iri[i+1:]
	for j := 0; j < len(rest); j++ {
		if quickStop[rest[j]] {
			return false
		}
	}
	switch scheme {
	case "http", "https":
		return quickHTTP(rest, okHost)
	}
	// "scheme:/..." has URL authority and path rules; leave it to the full
	// check. Anything else parses as an opaque URL.
	return !strings.HasPrefix(rest, "/")
}

// quickStop marks the bytes quickIRI leaves to the full check: controls,
// space, non-ASCII, '%' and the characters IRIs may not hold raw. A table,
// because quickIRI looks at every byte of every IRI of a document.
var quickStop = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c <= 0x20 || c >= 0x7f || strings.IndexByte(`%<>"{}|^`+"`"+`\`, byte(c)) >= 0
	}
	return t
}()

// quickHTTP checks "//host[:port][/?#...]" (see quickIRIHost).
func quickHTTP(rest string, okHost *string) bool {
	if !strings.HasPrefix(rest, "//") {
		return false
	}
	rest = rest[2:]
	end := 0
	for end < len(rest) && rest[end] != '/' && rest[end] != '?' && rest[end] != '#' && rest[end] != ':' {
		end++
	}
	host, tail := rest[:end], rest[end:]
	switch {
	case okHost != nil && host == *okHost && host != "":
	case !quickHost(host):
		return false
	case okHost != nil:
		*okHost = host
	}
	if strings.HasPrefix(tail, ":") {
		n := 1
		for n < len(tail) && isDigit(tail[n]) {
			n++
		}
		if n == 1 || n > 6 {
			return false
		}
		tail = tail[n:]
	}
	return tail == "" || tail[0] == '/' || tail[0] == '?' || tail[0] == '#'
}

// quickHost accepts host names json-gold's URL expression provably
// matches: labels of letters and digits joined by single hyphens, at least
// two labels, the last letters only; with three or more labels the first is
// at least two characters long and so is the first hyphen-separated part of
// the second-to-last.
func quickHost(host string) bool {
	// Credentials have hosts of a few labels; a fixed array keeps the
	// split off the heap.
	var buf [8]string
	labels := buf[:0]
	for rest := host; ; {
		l, after, found := strings.Cut(rest, ".")
		if len(labels) == len(buf) {
			return false
		}
		labels = append(labels, l)
		if !found {
			break
		}
		rest = after
	}
	n := len(labels)
	if n < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' || strings.Contains(l, "--") {
			return false
		}
		for j := 0; j < len(l); j++ {
			if !isLetter(l[j]) && !isDigit(l[j]) && l[j] != '-' {
				return false
			}
		}
	}
	for j := 0; j < len(labels[n-1]); j++ {
		if !isLetter(labels[n-1][j]) {
			return false
		}
	}
	if n >= 3 {
		first, _, _ := strings.Cut(labels[n-2], "-")
		if len(labels[0]) < 2 || len(first) < 2 {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// checkLiteral refuses string content that json-gold writes raw where
// RDFC-1.0 requires an escape (it escapes only \t \n \r \" and \\).
func checkLiteral(s string) error {
	// Printable ASCII, the common case, in one pass over the bytes.
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return checkLiteralSlow(s)
		}
	}
	return nil
}

// checkLiteralSlow is checkLiteral for a string with bytes outside
// printable ASCII.
func checkLiteralSlow(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("string is not valid utf-8")
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return fmt.Errorf("string contains control character %U, which json-gold does not escape as RDFC-1.0 requires", r)
		}
	}
	return nil
}

// isJSSpace is JavaScript's \s beyond ASCII: jsonld.js treats an IRI with
// any of these as relative.
func isJSSpace(r rune) bool {
	switch r {
	case 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

// numberLexical writes a JSON number as jsonld.js does: a double (its
// String() has a '.' or it is at least 1e21) or anything typed xsd:double in
// canonical double form, other numbers as integers, keeping the given
// datatype. Where jsonld.js and the JSON-LD algorithm disagree (a tiny
// number such as 1e-7 that JavaScript prints without a '.', which jsonld.js
// writes as "0") or the rounding is ambiguous, the number is refused.
func numberLexical(v float64, datatype string) (string, string, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", "", fmt.Errorf("number %v is not json", v)
	}
	jsString := jsNumber(v)
	isDouble := strings.Contains(jsString, ".") || math.Abs(v) >= 1e21
	if isDouble || datatype == xsdDouble {
		if datatype == "" {
			datatype = xsdDouble
		}
		lex, err := canonicalDouble(v)
		return lex, datatype, err
	}
	if v != math.Trunc(v) {
		return "", "", fmt.Errorf("number %s is written as %q by jsonld.js but as a double by the json-ld algorithm", jsString, "0")
	}
	if datatype == "" {
		datatype = xsdInteger
	}
	if v == 0 {
		return "0", datatype, nil
	}
	return strconv.FormatFloat(v, 'f', 0, 64), datatype, nil
}

// canonicalDouble is JavaScript's v.toExponential(15) with trailing zeros
// of the mantissa and the '+' of the exponent removed ("1.5E0", "1.0E-1").
func canonicalDouble(v float64) (string, error) {
	if v == 0 {
		return "0.0E0", nil
	}
	// toExponential rounds a tie away from zero and strconv to even; a tie
	// needs the exact value to have 17 significant digits ending in 5.
	s17 := strconv.FormatFloat(v, 'e', 16, 64)
	if m, _, _ := strings.Cut(s17, "e"); strings.HasSuffix(m, "5") {
		exact := new(big.Rat).SetFloat64(v)
		dec, ok := new(big.Rat).SetString(s17)
		if ok && exact.Cmp(dec) == 0 {
			return "", fmt.Errorf("number %s rounds differently in javascript", s17)
		}
	}
	s := strconv.FormatFloat(v, 'e', 15, 64)
	mant, exp, _ := strings.Cut(s, "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		frac = "0"
	}
	e, err := strconv.Atoi(exp)
	if err != nil {
		return "", fmt.Errorf("formatting number %v: %w", v, err)
	}
	return intPart + "." + frac + "E" + strconv.Itoa(e), nil
}

// jsNumber is ECMAScript's Number::toString (ES2015 7.1.12.1), which JCS
// also uses.
func jsNumber(v float64) string { return jcspkg.FormatNumber(v) }

// jcs serializes a JSON value per RFC 8785 (JSON Canonicalization Scheme),
// the form jsonld.js gives @json literals.
func jcs(v any, depth int) (string, error) {
	if depth > DefaultMaxDepth {
		return "", fmt.Errorf("nests deeper than %d", DefaultMaxDepth)
	}
	b, err := jcspkg.Marshal(v)
	return string(b), err
}

// compactKey finds the key of the input object that expanded to iri: the
// key itself, or the first key (in sorted order) whose last segment matches
// the IRI's. Without a match the IRI's last segment stands in, which names
// the term in practice. The keys of a big object are indexed by last
// segment the first time it needs the search, so an object of many keys
// costs linear time, not quadratic.
func (s *safety) compactKey(obj map[string]any, iri string) string {
	if _, ok := obj[iri]; ok {
		return iri
	}
	local := lastSegment(iri)
	if _, ok := obj[local]; ok {
		return local
	}
	if len(obj) <= smallDedupe {
		for _, k := range sortedKeys(obj) {
			if lastSegment(k) == local {
				return k
			}
		}
		return local
	}
	if s.segments == nil {
		s.segments = make(map[uintptr]map[string]string)
	}
	p := reflect.ValueOf(obj).Pointer()
	idx, ok := s.segments[p]
	if !ok {
		idx = make(map[string]string, len(obj))
		for _, k := range sortedKeys(obj) {
			if seg := lastSegment(k); !hasKey(idx, seg) {
				idx[seg] = k
			}
		}
		s.segments[p] = idx
	}
	if k, ok := idx[local]; ok {
		return k
	}
	return local
}

// aliasOf returns the key obj uses for keyword kw ("@id"), trying the
// keyword and its usual alias; "" when obj is unknown (the value was a
// plain string in the input, so the property path itself names it).
func aliasOf(obj map[string]any, kw, alias string) string {
	if obj == nil {
		return ""
	}
	if _, ok := obj[alias]; ok {
		return alias
	}
	return kw
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

func sortedKeys(m map[string]any) []string {
	return appendSortedKeys(make([]string, 0, len(m)), m)
}

// appendSortedKeys appends the keys of m to keys, sorted.
func appendSortedKeys(keys []string, m map[string]any) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// resolvePointer follows an RFC 6901 pointer into doc and returns the
// dotted path ("a.b[2].c") and the value found.
func resolvePointer(doc any, pointer string) (string, any) {
	if pointer == "" {
		return "", doc
	}
	var path strings.Builder
	cur := doc
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch t := cur.(type) {
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return path.String(), nil
			}
			fmt.Fprintf(&path, "[%d]", i)
			cur = t[i]
		case map[string]any:
			if path.Len() > 0 {
				path.WriteByte('.')
			}
			path.WriteString(tok)
			cur = t[tok]
		default:
			return path.String(), nil
		}
	}
	return path.String(), cur
}
