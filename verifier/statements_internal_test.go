package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/rdfc"
)

const (
	tCred   = "<urn:uuid:c>"
	tType   = "<" + rdfType + ">"
	tVC     = "<" + iriVerifiableCredential + ">"
	tIssuer = "<" + iriIssuer + ">"
	tUntil  = "<" + iriValidUntil + ">"
	tDate   = "^^<http://www.w3.org/2001/XMLSchema#dateTime>"
)

func nq(lines ...string) []byte { return []byte(strings.Join(lines, " .\n") + " .\n") }

// TestCredentialClaims: the claims come from the one root credential node;
// statements that do not describe exactly one credential, or give a claim
// twice, are refused rather than read one way or another.
func TestCredentialClaims(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		issuer  string
		until   string
		wantErr string
	}{
		{"one credential", nq(tCred+" "+tType+" "+tVC, tCred+" "+tIssuer+" <did:ex:i>", tCred+" "+tUntil+` "2027-01-01T00:00:00Z"`+tDate),
			"did:ex:i", "2027-01-01T00:00:00Z", ""},
		{"embedded endorsement is not the root", nq(tCred+" "+tType+" "+tVC, tCred+" "+tIssuer+" <did:ex:i>",
			tCred+" <"+obNS+"endorsement> <urn:uuid:e>", "<urn:uuid:e> "+tType+" "+tVC, "<urn:uuid:e> "+tIssuer+" <did:ex:other>"),
			"did:ex:i", "", ""},
		{"two unrelated credentials", nq(tCred+" "+tType+" "+tVC, "<urn:uuid:d> "+tType+" "+tVC), "", "", "no single root"},
		{"no credential", nq("<urn:x> <urn:p> <urn:y>"), "", "", "no node has type VerifiableCredential"},
		{"two issuers", nq(tCred+" "+tType+" "+tVC, tCred+" "+tIssuer+" <did:ex:i>", tCred+" "+tIssuer+" <did:ex:j>"), "", "", "issuer has 2 values"},
		{"two expiry dates", nq(tCred+" "+tType+" "+tVC, tCred+" "+tUntil+` "2027-01-01T00:00:00Z"`+tDate, tCred+" "+tUntil+` "2030-01-01T00:00:00Z"`+tDate), "", "", "validUntil has 2 values"},
		{"issuer as a value", nq(tCred+" "+tType+" "+tVC, tCred+" "+tIssuer+` "did:ex:i"`), "", "", "issuer is a value"},
		{"date without a zone", nq(tCred+" "+tType+" "+tVC, tCred+" "+tUntil+` "2027-01-01T00:00:00"`+tDate), "", "", "not a date-time with a time zone"},
		{"claims in a named graph are not claims", nq(tCred+" "+tType+" "+tVC, tCred+" "+tUntil+` "2020-01-01T00:00:00Z"`+tDate+" <urn:g>"), "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := credentialClaims(tt.data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Issuer != tt.issuer {
				t.Errorf("issuer %q, want %q", c.Issuer, tt.issuer)
			}
			var until string
			if !c.ValidUntil.IsZero() {
				until = c.ValidUntil.Format(time.RFC3339)
			}
			if until != tt.until {
				t.Errorf("validUntil %q, want %q", until, tt.until)
			}
		})
	}
}

// FuzzCredentialClaims: reading claims from any N-Quads never panics, and
// either gives claims or an error.
func FuzzCredentialClaims(f *testing.F) {
	f.Add(nq(tCred+" "+tType+" "+tVC, tCred+" "+tIssuer+" <did:ex:i>"))
	f.Add(nq(tCred+" "+tType+" "+tVC, tCred+" <"+iriCredentialStatus+"> _:b0", "_:b0 "+tType+" <"+statusNS+"BitstringStatusListEntry>",
		"_:b0 <"+statusNS+`statusListIndex> "7"`, "_:b0 <"+statusNS+"statusListCredential> <https://ex/l>"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, g, err := credentialClaims(data)
		if err == nil && (c == nil || g == nil) {
			t.Fatal("no claims and no error")
		}
		if err != nil && c != nil {
			t.Fatal("claims and an error")
		}
		if err == nil {
			_ = g.view(c, g.rootNode)
			if _, err := statusListClaims(data); err != nil && !errors.Is(err, errStatements) {
				var ce *claimError
				if !errors.As(err, &ce) {
					t.Fatalf("status list read: unexpected error kind %v", err)
				}
			}
		}
	})
}

