package jsonld

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/rdfc"
)

// TestCheckBlankNodesMatchesFullCheck holds checkBlankNodes, which runs
// its full check only on nodes whose fingerprint another node shares, to
// checkBlankNodesBefore, the full check on every node (as it was before
// the shortcut), on random datasets full of look-alike nodes and on the
// statements of the repository's JSON-LD corpus.
func TestCheckBlankNodesMatchesFullCheck(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(8, 14))
	refused := 0
	for i := range 20000 {
		nb := 2 + r.IntN(6)
		var quads []rdfc.Quad
		node := func() rdfc.Term { return rdfc.NewBlankNode(fmt.Sprint("b", r.IntN(nb))) }
		for range 1 + r.IntN(12) {
			q := rdfc.Quad{Subject: node(), Predicate: rdfc.NewIRI(fmt.Sprint("urn:p", r.IntN(1+i%2)))}
			switch r.IntN(4) % (2 + i%3) {
			case 0:
				q.Object = node()
			case 1:
				q.Object = rdfc.NewIRI(fmt.Sprint("urn:o", r.IntN(2)))
			case 2:
				q.Object = rdfc.NewLiteral(fmt.Sprint(r.IntN(2)), "", "")
			default:
				q.Object = rdfc.NewLiteral(fmt.Sprint(r.IntN(2)), rdfc.XSDString, "")
			}
			if r.IntN(5) == 0 {
				q.Subject = rdfc.NewIRI("urn:s")
			}
			if r.IntN(6) == 0 {
				q.Graph = node()
			}
			quads = append(quads, q)
		}
		if i%2 == 0 {
			quads = tree(r)
		}
		got := checkBlankNodes(quads, newBudget(ctx, Limits{}))
		want := checkBlankNodesBefore(quads, newBudget(ctx, Limits{}))
		if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
			t.Fatalf("dataset %d %+v: %v, the full check %v", i, quads, got, want)
		}
		if got != nil {
			refused++
		}
	}
	if refused < 500 {
		t.Errorf("only %d datasets refused: the comparison hardly covers refusals", refused)
	}
	t.Logf("%d of 20000 random datasets refused", refused)

	l := freshLoader(t)
	for _, c := range jsonLDCorpus(t) {
		quads, release, err := l.fastQuads(c.doc, newBudget(ctx, Limits{}))
		if err != nil {
			continue
		}
		got := checkBlankNodes(quads, newBudget(ctx, Limits{}))
		want := checkBlankNodesBefore(quads, newBudget(ctx, Limits{}))
		release()
		if (got == nil) != (want == nil) {
			t.Errorf("%s: %v, the full check %v", c.name, got, want)
		}
	}
}

// tree is a named node with blank children and grandchildren that often
// look alike: identical nested objects, in one graph or in several.
func tree(r *rand.Rand) []rdfc.Quad {
	var quads []rdfc.Quad
	n := 0
	blank := func() rdfc.Term { n++; return rdfc.NewBlankNode(fmt.Sprint("b", n)) }
	graph := func() rdfc.Term {
		if r.IntN(4) == 0 {
			return rdfc.NewIRI(fmt.Sprint("urn:g", r.IntN(2)))
		}
		return rdfc.Term{}
	}
	for range 2 + r.IntN(3) {
		g := graph()
		c := blank()
		quads = append(quads, rdfc.Quad{Subject: rdfc.NewIRI("urn:s"), Predicate: rdfc.NewIRI("urn:child"), Object: c, Graph: g})
		quads = append(quads, rdfc.Quad{Subject: c, Predicate: rdfc.NewIRI("urn:v"), Object: rdfc.NewLiteral(fmt.Sprint(r.IntN(2)), "", ""), Graph: g})
		for range r.IntN(3) {
			gc := blank()
			quads = append(quads, rdfc.Quad{Subject: c, Predicate: rdfc.NewIRI("urn:child"), Object: gc, Graph: g})
			if r.IntN(3) > 0 {
				quads = append(quads, rdfc.Quad{Subject: gc, Predicate: rdfc.NewIRI("urn:v"), Object: rdfc.NewLiteral(fmt.Sprint(r.IntN(2)), "", ""), Graph: g})
			}
		}
	}
	return quads
}

