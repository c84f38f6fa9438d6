package verifier

import (
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/rdfc"
	"github.com/badgesmith/badgesmith/status"
)

// Vocabulary IRIs the checks read. The checks never look at JSON keys: a
// key is one of many spellings of these (a term, a compact IRI, the full
// IRI, a key under @nest), and only the IRI is what was signed.
const (
	rdfType   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	credNS    = "https://www.w3.org/2018/credentials#"
	statusNS  = "https://www.w3.org/ns/credentials/status#"
	sl2021NS  = "https://w3id.org/vc/status-list#"
	obNS      = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
	clrNS     = "https://purl.imsglobal.org/spec/vc/clr/vocab.html#"
	schemaOrg = "https://schema.org/"

	iriVerifiableCredential = credNS + "VerifiableCredential"
	iriIssuer               = credNS + "issuer"
	iriCredentialSubject    = credNS + "credentialSubject"
	iriCredentialStatus     = credNS + "credentialStatus"
	iriValidFrom            = credNS + "validFrom"
	iriValidUntil           = credNS + "validUntil"
	iriIssuanceDate         = credNS + "issuanceDate"
	iriExpirationDate       = credNS + "expirationDate"
	iriName                 = schemaOrg + "name"
	iriAchievement          = obNS + "achievement"
	iriCredentialSchema     = credNS + "credentialSchema"
)

// statusNamespaces are the vocabularies of the status entry and list terms
// badgesmith reads: Bitstring Status List 1.0, then StatusList2021.
var statusNamespaces = []string{statusNS, sl2021NS}

// errStatements marks statements that do not describe one credential (no
// VerifiableCredential node, several candidates, a property with values of
// the wrong kind). The proof may be fine; the claims cannot be read.
var errStatements = errors.New("statements do not describe one credential")

// graph is the default graph of a set of RDF statements, indexed by
// subject then predicate. Statements in named graphs (the proofs of a
// proof chain) are not claims about the credential and are left out.
//
// The index is flat slices of integers rather than a map per subject:
// nodes sorted by subject, each with its properties (sorted by predicate
// when there are too many to scan), each a run of the statements in input
// order, and a hash table over the nodes for lookups by subject. Canonical statements come grouped by
// subject and predicate, so it is built in one pass, and it holds no
// pointers but the statements themselves: a property's statements are a
// window of the input quads rather than a copy of their objects, and the
// collector has nothing in the index to scan.
type graph struct {
	// quads are the statements indexed: the input, or the sorted copy of
	// its default graph's (indexGraph).
	quads []rdfc.Quad
	nodes []gnode
	props []gprop
	// nodeSlots is an open-addressing hash table over nodes by subject
	// (see hash): a node's index plus one, 0 for an empty slot. The seed
	// is per graph, so no input can be made to collide on purpose. Nil
	// for a graph too large to hash, searched by bisection instead.
	nodeSlots []int32
	mask      uint64 // len(nodeSlots) - 1
	seed      maphash.Seed
	// rootNode is the credential node, once root has found it.
	rootNode rdfc.Term
}

// gnode is one subject of a graph and its properties.
type gnode struct {
	// at is the index in quads of the first statement about the subject.
	at int32
	// first and end bound its properties in props.
	first, end int32
}

// gprop is one predicate of a subject: its statements are quads
// [first, end), in input order; the graph reads only their objects.
type gprop struct{ first, end int32 }

// newGraph indexes the canonical N-Quads nq.
func newGraph(nq []byte) (*graph, error) {
	quads, err := rdfc.ParseNQuads(nq)
	if err != nil {
		return nil, fmt.Errorf("reading the signed statements: %w", err)
	}
	return newGraphQuads(quads), nil
}

// newGraphQuads indexes the default graph of quads.
func newGraphQuads(quads []rdfc.Quad) *graph { return indexGraph(quads, rdfc.Term{}) }