// TestNewGraphOrder holds newGraph to the plain index (every object
// appended under its subject and predicate, in input order) whatever the
// order of the statements: canonical (sorted) input takes its run-by-run
// path, shuffled input the appends after it.
func TestNewGraphOrder(t *testing.T) {
	lines := []string{
		tCred + " " + tType + " " + tVC,
		tCred + " " + tType + " <https://example.org/T>",
		tCred + " " + tIssuer + " <did:example:i>",
		tCred + ` <https://schema.org/name> "n"`,
		`_:c14n0 <https://schema.org/name> "a"`,
		`_:c14n0 <https://schema.org/name> "b"`,
		`_:c14n0 ` + tType + ` <https://example.org/U>`,
		`<did:example:i> <https://schema.org/name> "i" _:g`,
	}
	orders := map[string][]int{
		"sorted":   {0, 1, 2, 3, 4, 5, 6, 7},
		"shuffled": {4, 0, 6, 2, 5, 1, 7, 3},
		"reversed": {7, 6, 5, 4, 3, 2, 1, 0},
		"split":    {0, 4, 1, 5, 2, 6, 3, 7},
	}
	for name, order := range orders {
		t.Run(name, func(t *testing.T) {
			var in []string
			for _, i := range order {
				in = append(in, lines[i])
			}
			data := nq(in...)
			g, err := newGraph(data)
			if err != nil {
				t.Fatal(err)
			}
			quads, err := rdfc.ParseNQuads(data)
			if err != nil {
				t.Fatal(err)
			}
			want := map[rdfc.Term]map[string][]rdfc.Term{}
			refs := map[rdfc.Term]bool{}
			for _, q := range quads {
				if q.Graph.Kind != rdfc.DefaultGraph {
					continue
				}
				if want[q.Subject] == nil {
					want[q.Subject] = map[string][]rdfc.Term{}
				}
				want[q.Subject][q.Predicate.Value] = append(want[q.Subject][q.Predicate.Value], q.Object)
				if q.Object.Kind != rdfc.Literal {
					refs[q.Object] = true
				}
			}
			got := map[rdfc.Term]map[string][]rdfc.Term{}
			var subjects []rdfc.Term
			for i := range g.nodes {
				n := &g.nodes[i]
				subject := g.subject(n)
				subjects = append(subjects, subject)
				got[subject] = map[string][]rdfc.Term{}
				for _, p := range g.propsOf(n) {
					predicate := g.predicate(p)
					for _, q := range g.statements(p) {
						if q.Subject != subject || q.Predicate.Value != predicate || q.Graph != (rdfc.Term{}) {
							t.Fatalf("statement %v indexed under %v %s", q, subject, predicate)
						}
						got[subject][predicate] = append(got[subject][predicate], q.Object)
					}
					if !reflect.DeepEqual(g.objects(subject, predicate), g.statements(p)) {
						t.Fatalf("objects(%v, %s) does not find its run", subject, predicate)
					}
				}
			}
			for _, s := range subjects {
				if got := g.node(s); got == nil || g.subject(got) != s {
					t.Fatalf("node(%v) does not find its node", s)
				}
			}
			if g.node(rdfc.NewIRI("urn:absent")) != nil {
				t.Fatal("node finds a subject that has no statement")
			}
			// A graph too large for the hash tables is searched by
			// bisection, with the same answers.
			bisect := *g
			bisect.nodeSlots = nil
			for _, s := range subjects {
				for p := range want[s] {
					if !reflect.DeepEqual(bisect.objects(s, p), g.objects(s, p)) {
						t.Fatalf("objects(%v, %s) by bisection differs", s, p)
					}
				}
				if bisect.objects(s, "urn:absent") != nil || bisect.node(s) != g.node(s) {
					t.Fatalf("bisection for %v differs", s)
				}
			}
			if bisect.node(rdfc.NewIRI("urn:absent")) != nil {
				t.Fatal("bisection finds a subject that has no statement")
			}
			var wantUnref []rdfc.Term
			for _, s := range subjects {
				if !refs[s] {
					wantUnref = append(wantUnref, s)
				}
			}
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(g.unreferenced(subjects), wantUnref) {
				t.Fatalf("graph of %s input:\n%v\n%v\nwant\n%v\n%v", name, got, g.unreferenced(subjects), want, wantUnref)
			}
		})
	}
}

