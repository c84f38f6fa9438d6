package verifier

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/jsonld"
)

const (
	ctxV2    = contexts.CredentialsV2
	ctxOB    = contexts.OBv3p0
	ctxOB301 = contexts.OBv3p0_3_0_1
	newIRI   = "https://example.edu/vocab#"
)

func bundledLoader(t testing.TB) *jsonld.Loader {
	t.Helper()
	l, err := jsonld.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// credWith is a credential whose @context is list; extra keys are added.
func credWith(list []any, extra map[string]any) map[string]any {
	c := map[string]any{"@context": list, "type": []any{"VerifiableCredential", "OpenBadgeCredential"}}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// TestInlineContextRule: the rule of issue #11 Found 5, case by case. A
// refusal must name the JSON path and the part of the rule.
func TestInlineContextRule(t *testing.T) {
	inline := func(m map[string]any) []any { return []any{ctxV2, ctxOB, m} }
	tests := []struct {
		name     string
		cred     map[string]any
		accepted []string
		path     string
		rule     contextRule
	}{
		{name: "bundled only", cred: credWith([]any{ctxV2, ctxOB}, nil)},
		{name: "new term as a string", cred: credWith(inline(map[string]any{"badgeColour": newIRI + "badgeColour"}), nil),
			accepted: []string{"@context[2]"}},
		{name: "new term, expanded form", cred: credWith(inline(map[string]any{"badgeColour": map[string]any{
			"@id": newIRI + "badgeColour", "@type": "@id", "@container": []any{"@set"}, "@protected": true}}), nil),
			accepted: []string{"@context[2]"}},
		{name: "new terms with a datatype, a list and @version 1.1", cred: credWith(inline(map[string]any{
			"@version": 1.1, "@protected": true,
			"tier":  map[string]any{"@id": newIRI + "tier", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
			"steps": map[string]any{"@id": newIRI + "steps", "@container": "@list"},
			"kind":  map[string]any{"@id": newIRI + "kind", "@type": "@vocab"},
		}), nil), accepted: []string{"@context[2]"}},
		{name: "the DCC fixture's issuanceDate", cred: credWith(inline(map[string]any{"issuanceDate": "https://www.w3.org/2018/credentials/v1#issuanceDate"}), nil),
			accepted: []string{"@context[2]"}},
		{name: "two inline contexts", cred: credWith([]any{ctxV2, ctxOB, map[string]any{"a1": newIRI + "a1"}, map[string]any{"a2": newIRI + "a2"}}, nil),
			accepted: []string{"@context[2]", "@context[3]"}},
		{name: "suite context after an inline one", cred: credWith([]any{contexts.CredentialsV1, ctxOB, map[string]any{"a1": newIRI + "a1"}, contexts.Ed25519Signature2020V1}, nil),
			accepted: []string{"@context[2]"}},
		{name: "nested new term", cred: credWith([]any{ctxV2, ctxOB}, map[string]any{"credentialSubject": map[string]any{
			"@context": map[string]any{"badgeColour": newIRI + "badgeColour"}}}),
			accepted: []string{"credentialSubject.@context"}},
		{name: "an embedded credential's jcs proof repeating its inline context", cred: credWith([]any{ctxV2, ctxOB}, map[string]any{"endorsement": []any{map[string]any{
			"@context": []any{ctxV2, ctxOB, map[string]any{"a1": newIRI + "a1"}},
			"proof":    map[string]any{"@context": []any{ctxV2, ctxOB, map[string]any{"a1": newIRI + "a1"}}},
		}}}), accepted: []string{"endorsement[0].@context[2]", "endorsement[0].proof.@context[2]"}},
		{name: "proof @context is the proof's business", cred: credWith([]any{ctxV2, ctxOB}, map[string]any{"proof": map[string]any{
			"@context": []any{ctxV2, map[string]any{"name": "https://evil.example/name"}}}})},

		{name: "redefines a protected term", cred: credWith(inline(map[string]any{"name": "https://evil.example/name"}), nil),
			path: "@context[2].name", rule: ruleRedefinition},
		{name: "redefines an unprotected OB 3.0.1 term", cred: credWith([]any{ctxV2, ctxOB301, map[string]any{"narrative": "https://evil.example/n"}}, nil),
			path: "@context[2].narrative", rule: ruleRedefinition},
		{name: "redefines a term of a scoped context", cred: credWith([]any{ctxV2, ctxOB301, map[string]any{"achievementType": "https://evil.example/t"}}, nil),
			path: "@context[2].achievementType", rule: ruleRedefinition},
		{name: "redefines a term of an earlier inline context differently", cred: credWith([]any{ctxV2, ctxOB, map[string]any{"a1": newIRI + "a1"}},
			map[string]any{"credentialSubject": map[string]any{"@context": map[string]any{"a1": map[string]any{"@id": newIRI + "a1"}}}}),
			path: "credentialSubject.@context.a1", rule: ruleRedefinition},
		{name: "redefines a term of an earlier inline context", cred: credWith([]any{ctxV2, ctxOB, map[string]any{"a1": newIRI + "a1"}, map[string]any{"a1": newIRI + "other"}}, nil),
			path: "@context[3].a1", rule: ruleRedefinition},
		{name: "redefines a term of a bundled context named only in a nested node", cred: credWith(inline(map[string]any{"ClrSubject": newIRI + "x"}),
			map[string]any{"credentialSubject": map[string]any{"@context": []any{contexts.CLRv2p0}}}),
			path: "@context[2].ClrSubject", rule: ruleRedefinition},
		{name: "nested remap", cred: credWith([]any{ctxV2, ctxOB301}, map[string]any{"credentialSubject": map[string]any{"achievement": map[string]any{
			"criteria": map[string]any{"@context": map[string]any{"narrative": "https://evil.example/n"}}}}}),
			path: "credentialSubject.achievement.criteria.@context.narrative", rule: ruleRedefinition},
		{name: "keyword alias", cred: credWith(inline(map[string]any{"ident": "@id"}), nil), path: "@context[2].ident", rule: ruleAlias},
		{name: "keyword alias by @id", cred: credWith(inline(map[string]any{"kind": map[string]any{"@id": "@type"}}), nil), path: "@context[2].kind.@id", rule: ruleAlias},
		{name: "alias of a term that is a keyword alias", cred: credWith(inline(map[string]any{"ident": map[string]any{"@id": "id"}}), nil),
			path: "@context[2].ident.@id", rule: ruleShape},
		{name: "@vocab", cred: credWith(inline(map[string]any{"@vocab": "https://evil.example/"}), nil), path: "@context[2].@vocab", rule: ruleKeyword},
		{name: "@base", cred: credWith(inline(map[string]any{"@base": "https://evil.example/"}), nil), path: "@context[2].@base", rule: ruleKeyword},
		{name: "@import", cred: credWith(inline(map[string]any{"@import": ctxOB301}), nil), path: "@context[2].@import", rule: ruleKeyword},
		{name: "@propagate", cred: credWith(inline(map[string]any{"@propagate": false, "a1": newIRI + "a1"}), nil), path: "@context[2].@propagate", rule: ruleKeyword},
		{name: "@language", cred: credWith(inline(map[string]any{"@language": "fr"}), nil), path: "@context[2].@language", rule: ruleKeyword},
		{name: "@version 1.0", cred: credWith(inline(map[string]any{"@version": 1.0}), nil), path: "@context[2].@version", rule: ruleKeyword},
		{name: "scoped context", cred: credWith(inline(map[string]any{"extra": map[string]any{"@id": newIRI + "extra",
			"@context": map[string]any{"name": "https://evil.example/name"}}}), nil), path: "@context[2].extra.@context", rule: ruleScoped},
		{name: "remote url scoped inside", cred: credWith(inline(map[string]any{"extra": map[string]any{"@id": newIRI + "extra",
			"@context": "https://evil.example/ctx.jsonld"}}), nil), path: "@context[2].extra.@context", rule: ruleScoped},
		{name: "remote url after the inline context", cred: credWith([]any{ctxV2, ctxOB, map[string]any{"a1": newIRI + "a1"}, "https://evil.example/ctx.jsonld"}, nil),
			path: "@context[2]", rule: ruleOrder},
		// Not bundled: the context check's could-not-check, not this rule.
		{name: "remote url in a nested context", cred: credWith([]any{ctxV2, ctxOB}, map[string]any{"credentialSubject": map[string]any{
			"@context": "https://evil.example/ctx.jsonld"}})},
		{name: "inline before a bundled context", cred: credWith([]any{ctxV2, ctxOB, map[string]any{"a1": newIRI + "a1"}, contexts.OBExtensions}, nil),
			path: "@context[2]", rule: ruleOrder},
		{name: "prefix", cred: credWith(inline(map[string]any{"did": "https://evil.example/did/"}), nil), path: "@context[2].did", rule: rulePrefix},
		{name: "prefix ending in #", cred: credWith(inline(map[string]any{"ex": newIRI}), nil), path: "@context[2].ex", rule: rulePrefix},
		{name: "compact iri term", cred: credWith(inline(map[string]any{"urn:x": map[string]any{"@id": "urn:x", "@type": "@id"}}), nil),
			path: "@context[2].urn:x", rule: ruleIRITerm},
		{name: "term defined as null", cred: credWith(inline(map[string]any{"a1": nil}), nil), path: "@context[2].a1", rule: ruleShape},
		{name: "null @context entry", cred: credWith([]any{ctxV2, ctxOB, nil}, nil), path: "@context[2]", rule: ruleNull},
		{name: "nested null @context", cred: credWith([]any{ctxV2, ctxOB}, map[string]any{"issuer": map[string]any{"@context": nil}}),
			path: "issuer.@context", rule: ruleNull},
		{name: "blank node iri", cred: credWith(inline(map[string]any{"a1": "_:b0"}), nil), path: "@context[2].a1", rule: ruleShape},
		{name: "relative iri", cred: credWith(inline(map[string]any{"a1": "a1"}), nil), path: "@context[2].a1", rule: ruleShape},
		{name: "no @id", cred: credWith(inline(map[string]any{"a1": map[string]any{"@type": "@id"}}), nil), path: "@context[2].a1", rule: ruleShape},
		{name: "@reverse", cred: credWith(inline(map[string]any{"a1": map[string]any{"@reverse": newIRI + "a1"}}), nil), path: "@context[2].a1.@reverse", rule: ruleShape},
		{name: "@json type", cred: credWith(inline(map[string]any{"a1": map[string]any{"@id": newIRI + "a1", "@type": "@json"}}), nil),
			path: "@context[2].a1.@type", rule: ruleShape},
		{name: "@graph container", cred: credWith(inline(map[string]any{"a1": map[string]any{"@id": newIRI + "a1", "@container": "@graph"}}), nil),
			path: "@context[2].a1.@container", rule: ruleShape},
		{name: "@language map", cred: credWith(inline(map[string]any{"a1": map[string]any{"@id": newIRI + "a1", "@container": "@language"}}), nil),
			path: "@context[2].a1.@container", rule: ruleShape},
		{name: "@prefix", cred: credWith(inline(map[string]any{"a1": map[string]any{"@id": newIRI, "@prefix": true}}), nil),
			path: "@context[2].a1.@prefix", rule: ruleShape},
		{name: "array entry", cred: credWith([]any{ctxV2, ctxOB, []any{}}, nil), path: "@context[2]", rule: ruleShape},
	}
	l := bundledLoader(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkInlineContexts(l, tc.cred)
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v (at %s)", err, rulePath(err))
				}
				if strings.Join(got, " ") != strings.Join(tc.accepted, " ") {
					t.Fatalf("accepted %q, want %q", got, tc.accepted)
				}
				return
			}
			var ce *contextRuleError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *contextRuleError", err)
			}
			if ce.Path != tc.path || ce.Rule != tc.rule {
				t.Fatalf("refused at %s by rule %q (%s), want %s by rule %q", ce.Path, ce.Rule, ce.Reason, tc.path, tc.rule)
			}
		})
	}
}