// indexGraph indexes the statements of quads in the graph named name (the
// zero Term for the default graph): every object under its subject and
// predicate, in input order. Input that is not grouped by subject and
// predicate (not canonical), or whose runs have statements of another
// graph inside them, is indexed from a copy of the statements of the graph
// stably sorted by them, which keeps that order. The graph refers to quads
// (or the copy), which must not change while it is in use.
func indexGraph(quads []rdfc.Quad, name rdfc.Term) *graph {
	if g, ok := indexRuns(quads, name); ok {
		return g
	}
	in := make([]rdfc.Quad, 0, len(quads))
	for _, q := range quads {
		if q.Graph == name {
			in = append(in, q)
		}
	}
	slices.SortStableFunc(in, func(a, b rdfc.Quad) int {
		if c := compareTerm(a.Subject, b.Subject); c != 0 {
			return c
		}
		return strings.Compare(a.Predicate.Value, b.Predicate.Value)
	})
	g, _ := indexRuns(in, name)
	return g
}

// indexRuns indexes the statements of quads in the graph named name as
// runs of one subject and of one predicate. It reports false when a
// subject, or a predicate of one, has two runs (the input is not grouped),
// or when a statement of another graph is inside a run of one predicate.
func indexRuns(quads []rdfc.Quad, name rdfc.Term) (*graph, bool) {
	g := &graph{quads: quads}
	if len(quads) > maxIndexed {
		// Past what any limit lets through (hundreds of gigabytes of
		// statements): an empty graph, which describes no credential.
		return g, true
	}
	// One pass, into room for the most runs there can be: the index holds
	// no pointers, so the slack costs the collector nothing to scan.
	prev := -1
	var props int32 // len(g.props)
	for i := range quads {
		q := &quads[i]
		if q.Graph != name {
			continue
		}
		at := int32(i)
		switch {
		case prev < 0 || !sameTerm(&q.Subject, &quads[prev].Subject):
			if g.nodes == nil {
				g.nodes = make([]gnode, 0, len(quads)-i)
				g.props = make([]gprop, 0, len(quads)-i)
			}
			g.nodes = append(g.nodes, gnode{at: at, first: props})
			g.props = append(g.props, gprop{first: at})
			props++
		case q.Predicate.Value != quads[prev].Predicate.Value:
			g.props = append(g.props, gprop{first: at})
			props++
		case prev != i-1:
			return nil, false
		}
		g.props[props-1].end = at + 1
		prev = i
	}
	if len(g.nodes) == 0 {
		return g, true
	}
	comparePredicates := func(a, b gprop) int { return compareWritten(g.predicate(a), g.predicate(b), '>') }
	for i := range g.nodes {
		end := props
		if i+1 < len(g.nodes) {
			end = g.nodes[i+1].first
		}
		nd := &g.nodes[i]
		nd.end = end
		ps := g.props[nd.first:end]
		if len(ps) <= maxScanned {
			// Scanned, not bisected (nodeObjects): any order does, and a
			// predicate with two runs is found by comparing every pair.
			for j := range ps {
				pj := g.predicate(ps[j])
				for k := range j {
					if pk := g.predicate(ps[k]); len(pk) == len(pj) && pk == pj {
						return nil, false
					}
				}
			}
			continue
		}
		if !slices.IsSortedFunc(ps, comparePredicates) {
			slices.SortFunc(ps, comparePredicates)
		}
		for j := 1; j < len(ps); j++ {
			if g.predicate(ps[j]) == g.predicate(ps[j-1]) {
				return nil, false
			}
		}
	}
	compareSubjects := func(a, b gnode) int { return compareTerm(quads[a.at].Subject, quads[b.at].Subject) }
	if !slices.IsSortedFunc(g.nodes, compareSubjects) {
		slices.SortFunc(g.nodes, compareSubjects)
	}
	for i := 1; i < len(g.nodes); i++ {
		if g.subject(&g.nodes[i]) == g.subject(&g.nodes[i-1]) {
			return nil, false
		}
	}
	g.hash()
	return g, true
}

// sameTerm is *a == *b.
func sameTerm(a, b *rdfc.Term) bool {
	return a.Kind == b.Kind && a.Value == b.Value && a.Datatype == b.Datatype && a.Language == b.Language
}

// maxIndexed bounds the statements of a graph, so that every index into
// them fits the index's int32; maxHashed bounds the nodes of a graph with
// a hash table, a larger one being searched by bisection. No document
// under the verifier's limits comes near either.
const (
	maxIndexed = math.MaxInt32 - 1
	maxHashed  = 1 << 28
)

