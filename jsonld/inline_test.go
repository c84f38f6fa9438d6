package jsonld

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/contexts"
)

// inlineDoc is a small OB 3.0 credential whose @context is the bundled
// list ctx followed by the inline context object inline, with extra keys
// set at the top level.
func inlineDoc(ctx []any, inline map[string]any, extra map[string]any) map[string]any {
	list := append([]any(nil), ctx...)
	if inline != nil {
		list = append(list, inline)
	}
	d := map[string]any{
		"@context": list,
		"id":       "urn:uuid:0a1b2c3d-0000-4000-8000-000000000001",
		"type":     []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":   map[string]any{"id": "did:example:issuer", "type": []any{"Profile"}, "name": "Example"},
		"credentialSubject": map[string]any{
			"type": []any{"AchievementSubject"},
			"achievement": map[string]any{
				"id": "https://example.edu/a/1", "type": []any{"Achievement"}, "name": "A",
				"criteria": map[string]any{"narrative": "Do it."},
			},
		},
	}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

var (
	inlineV2 = []any{contexts.CredentialsV2, contexts.OBv3p0}
	inlineV1 = []any{contexts.CredentialsV1, contexts.OBv3p0_3_0_1, contexts.Ed25519Signature2020V1}
)

const vocabEx = "https://example.edu/vocab#"

// TestInlineContextEngines: documents with an inline context of the forms
// the verifier accepts (issue #11 Found 5) canonicalize, identically on the
// default path and on json-gold's reference path, with the inline terms in
// the output; the default path hands them to json-gold (its own expander
// covers bundled URLs only).
func TestInlineContextEngines(t *testing.T) {
	tests := []struct {
		name   string
		ctx    []any
		inline map[string]any
		extra  map[string]any
		want   []string // N-Quads fragments that must appear
	}{
		{"string definition", inlineV2, map[string]any{"badgeColour": vocabEx + "badgeColour"},
			map[string]any{"badgeColour": "green"}, []string{"<" + vocabEx + "badgeColour> \"green\""}},
		{"DCC issuanceDate", inlineV2, map[string]any{"issuanceDate": "https://www.w3.org/2018/credentials/v1#issuanceDate"},
			map[string]any{"issuanceDate": "2010-01-01T00:00:00Z"}, []string{"<https://www.w3.org/2018/credentials/v1#issuanceDate> \"2010-01-01T00:00:00Z\""}},
		{"set, list, datatype, @id and @vocab types", inlineV2, map[string]any{
			"@version":   1.1,
			"@protected": true,
			"colours":    map[string]any{"@id": vocabEx + "colours", "@container": "@set"},
			"steps":      map[string]any{"@id": vocabEx + "steps", "@container": []any{"@list"}},
			"cohort":     map[string]any{"@id": vocabEx + "cohort", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
			"mentor":     map[string]any{"@id": vocabEx + "mentor", "@type": "@id"},
			"kind":       map[string]any{"@id": vocabEx + "kind", "@type": "@vocab"},
		}, map[string]any{"colours": []any{"green", "gold"}, "steps": []any{"a", "b"}, "cohort": 2026, "mentor": "did:example:m", "kind": "Achievement"},
			[]string{"\"2026\"^^<http://www.w3.org/2001/XMLSchema#integer>", "<" + vocabEx + "mentor> <did:example:m>",
				"<" + vocabEx + "kind> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement>", "rdf-syntax-ns#first> \"a\""}},
		{"VCDM 1.1 with OB 3.0.1 and the Ed25519Signature2020 context", inlineV1, map[string]any{"badgeColour": vocabEx + "badgeColour"},
			map[string]any{"badgeColour": "green", "issuanceDate": "2026-01-01T00:00:00Z"}, []string{"<" + vocabEx + "badgeColour> \"green\""}},
	}
	l := freshLoader(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := inlineDoc(tc.ctx, tc.inline, tc.extra)
			before := l.processed.fallback.Load()
			ok, err := compareEngines(l, doc)
			if err != nil || !ok {
				t.Fatalf("accepted %v: %v", ok, err)
			}
			if l.processed.fallback.Load() == before {
				t.Error("the own expander claims a document with an inline context")
			}
			out, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: l})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("output lacks %s:\n%s", w, out)
				}
			}
		})
	}
}

// TestInlineContextNotCached: what an inline context defines stays with its
// document. After a document defines a term inline, a document that uses
// the term under the same bundled contexts without defining it is refused,
// and the same document with the term mapped elsewhere gets its own output.
func TestInlineContextNotCached(t *testing.T) {
	l := freshLoader(t)
	ctx := context.Background()
	use := map[string]any{"badgeColour": "green"}
	first, err := Canonicalize(ctx, inlineDoc(inlineV2, map[string]any{"badgeColour": vocabEx + "badgeColour"}, use), CanonOptions{Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Canonicalize(ctx, inlineDoc(inlineV2, nil, use), CanonOptions{Loader: l})
	var dl *DataLossError
	if !errors.As(err, &dl) || dl.Path != "badgeColour" {
		t.Fatalf("term used without its inline definition: err = %v, want data loss at badgeColour", err)
	}
	other, err := Canonicalize(ctx, inlineDoc(inlineV2, map[string]any{"badgeColour": vocabEx + "colour2"}, use), CanonOptions{Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(first, other) || !bytes.Contains(other, []byte(vocabEx+"colour2")) {
		t.Fatalf("a second inline definition of the same term did not change the output:\n%s", other)
	}
}

// TestInlineContextWorkLimits: an inline context counts against the
// bounds of Limits: its keys against MaxContextTerms, and the document,
// expanded by json-gold because of it, against MaxJSONGoldNodes, with the
// work counted.
func TestInlineContextWorkLimits(t *testing.T) {
	ctx := context.Background()
	huge := map[string]any{}
	for i := range DefaultMaxContextTerms + 1 {
		huge["t"+strconv.Itoa(i)] = vocabEx + strconv.Itoa(i)
	}
	var work Work
	_, err := Canonicalize(ctx, inlineDoc(inlineV2, huge, nil), CanonOptions{Work: &work})
	var we *WorkError
	if !errors.As(err, &we) || we.Limit != LimitContextTerms || !strings.HasPrefix(we.Path, "@context") {
		t.Fatalf("huge inline context: err = %v, want a %s WorkError", err, LimitContextTerms)
	}

	doc := inlineDoc(inlineV2, map[string]any{"badgeColour": vocabEx + "badgeColour"}, map[string]any{"badgeColour": "green"})
	_, err = Canonicalize(ctx, doc, CanonOptions{Limits: Limits{MaxJSONGoldNodes: 3}})
	if !errors.As(err, &we) || we.Limit != LimitJSONGoldNodes {
		t.Fatalf("inline-context document with a json-gold node bound of 3: err = %v, want a %s WorkError", err, LimitJSONGoldNodes)
	}
	work = Work{}
	if _, err := Canonicalize(ctx, doc, CanonOptions{Work: &work}); err != nil {
		t.Fatal(err)
	}
	if work.Quads == 0 {
		t.Errorf("work %+v: quads not counted", work)
	}
}