// bundledTerm is a term a bundled context defines, at some level.
type bundledTerm struct {
	url, term string
	protected bool
}

// termsOf lists every term of the bundled context at url, scoped contexts
// included, with whether JSON-LD protects it. It reads the context JSON
// directly, apart from the rule's own walk.
func termsOf(t *testing.T, l *jsonld.Loader, url string) []bundledTerm {
	t.Helper()
	rd, err := l.LoadDocument(url)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := rd.Document.(map[string]any)
	var out []bundledTerm
	var walk func(c any)
	walk = func(c any) {
		m, ok := c.(map[string]any)
		if !ok {
			if a, ok := c.([]any); ok {
				for _, e := range a {
					walk(e)
				}
			}
			return
		}
		prot, _ := m["@protected"].(bool)
		for k, v := range m {
			if strings.HasPrefix(k, "@") {
				continue
			}
			p := prot
			if d, ok := v.(map[string]any); ok {
				if b, ok := d["@protected"].(bool); ok {
					p = b
				}
				if sc, ok := d["@context"]; ok {
					walk(sc)
				}
			}
			out = append(out, bundledTerm{url: url, term: k, protected: p})
		}
	}
	walk(doc["@context"])
	return out
}

// TestInlineContextRedefinesEveryBundledTerm generates a case for every term
// of every bundled context, protected or not, top level or scoped: an
// inline context after that context that maps the term to another IRI is
// refused, naming the term.
func TestInlineContextRedefinesEveryBundledTerm(t *testing.T) {
	l := bundledLoader(t)
	var cases, unprotected int
	seen := map[string]bool{}
	for _, info := range l.Bundled() {
		for _, bt := range termsOf(t, l, info.URL) {
			cases++
			if !bt.protected {
				unprotected++
				seen[bt.term] = true
			}
			cred := credWith([]any{bt.url, map[string]any{bt.term: "https://evil.example/vocab#" + bt.term}}, nil)
			_, err := checkInlineContexts(l, cred)
			var ce *contextRuleError
			if !errors.As(err, &ce) || ce.Rule != ruleRedefinition || ce.Path != "@context[1]."+bt.term {
				t.Errorf("%s of %s (protected %v): err = %v, want a redefinition at @context[1].%s", bt.term, bt.url, bt.protected, err, bt.term)
			}
		}
	}
	// The point of the rule: terms JSON-LD would let a later context
	// redefine. The generated list must include them, top level and
	// scoped, from OB 3.0.1, the extensions and CLR.
	for _, term := range []string{"name", "description", "narrative", "achievement", "achievementType", "1EdTechJsonSchemaValidator2019", "ClrSubject", "verifiableCredential"} {
		if !seen[term] {
			t.Errorf("no unprotected case for %q", term)
		}
	}
	t.Logf("%d redefinitions refused, %d of them of unprotected terms", cases, unprotected)
}