// hash fills g.nodeSlots.
func (g *graph) hash() {
	if len(g.nodes) > maxHashed {
		return
	}
	g.seed = maphash.MakeSeed()
	g.nodeSlots, g.mask = slots(len(g.nodes))
	for i := range g.nodes {
		h := maphash.String(g.seed, g.subject(&g.nodes[i]).Value) & g.mask
		for g.nodeSlots[h] != 0 {
			h = (h + 1) & g.mask
		}
		g.nodeSlots[h] = int32(i) + 1
	}
}

// slots returns an empty hash table for n entries, a power of two at
// least twice n so that probes stay short, and the mask of its indices.
func slots(n int) ([]int32, uint64) {
	size := uint64(8)
	for size < 2*uint64(n) { //nolint:gosec // G115: a length is never negative
		size <<= 1
	}
	return make([]int32, size), size - 1
}

// subject returns the subject of n.
func (g *graph) subject(n *gnode) rdfc.Term { return g.quads[n.at].Subject }

// predicate returns the predicate of p.
func (g *graph) predicate(p gprop) string { return g.quads[p.first].Predicate.Value }

// statements returns the statements of p; their objects are its values.
func (g *graph) statements(p gprop) []rdfc.Quad { return g.quads[p.first:p.end:p.end] }

// propsOf returns the properties of n: in input order when nodeObjects
// scans them, else sorted by predicate.
func (g *graph) propsOf(n *gnode) []gprop { return g.props[n.first:n.end:n.end] }

// compareTerm orders terms as canonical N-Quads order the subjects they
// write, so that canonical statements come sorted: by kind (an IRI, <...>,
// before a blank node, _:...), then value as written, then datatype and
// language.
func compareTerm(a, b rdfc.Term) int {
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	end := byte('>')
	if a.Kind != rdfc.IRI {
		end = ' '
	}
	if c := compareWritten(a.Value, b.Value, end); c != 0 {
		return c
	}
	if c := strings.Compare(a.Datatype, b.Datatype); c != 0 {
		return c
	}
	return strings.Compare(a.Language, b.Language)
}

// compareWritten orders a and b as the text each would be followed by end
// orders them; of two that this would not tell apart, the shorter is
// first, so the order is total.
func compareWritten(a, b string, end byte) int {
	n := min(len(a), len(b))
	if c := strings.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	switch {
	case len(a) == len(b):
		return 0
	case len(a) == n:
		if b[n] < end {
			return 1
		}
		return -1
	}
	if a[n] < end {
		return -1
	}
	return 1
}

// node returns the node of subject s, nil when s is the subject of no
// statement.
func (g *graph) node(s rdfc.Term) *gnode {
	if g.nodeSlots == nil {
		i, ok := slices.BinarySearchFunc(g.nodes, s, func(n gnode, t rdfc.Term) int { return compareTerm(g.subject(&n), t) })
		if !ok {
			return nil
		}
		return &g.nodes[i]
	}
	for h := maphash.String(g.seed, s.Value) & g.mask; g.nodeSlots[h] != 0; h = (h + 1) & g.mask {
		if n := &g.nodes[g.nodeSlots[h]-1]; sameTerm(&g.quads[n.at].Subject, &s) {
			return n
		}
	}
	return nil
}

// nodeObjects returns the statements of predicate p on n; their objects
// are the values of p.
func (g *graph) nodeObjects(n *gnode, p string) []rdfc.Quad {
	props := g.propsOf(n)
	if len(props) <= maxScanned {
		// A node's few predicates share their namespace and differ at the
		// end: comparing lengths, then equality, beats bisecting by order.
		for _, x := range props {
			if q := g.predicate(x); len(q) == len(p) && q == p {
				return g.statements(x)
			}
		}
		return nil
	}
	i, ok := slices.BinarySearchFunc(props, p, func(x gprop, p string) int { return compareWritten(g.predicate(x), p, '>') })
	if !ok {
		return nil
	}
	return g.statements(props[i])
}

// maxScanned is the most properties of a node nodeObjects scans rather
// than bisects.
const maxScanned = 16

func (g *graph) objects(s rdfc.Term, p string) []rdfc.Quad {
	if n := g.node(s); n != nil {
		return g.nodeObjects(n, p)
	}
	return nil
}

// typed returns the subjects that have type iri, in the graph's order.
func (g *graph) typed(iri string) []rdfc.Term {
	var out []rdfc.Term
	for i := range g.nodes {
		if hasIRI(g.nodeObjects(&g.nodes[i], rdfType), func(v string) bool { return v == iri }) {
			out = append(out, g.subject(&g.nodes[i]))
		}
	}
	return out
}

