package rdfc

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ErrWorkLimit is returned when canonicalizing would take more work on blank
// nodes that look alike than Options allows: the dataset is a "poison" graph
// or close to one.
var ErrWorkLimit = errors.New("rdfc: blank node work limit exceeded")

// ErrHashCalls is returned when canonicalizing would take more blank node
// hash computations than Options.MaxHashCalls. It wraps ErrWorkLimit; unlike
// the other bounds, which follow the reference implementation, this one is
// the caller's own budget.
var ErrHashCalls = fmt.Errorf("%w: too many hash calls", ErrWorkLimit)

// checkEvery is how many steps of a long loop run between two looks at the
// context.
const checkEvery = 1024

// HashAlgorithm names the hash RDFC-1.0 runs with.
type HashAlgorithm string

// The hash algorithms supported.
const (
	SHA256 HashAlgorithm = "SHA-256"
	SHA384 HashAlgorithm = "SHA-384"
)

// defaultMaxPermutations is the default of Options.MaxPermutations.
const defaultMaxPermutations = 1 << 16

// Options configures canonicalization. The zero value is RDFC-1.0 with
// SHA-256 and the work bounds of the reference JavaScript implementation.
type Options struct {
	// Hash is the hash algorithm. If empty, SHA256 is used.
	Hash HashAlgorithm
	// MaxWorkFactor bounds the calls to the Hash N-Degree Quads algorithm
	// to n^MaxWorkFactor, n being the number of blank nodes that share their
	// first-degree hash with another (rdf-canonize's maxWorkFactor). If zero,
	// 1 is used, as jsonld.js does.
	MaxWorkFactor int
	// MaxDeepIterations, if positive, is the bound on calls to the Hash
	// N-Degree Quads algorithm itself and MaxWorkFactor is ignored.
	MaxDeepIterations int
	// MaxPermutations bounds the permutations of related blank nodes tried
	// over the whole run, which MaxDeepIterations alone does not limit. If
	// zero, 65536 is used.
	MaxPermutations int
	// MaxHashCalls bounds the blank node hash computations of the run:
	// first-degree hashes, related-node hashes and N-degree hashes. Past it
	// the error wraps ErrHashCalls. If zero, the other bounds alone apply.
	MaxHashCalls int
	// HashCalls, if not nil, has the number of blank node hash computations
	// of the run added to it, whether the run succeeds or not. The count is
	// deterministic for a given dataset and options.
	HashCalls *int
}

// Canonicalize returns the canonical N-Quads document of the dataset quads
// (a set: duplicates are dropped): every quad with canonical blank node
// labels (c14n0, c14n1, ...), one per line, lines sorted, each ending in
// "\n".
//
// ctx is consulted every so often during the work on blank nodes; once it
// is done the error wraps ctx.Err().
func Canonicalize(ctx context.Context, quads []Quad, opts Options) ([]byte, error) {
	s, err := run(ctx, quads, opts)
	if err != nil {
		return nil, err
	}
	defer s.release()
	return s.serialize(), nil
}

// CanonicalizeQuads is Canonicalize that also returns the canonical
// quads: each line of the document as ParseNQuads reads it, in the same
// order, so a caller that needs the statements as terms does not parse the
// text again. Blank nodes carry their canonical labels (c14n0, ...); a
// literal whose datatype the line does not write (xsd:string,
// rdf:langString) has an empty Datatype, as ParseNQuads leaves it.
func CanonicalizeQuads(ctx context.Context, quads []Quad, opts Options) ([]byte, []Quad, error) {
	s, err := run(ctx, quads, opts)
	if err != nil {
		return nil, nil, err
	}
	defer s.release()
	lines := s.lines()
	out := s.join(lines, nil)
	canon := make([]Quad, len(lines))
	for k, l := range lines {
		q, c := &s.quads[l.quad], &canon[k]
		// Field by field: a whole Quad or Term copied takes the bulk
		// write barrier while the collector marks, dearer than the
		// barriers of its strings.
		setTerm(&c.Subject, s.relabel(q.Subject))
		setTerm(&c.Predicate, q.Predicate)
		setTerm(&c.Object, s.relabel(q.Object))
		setTerm(&c.Graph, s.relabel(q.Graph))
	}
	return out, canon, nil
}

// setTerm sets *t to x one field at a time (see CanonicalizeQuads).
func setTerm(t *Term, x Term) {
	t.Kind = x.Kind
	t.Value = x.Value
	t.Datatype = x.Datatype
	t.Language = x.Language
}

// relabel is t as its canonical N-Quads text reads back: a blank node with
// its canonical label, a literal without the datatype the text leaves out.
func (s *state) relabel(t Term) Term {
	switch t.Kind {
	case BlankNode:
		t.Value = s.canonOf(t.Value)
	case Literal:
		if t.Language != "" || t.Datatype == XSDString {
			t.Datatype = ""
		}
	}
	return t
}

// IssuedIdentifiers runs the canonicalization algorithm on quads and returns
// its issued identifiers map: the canonical label (without "_:") of each
// input blank node label.
func IssuedIdentifiers(ctx context.Context, quads []Quad, opts Options) (map[string]string, error) {
	s, err := run(ctx, quads, opts)
	if err != nil {
		return nil, err
	}
	defer s.release()
	return s.issuedIdentifiers(), nil
}

// nodeInfo is one blank node of a run.
type nodeInfo struct {
	label string
	// quads are the positions of the node's quads in state.quads.
	quads []int32
	// sum is the node's first-degree hash, hlen bytes of it.
	sum  [sha512.Size]byte
	hlen int
	// hex is sum in hex, made only for the N-degree hashes that read it.
	hex string
	// canon is the position of the node's canonical label, -1 until it is
	// issued.
	canon int
}