// TestCompareWritten: compareWritten orders two strings as the strings
// followed by end order.
func TestCompareWritten(t *testing.T) {
	words := []string{"", "a", "a/", "a/b", "a>", "a>b", "a b", "ab", "b", "c14n1", "c14n10", "c14n2", "https://a", "https://a/b", "https://a#x"}
	for _, end := range []byte{'>', ' '} {
		for _, a := range words {
			for _, b := range words {
				want := strings.Compare(a+string(end), b+string(end))
				if got := compareWritten(a, b, end); got != want {
					t.Errorf("compareWritten(%q, %q, %q) = %d, want %d", a, b, end, got, want)
				}
			}
		}
	}
}

// TestCanonicalOrderSorted: canonical statements come with their subjects,
// and each subject's predicates, in the order the graph index keeps, so
// indexing them sorts nothing.
func TestCanonicalOrderSorted(t *testing.T) {
	files, err := filepath.Glob("../testdata/bench/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no benchmark credentials: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		text, err := jsonld.Canonicalize(context.Background(), doc, jsonld.CanonOptions{})
		if err != nil {
			t.Fatal(err)
		}
		quads, err := rdfc.ParseNQuads(text)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(quads); i++ {
			a, b := quads[i-1], quads[i]
			if c := compareTerm(a.Subject, b.Subject); c > 0 || c == 0 && compareWritten(a.Predicate.Value, b.Predicate.Value, '>') > 0 {
				t.Fatalf("%s: %v %v comes before %v %v", name, a.Subject, a.Predicate, b.Subject, b.Predicate)
			}
		}
	}
}

// indexed returns what g indexes: per subject, in the graph's order, each
// predicate in the order the graph keeps and its statements.
func indexed(g *graph) [][]any {
	var out [][]any
	for i := range g.nodes {
		n := &g.nodes[i]
		row := []any{g.subject(n)}
		for _, p := range g.propsOf(n) {
			row = append(row, g.predicate(p), g.statements(p))
		}
		out = append(out, row)
	}
	return out
}

// TestManyPredicates: a node with more predicates than nodeObjects scans
// is bisected, and finds each of them and nothing else.
func TestManyPredicates(t *testing.T) {
	for _, n := range []int{1, maxScanned, maxScanned + 1, 3 * maxScanned} {
		var lines []string
		for i := range n {
			lines = append(lines, fmt.Sprintf("<urn:s> <urn:p:%03d> \"%d\"", i, i))
		}
		g, err := newGraph(nq(lines...))
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			got := g.objects(rdfc.NewIRI("urn:s"), fmt.Sprintf("urn:p:%03d", i))
			if len(got) != 1 || got[0].Object.Value != strconv.Itoa(i) {
				t.Fatalf("%d predicates: urn:p:%03d has %v", n, i, got)
			}
		}
		for _, p := range []string{"urn:p:", "urn:p:0000", "urn:p:999", "urn:q"} {
			if got := g.objects(rdfc.NewIRI("urn:s"), p); got != nil {
				t.Fatalf("%d predicates: %s has %v", n, p, got)
			}
		}
	}
}