// unreferenced returns the terms of subjects, sorted as typed returns
// them, that are the object of no statement (of none but those of the
// predicates skip).
func (g *graph) unreferenced(subjects []rdfc.Term, skip ...string) []rdfc.Term {
	seen := make([]bool, len(subjects))
	for _, p := range g.props {
		if len(skip) > 0 && slices.Contains(skip, g.predicate(p)) {
			continue
		}
		for j := p.first; j < p.end; j++ {
			o := &g.quads[j].Object
			if o.Kind == rdfc.Literal {
				continue
			}
			if k, ok := slices.BinarySearchFunc(subjects, *o, compareTerm); ok {
				seen[k] = true
			}
		}
	}
	var out []rdfc.Term
	for i, s := range subjects {
		if !seen[i] {
			out = append(out, s)
		}
	}
	return out
}

func (g *graph) hasType(s rdfc.Term, iri string) bool {
	return hasIRI(g.objects(s, rdfType), func(v string) bool { return v == iri })
}

// hasIRI reports whether the object of one of sts is an IRI that match
// accepts.
func hasIRI(sts []rdfc.Quad, match func(string) bool) bool {
	for i := range sts {
		if o := &sts[i].Object; o.Kind == rdfc.IRI && match(o.Value) {
			return true
		}
	}
	return false
}

// root returns the credential node: the one VerifiableCredential that no
// other statement points at (an embedded endorsement is pointed at by its
// endorsement property).
func (g *graph) root() (rdfc.Term, error) {
	all := g.typed(iriVerifiableCredential)
	switch len(all) {
	case 0:
		return rdfc.Term{}, fmt.Errorf("%w: no node has type VerifiableCredential", errStatements)
	case 1:
		// Pointed at or not, the only credential node is the root.
		return all[0], nil
	}
	if roots := g.unreferenced(all); len(roots) == 1 {
		return roots[0], nil
	}
	// An endorsement of the credential itself (OB 3.0's endorsement on an
	// AchievementCredential, or an endorsement of its host endorsement)
	// has the credential as its subject: the credential points at the
	// endorsement and the endorsement back at it. Its credentialSubject
	// statement is then no containment; isDocument still holds the root
	// to the document's own id.
	if roots := g.unreferenced(all, iriCredentialSubject); len(roots) == 1 {
		return roots[0], nil
	}
	return rdfc.Term{}, fmt.Errorf("%w: %d VerifiableCredential nodes and no single root among them", errStatements, len(all))
}

// isDocument checks that c, read from the root g found, is the credential
// the document's top-level object describes: the node whose id is the
// document's id, or, for a document without one, the only credential node.
// Without it, a signer could use @reverse to make another credential node
// the only one nothing points at, and the checks would judge that node
// while the document shows its own.
func (g *graph) isDocument(c *Claims, doc map[string]any) error {
	id, _ := doc["id"].(string)
	if id == "" {
		id, _ = doc["@id"].(string)
	}
	if c.ID != id {
		return fmt.Errorf("%w: the statements' credential is %q, the document's is %q", errStatements, c.ID, id)
	}
	if id == "" {
		if n := len(g.typed(iriVerifiableCredential)); n > 1 {
			return fmt.Errorf("%w: %d VerifiableCredential nodes and the document has no id to tell which it is", errStatements, n)
		}
	}
	return nil
}

// one returns the single value of p on s, or the zero Term when there is
// none; several values are an error naming the property.
func (g *graph) one(s rdfc.Term, p, name string) (rdfc.Term, error) {
	vals := g.objects(s, p)
	switch len(vals) {
	case 0:
		return rdfc.Term{}, nil
	case 1:
		return vals[0].Object, nil
	}
	return rdfc.Term{}, &claimError{path: name, err: fmt.Errorf("%w: %s has %d values, want one", errStatements, name, len(vals))}
}

// literal returns the single literal value of p on s ("" when absent).
func (g *graph) literal(s rdfc.Term, p, name string) (string, bool, error) {
	t, err := g.one(s, p, name)
	if err != nil || t.Kind == rdfc.DefaultGraph {
		return "", false, err
	}
	if t.Kind != rdfc.Literal {
		return "", false, &claimError{path: name, err: fmt.Errorf("%w: %s is a node, want a value", errStatements, name)}
	}
	return t.Value, true, nil
}