// state is the canonicalization state of one run. States are pooled: a
// run's arrays and maps are the ones earlier runs grew.
type state struct {
	quads []Quad
	// nodes are the blank nodes in order of first appearance; index finds
	// a node by its label.
	nodes []nodeInfo
	index map[string]int
	// numbered finds the nodes labelled b0, b1, ... (as jsonld labels
	// them) without hashing the label: numbered[k] is the node b<k> plus
	// one, 0 for none.
	numbered []int
	// issued are the nodes in the order their canonical labels were
	// issued.
	issued  []int
	hashAlg HashAlgorithm
	newHash func() hash.Hash
	h       hash.Hash
	buf     []byte
	spans   []span
	// rel and relHex are the stacks of hashNDegree's related nodes and
	// their hashes.
	rel    []relation
	relHex []byte
	// sumBuf receives the hashes: an array on the stack would escape
	// through the hash.Hash interface.
	sumBuf   [sha512.Size]byte
	lineBuf  []byte
	lineList []line
	// lineOut holds the lines sorted, runs the runs of lines of one
	// subject that lines sorts them by.
	lineOut []line
	runs    []subjectRun
	// groups, runGroup, runTable and lineGrouped are groupRuns': the
	// runs of one subject, each run's group, a hash table of the groups
	// by subject, and the lines in order of their groups.
	groups      []subjectRun
	runGroup    []int32
	runTable    []int32
	lineGrouped []line
	// iris are the IRIs lines has written.
	iris iriCache
	// texts are the N-Quads text of the quads that name a blank node,
	// written once in textBuf with holes for the labels: the first-degree
	// hashes and the final lines copy it instead of escaping every term
	// again.
	texts     []quadText
	textBuf   []byte
	order     []int
	normal    []Quad
	table     []int32
	dup       []bool
	seed      maphash.Seed
	probes    int // occupied slots dedupe looked at, for tests
	remaining int // calls to hashNDegree left; -1 is unbounded
	maxDeep   int
	perms     int
	ctx       context.Context
	calls     int // hash computations so far
	maxCalls  int // 0: unbounded
	steps     int // loop steps left before the next look at ctx
}

// span is a line of state.buf.
type span struct{ start, end int }

// statePool keeps the states of finished runs; maxPooledQuads keeps one
// that served a huge dataset out of it.
var statePool = sync.Pool{New: func() any {
	s := &state{index: make(map[string]int), buf: make([]byte, 0, 1024)}
	s.seed = maphash.MakeSeed()
	return s
}}

const maxPooledQuads = 4096

// release gives s back to the pool. Nothing of s may be used after it.
func (s *state) release() {
	if cap(s.normal) > maxPooledQuads || cap(s.lineList) > maxPooledQuads || cap(s.lineOut) > maxPooledQuads || cap(s.lineGrouped) > maxPooledQuads || len(s.nodes) > maxPooledQuads {
		return
	}
	// Only what refers to the caller's data is dropped; the rest is
	// overwritten by the next run.
	clear(s.normal)
	s.normal = s.normal[:0]
	clear(s.rel[:cap(s.rel)])
	clear(s.iris[:])
	for i := range s.nodes {
		s.nodes[i].label, s.nodes[i].hex = "", ""
	}
	clear(s.index)
	clear(s.numbered)
	s.quads, s.ctx = nil, nil
	statePool.Put(s)
}

func run(ctx context.Context, in []Quad, opts Options) (*state, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rdfc: %w", err)
	}
	alg := opts.Hash
	switch alg {
	case "":
		alg = SHA256
	case SHA256, SHA384:
	default:
		return nil, fmt.Errorf("rdfc: unsupported hash algorithm %q", opts.Hash)
	}
	s := statePool.Get().(*state)
	s.ctx, s.maxCalls, s.steps, s.calls = ctx, opts.MaxHashCalls, checkEvery, 0
	s.remaining, s.maxDeep = 0, 0
	s.nodes, s.issued, s.order = s.nodes[:0], s.issued[:0], s.order[:0]
	if s.h == nil || s.hashAlg != alg {
		s.hashAlg = alg
		s.newHash = sha256.New
		if alg == SHA384 {
			s.newHash = sha512.New384
		}
		s.h = s.newHash()
	}
	err := s.run(in, opts)
	if opts.HashCalls != nil {
		*opts.HashCalls += s.calls
	}
	if err != nil {
		s.release()
		return nil, err
	}
	return s, nil
}

// run is the algorithm on a state made ready by the package's run.
func (s *state) run(in []Quad, opts Options) error {
	s.perms = opts.MaxPermutations
	if s.perms <= 0 {
		s.perms = defaultMaxPermutations
	}
	s.dedupe(in)
	s.texts = slices.Grow(s.texts[:0], len(s.quads))[:len(s.quads)]
	clear(s.texts)
	s.textBuf = s.textBuf[:0]

	// Blank node to quads map, in order of first appearance.
	for i := range s.quads {
		q := &s.quads[i]
		s.addNode(&q.Subject, int32(i))
		s.addNode(&q.Object, int32(i))
		s.addNode(&q.Graph, int32(i))
	}

	// A lone blank node (a proof's options) gets the first label whatever
	// its hash: the hash only orders nodes. The call is still counted.
	if len(s.nodes) == 1 {
		if err := s.spend(); err != nil {
			return err
		}
		s.issue(0)
		return nil
	}

	// First-degree hashes; a hash shared by one node only gives it its
	// canonical label straight away.
	for i := range s.nodes {
		if err := s.spend(); err != nil {
			return err
		}
		s.hashFirstDegree(i)
		s.order = append(s.order, i)
	}
	// Stable: nodes sharing a hash stay in order of first appearance.
	slices.SortStableFunc(s.order, func(a, b int) int {
		x, y := &s.nodes[a], &s.nodes[b]
		return bytes.Compare(x.sum[:x.hlen], y.sum[:y.hlen])
	})
	var nonUnique [][]int
	nonUniqueCount := 0
	for start := 0; start < len(s.order); {
		end := start + 1
		first := &s.nodes[s.order[start]]
		for end < len(s.order) && bytes.Equal(s.nodes[s.order[end]].sum[:first.hlen], first.sum[:first.hlen]) {
			end++
		}
		if end-start > 1 {
			nonUnique = append(nonUnique, s.order[start:end])
			nonUniqueCount += end - start
		} else {
			s.issue(s.order[start])
		}
		start = end
	}
	if len(nonUnique) == 0 {
		return nil
	}

	s.maxDeep = opts.MaxDeepIterations
	if s.maxDeep <= 0 {
		f := opts.MaxWorkFactor
		if f <= 0 {
			f = 1
		}
		p := math.Pow(float64(nonUniqueCount), float64(f))
		if p > math.MaxInt32 {
			s.maxDeep = math.MaxInt32
		} else {
			s.maxDeep = int(p)
		}
	}
	s.remaining = s.maxDeep

	for _, group := range nonUnique {
		type result struct {
			hash string
			iss  *issuer
		}
		var paths []result
		for _, n := range group {
			if s.nodes[n].canon >= 0 {
				continue
			}
			id := s.nodes[n].label
			tmp := newIssuer()
			tmp.issue(id)
			h, iss, err := s.hashNDegree(id, tmp)
			if err != nil {
				return err
			}
			paths = append(paths, result{h, iss})
		}
		slices.SortStableFunc(paths, func(a, b result) int {
			switch {
			case a.hash < b.hash:
				return -1
			case a.hash > b.hash:
				return 1
			}
			return 0
		})
		for _, r := range paths {
			for _, old := range r.iss.order {
				s.issue(s.node(old))
			}
		}
	}
	return nil
}

