package rdfc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// clique returns n blank nodes all linked to each other: every node looks
// like every other, the worst case for RDFC-1.0.
func clique(n int) []Quad {
	var q []Quad
	for i := range n {
		for j := range n {
			if i != j {
				q = append(q, Quad{Subject: NewBlankNode(fmt.Sprint("n", i)), Predicate: NewIRI("urn:p"), Object: NewBlankNode(fmt.Sprint("n", j))})
			}
		}
	}
	return q
}

func TestWorkLimit(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"default bound", Options{}},
		{"work factor 3", Options{MaxWorkFactor: 3}},
		{"explicit deep iterations", Options{MaxDeepIterations: 50}},
		{"permutations", Options{MaxDeepIterations: 1 << 30, MaxPermutations: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Canonicalize(context.Background(), clique(12), tt.opts)
			if !errors.Is(err, ErrWorkLimit) {
				t.Fatalf("err = %v, want ErrWorkLimit", err)
			}
		})
	}
	// Two look-alike nodes with distinguishable neighbourhoods fit the
	// default bound.
	q := []Quad{
		{Subject: NewIRI("urn:a"), Predicate: NewIRI("urn:p"), Object: NewBlankNode("x")},
		{Subject: NewIRI("urn:a"), Predicate: NewIRI("urn:p"), Object: NewBlankNode("y")},
		{Subject: NewBlankNode("x"), Predicate: NewIRI("urn:q"), Object: NewLiteral("1", "", "")},
		{Subject: NewBlankNode("y"), Predicate: NewIRI("urn:q"), Object: NewLiteral("1", "", "")},
	}
	got, err := Canonicalize(context.Background(), q, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "<urn:a> <urn:p> _:c14n0 .\n<urn:a> <urn:p> _:c14n1 .\n_:c14n0 <urn:q> \"1\" .\n_:c14n1 <urn:q> \"1\" .\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSerialization(t *testing.T) {
	tests := []struct {
		name string
		q    Quad
		want string
	}{
		{"escapes", Quad{NewIRI("urn:s"), NewIRI("urn:p"), NewLiteral("a\"b\\c\nd\re\tf\bg\fh\x00i\x1fj\x7fk\u2028é😀", "", ""), Term{}},
			`<urn:s> <urn:p> "a\"b\\c\nd\re\tf\bg\fh\u0000i\u001Fj\u007Fk` + "\u2028é😀" + `" .` + "\n"},
		{"language", Quad{NewIRI("urn:s"), NewIRI("urn:p"), NewLiteral("x", "", "en-us"), NewIRI("urn:g")}, `<urn:s> <urn:p> "x"@en-us <urn:g> .` + "\n"},
		{"datatype", Quad{NewBlankNode("b"), NewIRI("urn:p"), NewLiteral("1", "http://www.w3.org/2001/XMLSchema#integer", ""), NewBlankNode("g")},
			`_:b <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> _:g .` + "\n"},
		{"explicit xsd:string", Quad{NewIRI("urn:s"), NewIRI("urn:p"), NewLiteral("x", XSDString, ""), Term{}}, `<urn:s> <urn:p> "x" .` + "\n"},
		{"iri escapes", Quad{NewIRI("urn:a b|c"), NewIRI("urn:p"), NewIRI("urn:{}"), Term{}}, `<urn:a\u0020b\u007Cc> <urn:p> <urn:\u007B\u007D> .` + "\n"},
		{"every iri escape", Quad{NewIRI("urn:<>\"{}|^`\\\x01\t\n x"), NewIRI("urn:p"), NewIRI("urn:ok\u00e9"), Term{}}, `<urn:\u003C\u003E\u0022\u007B\u007D\u007C\u005E\u0060\u005C\u0001\u0009\u000A\u0020x> <urn:p> <urn:oké> .` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(AppendQuad(nil, tt.q)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			// What we write, we read back.
			back, err := ParseNQuads([]byte(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != 1 || string(AppendQuad(nil, back[0])) != tt.want {
				t.Errorf("round trip gave %v", back)
			}
		})
	}
}

func TestParseNQuadsErrors(t *testing.T) {
	for _, in := range []string{
		`<urn:s> <urn:p> <urn:o>`,
		`"x" <urn:p> <urn:o> .`,
		`<urn:s> _:p <urn:o> .`,
		`<urn:s> <urn:p> "x .`,
		`<urn:s> <urn:p> "\q" .`,
		`<urn:s> <urn:p> <urn:o> . junk`,
		`<urn:s <urn:p> <urn:o> .`,
		`<urn:s> <urn:p> "x"^^"y" .`,
		`<urn:s> <urn:p> "\uD800" .`,
	} {
		if _, err := ParseNQuads([]byte(in)); !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: err = %v, want ErrSyntax", in, err)
		}
	}
}

// FuzzCanonicalize parses N-Quads and checks that canonicalization is
// idempotent and independent of the input's blank node labels and order.
func FuzzCanonicalize(f *testing.F) {
	ins, _ := filepath.Glob(filepath.Join(suiteDir, "rdfc10", "*-in.nq"))
	for _, in := range ins {
		if b, err := os.ReadFile(in); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Add([]byte("_:a <urn:p> _:b .\n_:b <urn:p> _:a .\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := ParseNQuads(b)
		if err != nil {
			return
		}
		opts := Options{MaxPermutations: 2000}
		c1, err := Canonicalize(context.Background(), q, opts)
		if err != nil {
			return
		}
		// Relabel and reverse the input: the canonical form must not move.
		r := make([]Quad, 0, len(q))
		for i := len(q) - 1; i >= 0; i-- {
			x := q[i]
			for _, t := range []*Term{&x.Subject, &x.Object, &x.Graph} {
				if t.Kind == BlankNode {
					t.Value = "r" + t.Value
				}
			}
			r = append(r, x)
		}
		c2, err := Canonicalize(context.Background(), r, opts)
		if err != nil {
			return
		}
		if !bytes.Equal(c1, c2) {
			t.Fatalf("relabelled input canonicalizes differently:\n%s\n%s", c1, c2)
		}
		q2, err := ParseNQuads(c1)
		if err != nil {
			t.Fatalf("canonical output does not parse: %v\n%s", err, c1)
		}
		c3, err := Canonicalize(context.Background(), q2, opts)
		if err != nil || !bytes.Equal(c1, c3) {
			t.Fatalf("not idempotent (%v):\n%s\n%s", err, c1, c3)
		}
		if len(c1) > 0 && !strings.HasSuffix(string(c1), "\n") {
			t.Fatal("no trailing newline")
		}
	})
}

func BenchmarkCanonicalizeSuite(b *testing.B) {
	var all [][]Quad
	for _, e := range suiteEntries(b) {
		if e.Type == "rdfc:RDFC10EvalTest" && e.Complexity == "low" && e.HashAlgorithm == "" {
			all = append(all, suiteInput(b, e))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, q := range all {
			if _, err := Canonicalize(context.Background(), q, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestDuplicates: a dataset is a set, so repeated quads (also ones equal
// only once an explicit xsd:string is dropped) count once, both in the
// output and in the blank node hashes that decide the labels.
func TestDuplicates(t *testing.T) {
	b0, b1 := NewBlankNode("b0"), NewBlankNode("b1")
	p, q := NewIRI("urn:p"), NewIRI("urn:q")
	set := []Quad{
		{b0, p, NewLiteral("x", "", ""), Term{}},
		{b0, q, b1, Term{}},
		{b1, p, NewLiteral("y", "", ""), Term{}},
		{b1, p, NewIRI("urn:o"), NewIRI("urn:g")},
	}
	want, err := Canonicalize(context.Background(), set, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		quads []Quad
	}{
		{"repeated", []Quad{set[0], set[1], set[0], set[2], set[3], set[1], set[3]}},
		{"repeated first and last", []Quad{set[3], set[0], set[1], set[2], set[3]}},
		{"equal after normalising", append([]Quad{{b0, p, NewLiteral("x", XSDString, ""), Term{}}}, set...)},
		{"reversed with repeats", []Quad{set[3], set[2], set[2], set[1], set[0], set[0]}},
	}
	for _, tt := range tests {
		got, err := Canonicalize(context.Background(), tt.quads, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(got) != string(want) {
			t.Errorf("%s: canonical form\n%s\nwant\n%s", tt.name, got, want)
		}
	}
}

// chain returns a path of n blank nodes, each with a distinct literal: every
// node has a unique first-degree hash, so the run costs exactly n hash calls.
func chain(n int) []Quad {
	var q []Quad
	for i := range n {
		b := NewBlankNode(fmt.Sprint("n", i))
		q = append(q, Quad{Subject: b, Predicate: NewIRI("urn:v"), Object: NewLiteral(fmt.Sprint(i), "", "")})
		if i > 0 {
			q = append(q, Quad{Subject: NewBlankNode(fmt.Sprint("n", i-1)), Predicate: NewIRI("urn:next"), Object: b})
		}
	}
	return q
}

// TestHashCalls: the hash-call counter is deterministic, every kind of hash
// counts, and MaxHashCalls stops the run with ErrHashCalls (which is an
// ErrWorkLimit).
func TestHashCalls(t *testing.T) {
	lookAlike := []Quad{
		{Subject: NewIRI("urn:a"), Predicate: NewIRI("urn:p"), Object: NewBlankNode("x")},
		{Subject: NewIRI("urn:a"), Predicate: NewIRI("urn:p"), Object: NewBlankNode("y")},
	}
	tests := []struct {
		name  string
		quads []Quad
		// calls is the count for an unbounded run: first-degree hashes,
		// plus N-degree and related hashes for look-alike nodes.
		calls int
	}{
		{"no blank nodes", []Quad{{Subject: NewIRI("urn:a"), Predicate: NewIRI("urn:p"), Object: NewIRI("urn:b")}}, 0},
		{"unique chain", chain(100), 100},
		{"two look-alike nodes", lookAlike, 2 + 2},
		{"look-alike nodes with a blank neighbour", []Quad{
			{Subject: NewBlankNode("u"), Predicate: NewIRI("urn:v"), Object: NewLiteral("u", "", "")},
			{Subject: NewBlankNode("u"), Predicate: NewIRI("urn:p"), Object: NewBlankNode("x")},
			{Subject: NewBlankNode("u"), Predicate: NewIRI("urn:p"), Object: NewBlankNode("y")},
		}, 3 + 2*(1+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			if _, err := Canonicalize(context.Background(), tt.quads, Options{HashCalls: &calls}); err != nil {
				t.Fatal(err)
			}
			again := 0
			if _, err := Canonicalize(context.Background(), tt.quads, Options{HashCalls: &again}); err != nil {
				t.Fatal(err)
			}
			if calls != again {
				t.Errorf("hash calls %d then %d for the same dataset", calls, again)
			}
			if calls != tt.calls {
				t.Errorf("hash calls = %d, want %d", calls, tt.calls)
			}
			if calls == 0 {
				return
			}
			// At the exact count the run passes; one less stops it.
			if _, err := Canonicalize(context.Background(), tt.quads, Options{MaxHashCalls: calls}); err != nil {
				t.Errorf("MaxHashCalls %d (the exact need): %v", calls, err)
			}
			spent := 0
			_, err := Canonicalize(context.Background(), tt.quads, Options{MaxHashCalls: calls - 1, HashCalls: &spent})
			if !errors.Is(err, ErrHashCalls) || !errors.Is(err, ErrWorkLimit) {
				t.Errorf("MaxHashCalls %d: err = %v, want ErrHashCalls", calls-1, err)
			}
			if spent != calls-1 {
				t.Errorf("a stopped run counted %d calls, want %d (the limit: the one refused is not counted)", spent, calls-1)
			}
		})
	}
}

// TestCanceled: a canceled context stops the run, before it starts and in
// the middle of the work on blank nodes.
func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Canonicalize(ctx, chain(3), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled before: err = %v, want context.Canceled", err)
	}
	// A context that reports cancellation only after the run has begun
	// (its first look at Err happens before any hashing) must stop the
	// hashing loop too.
	lc := &lateCancel{Context: context.Background(), after: 2}
	calls := 0
	_, err := Canonicalize(lc, chain(10*checkEvery), Options{HashCalls: &calls})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled during: err = %v, want context.Canceled", err)
	}
	if calls > 2*checkEvery {
		t.Errorf("%d hash calls after cancellation, want at most %d", calls, 2*checkEvery)
	}
}

// lateCancel is a context whose Err reports cancellation from its after-th
// call on, so a test can cancel deterministically in the middle of a run.
type lateCancel struct {
	context.Context
	after, calls int
}

func (c *lateCancel) Err() error {
	c.calls++
	if c.calls >= c.after {
		return context.Canceled
	}
	return nil
}

// TestConcurrentRuns: runs share pooled state, so many at once on
// different datasets must each give what a run alone gives.
func TestConcurrentRuns(t *testing.T) {
	sets := make([][]Quad, 8)
	want := make([][]byte, len(sets))
	for i := range sets {
		sets[i] = chain(3 + 5*i)
		if i%2 == 0 {
			sets[i] = append(sets[i], Quad{Subject: NewIRI("urn:a"), Predicate: NewIRI("urn:p"), Object: NewBlankNode("x")},
				Quad{Subject: NewIRI("urn:a"), Predicate: NewIRI("urn:p"), Object: NewBlankNode("y")})
		}
		var err error
		if want[i], err = Canonicalize(context.Background(), sets[i], Options{}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Go(func() {
			for k := range 50 {
				i := (g + k) % len(sets)
				got, quads, err := CanonicalizeQuads(context.Background(), sets[i], Options{})
				if err != nil || !bytes.Equal(got, want[i]) || len(quads) == 0 {
					errs <- fmt.Errorf("set %d: %w\n%s\nwant\n%s", i, err, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestLinesSorted: the canonical document's lines are sorted as bytes,
// whatever subjects and predicates share a prefix (urn:a and urn:ab,
// _:c14n1 and _:c14n10), need escapes, or are blank nodes, and with
// literal subjects (generalized RDF) too.
func TestLinesSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 14))
	iris := []string{"urn:a", "urn:ab", "urn:a b", "urn:a>", "urn:a\"", "urn:", "http://x/", "http://x/y", "urn:a\x01"}
	for i := range 2000 {
		nb := 1 + r.IntN(14)
		term := func(pos int) Term {
			switch r.IntN(4) {
			case 0, 1:
				return NewBlankNode(fmt.Sprint("n", r.IntN(nb)))
			case 2:
				if pos == 1 && i%50 == 0 {
					return NewLiteral("lit", "", "")
				}
				return NewIRI(iris[r.IntN(len(iris))])
			}
			if pos == 3 {
				return NewLiteral(fmt.Sprint("v", r.IntN(3), "\n"), "", "")
			}
			return NewIRI(iris[r.IntN(len(iris))])
		}
		var quads []Quad
		for range 1 + r.IntN(40) {
			q := Quad{Subject: term(1), Predicate: NewIRI(iris[r.IntN(len(iris))]), Object: term(3)}
			if r.IntN(5) == 0 {
				q.Graph = term(2)
			}
			quads = append(quads, q)
		}
		out, err := Canonicalize(context.Background(), quads, Options{MaxWorkFactor: 3})
		if errors.Is(err, ErrWorkLimit) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(out), "\n")
		lines = lines[:len(lines)-1]
		if !slices.IsSorted(lines) {
			t.Fatalf("dataset %d: lines not sorted:\n%s", i, out)
		}
		// Every statement once: the runs of lines merged by subject
		// lose none and repeat none.
		distinct := map[Quad]bool{}
		for _, q := range quads {
			distinct[Quad{q.Subject.normalize(), q.Predicate.normalize(), q.Object.normalize(), q.Graph.normalize()}] = true
		}
		if len(lines) != len(distinct) || len(slices.Compact(slices.Clone(lines))) != len(lines) {
			t.Fatalf("dataset %d: %d lines for %d statements:\n%s", i, len(lines), len(distinct), out)
		}
	}
}

// TestIssuer: the temporary issuer gives b<k> to the k-th label, the same
// again on a repeat, across the switch from scanning its labels to an
// index, and a clone goes on independently of its original.
func TestIssuer(t *testing.T) {
	for _, n := range []int{1, issuerScan, issuerScan + 1, 3 * issuerScan, len(tmpLabels) + 5} {
		iss := newIssuer()
		labels := make([]string, n)
		for k := range labels {
			labels[k] = fmt.Sprint("n", k*7%(n+3), "-", k)
			if got, want := iss.issue(labels[k]), fmt.Sprint("b", k); got != want {
				t.Fatalf("n=%d: label %d issued %s, want %s", n, k, got, want)
			}
		}
		c := iss.clone()
		c.issue("extra")
		if iss.has("extra") || !c.has("extra") {
			t.Fatalf("n=%d: the clone's new label leaked into the original, or got lost", n)
		}
		for k, l := range labels {
			want := fmt.Sprint("b", k)
			if got := iss.issue(l); got != want {
				t.Errorf("n=%d: label %d again issued %s, want %s", n, k, got, want)
			}
			if got, ok := c.lookup(l); !ok || got != want {
				t.Errorf("n=%d: the clone has label %d as %q (%v), want %s", n, k, got, ok, want)
			}
		}
		if _, ok := iss.lookup("absent"); ok || iss.has("absent") || len(iss.order) != n {
			t.Errorf("n=%d: an unknown label is found, or the issuer grew to %d", n, len(iss.order))
		}
	}
}