// iri returns the single IRI value of p on s ("" when absent or a blank
// node, which has no id).
func (g *graph) iri(s rdfc.Term, p, name string) (string, error) {
	t, err := g.one(s, p, name)
	if err != nil {
		return "", err
	}
	switch t.Kind {
	case rdfc.Literal:
		return "", &claimError{path: name, err: fmt.Errorf("%w: %s is a value, want a node", errStatements, name)}
	case rdfc.IRI:
		return t.Value, nil
	}
	return "", nil
}

// date reads a date-time bound: a literal whose lexical form is an RFC 3339
// date-time with a time zone, whatever its datatype says.
func (g *graph) date(s rdfc.Term, p, name string) (time.Time, error) {
	v, ok, err := g.literal(s, p, name)
	if err != nil || !ok {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, &claimError{path: name, err: fmt.Errorf("%s %q is not a date-time with a time zone", name, clipText(v))}
	}
	if t.IsZero() {
		// The zero time.Time is how Claims says "absent": read as one, a
		// validUntil of 0001-01-01T00:00:00Z would drop the bound.
		return time.Time{}, &claimError{path: name, err: fmt.Errorf("%s %q is the zero instant, which cannot be told from no %s", name, clipText(v), name)}
	}
	return t, nil
}

// shortTypes returns the type IRIs of s, sorted: as their term name when
// they are in a vocabulary badgesmith bundles, in full otherwise, so
// https://example.org/OpenBadgeCredential never reads as the OB type.
func (g *graph) shortTypes(s rdfc.Term) []string {
	var out []string
	types := g.objects(s, rdfType)
	for _, stmt := range types {
		t := stmt.Object
		if t.Kind == rdfc.IRI {
			if out == nil {
				out = make([]string, 0, len(types))
			}
			out = append(out, shortIRI(t.Value))
		}
	}
	slices.Sort(out)
	return out
}

// typeNamespaces are the vocabularies whose type IRIs read as term names.
var typeNamespaces = []string{credNS, statusNS, sl2021NS, obNS, clrNS}

func shortIRI(iri string) string {
	for _, ns := range typeNamespaces {
		if local, ok := strings.CutPrefix(iri, ns); ok && local != "" && !strings.ContainsAny(local, "#/") {
			return local
		}
	}
	return iri
}

func lastSegment(iri string) string {
	if i := strings.LastIndexAny(iri, "#/"); i >= 0 && i < len(iri)-1 {
		return iri[i+1:]
	}
	return iri
}

// claimError locates a claim that cannot be read from the statements.
type claimError struct {
	path string
	err  error
}

func (e *claimError) Error() string    { return e.err.Error() }
func (e *claimError) Unwrap() error    { return e.err }
func (e *claimError) JSONPath() string { return e.path }

// credentialClaims reads the claims of the credential the statements nq
// describe.
func credentialClaims(nq []byte) (*Claims, *graph, error) {
	g, err := newGraph(nq)
	if err != nil {
		return nil, nil, err
	}
	return graphClaims(g)
}

// outcomeClaims reads the claims of the statements a verified proof
// covers.
func outcomeClaims(o *proof.Outcome) (*Claims, *graph, error) {
	// The proof has the statements as terms already; parsing their text
	// again would only give the same quads.
	if o.Quads != nil {
		return graphClaims(newGraphQuads(o.Quads))
	}
	return credentialClaims(o.Statements)
}