// MaxLabelNumber bounds the numbers LabelNumber reads: a caller keeps its
// state for such labels in an array of that many entries at most.
const MaxLabelNumber = 4096

// LabelNumber is k for a blank node label "b<k>" (as JSON-LD expansion
// names blank nodes) written without leading zeros, k < MaxLabelNumber,
// else -1: a caller finds its state for such a label by index instead of
// hashing the label.
func LabelNumber(label string) int {
	if len(label) < 2 || len(label) > 5 || label[0] != 'b' || label[1] == '0' && len(label) > 2 {
		return -1
	}
	k := 0
	for i := 1; i < len(label); i++ {
		c := label[i]
		if c < '0' || c > '9' {
			return -1
		}
		k = k*10 + int(c-'0')
	}
	if k >= MaxLabelNumber {
		return -1
	}
	return k
}

// lookup finds the node labelled label.
func (s *state) lookup(label string) (int, bool) {
	if k := LabelNumber(label); k >= 0 {
		if k < len(s.numbered) && s.numbered[k] > 0 {
			return s.numbered[k] - 1, true
		}
		return 0, false
	}
	n, ok := s.index[label]
	return n, ok
}

// insert records node n under label.
func (s *state) insert(label string, n int) {
	if k := LabelNumber(label); k >= 0 {
		if k >= len(s.numbered) {
			s.numbered = slices.Grow(s.numbered, k+1-len(s.numbered))[:k+1]
		}
		s.numbered[k] = n + 1
		return
	}
	s.index[label] = n
}

// node is the node labelled label, which must be one.
func (s *state) node(label string) int {
	n, _ := s.lookup(label)
	return n
}

// canonLabels are the first canonical labels, so that most runs label
// their nodes without formatting numbers.
var canonLabels = func() (t [64]string) {
	for i := range t {
		t[i] = "c14n" + strconv.Itoa(i)
	}
	return t
}()

func canonLabel(n int) string {
	if n < len(canonLabels) {
		return canonLabels[n]
	}
	return "c14n" + strconv.Itoa(n)
}

// tmpLabels are the first labels of the temporary issuers ("b" prefix),
// so that most N-degree hashes issue them without formatting numbers.
var tmpLabels = func() (t [64]string) {
	for i := range t {
		t[i] = "b" + strconv.Itoa(i)
	}
	return t
}()

// issue gives node n the next canonical label, unless it has one.
func (s *state) issue(n int) {
	if s.nodes[n].canon >= 0 {
		return
	}
	s.nodes[n].canon = len(s.issued)
	s.issued = append(s.issued, n)
}

// canonOf is the canonical label of the blank node with label id, "" if
// none was issued.
func (s *state) canonOf(id string) string {
	n, ok := s.lookup(id)
	if !ok || s.nodes[n].canon < 0 {
		return ""
	}
	return canonLabel(s.nodes[n].canon)
}

// issuedIdentifiers is the canonical issuer's map: label to canonical
// label.
func (s *state) issuedIdentifiers() map[string]string {
	ids := make(map[string]string, len(s.issued))
	for _, n := range s.issued {
		ids[s.nodes[n].label] = canonLabel(s.nodes[n].canon)
	}
	return ids
}

// spend counts one hash computation against Options.MaxHashCalls and, every
// checkEvery steps, looks at the context.
func (s *state) spend() error {
	// The call refused is not counted: the counter never exceeds the bound.
	if s.maxCalls > 0 && s.calls+1 > s.maxCalls {
		return fmt.Errorf("%w: more than %d", ErrHashCalls, s.maxCalls)
	}
	s.calls++
	return s.step(1)
}

// step accounts for n steps of a long loop: every checkEvery steps it
// returns the context's error, if any.
func (s *state) step(n int) error {
	s.steps -= n
	if s.steps > 0 {
		return nil
	}
	s.steps = checkEvery
	if err := s.ctx.Err(); err != nil {
		return fmt.Errorf("rdfc: %w", err)
	}
	return nil
}