// TestInlineContextLimit: inline contexts count against
// jsonld.DefaultMaxContextTerms, so a huge one is refused after a
// bounded walk.
func TestInlineContextLimit(t *testing.T) {
	big := map[string]any{}
	for i := range jsonld.DefaultMaxContextTerms + 1 {
		big["t"+strconv.Itoa(i)] = newIRI + strconv.Itoa(i)
	}
	_, err := checkInlineContexts(bundledLoader(t), credWith([]any{ctxV2, ctxOB, big}, nil))
	var ce *contextRuleError
	if !errors.As(err, &ce) || ce.Rule != ruleLimit || ce.Path != "@context[2]" {
		t.Fatalf("err = %v, want the term limit at @context[2]", err)
	}
}

// FuzzInlineContextRule feeds arbitrary @context values, top level and
// nested, to the rule: it must not panic, must refuse only with a
// *contextRuleError whose path is a @context path, and must never accept
// an inline context that redefines a term of the bundled contexts named.
func FuzzInlineContextRule(f *testing.F) {
	f.Add([]byte(`["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",{"issuanceDate":"https://www.w3.org/2018/credentials/v1#issuanceDate"}]`),
		[]byte(`{"badgeColour":"https://example.edu/v#c"}`))
	f.Add([]byte(`["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",{"name":{"@id":"https://evil.example/n","@context":{"@vocab":"x"}}}]`),
		[]byte(`null`))
	f.Add([]byte(`[{"@version":1.1},"https://www.w3.org/ns/credentials/v2"]`), []byte(`["https://w3id.org/security/suites/ed25519-2020/v1",{"did":"https://e/"}]`))
	l := bundledLoader(f)
	f.Fuzz(func(t *testing.T, top, nested []byte) {
		var tc, nc any
		if json.Unmarshal(top, &tc) != nil || json.Unmarshal(nested, &nc) != nil {
			return
		}
		cred := map[string]any{"@context": tc, "credentialSubject": map[string]any{"@context": nc}}
		accepted, err := checkInlineContexts(l, cred)
		if err != nil {
			var ce *contextRuleError
			if !errors.As(err, &ce) || !strings.Contains(ce.Path, "@context") || ce.Rule == "" {
				t.Fatalf("err = %#v, want a *contextRuleError at a @context path", err)
			}
			return
		}
		// Independently of the rule's walk: no accepted inline context
		// defines a term of a bundled context the credential names.
		taken := map[string]bool{}
		var inlines []map[string]any
		for _, c := range []any{tc, nc} {
			list, ok := c.([]any)
			if !ok {
				list = []any{c}
			}
			for _, e := range list {
				switch x := e.(type) {
				case string:
					if _, err := l.LoadDocument(x); err != nil {
						// Unbundled URLs are the context check's "could
						// not check", not this rule's.
						continue
					}
					for _, bt := range termsOf(t, l, x) {
						taken[bt.term] = true
					}
				case map[string]any:
					inlines = append(inlines, x)
				}
			}
		}
		for _, m := range inlines {
			for k, v := range m {
				if taken[k] {
					t.Fatalf("accepted %v, which redefines %q", accepted, k)
				}
				if s, ok := v.(string); ok && strings.HasPrefix(s, "@") {
					t.Fatalf("accepted %v, which aliases %s", accepted, s)
				}
			}
		}
	})
}