// graphClaims reads the claims of the credential g describes.
func graphClaims(g *graph) (*Claims, *graph, error) {
	root, err := g.root()
	if err != nil {
		return nil, nil, err
	}
	g.rootNode = root
	c := &Claims{Types: g.shortTypes(root)}
	if root.Kind == rdfc.IRI {
		c.ID = root.Value
	}
	if c.Issuer, err = g.iri(root, iriIssuer, "issuer"); err != nil {
		return nil, nil, err
	}
	for _, b := range []struct {
		iri, name string
		dst       *time.Time
	}{
		{iriValidFrom, "validFrom", &c.ValidFrom},
		{iriIssuanceDate, "issuanceDate", &c.IssuanceDate},
		{iriValidUntil, "validUntil", &c.ValidUntil},
		{iriExpirationDate, "expirationDate", &c.ExpirationDate},
	} {
		if *b.dst, err = g.date(root, b.iri, b.name); err != nil {
			return nil, nil, err
		}
	}
	subjects := g.objects(root, iriCredentialSubject)
	if len(subjects) > 0 && subjects[0].Object.Kind == rdfc.IRI {
		c.Subject = subjects[0].Object.Value
	}
	c.Name = g.name(root)
	if c.Name == "" && len(subjects) > 0 {
		for _, stmt := range g.objects(subjects[0].Object, iriAchievement) {
			a := stmt.Object
			if c.Name = g.name(a); c.Name != "" {
				break
			}
		}
	}
	for _, stmt := range g.objects(root, iriCredentialStatus) {
		e := stmt.Object
		c.Status = append(c.Status, g.statusClaim(e))
	}
	c.Award = g.award(root)
	c.Clr = g.clr(root)
	c.clrNodes = g.clrNodes()
	if len(subjects) == 1 {
		if n := g.node(subjects[0].Object); n != nil {
			props := g.propsOf(n)
			c.subjectPredicates = make([]string, 0, len(props)+2)
			for _, p := range props {
				c.subjectPredicates = append(c.subjectPredicates, g.predicate(p))
				if g.predicate(p) == rdfType {
					// A type besides EndorsementSubject is a claim about
					// what an endorsement endorses.
					// (The type's IRI stands for it, not copied.)
					sts := g.statements(p)
					for i := range sts {
						if o := &sts[i].Object; o.Kind != rdfc.IRI || o.Value != iriEndorsementSubject {
							c.subjectPredicates = append(c.subjectPredicates, o.Value)
						}
					}
				}
			}
			slices.Sort(c.subjectPredicates)
		}
	}
	c.described = g.described(root)
	return c, g, nil
}

// described returns the IRI subjects other than root that g gives a
// property other than endorsementComment or a type other than
// EndorsementSubject (what an endorsement states of what it endorses).
func (g *graph) described(root rdfc.Term) []string {
	var out []string
	for i := range g.nodes {
		n := &g.nodes[i]
		s := g.subject(n)
		if s.Kind != rdfc.IRI || sameTerm(&s, &root) {
			continue
		}
		for _, p := range g.propsOf(n) {
			if g.beyondEndorsing(p) {
				if out == nil {
					// One allocation: room for every node left.
					out = make([]string, 0, len(g.nodes)-i)
				}
				out = append(out, s.Value)
				break
			}
		}
	}
	return out
}

// beyondEndorsing reports whether the statements of p state more than an
// endorsement states of its subject: an endorsementComment, and the type
// EndorsementSubject. (Another type, ClrCredential on a credential, say,
// is a claim about it.)
func (g *graph) beyondEndorsing(p gprop) bool {
	switch g.predicate(p) {
	case iriEndorsementComment:
		return false
	case rdfType:
		// Without otherTypes' slice: described runs for every credential.
		sts := g.statements(p)
		for i := range sts {
			if o := &sts[i].Object; o.Kind != rdfc.IRI || o.Value != iriEndorsementSubject {
				return true
			}
		}
		return false
	}
	return true
}

// hasPredicate reports whether a statement of g has predicate p.
func (g *graph) hasPredicate(p string) bool {
	for i := range g.props {
		if g.predicate(g.props[i]) == p {
			return true
		}
	}
	return false
}

// countFrom counts the statements of predicate p whose subject is in from.
func (g *graph) countFrom(from map[rdfc.Term]bool, p string) int {
	n := 0
	for s := range from {
		if node := g.node(s); node != nil {
			n += len(g.nodeObjects(node, p))
		}
	}
	return n
}

// reachable returns the nodes reachable from root over statements other
// than those of the predicates skip: the nodes whose properties the claims
// of the credential can read.
func (g *graph) reachable(root rdfc.Term, skip ...string) map[rdfc.Term]bool {
	seen := map[rdfc.Term]bool{root: true}
	queue := []rdfc.Term{root}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		n := g.node(s)
		if n == nil {
			continue
		}
		for _, p := range g.propsOf(n) {
			if slices.Contains(skip, g.predicate(p)) {
				continue
			}
			for _, q := range g.statements(p) {
				if o := q.Object; o.Kind != rdfc.Literal && !seen[o] {
					seen[o] = true
					queue = append(queue, o)
				}
			}
		}
	}
	return seen
}