// checkBlankNodesBefore is checkBlankNodes before its first look at
// fingerprints: the full check on every blank node.
func checkBlankNodesBefore(quads []rdfc.Quad, b *budget) error {
	byNode := make(map[string][]int)
	for i := range quads {
		q := &quads[i]
		var prev string
		for _, t := range [...]*rdfc.Term{&q.Subject, &q.Object, &q.Graph} {
			if t.Kind == rdfc.BlankNode && t.Value != prev {
				if l := byNode[t.Value]; len(l) == 0 || l[len(l)-1] != i {
					byNode[t.Value] = append(l, i)
				}
				prev = t.Value
			}
		}
	}
	if len(byNode) < 2 {
		return nil
	}
	// A cheap fingerprint first: two nodes look alike only if they have
	// as many statements, and their statements are the same once the node
	// itself is written _:a and every other blank node _:z (what the
	// serialization below compares). Most nodes of a credential have a
	// fingerprint of their own and need no serialization.
	type fingerprint struct {
		n   int
		sum uint64
	}
	seed := maphash.MakeSeed()
	var mh maphash.Hash
	mh.SetSeed(seed)
	prints := make(map[string]fingerprint, len(byNode))
	shared := make(map[fingerprint]int, len(byNode))
	for id, refs := range byNode {
		var sum uint64
		for _, r := range refs {
			q := &quads[r]
			mh.Reset()
			for _, t := range [...]*rdfc.Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
				switch t.Kind {
				case rdfc.BlankNode:
					if t.Value == id {
						mh.WriteByte('a')
					} else {
						mh.WriteByte('z')
					}
				case rdfc.IRI:
					mh.WriteByte('<')
					mh.WriteString(t.Value)
					mh.WriteByte(0)
				case rdfc.Literal:
					dt := t.Datatype
					switch {
					case t.Language != "":
						dt = rdfc.RDFLangString
					case dt == "":
						dt = xsdString
					}
					mh.WriteByte('"')
					mh.WriteString(t.Value)
					mh.WriteByte(0)
					mh.WriteString(dt)
					mh.WriteByte(0)
					mh.WriteString(t.Language)
					mh.WriteByte(0)
				default:
					mh.WriteByte('-')
				}
			}
			// Summed, so the order of the statements does not matter.
			sum += mh.Sum64()
		}
		f := fingerprint{len(refs), sum}
		prints[id] = f
		shared[f]++
	}
	// The first-degree "hash" is kept as the sorted serialization itself:
	// only equality matters here.
	firstDegree := make(map[string]string, len(byNode))
	count := make(map[string]int, len(byNode))
	var line bytes.Buffer
	for id, refs := range byNode {
		if err := b.step(); err != nil {
			return err
		}
		if shared[prints[id]] < 2 {
			// No other node can look like this one. A serialization
			// starts with a digit, so this stand-in equals none.
			h := "\x00" + id
			firstDegree[id] = h
			count[h]++
			continue
		}
		lines := make([]string, 0, len(refs))
		for _, r := range refs {
			// Any encoding that tells terms apart does: only equality
			// matters. Lengths in front of values keep it unambiguous.
			line.Reset()
			q := &quads[r]
			for _, t := range [...]*rdfc.Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
				switch t.Kind {
				case rdfc.BlankNode:
					if t.Value == id {
						line.WriteString("_:a")
					} else {
						line.WriteString("_:z")
					}
				case rdfc.IRI:
					line.WriteByte('<')
					line.WriteString(strconv.Itoa(len(t.Value)))
					line.WriteByte(':')
					line.WriteString(t.Value)
				case rdfc.Literal:
					dt := t.Datatype
					switch {
					case t.Language != "":
						dt = rdfc.RDFLangString
					case dt == "":
						dt = xsdString
					}
					for _, part := range [...]string{t.Value, dt, t.Language} {
						line.WriteByte('"')
						line.WriteString(strconv.Itoa(len(part)))
						line.WriteByte(':')
						line.WriteString(part)
					}
				default:
					line.WriteString("-")
				}
				line.WriteByte(' ')
			}
			lines = append(lines, line.String())
		}
		slices.Sort(lines)
		var joined strings.Builder
		for _, l := range lines {
			joined.WriteString(strconv.Itoa(len(l)))
			joined.WriteByte(':')
			joined.WriteString(l)
		}
		h := joined.String()
		firstDegree[id] = h
		count[h]++
	}
	// RDFC-1.0 relates a node only to the nodes of its own statements, so
	// its permutations are among look-alikes of one graph: nodes alike in
	// different named graphs (two credentials of one achievement in a
	// presentation) never meet in one. A node looks alike only if another
	// of its graph does; in a document without named graphs that is any
	// other node.
	type local struct{ hash, graph string }
	home := make(map[string]string, len(byNode))
	for id, refs := range byNode {
		for _, r := range refs {
			q := &quads[r]
			if (q.Subject.Kind == rdfc.BlankNode && q.Subject.Value == id) || (q.Object.Kind == rdfc.BlankNode && q.Object.Value == id) {
				home[id] = q.Graph.Value
				break
			}
		}
	}
	countIn := make(map[local]int, len(byNode))
	for id := range byNode {
		countIn[local{firstDegree[id], home[id]}]++
	}
	alike := func(id string) bool {
		return count[firstDegree[id]] > 1 && countIn[local{firstDegree[id], home[id]}] > 1
	}
	for id, refs := range byNode {
		if !alike(id) {
			continue
		}
		for _, r := range refs {
			q := &quads[r]
			for _, t := range [...]*rdfc.Term{&q.Subject, &q.Object, &q.Graph} {
				if t.Kind == rdfc.BlankNode && t.Value != id && alike(t.Value) {
					return &DataLossError{Reason: "indistinguishable blank nodes next to each other make canonicalization too expensive; give the nested objects ids or make them differ"}
				}
			}
		}
	}
	return nil
}
