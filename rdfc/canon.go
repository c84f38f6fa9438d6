package rdfc

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/sha512"
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
	lines := s.lines()
	out := s.join(lines)
	canon := make([]Quad, len(lines))
	for k, l := range lines {
		q := s.quads[l.quad]
		canon[k] = Quad{s.relabel(q.Subject), q.Predicate, s.relabel(q.Object), s.relabel(q.Graph)}
	}
	return out, canon, nil
}

// relabel is t as its canonical N-Quads text reads back: a blank node with
// its canonical label, a literal without the datatype the text leaves out.
func (s *state) relabel(t Term) Term {
	switch t.Kind {
	case BlankNode:
		t.Value = s.canon.ids[t.Value]
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
	return s.canon.ids, nil
}

type nodeInfo struct {
	quads []int
	hash  string
}

// state is the canonicalization state of one run.
type state struct {
	quads     []Quad
	nodes     map[string]*nodeInfo
	order     []string // blank nodes in order of first appearance
	canon     *issuer
	newHash   func() hash.Hash
	h         hash.Hash
	buf       []byte
	remaining int // calls to hashNDegree left; -1 is unbounded
	maxDeep   int
	perms     int
	ctx       context.Context
	calls     int // hash computations so far
	maxCalls  int // 0: unbounded
	steps     int // loop steps left before the next look at ctx
}

func run(ctx context.Context, in []Quad, opts Options) (*state, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rdfc: %w", err)
	}
	// buf holds the lines of one blank node's hash; a few hundred bytes
	// up front save regrowing it for the first ones.
	s := &state{canon: newIssuer("c14n"), ctx: ctx, maxCalls: opts.MaxHashCalls, steps: checkEvery, buf: make([]byte, 0, 1024)}
	if opts.HashCalls != nil {
		defer func() { *opts.HashCalls += s.calls }()
	}
	switch opts.Hash {
	case "", SHA256:
		s.newHash = sha256.New
	case SHA384:
		s.newHash = sha512.New384
	default:
		return nil, fmt.Errorf("rdfc: unsupported hash algorithm %q", opts.Hash)
	}
	s.h = s.newHash()
	s.perms = opts.MaxPermutations
	if s.perms <= 0 {
		s.perms = defaultMaxPermutations
	}
	s.dedupe(in)

	// Blank node to quads map, in order of first appearance.
	s.nodes = make(map[string]*nodeInfo)
	for i := range s.quads {
		q := &s.quads[i]
		s.addNode(q.Subject, i)
		s.addNode(q.Object, i)
		s.addNode(q.Graph, i)
	}

	// A lone blank node (a proof's options) gets the first label whatever
	// its hash: the hash only orders nodes. The call is still counted.
	if len(s.order) == 1 {
		if err := s.spend(); err != nil {
			return nil, err
		}
		s.canon.issue(s.order[0])
		return s, nil
	}

	// First-degree hashes; a hash shared by one node only gives it its
	// canonical label straight away.
	byHash := make(map[string][]string, len(s.order))
	for _, id := range s.order {
		if err := s.spend(); err != nil {
			return nil, err
		}
		h := s.hashFirstDegree(id)
		s.nodes[id].hash = h
		byHash[h] = append(byHash[h], id)
	}
	hashes := make([]string, 0, len(byHash))
	for h := range byHash {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	var nonUnique [][]string
	nonUniqueCount := 0
	for _, h := range hashes {
		ids := byHash[h]
		if len(ids) > 1 {
			nonUnique = append(nonUnique, ids)
			nonUniqueCount += len(ids)
			continue
		}
		s.canon.issue(ids[0])
	}
	if len(nonUnique) == 0 {
		return s, nil
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

	for _, ids := range nonUnique {
		type result struct {
			hash string
			iss  *issuer
		}
		var paths []result
		for _, id := range ids {
			if s.canon.has(id) {
				continue
			}
			tmp := newIssuer("b")
			tmp.issue(id)
			h, iss, err := s.hashNDegree(id, tmp)
			if err != nil {
				return nil, err
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
				s.canon.issue(old)
			}
		}
	}
	return s, nil
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
		s.quads = make([]Quad, len(in))
		for i, q := range in {
			s.quads[i] = Quad{q.Subject.normalize(), q.Predicate.normalize(), q.Object.normalize(), q.Graph.normalize()}
		}
	}
	// Repeats are found by sorting positions on a hash of each quad and
	// comparing whole quads only within a run of equal hashes, where a
	// sort on the quads themselves compares long IRIs n log n times.
	// Equal quads hash alike, so the first occurrence is the one kept.
	type keyed struct {
		h uint64
		i int32
	}
	seed := maphash.MakeSeed()
	idx := make([]keyed, len(s.quads))
	var mh maphash.Hash
	mh.SetSeed(seed)
	for i := range s.quads {
		mh.Reset()
		q := &s.quads[i]
		for _, t := range [...]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
			mh.WriteByte(byte(t.Kind))
			mh.WriteString(t.Value)
			mh.WriteByte(0)
			mh.WriteString(t.Datatype)
			mh.WriteByte(0)
			mh.WriteString(t.Language)
			mh.WriteByte(0)
		}
		idx[i] = keyed{mh.Sum64(), int32(i)}
	}
	slices.SortFunc(idx, func(a, b keyed) int {
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	var dup []bool
	for start := 0; start < len(idx); {
		end := start + 1
		for end < len(idx) && idx[end].h == idx[start].h {
			end++
		}
		// A run of equal hashes: whole quads decide, each against the
		// earlier ones of the run.
		for k := start + 1; k < end; k++ {
			for j := start; j < k; j++ {
				if (dup == nil || !dup[idx[j].i]) && compareQuads(&s.quads[idx[j].i], &s.quads[idx[k].i]) == 0 {
					if dup == nil {
						dup = make([]bool, len(s.quads))
					}
					dup[idx[k].i] = true
					break
				}
			}
		}
		start = end
	}
	if dup == nil {
		return
	}
	kept := make([]Quad, 0, len(s.quads))
	for i, q := range s.quads {
		if !dup[i] {
			kept = append(kept, q)
		}
	}
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
// at each only when the ones before are equal (cmp.Or would compare them
// all: the sort of dedupe calls this n log n times).
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

func (s *state) addNode(t Term, quad int) {
	if t.Kind != BlankNode {
		return
	}
	n, ok := s.nodes[t.Value]
	if !ok {
		n = &nodeInfo{}
		s.nodes[t.Value] = n
		s.order = append(s.order, t.Value)
	}
	// A quad naming the node twice is listed once.
	if k := len(n.quads); k == 0 || n.quads[k-1] != quad {
		n.quads = append(n.quads, quad)
	}
}

func (s *state) sum() string {
	var out [sha512.Size]byte
	return hex.EncodeToString(s.h.Sum(out[:0]))
}

// hashFirstDegree is the Hash First Degree Quads algorithm: the node's
// quads with it written _:a and every other blank node _:z, sorted.
func (s *state) hashFirstDegree(id string) string {
	label := func(l string) string {
		if l == id {
			return "a"
		}
		return "z"
	}
	n := s.nodes[id]
	lines := make([][]byte, 0, len(n.quads))
	s.buf = s.buf[:0]
	for _, qi := range n.quads {
		start := len(s.buf)
		s.buf = appendQuad(s.buf, s.quads[qi], label)
		lines = append(lines, s.buf[start:len(s.buf):len(s.buf)])
	}
	slices.SortFunc(lines, bytes.Compare)
	s.h.Reset()
	for _, l := range lines {
		s.h.Write(l)
	}
	return s.sum()
}

// hashRelated is the Hash Related Blank Node algorithm.
func (s *state) hashRelated(related string, q *Quad, iss *issuer, position byte) string {
	var id string
	switch {
	case s.canon.has(related):
		id = "_:" + s.canon.ids[related]
	case iss.has(related):
		id = "_:" + iss.ids[related]
	default:
		id = s.nodes[related].hash
	}
	b := s.buf[:0]
	b = append(b, position)
	if position != 'g' {
		b = append(b, '<')
		b = append(b, q.Predicate.Value...)
		b = append(b, '>')
	}
	b = append(b, id...)
	s.buf = b
	s.h.Reset()
	s.h.Write(b)
	return s.sum()
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

	related := make(map[string][]string)
	for _, qi := range s.nodes[id].quads {
		q := &s.quads[qi]
		for _, c := range [...]struct {
			t   Term
			pos byte
		}{{q.Subject, 's'}, {q.Object, 'o'}, {q.Graph, 'g'}} {
			if c.t.Kind != BlankNode || c.t.Value == id {
				continue
			}
			if err := s.spend(); err != nil {
				return "", nil, err
			}
			h := s.hashRelated(c.t.Value, q, iss, c.pos)
			related[h] = append(related[h], c.t.Value)
		}
	}
	hashes := make([]string, 0, len(related))
	for h := range related {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)

	var data []byte
	for _, h := range hashes {
		data = append(data, h...)
		var chosenPath string
		var chosenIssuer *issuer
		p := newPermuter(related[h])
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
				if s.canon.has(r) {
					path = append(append(path, "_:"...), s.canon.ids[r]...)
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
		data = append(data, chosenPath...)
		iss = chosenIssuer
	}
	s.h.Reset()
	s.h.Write(data)
	return s.sum(), iss, nil
}

// CanonicalizeTo writes the canonical N-Quads document Canonicalize
// returns to w, line by line, without building it in memory first: a
// signer that only hashes it passes the hash.
func CanonicalizeTo(ctx context.Context, w io.Writer, quads []Quad, opts Options) error {
	s, err := run(ctx, quads, opts)
	if err != nil {
		return err
	}
	for _, l := range s.lines() {
		if _, err := w.Write(l.text); err != nil {
			return fmt.Errorf("rdfc: writing: %w", err)
		}
	}
	return nil
}

// serialize writes every quad with its canonical labels, sorted.
func (s *state) serialize() []byte {
	return s.join(s.lines())
}

// join is the document of lines.
func (s *state) join(lines []line) []byte {
	n := 0
	for _, l := range lines {
		n += len(l.text)
	}
	out := make([]byte, 0, n)
	for _, l := range lines {
		out = append(out, l.text...)
	}
	return out
}

// line is one quad's canonical N-Quads line and the quad's position in
// s.quads.
type line struct {
	text []byte
	quad int
}

// lines returns every quad with its canonical labels as an N-Quads line,
// sorted.
func (s *state) lines() []line {
	label := func(l string) string { return s.canon.ids[l] }
	lines := make([]line, 0, len(s.quads))
	// Sized up front from the terms (escapes aside), so the lines are
	// written into one array instead of one regrown several times.
	size := 0
	for i := range s.quads {
		q := &s.quads[i]
		for _, t := range [...]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
			size += len(t.Value) + len(t.Datatype) + len(t.Language) + 8
		}
	}
	buf := make([]byte, 0, size)
	for i := range s.quads {
		start := len(buf)
		buf = appendQuad(buf, s.quads[i], label)
		lines = append(lines, line{buf[start:len(buf):len(buf)], i})
	}
	// Earlier lines were written to an older backing array when buf grew;
	// they stay valid because appends never modify written bytes.
	slices.SortFunc(lines, func(a, b line) int { return bytes.Compare(a.text, b.text) })
	return lines
}

// issuer is the Issue Identifier algorithm's state.
type issuer struct {
	prefix string
	ids    map[string]string
	order  []string
}

func newIssuer(prefix string) *issuer {
	return &issuer{prefix: prefix, ids: make(map[string]string)}
}

func (i *issuer) has(old string) bool {
	_, ok := i.ids[old]
	return ok
}

func (i *issuer) issue(old string) string {
	if id, ok := i.ids[old]; ok {
		return id
	}
	id := i.prefix + strconv.Itoa(len(i.order))
	i.ids[old] = id
	i.order = append(i.order, old)
	return id
}

func (i *issuer) clone() *issuer {
	c := &issuer{prefix: i.prefix, ids: make(map[string]string, len(i.ids)+4), order: make([]string, len(i.order), len(i.order)+4)}
	for k, v := range i.ids {
		c.ids[k] = v
	}
	copy(c.order, i.order)
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