// name is the first plain name of s, for display only.
func (g *graph) name(s rdfc.Term) string {
	for _, stmt := range g.objects(s, iriName) {
		t := stmt.Object
		if t.Kind == rdfc.Literal {
			return t.Value
		}
	}
	return ""
}

// statusProp returns the values of a status list property, in whichever
// of the status vocabularies the entry uses.
func (g *graph) statusProp(s rdfc.Term, local string) []rdfc.Quad {
	n := g.node(s)
	if n == nil {
		return nil
	}
	iris, ok := statusIRIs[local]
	if !ok {
		for i, ns := range statusNamespaces {
			iris[i] = ns + local
		}
	}
	for _, iri := range iris {
		if v := g.nodeObjects(n, iri); len(v) > 0 {
			return v
		}
	}
	return nil
}

// statusIRIs are, per status property statusProp is asked for, its IRI
// in each of statusNamespaces, so that no lookup builds one.
var statusIRIs = func() map[string][2]string {
	m := map[string][2]string{}
	for _, local := range []string{"statusPurpose", "statusListIndex", "statusListCredential", "statusReference",
		"statusSize", "statusMessage", "status", "message", "encodedList", "ttl"} {
		m[local] = [2]string{statusNamespaces[0] + local, statusNamespaces[1] + local}
	}
	return m
}()

func (g *graph) statusClaim(e rdfc.Term) StatusClaim {
	sc := StatusClaim{}
	if e.Kind == rdfc.IRI {
		sc.ID = e.Value
	}
	sc.Type = strings.Join(g.shortTypes(e), " ")
	first := func(local string) string {
		if v := g.statusProp(e, local); len(v) > 0 {
			return v[0].Object.Value
		}
		return ""
	}
	sc.StatusPurpose = status.Purpose(first("statusPurpose"))
	sc.StatusListIndex = first("statusListIndex")
	sc.StatusListCredential = first("statusListCredential")
	return sc
}

// statusEntry rebuilds credentialStatus entry e as the JSON object status
// .ParseEntry reads, with its compact term names: a compaction of the
// signed statements, never the submitted JSON. Values of the wrong kind
// are passed on as they are, for ParseEntry to refuse with its own
// message.
func (g *graph) statusEntry(e rdfc.Term) map[string]any {
	m := make(map[string]any)
	if e.Kind == rdfc.IRI {
		m["id"] = e.Value
	}
	switch types := g.objects(e, rdfType); len(types) {
	case 0:
	case 1:
		m["type"] = compactStatusType(types[0].Object.Value)
	default:
		list := make([]any, len(types))
		for i := range types {
			list[i] = compactStatusType(types[i].Object.Value)
		}
		m["type"] = list
	}
	g.putValues(m, e, "statusPurpose")
	g.putValues(m, e, "statusListIndex")
	g.putValues(m, e, "statusListCredential")
	g.putValues(m, e, "statusReference")
	if v := g.statusProp(e, "statusSize"); len(v) > 0 {
		m["statusSize"] = numberOrText(v[0].Object)
	}
	if msgs := g.statusProp(e, "statusMessage"); len(msgs) > 0 {
		list := make([]any, 0, len(msgs))
		for _, stmt := range msgs {
			n := stmt.Object
			item := make(map[string]any)
			if v := g.statusProp(n, "status"); len(v) > 0 {
				item["status"] = v[0].Object.Value
			}
			if v := g.statusProp(n, "message"); len(v) > 0 {
				item["message"] = v[0].Object.Value
			}
			list = append(list, item)
		}
		m["statusMessage"] = list
	}
	return m
}

// putValues copies a status property into m: one value as itself, several
// as an array, so ParseEntry sees what a compacted document would hold.
func (g *graph) putValues(m map[string]any, s rdfc.Term, local string) {
	vals := g.statusProp(s, local)
	switch len(vals) {
	case 0:
		return
	case 1:
		m[local] = vals[0].Object.Value
		return
	}
	list := make([]any, len(vals))
	for i := range vals {
		list[i] = vals[i].Object.Value
	}
	m[local] = list
}