// dedupe keeps the first occurrence of every quad, with literal datatypes
// spelled one way. The input is copied only when a term needs respelling
// or a quad repeats; otherwise the run reads it as it is.
func (s *state) dedupe(in []Quad) {
	normalized := true
	for i := range in {
		q := &in[i]
		if !q.Subject.isNormal() || !q.Predicate.isNormal() || !q.Object.isNormal() || !q.Graph.isNormal() {
			normalized = false
			break
		}
	}
	s.quads = in
	if !normalized {
		s.normal = slices.Grow(s.normal[:0], len(in))[:len(in)]
		for i, q := range in {
			s.normal[i] = Quad{q.Subject.normalize(), q.Predicate.normalize(), q.Object.normalize(), q.Graph.normalize()}
		}
		s.quads = s.normal
	}
	// Repeats are found with a hash table of positions (open addressing):
	// whole quads are compared only where hashes meet. Equal quads hash
	// alike, so the first occurrence is the one kept.
	size := 16
	for size < 2*len(s.quads) {
		size *= 2
	}
	s.table = slices.Grow(s.table[:0], size)[:size]
	clear(s.table)
	s.probes = 0
	mask := uint64(size - 1) //nolint:gosec // G115: size is a positive power of two
	found := false
	for i := range s.quads {
		q := &s.quads[i]
		// The values, and the object's datatype and language: a document
		// may give one property thousands of values that differ only in
		// those (one literal, many datatypes), which would otherwise all
		// share a slot and be compared pairwise. Only the kinds, three of
		// them, are left to compareQuads.
		h := maphash.String(s.seed, q.Subject.Value)
		h = h*31 + maphash.String(s.seed, q.Predicate.Value)
		h = h*31 + maphash.String(s.seed, q.Object.Value)
		if q.Object.Datatype != "" {
			h = h*31 + maphash.String(s.seed, q.Object.Datatype)
		}
		if q.Object.Language != "" {
			h = h*37 + maphash.String(s.seed, q.Object.Language)
		}
		if q.Graph.Value != "" {
			h = h*31 + maphash.String(s.seed, q.Graph.Value)
		}
		for slot := h & mask; ; slot = (slot + 1) & mask {
			j := s.table[slot]
			if j == 0 {
				s.table[slot] = int32(i) + 1
				break
			}
			s.probes++
			if compareQuads(&s.quads[j-1], q) == 0 {
				if !found {
					found = true
					s.dup = slices.Grow(s.dup[:0], len(s.quads))[:len(s.quads)]
					clear(s.dup)
				}
				s.dup[i] = true
				break
			}
		}
	}
	if !found {
		return
	}
	// The quads kept go to the pooled array, in place when the quads
	// already are that array (respelled): the kept never overtake the
	// quads read.
	if len(s.normal) == 0 || &s.normal[0] != &s.quads[0] {
		s.normal = slices.Grow(s.normal[:0], len(s.quads))
	}
	kept := s.normal[:0]
	for i := range s.quads {
		if !s.dup[i] {
			kept = append(kept, s.quads[i])
		}
	}
	// What the array held past the kept points into the caller's data;
	// release clears only up to the length left here.
	s.normal = s.normal[:max(len(s.normal), len(kept))]
	s.quads = kept
}

// compareQuads orders quads term by term; it is zero exactly when the
// quads are equal.
func compareQuads(a, b *Quad) int {
	if c := compareTerms(&a.Subject, &b.Subject); c != 0 {
		return c
	}
	if c := compareTerms(&a.Predicate, &b.Predicate); c != 0 {
		return c
	}
	if c := compareTerms(&a.Object, &b.Object); c != 0 {
		return c
	}
	return compareTerms(&a.Graph, &b.Graph)
}

// compareTerms orders terms by kind, value, datatype and language, looking
// at each only when the ones before are equal.
func compareTerms(x, y *Term) int {
	if x.Kind != y.Kind {
		return cmp.Compare(x.Kind, y.Kind)
	}
	if c := strings.Compare(x.Value, y.Value); c != 0 {
		return c
	}
	if c := strings.Compare(x.Datatype, y.Datatype); c != 0 {
		return c
	}
	return strings.Compare(x.Language, y.Language)
}

func (s *state) addNode(t *Term, quad int32) {
	if t.Kind != BlankNode {
		return
	}
	n, ok := s.lookup(t.Value)
	if !ok {
		n = len(s.nodes)
		s.insert(t.Value, n)
		if len(s.nodes) < cap(s.nodes) {
			s.nodes = s.nodes[:n+1]
			old := s.nodes[n].quads
			s.nodes[n] = nodeInfo{label: t.Value, quads: old[:0], canon: -1}
		} else {
			s.nodes = append(s.nodes, nodeInfo{label: t.Value, canon: -1})
		}
	}
	// A quad naming the node twice is listed once.
	nd := &s.nodes[n]
	if k := len(nd.quads); k == 0 || nd.quads[k-1] != quad {
		nd.quads = append(nd.quads, quad)
	}
}

// hexOf is node n's first-degree hash in hex.
func (s *state) hexOf(n int) string {
	nd := &s.nodes[n]
	if nd.hex == "" {
		nd.hex = hex.EncodeToString(nd.sum[:nd.hlen])
	}
	return nd.hex
}

func (s *state) sum() string {
	return hex.EncodeToString(s.h.Sum(s.sumBuf[:0]))
}

// hashFirstDegree is the Hash First Degree Quads algorithm: the node's
// quads with it written _:a and every other blank node _:z, sorted. The
// hash is left in the node.
func (s *state) hashFirstDegree(n int) {
	nd := &s.nodes[n]
	id := nd.label
	s.buf, s.spans = s.buf[:0], s.spans[:0]
	for _, qi := range nd.quads {
		start := len(s.buf)
		q := &s.quads[qi]
		t := s.text(int(qi))
		b := s.buf
		from := t.start
		for k := range int(t.holes) {
			at := t.start + t.hole[k]
			b = append(b, s.textBuf[from:at]...)
			if q.term(t.term[k]).Value == id {
				b = append(b, 'a')
			} else {
				b = append(b, 'z')
			}
			from = at
		}
		b = append(b, s.textBuf[from:t.end]...)
		s.buf = b
		s.spans = append(s.spans, span{start, len(s.buf)})
	}
	buf := s.buf
	slices.SortFunc(s.spans, func(a, b span) int { return bytes.Compare(buf[a.start:a.end], buf[b.start:b.end]) })
	s.h.Reset()
	for _, sp := range s.spans {
		s.h.Write(buf[sp.start:sp.end])
	}
	nd.hlen = len(s.h.Sum(nd.sum[:0]))
}

