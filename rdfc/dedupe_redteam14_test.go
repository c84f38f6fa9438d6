package rdfc

import (
	"context"
	"strconv"
	"testing"
)

// TestDedupeDatatypeCollisionsRedteam14: a property with thousands of
// values that are one literal in many datatypes (or languages), which a
// JSON-LD document writes as {"@value": "x", "@type": "urn:t<i>"}, does
// not make dedupe compare them pairwise: the occupied slots it probes stay
// linear in the quads. Before, they all hashed alike: 4 properties of
// 5,000 such values took ~50 million comparisons (2.4 s through jsonld,
// against 15 ms for distinct values).
func TestDedupeDatatypeCollisionsRedteam14(t *testing.T) {
	const props, per = 4, 5000
	for _, c := range []struct {
		name string
		obj  func(i int) Term
	}{
		{"datatypes", func(i int) Term { return NewLiteral("x", "urn:t"+strconv.Itoa(i), "") }},
		{"languages", func(i int) Term { return NewLiteral("x", "", "l"+strconv.Itoa(i)) }},
		{"values", func(i int) Term { return NewLiteral("x"+strconv.Itoa(i), "urn:t", "") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var qs []Quad
			s := NewIRI("https://example.com/s")
			for p := range props {
				pred := NewIRI("https://example.com/p" + strconv.Itoa(p))
				for i := range per {
					qs = append(qs, Quad{Subject: s, Predicate: pred, Object: c.obj(i)})
				}
			}
			// A repeat of each is still found and dropped.
			qs = append(qs, qs[:per]...)
			st, err := run(context.Background(), qs, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.release()
			if got := len(st.quads); got != props*per {
				t.Errorf("%d quads kept, want %d", got, props*per)
			}
			// Load stays at most one half: a few probes per quad.
			if limit := 8 * len(qs); st.probes > limit {
				t.Errorf("dedupe probed %d occupied slots for %d quads (limit %d)", st.probes, len(qs), limit)
			}
		})
	}
}