// compactStatusType gives the term name of the status types badgesmith
// knows and the full IRI of any other, which ParseEntry reports as
// unsupported.
func compactStatusType(iri string) string {
	for _, ns := range statusNamespaces {
		if local, ok := strings.CutPrefix(iri, ns); ok {
			return local
		}
	}
	if strings.HasSuffix(iri, "#1EdTechRevocationList") && strings.HasPrefix(iri, "https://purl.imsglobal.org/spec/") {
		return "1EdTechRevocationList"
	}
	return iri
}

// numberOrText returns an integer literal as a number, anything else as
// its text.
func numberOrText(t rdfc.Term) any {
	if n, err := strconv.ParseInt(t.Value, 10, 64); err == nil {
		return float64(n)
	}
	return t.Value
}

// view is the compacted reading of the credential the status checker and
// other map-based consumers receive: id, issuer and credentialStatus, each
// taken from the statements.
func (g *graph) view(c *Claims, root rdfc.Term) map[string]any {
	m := map[string]any{}
	if c.ID != "" {
		m["id"] = c.ID
	}
	if c.Issuer != "" {
		m["issuer"] = c.Issuer
	}
	entries := g.objects(root, iriCredentialStatus)
	switch {
	case len(entries) == 1:
		// One entry reads as one object, as compaction writes it.
		m["credentialStatus"] = g.statusEntry(entries[0].Object)
	case len(entries) > 1:
		list := make([]any, len(entries))
		for i := range entries {
			list[i] = g.statusEntry(entries[i].Object)
		}
		m["credentialStatus"] = list
	}
	return m
}

// clipText shortens a value quoted in a message.
func clipText(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// listClaims are what a status list credential states, read from the
// statements its proof covers.
type listClaims struct {
	id     string
	types  []string
	issuer string
	// from and until are the latest start and earliest end among the
	// validity bounds present (validFrom, issuanceDate; validUntil,
	// expirationDate), zero when there is none.
	from, until time.Time
	// subject is the list (the credentialSubject) compacted to the term
	// names status.Verdict reads: type, statusPurpose, encodedList, ttl.
	subject map[string]any
}

// statusListClaims reads a status list credential from its statements.
func statusListClaims(nq []byte) (*listClaims, error) {
	c, g, err := credentialClaims(nq)
	if err != nil {
		return nil, err
	}
	l := &listClaims{id: c.ID, types: c.Types, issuer: c.Issuer}
	for _, t := range []time.Time{c.ValidFrom, c.IssuanceDate} {
		if !t.IsZero() && t.After(l.from) {
			l.from = t
		}
	}
	for _, t := range []time.Time{c.ValidUntil, c.ExpirationDate} {
		if !t.IsZero() && (l.until.IsZero() || t.Before(l.until)) {
			l.until = t
		}
	}
	subjects := g.objects(g.rootNode, iriCredentialSubject)
	if len(subjects) != 1 {
		return nil, &claimError{path: "credentialSubject", err: fmt.Errorf("%w: a status list credential has %d subjects, want one", errStatements, len(subjects))}
	}
	s := subjects[0].Object
	m := map[string]any{}
	if s.Kind == rdfc.IRI {
		m["id"] = s.Value
	}
	var types []any
	for _, stmt := range g.objects(s, rdfType) {
		t := stmt.Object
		types = append(types, compactStatusType(t.Value))
	}
	switch len(types) {
	case 0:
	case 1:
		m["type"] = types[0]
	default:
		m["type"] = types
	}
	g.putValues(m, s, "statusPurpose")
	g.putValues(m, s, "encodedList")
	if v := g.statusProp(s, "ttl"); len(v) > 0 {
		m["ttl"] = numberOrText(v[0].Object)
	}
	l.subject = m
	return l, nil
}

// declaredSchemas returns the embedded 1EdTech schemas s declares: each
// credentialSchema node whose id is an embedded schema and whose type is
// 1EdTechJsonSchemaValidator2019, by whichever IRI a context gives that
// name (the OB extensions context's, or @vocab's without it), as
// ob3.DeclaredSchemas reads the same JSON.
func (g *graph) declaredSchemas(s rdfc.Term) []string {
	var out []string
	for _, stmt := range g.objects(s, iriCredentialSchema) {
		cs := stmt.Object
		if cs.Kind != rdfc.IRI || !hasIRI(g.objects(cs, rdfType), func(v string) bool {
			return lastSegment(v) == ob3.SchemaValidatorType
		}) {
			continue
		}
		if u, ok := ob3.SchemaFor(cs.Value); ok && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}