// hashRelated is the Hash Related Blank Node algorithm. The hash is
// appended in hex to s.relHex; hashRelated returns where it starts.
func (s *state) hashRelated(related string, q *Quad, iss *issuer, position byte) int {
	b := s.buf[:0]
	b = append(b, position)
	if position != 'g' {
		b = append(b, '<')
		b = append(b, q.Predicate.Value...)
		b = append(b, '>')
	}
	if c := s.canonOf(related); c != "" {
		b = append(append(b, '_', ':'), c...)
	} else if id, ok := iss.lookup(related); ok {
		b = append(append(b, '_', ':'), id...)
	} else {
		b = append(b, s.hexOf(s.node(related))...)
	}
	s.buf = b
	s.h.Reset()
	s.h.Write(b)
	at := len(s.relHex)
	s.relHex = hex.AppendEncode(s.relHex, s.h.Sum(s.sumBuf[:0]))
	return at
}

// relation is a blank node related to the one hashNDegree hashes: its
// label, and the hash of the relation in hex, s.relHex[hash:hash+hexLen].
type relation struct {
	label string
	hash  int
}

// hashNDegree is the Hash N-Degree Quads algorithm.
func (s *state) hashNDegree(id string, iss *issuer) (string, *issuer, error) {
	if s.remaining == 0 {
		return "", nil, fmt.Errorf("%w: more than %d deep iterations", ErrWorkLimit, s.maxDeep)
	}
	s.remaining--
	if err := s.spend(); err != nil {
		return "", nil, err
	}

	// The related nodes and their hashes go on stacks shared with the
	// calls this one makes, above those of the calls that made it, and
	// come off before it returns: a call no longer allocates a map and a
	// string per related node. The calls below may move the stacks, so
	// they are read by position.
	base, hexBase := len(s.rel), len(s.relHex)
	defer func() { s.rel, s.relHex = s.rel[:base], s.relHex[:hexBase] }()
	hexLen := 2 * s.h.Size()
	for _, qi := range s.nodes[s.node(id)].quads {
		q := &s.quads[qi]
		for _, c := range [...]struct {
			t   *Term
			pos byte
		}{{&q.Subject, 's'}, {&q.Object, 'o'}, {&q.Graph, 'g'}} {
			if c.t.Kind != BlankNode || c.t.Value == id {
				continue
			}
			if err := s.spend(); err != nil {
				return "", nil, err
			}
			s.rel = append(s.rel, relation{label: c.t.Value, hash: s.hashRelated(c.t.Value, q, iss, c.pos)})
		}
	}
	// By hash: each hash's labels are then side by side (their order
	// does not matter, the permutations start from them sorted).
	hashOf := func(r relation) []byte { return s.relHex[r.hash : r.hash+hexLen] }
	slices.SortFunc(s.rel[base:], func(a, b relation) int { return bytes.Compare(hashOf(a), hashOf(b)) })
	end := len(s.rel)

	// Each related hash is followed by its chosen path: room for a hash
	// in hex and a few labels, so that data is seldom grown.
	data := make([]byte, 0, (end-base)*(hexLen+48))
	for i := base; i < end; {
		h := hashOf(s.rel[i])
		j := i + 1
		for j < end && bytes.Equal(hashOf(s.rel[j]), h) {
			j++
		}
		data = append(data, h...)
		var err error
		if j-i == 1 {
			// One permutation: nothing to compare it with.
			data, iss, err = s.nDegreePath(data, s.rel[i].label, iss)
		} else {
			labels := make([]string, j-i)
			for k := range labels {
				labels[k] = s.rel[i+k].label
			}
			var chosenPath string
			chosenPath, iss, err = s.choosePath(labels, iss)
			data = append(data, chosenPath...)
		}
		if err != nil {
			return "", nil, err
		}
		i = j
	}
	s.h.Reset()
	s.h.Write(data)
	return s.sum(), iss, nil
}

// nDegreePath appends to data the path of hashNDegree's steps 5.4-5.5
// for a hash with one related node, r: there is one permutation, so the
// issuer copy it works on, iss's, is what the caller goes on with, and iss
// itself is used. Every issuer hashNDegree is given is its own: the run's
// temporary issuer, or a copy its caller made for the permutation being
// tried (or, here, was given), which the caller replaces with the issuer
// returned.
func (s *state) nDegreePath(data []byte, r string, iss *issuer) ([]byte, *issuer, error) {
	if s.perms--; s.perms < 0 {
		return nil, nil, fmt.Errorf("%w: too many permutations of look-alike blank nodes", ErrWorkLimit)
	}
	if err := s.step(1 + len(iss.order)); err != nil {
		return nil, nil, err
	}
	if c := s.canonOf(r); c != "" {
		return append(append(data, "_:"...), c...), iss, nil
	}
	recurse := !iss.has(r)
	data = append(append(data, "_:"...), iss.issue(r)...)
	if !recurse {
		return data, iss, nil
	}
	rh, riss, err := s.hashNDegree(r, iss)
	if err != nil {
		return nil, nil, err
	}
	// r keeps its identifier in riss, which only adds to iss.
	data = append(append(data, "_:"...), riss.issue(r)...)
	data = append(append(append(data, '<'), rh...), '>')
	return data, riss, nil
}

// choosePath is hashNDegree's steps 5.4-5.5 for a hash with several
// related nodes: the least path over their permutations, and the issuer
// that comes with it.
func (s *state) choosePath(related []string, iss *issuer) (string, *issuer, error) {
	var chosenPath string
	var chosenIssuer *issuer
	p := newPermuter(related)
	for p.next() {
		if s.perms--; s.perms < 0 {
			return "", nil, fmt.Errorf("%w: too many permutations of look-alike blank nodes", ErrWorkLimit)
		}
		// A permutation costs in proportion to its length (the path,
		// the issuer copy).
		if err := s.step(len(p.current) + len(iss.order)); err != nil {
			return "", nil, err
		}
		issCopy := iss.clone()
		var path []byte
		var recursion []string
		skip := false
		for _, r := range p.current {
			if c := s.canonOf(r); c != "" {
				path = append(append(path, "_:"...), c...)
			} else {
				if !issCopy.has(r) {
					recursion = append(recursion, r)
				}
				path = append(append(path, "_:"...), issCopy.issue(r)...)
			}
			if chosenPath != "" && string(path) > chosenPath {
				skip = true
				break
			}
		}
		if skip {
			continue
		}
		for _, r := range recursion {
			rh, riss, err := s.hashNDegree(r, issCopy)
			if err != nil {
				return "", nil, err
			}
			path = append(append(path, "_:"...), issCopy.issue(r)...)
			path = append(append(append(path, '<'), rh...), '>')
			issCopy = riss
			if chosenPath != "" && string(path) > chosenPath {
				skip = true
				break
			}
		}
		if skip {
			continue
		}
		if chosenPath == "" || string(path) < chosenPath {
			chosenPath = string(path)
			chosenIssuer = issCopy
		}
	}
	return chosenPath, chosenIssuer, nil
}

// CanonicalizeTo writes the canonical N-Quads document Canonicalize
// returns to w, in one Write: a signer that only hashes it passes the
// hash.
func CanonicalizeTo(ctx context.Context, w io.Writer, quads []Quad, opts Options) error {
	s, err := run(ctx, quads, opts)
	if err != nil {
		return err
	}
	defer s.release()
	s.buf = s.join(s.lines(), s.buf[:0])
	if _, err := w.Write(s.buf); err != nil {
		return fmt.Errorf("rdfc: writing: %w", err)
	}
	return nil
}

// serialize writes every quad with its canonical labels, sorted.
func (s *state) serialize() []byte {
	return s.join(s.lines(), nil)
}

// join appends the text of lines, in order, to out (a new array when out
// is nil).
func (s *state) join(lines []line, out []byte) []byte {
	n := 0
	for _, l := range lines {
		n += l.end - l.start
	}
	out = slices.Grow(out, n)
	for _, l := range lines {
		out = append(out, s.lineBuf[l.start:l.end]...)
	}
	return out
}

// line is one quad's canonical N-Quads line, s.lineBuf[start:end], and the
// quad's position in s.quads. key is the line's first 8 bytes big-endian:
// most lines of different subjects are ordered by it alone (blank node
// subjects, "_:c14n<k> ", differ within it), without a call to
// bytes.Compare.
type line struct {
	key              uint64
	start, end, quad int
}

// lineKeyLen is how many of a line's first bytes line.key holds.
const lineKeyLen = 8

// compareLines orders lines as bytes.Compare orders their text.
func compareLines(buf []byte, a, b line) int {
	if a.key != b.key {
		return cmp.Compare(a.key, b.key)
	}
	// Equal keys are equal first bytes, or a line shorter than the key
	// (never one of a quad, at least 11 bytes) padded with zeros.
	if a.end-a.start < lineKeyLen || b.end-b.start < lineKeyLen {
		return bytes.Compare(buf[a.start:a.end], buf[b.start:b.end])
	}
	return bytes.Compare(buf[a.start+lineKeyLen:a.end], buf[b.start+lineKeyLen:b.end])
}

// lineKey is the key of the line text l.
func lineKey(l []byte) uint64 {
	if len(l) >= lineKeyLen {
		return binary.BigEndian.Uint64(l)
	}
	var k [lineKeyLen]byte
	copy(k[:], l)
	return binary.BigEndian.Uint64(k[:])
}

// subjectRun is a run of consecutive lines of one subject: lines
// lineList[first:first+n], the subject written lineBuf[start:end].
type subjectRun struct {
	start, end, first, n int
}

// lines writes every quad with its canonical labels as an N-Quads line
// into s.lineBuf and returns the lines sorted.
func (s *state) lines() []line {
	s.lineList = slices.Grow(s.lineList[:0], len(s.quads))
	s.runs = s.runs[:0]
	clear(s.iris[:])
	buf := s.lineBuf[:0]
	// A node's quads come one after the other, so an IRI subject is most
	// often the one of the line before: its escaped text is copied from
	// there instead of being escaped again.
	var subj, prev *Term
	var subjText span
	// Whether every subject is an IRI or a blank node, whose text ends
	// at the line's first space and is never a prefix of another's.
	grouped := true
	for i := range s.quads {
		start := len(buf)
		q := &s.quads[i]
		switch {
		case s.texts[i].holes > 0 || q.Subject.Kind != IRI:
			buf = s.appendCanonQuad(buf, q, i)
		case subj != nil && q.Subject.Value == subj.Value:
			buf = append(buf, buf[subjText.start:subjText.end]...)
			buf = s.appendCanonRest(buf, q)
		default:
			buf = appendIRI(buf, q.Subject.Value)
			subj, subjText = &q.Subject, span{start, len(buf)}
			buf = s.appendCanonRest(buf, q)
		}
		if prev != nil && q.Subject.Kind == prev.Kind && q.Subject.Value == prev.Value {
			s.runs[len(s.runs)-1].n++
		} else {
			if k := q.Subject.Kind; k != IRI && k != BlankNode {
				grouped = false
			}
			end := start + bytes.IndexByte(buf[start:], ' ')
			s.runs = append(s.runs, subjectRun{start: start, end: end, first: i, n: 1})
			prev = &q.Subject
		}
		s.lineList = append(s.lineList, line{lineKey(buf[start:]), start, len(buf), i})
	}
	s.lineBuf = buf
	if !grouped {
		slices.SortFunc(s.lineList, func(a, b line) int { return compareLines(buf, a, b) })
		return s.lineList
	}
	// Subjects share long prefixes (the IRIs of one issuer), which the
	// sort would otherwise compare again and again: they are sorted
	// once per run of lines, and the lines of one subject among
	// themselves from the space after it. A subject sorted before
	// another has its lines before the other's: either their texts
	// differ before one ends, or one is a prefix of the other, possible
	// only for blank nodes (_:c14n1, _:c14n10), where the shorter is
	// followed by a space and the longer by a digit.
	runs, src := s.runs, s.lineList
	if len(runs) >= minGrouped {
		runs, src = s.groupRuns()
	}
	slices.SortFunc(runs, func(a, b subjectRun) int {
		return bytes.Compare(buf[a.start:a.end], buf[b.start:b.end])
	})
	out := slices.Grow(s.lineOut[:0], len(src))
	for i := 0; i < len(runs); {
		r := runs[i]
		from := len(out)
		out = append(out, src[r.first:r.first+r.n]...)
		j := i + 1
		for ; j < len(runs) && bytes.Equal(buf[runs[j].start:runs[j].end], buf[r.start:r.end]); j++ {
			out = append(out, src[runs[j].first:runs[j].first+runs[j].n]...)
		}
		if g := out[from:]; len(g) > 1 {
			skip := r.end - r.start
			slices.SortFunc(g, func(a, b line) int {
				return bytes.Compare(buf[a.start+skip:a.end], buf[b.start+skip:b.end])
			})
		}
		i = j
	}
	s.lineOut = out
	return out
}

// minGrouped is how many runs of lines lines merges by subject before
// sorting them.
const minGrouped = 8

// groupRuns merges the runs of lines of one subject, which a document's
// nesting interrupts (a node's statements, then a nested node's, then the
// node's again), so that the sort orders every subject once, not every
// run: runs of one subject (kind and value, which give one text) are
// found with a hash table, and their lines are copied next to each other,
// in the order of the runs. It returns the merged runs, whose first and n
// are positions in the lines it returns.
func (s *state) groupRuns() ([]subjectRun, []line) {
	runs := s.runs
	size := 16
	for size < 2*len(runs) {
		size *= 2
	}
	s.runTable = slices.Grow(s.runTable[:0], size)[:size]
	clear(s.runTable)
	mask := uint64(size - 1) //nolint:gosec // G115: size is a positive power of two
	s.runGroup = slices.Grow(s.runGroup[:0], len(runs))[:len(runs)]
	groups := s.groups[:0]
	subject := func(r *subjectRun) *Term { return &s.quads[s.lineList[r.first].quad].Subject }
	for i := range runs {
		r := &runs[i]
		t := subject(r)
		for slot := maphash.String(s.seed, t.Value) & mask; ; slot = (slot + 1) & mask {
			g := s.runTable[slot]
			if g == 0 {
				// A new group, first its first run; first becomes a
				// position in the grouped lines below.
				s.runTable[slot] = int32(len(groups)) + 1 //nolint:gosec // G115: fewer runs than quads
				s.runGroup[i] = int32(len(groups))        //nolint:gosec // G115: as above
				groups = append(groups, subjectRun{start: r.start, end: r.end, first: i, n: r.n})
				break
			}
			if o := subject(&runs[groups[g-1].first]); o.Kind == t.Kind && o.Value == t.Value {
				s.runGroup[i] = g - 1
				groups[g-1].n += r.n
				break
			}
		}
	}
	s.groups = groups
	at := 0
	for k := range groups {
		n := groups[k].n
		groups[k].first, groups[k].n = at, 0
		at += n
	}
	grouped := slices.Grow(s.lineGrouped[:0], at)[:at]
	for i, r := range runs {
		g := &groups[s.runGroup[i]]
		copy(grouped[g.first+g.n:], s.lineList[r.first:r.first+r.n])
		g.n += r.n
	}
	s.lineGrouped = grouped
	return groups, grouped
}

// appendCanonQuad is appendQuad with the canonical labels.
func (s *state) appendCanonQuad(b []byte, q *Quad, i int) []byte {
	if t := &s.texts[i]; t.holes > 0 {
		from := t.start
		for k := range int(t.holes) {
			at := t.start + t.hole[k]
			b = append(b, s.textBuf[from:at]...)
			b = append(b, s.canonOf(q.term(t.term[k]).Value)...)
			from = at
		}
		return append(b, s.textBuf[from:t.end]...)
	}
	b = s.appendCanonTerm(b, &q.Subject)
	return s.appendCanonRest(b, q)
}

// appendCanonRest is appendCanonQuad after the subject.
func (s *state) appendCanonRest(b []byte, q *Quad) []byte {
	b = append(b, ' ')
	b = s.appendCanonTerm(b, &q.Predicate)
	b = append(b, ' ')
	b = s.appendCanonTerm(b, &q.Object)
	if q.Graph.Kind != DefaultGraph {
		b = append(b, ' ')
		b = s.appendCanonTerm(b, &q.Graph)
	}
	return append(b, ' ', '.', '\n')
}

func (s *state) appendCanonTerm(b []byte, t *Term) []byte {
	switch t.Kind {
	case BlankNode:
		b = append(b, '_', ':')
		return append(b, s.canonOf(t.Value)...)
	case IRI:
		return s.iris.append(b, t.Value)
	case Literal:
		// appendTerm's, with the datatype's text remembered.
		b = appendString(b, t.Value)
		switch {
		case t.Language != "":
			b = append(b, '@')
			b = append(b, t.Language...)
		case t.Datatype != "" && t.Datatype != XSDString:
			b = append(b, '^', '^')
			b = s.iris.append(b, t.Datatype)
		}
		return b
	}
	return appendTerm(b, *t, nil)
}

// iriCache remembers where the text of an IRI was last written in the
// lines being built, so that a line naming it again copies the text
// instead of escaping it again: a document names a few predicates, types
// and datatypes over and over. It is a small table indexed by the IRI's
// length and last byte; an IRI whose slot another took is written anew.
type iriCache [32]struct {
	iri        string
	start, end int
}

// append writes <iri> at the end of b, the buffer whose earlier text the
// cache knows.
func (c *iriCache) append(b []byte, iri string) []byte {
	if iri == "" {
		return appendIRI(b, iri)
	}
	e := &c[(len(iri)*7+int(iri[len(iri)-1]))%len(c)]
	if e.end > 0 && e.iri == iri {
		return append(b, b[e.start:e.end]...)
	}
	start := len(b)
	b = appendIRI(b, iri)
	e.iri, e.start, e.end = iri, start, len(b)
	return b
}

// quadText is a quad's N-Quads line in state.textBuf[start:end] with its
// blank node labels left out: the label of the term term[k] of the quad
// (0 subject, 1 predicate, 2 object, 3 graph) goes at start+hole[k],
// after its "_:". holes is zero until the text is written; a quad that
// names a blank node has at least one.
type quadText struct {
	start, end int
	hole       [4]int
	term       [4]uint8
	holes      uint8
}

// term is the quad's term k: 0 subject, 1 predicate, 2 object, 3 graph.
func (q *Quad) term(k uint8) *Term {
	switch k {
	case 0:
		return &q.Subject
	case 1:
		return &q.Predicate
	case 2:
		return &q.Object
	}
	return &q.Graph
}

// text is the text of quad i, a quad that names a blank node, written on
// first use.
func (s *state) text(i int) *quadText {
	t := &s.texts[i]
	if t.holes > 0 {
		return t
	}
	q := &s.quads[i]
	b := s.textBuf
	t.start = len(b)
	for k := range uint8(4) {
		term := q.term(k)
		if k == 3 && term.Kind == DefaultGraph {
			break
		}
		if k > 0 {
			b = append(b, ' ')
		}
		if term.Kind == BlankNode {
			b = append(b, '_', ':')
			t.hole[t.holes], t.term[t.holes] = len(b)-t.start, k
			t.holes++
			continue
		}
		b = appendTerm(b, *term, nil)
	}
	b = append(b, ' ', '.', '\n')
	t.end = len(b)
	s.textBuf = b
	return t
}

// issuer is the Issue Identifier algorithm's state for the temporary
// identifiers of the Hash N-Degree Quads algorithm (prefix "b"): the
// identifier issued for order[k] is b<k>. index finds a label's position
// once there are more than issuerScan labels; below, a scan of order costs
// less than a map, and a run on a credential makes a few issuers of a
// label or two, which then cost one allocation each.
type issuer struct {
	order  []string
	index  map[string]int
	inline [4]string
}

// issuerScan is how many labels an issuer finds by scanning.
const issuerScan = 8

func newIssuer() *issuer {
	i := &issuer{}
	i.order = i.inline[:0]
	return i
}

// tmpLabel is the identifier b<k>.
func tmpLabel(k int) string {
	if k < len(tmpLabels) {
		return tmpLabels[k]
	}
	return "b" + strconv.Itoa(k)
}

// pos is the position of old in i.order.
func (i *issuer) pos(old string) (int, bool) {
	if i.index != nil {
		k, ok := i.index[old]
		return k, ok
	}
	for k, o := range i.order {
		if o == old {
			return k, true
		}
	}
	return 0, false
}

func (i *issuer) has(old string) bool {
	_, ok := i.pos(old)
	return ok
}

// lookup is the identifier issued for old, if any.
func (i *issuer) lookup(old string) (string, bool) {
	k, ok := i.pos(old)
	if !ok {
		return "", false
	}
	return tmpLabel(k), true
}

func (i *issuer) issue(old string) string {
	if k, ok := i.pos(old); ok {
		return tmpLabel(k)
	}
	k := len(i.order)
	i.order = append(i.order, old)
	switch {
	case i.index != nil:
		i.index[old] = k
	case len(i.order) > issuerScan:
		i.index = make(map[string]int, 2*len(i.order))
		for k, o := range i.order {
			i.index[o] = k
		}
	}
	return tmpLabel(k)
}

func (i *issuer) clone() *issuer {
	c := &issuer{}
	c.order = append(c.inline[:0], i.order...)
	if i.index != nil {
		c.index = make(map[string]int, len(i.index)+4)
		for k, v := range i.index {
			c.index[k] = v
		}
	}
	return c
}

// permuter enumerates the permutations of a list with the
// Steinhaus-Johnson-Trotter algorithm, starting from the sorted list, in the
// order the reference implementation uses (elements that are equal share a
// direction).
type permuter struct {
	current []string
	left    map[string]bool
	started bool
	done    bool
}

func newPermuter(list []string) *permuter {
	cur := slices.Clone(list)
	if len(cur) == 1 {
		// One permutation, no direction to keep.
		return &permuter{current: cur}
	}
	slices.Sort(cur)
	left := make(map[string]bool, len(cur))
	for _, e := range cur {
		left[e] = true
	}
	return &permuter{current: cur, left: left}
}

// next advances to the next permutation (the first call yields the sorted
// list) and reports whether there is one.
func (p *permuter) next() bool {
	if !p.started {
		p.started = true
		return true
	}
	if p.done {
		return false
	}
	k, pos, found := "", 0, false
	n := len(p.current)
	for i, e := range p.current {
		l := p.left[e]
		if (!found || e > k) && ((l && i > 0 && e > p.current[i-1]) || (!l && i < n-1 && e > p.current[i+1])) {
			k, pos, found = e, i, true
		}
	}
	if !found {
		p.done = true
		return false
	}
	swap := pos + 1
	if p.left[k] {
		swap = pos - 1
	}
	p.current[pos], p.current[swap] = p.current[swap], k
	for _, e := range p.current {
		if e > k {
			p.left[e] = !p.left[e]
		}
	}
	return true
}
