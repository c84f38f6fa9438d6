package jsonld

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/contexts"
)

// plainCredential is a small unsigned OB 3.0 credential under the bundled
// contexts: an issuer and a subject with an achievement that has a named
// and an anonymous criteria node, so canonicalization has blank nodes to
// hash.
func plainCredential() map[string]any {
	return map[string]any{
		"@context": []any{contexts.CredentialsV2, contexts.OBv3p0},
		"id":       "urn:uuid:2d9a1b2c-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
		"type":     []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":     "Example badge",
		"issuer": map[string]any{
			"id":   "https://example.edu/issuers/565049",
			"type": []any{"Profile"},
			"name": "Example University",
		},
		"validFrom": "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"type": []any{"AchievementSubject"},
			"achievement": map[string]any{
				"id":          "https://example.edu/achievements/1",
				"type":        []any{"Achievement"},
				"name":        "Teamwork",
				"description": "Works well in a team.",
				"criteria":    map[string]any{"narrative": "Did the work."},
			},
		},
	}
}

// withTags returns plainCredential with n distinct tag values on the
// achievement (a property the OB context defines), the shape of the
// 20,000-value credential of issue #10.
func withTags(n int, prefix string) map[string]any {
	doc := plainCredential()
	tags := make([]any, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["tag"] = tags
	return doc
}

// viaJSONGold makes the own expander give up on doc (an embedded context
// object), so that expansion and the node map are json-gold's path.
func viaJSONGold(doc map[string]any) map[string]any {
	doc["@context"] = append(doc["@context"].([]any), map[string]any{"ex": "https://example.org/vocab#"})
	return doc
}

// TestWorkLimits: each bound trips with a *WorkError naming it, wrapping
// ErrTooMuchWork, on the engines that reach it; the counts are exact, so no
// timing is involved.
func TestWorkLimits(t *testing.T) {
	l := freshLoader(t)
	deep := map[string]any{}
	cur := deep
	for range 10 {
		next := map[string]any{}
		cur["credentialSubject"] = next
		cur = next
	}
	// The achievement's tags under two keys that expand to the same
	// property: no JSON array is longer than 30, but the property has 60.
	merged := withTags(30, "a")
	ach := merged["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
	ach["https://schema.org/keywords"] = []any{}
	for i := range 30 {
		ach["https://schema.org/keywords"] = append(ach["https://schema.org/keywords"].([]any), fmt.Sprint("b", i))
	}
	// One node written twice with the same id, 30 tags each: only the
	// node map's merge sees 60 values.
	twice := viaJSONGold(plainCredential())
	twice["credentialSubject"].(map[string]any)["achievement"] = []any{
		withTags(30, "a")["credentialSubject"].(map[string]any)["achievement"],
		withTags(30, "b")["credentialSubject"].(map[string]any)["achievement"],
	}
	tests := []struct {
		name   string
		doc    map[string]any
		opts   CanonOptions
		limit  string
		path   string
		engine string // "" for every engine, else "default" or "reference"
	}{
		{"values in one array", withTags(51, "t"), CanonOptions{Limits: Limits{MaxValuesPerProperty: 50}}, LimitValuesPerProperty, "credentialSubject.achievement.tag", ""},
		{"values of types", func() map[string]any {
			d := plainCredential()
			d["type"] = []any{"VerifiableCredential", "OpenBadgeCredential", "VerifiableCredential", "OpenBadgeCredential"}
			return d
		}(), CanonOptions{Limits: Limits{MaxValuesPerProperty: 3}}, LimitValuesPerProperty, "type", ""},
		{"values merged from two keys", merged, CanonOptions{Limits: Limits{MaxValuesPerProperty: 50}}, LimitValuesPerProperty, "credentialSubject.achievement.https://schema.org/keywords", ""},
		{"values merged from one node written twice", twice, CanonOptions{Limits: Limits{MaxValuesPerProperty: 50}}, LimitValuesPerProperty, "https://schema.org/keywords", ""},
		{"quads, own expander", withTags(100, "t"), CanonOptions{Limits: Limits{MaxQuads: 50}}, LimitQuads, "", ""},
		{"quads, json-gold expander", viaJSONGold(withTags(100, "t")), CanonOptions{Limits: Limits{MaxQuads: 50}}, LimitQuads, "", ""},
		{"json objects", manyNodes(60), CanonOptions{Limits: Limits{MaxQuads: 50}}, LimitQuads, "", ""},
		{"context terms", func() map[string]any {
			d := plainCredential()
			d["credentialSubject"].(map[string]any)["@context"] = map[string]any{"a": "https://example.org/a", "b": map[string]any{"@id": "https://example.org/b", "@type": "@id"}}
			return d
		}(), CanonOptions{Limits: Limits{MaxContextTerms: 3}}, LimitContextTerms, "credentialSubject.@context", ""},
		{"json-gold nodes", viaJSONGold(manyNodes(20)), CanonOptions{Limits: Limits{MaxJSONGoldNodes: 10}}, LimitJSONGoldNodes, "", ""},
		{"types", repeatedTypes(5), CanonOptions{Limits: Limits{MaxTypes: 4}}, LimitTypes, "credentialSubject.achievement.type", ""},
		{"types under an alias", func() map[string]any {
			d := repeatedTypes(0)
			ach := d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
			delete(ach, "type")
			ach["@context"] = map[string]any{"kind": "@type"}
			ach["kind"] = []any{"Achievement", "Achievement", "Achievement"}
			return d
		}(), CanonOptions{Limits: Limits{MaxTypes: 2}}, LimitTypes, "credentialSubject.achievement.kind", ""},
		{"depth", deep, CanonOptions{Limits: Limits{MaxDepth: 5}}, LimitDepth, "credentialSubject.credentialSubject.credentialSubject.credentialSubject.credentialSubject.credentialSubject", ""},
		{"hash calls", plainCredential(), CanonOptions{Limits: Limits{MaxHashCalls: 1}}, LimitHashCalls, "", "default"},
	}
	for _, tt := range tests {
		for _, engine := range []string{"default", "reference"} {
			if tt.engine != "" && tt.engine != engine {
				continue
			}
			t.Run(tt.name+"/"+engine, func(t *testing.T) {
				opts := tt.opts
				opts.Loader = l
				opts.Reference = engine == "reference"
				var work Work
				opts.Work = &work
				_, err := Canonicalize(context.Background(), tt.doc, opts)
				var we *WorkError
				if !errors.As(err, &we) || !errors.Is(err, ErrTooMuchWork) {
					t.Fatalf("err = %v, want a *WorkError", err)
				}
				if we.Limit != tt.limit || we.Path != tt.path {
					t.Errorf("bound %s at %q, want %s at %q (%v)", we.Limit, we.Path, tt.limit, tt.path, err)
				}
				if !strings.Contains(err.Error(), tt.limit) || !strings.Contains(err.Error(), fmt.Sprint(we.Max)) {
					t.Errorf("message %q does not name the bound and its value", err)
				}
				if we.Got <= we.Max {
					t.Errorf("got %d is within the limit %d", we.Got, we.Max)
				}
				if tt.limit == LimitQuads && tt.name != "json objects" && work.Quads != we.Max {
					t.Errorf("counted %d quads, want the limit (the one refused is not work done)", work.Quads)
				}
				if work.Quads > opts.Limits.MaxQuads && opts.Limits.MaxQuads > 0 || work.HashCalls > opts.Limits.MaxHashCalls && opts.Limits.MaxHashCalls > 0 {
					t.Errorf("work %+v exceeds the limits %+v", work, opts.Limits)
				}
			})
		}
	}
	// The same documents pass with the defaults.
	for _, tt := range tests {
		if tt.limit == LimitDepth {
			continue // plain nesting without types is refused as undefined
		}
		if _, err := Canonicalize(context.Background(), tt.doc, CanonOptions{Loader: l}); err != nil {
			t.Errorf("%s: refused with the default limits: %v", tt.name, err)
		}
	}
}

// TestValuesPerPropertyMessage pins the message a verifier shows for the
// issue #10 credential.
func TestValuesPerPropertyMessage(t *testing.T) {
	_, err := Canonicalize(context.Background(), withTags(20000, "t"), CanonOptions{Loader: freshLoader(t)})
	want := "too much json-ld work: document has 20000 values for credentialSubject.achievement.tag, more than the limit of 5000 (MaxValuesPerProperty)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

// TestNormalCredentialWork: a genuine credential is far below every
// default bound, and its counts are deterministic and the same on every
// engine that counts them.
func TestNormalCredentialWork(t *testing.T) {
	l := freshLoader(t)
	docs := map[string]map[string]any{"plain": plainCredential()}
	if m, err := readVector(); err == nil {
		docs["ob vector"] = m
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			var w1, w2 Work
			if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: l, Work: &w1}); err != nil {
				t.Fatal(err)
			}
			if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: l, Work: &w2}); err != nil {
				t.Fatal(err)
			}
			if w1 != w2 {
				t.Errorf("work %+v then %+v", w1, w2)
			}
			if w1.Quads == 0 || w1.HashCalls == 0 {
				t.Errorf("work %+v: nothing counted", w1)
			}
			if w1.Quads*100 > DefaultMaxQuads || w1.HashCalls*100 > DefaultMaxHashCalls {
				t.Errorf("work %+v is not far below the defaults", w1)
			}
			// Work adds up over calls.
			if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: l, Work: &w2}); err != nil {
				t.Fatal(err)
			}
			if w2.Quads != 2*w1.Quads || w2.HashCalls != 2*w1.HashCalls {
				t.Errorf("work %+v after two calls, want twice %+v", w2, w1)
			}
			t.Logf("%s: %+v", name, w1)
		})
	}
}

// readVector is the OB 3.0 test vector without its proof, when the shared
// reference material is there.
func readVector() (map[string]any, error) {
	b, err := os.ReadFile(canonSpecDir + "/test-vectors/ob-v3p0-eddsa-rdfc-2022/signed-credential.json")
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	delete(m, "proof")
	return m, nil
}

// TestDedupeMatchesJSONGold: the hashed de-duplication keeps exactly the
// values json-gold keeps, for repeats in one array (own expander and the
// node map) and across copies of one node, with few and many values.
func TestDedupeMatchesJSONGold(t *testing.T) {
	l := freshLoader(t)
	for _, n := range []int{3, smallDedupe + 5, 200} {
		build := func() map[string]any {
			doc := plainCredential()
			ach := doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
			var tags, alignments []any
			for i := range n {
				tags = append(tags, fmt.Sprint("t", i%(n/3+1)))
				alignments = append(alignments, map[string]any{
					"type": []any{"Alignment"}, "targetName": fmt.Sprint("n", i%2), "targetUrl": fmt.Sprintf("https://example.org/%d", i%3),
				})
			}
			ach["tag"] = tags
			ach["alignment"] = alignments
			ach["creator"] = []any{
				map[string]any{"id": "https://example.org/c", "type": []any{"Profile"}},
				map[string]any{"id": "https://example.org/c", "type": []any{"Profile"}, "name": "C"},
			}
			return doc
		}
		for name, doc := range map[string]map[string]any{"own": build(), "json-gold": viaJSONGold(build())} {
			t.Run(fmt.Sprint(name, "/", n), func(t *testing.T) {
				ok, err := compareEngines(l, doc)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					t.Fatal("refused")
				}
			})
		}
	}
}

// TestCanonicalizeStopsWhenCanceled: cancellation before the call and in
// the middle of each long step (expansion by either expander, the RDF
// conversion, the canonicalization) returns an error wrapping
// context.Canceled.
func TestCanonicalizeStopsWhenCanceled(t *testing.T) {
	l := freshLoader(t)
	big := Limits{MaxValuesPerProperty: 1 << 20, MaxQuads: 1 << 20, MaxHashCalls: 1 << 20, MaxJSONGoldNodes: 1 << 20}
	// Many anonymous nodes: every step (expansion, conversion, hashing)
	// has thousands of iterations.
	many := func() map[string]any { return manyNodes(1500) }
	for _, tt := range []struct {
		name string
		doc  map[string]any
		opts CanonOptions
	}{
		{"own expander", many(), CanonOptions{Loader: l, Limits: big}},
		{"json-gold expander", viaJSONGold(many()), CanonOptions{Loader: l, Limits: big}},
		{"reference", many(), CanonOptions{Loader: l, Limits: big, Reference: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// A context whose Err turns non-nil on its n-th call cancels at
			// a deterministic point; each n stops a later step.
			calls := countErrCalls(t, tt.doc, tt.opts)
			if calls < 8 {
				t.Fatalf("only %d looks at the context for a document of 1500 nodes", calls)
			}
			for _, n := range []int{1, 2, calls / 4, calls / 2, calls - 1} {
				lc := &lateCancel{Context: context.Background(), after: n}
				_, err := Canonicalize(lc, tt.doc, tt.opts)
				if !errors.Is(err, context.Canceled) {
					t.Errorf("canceled at look %d of %d: err = %v, want context.Canceled", n, calls, err)
				}
			}
		})
	}
	// A real cancellation from another goroutine, with a hang guard.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Canonicalize(ctx, many(), CanonOptions{Loader: l, Limits: big, Reference: true})
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled or success", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("canonicalization did not stop within 30 s of cancellation")
	}
}

// countErrCalls canonicalizes doc with a context that counts the looks
// at Err.
func countErrCalls(t *testing.T, doc map[string]any, opts CanonOptions) int {
	t.Helper()
	c := &lateCancel{Context: context.Background(), after: -1}
	if _, err := Canonicalize(c, doc, opts); err != nil {
		t.Fatal(err)
	}
	return c.calls
}

// lateCancel is a context whose Err reports cancellation from its after-th
// call on (never when after is negative).
type lateCancel struct {
	context.Context
	after, calls int
}

func (c *lateCancel) Err() error {
	c.calls++
	if c.after >= 0 && c.calls >= c.after {
		return context.Canceled
	}
	return nil
}

// BenchmarkHostileTags judges the credential of issue #10, 20,000
// distinct tag values on the achievement (about 138 KB of JSON), with the
// default limits: it must be refused in well under 100 ms. The "raised
// limits" case canonicalizes it in full, showing the de-duplication is no
// longer quadratic; "json-gold expander" takes the fallback path.
func BenchmarkHostileTags(b *testing.B) {
	l := freshLoader(b)
	raised := Limits{MaxValuesPerProperty: 1 << 20, MaxQuads: 1 << 20, MaxHashCalls: 1 << 20}
	for _, bc := range []struct {
		name   string
		doc    map[string]any
		opts   CanonOptions
		refuse bool
	}{
		{"default limits", withTags(20000, "tag-"), CanonOptions{Loader: l}, true},
		{"raised limits", withTags(20000, "tag-"), CanonOptions{Loader: l, Limits: raised}, false},
		{"raised limits json-gold expander", viaJSONGold(withTags(20000, "tag-")), CanonOptions{Loader: l, Limits: raised}, false},
		{"1 MiB 138000 values", withTags(138000, "t"), CanonOptions{Loader: l}, true},
		{"default limits 4000x4 nested objects", nestedNodes(4000, 3), CanonOptions{Loader: l}, true},
		{"default limits 4000x4 nested objects json-gold expander", viaJSONGold(nestedNodes(4000, 3)), CanonOptions{Loader: l}, true},
		{"default limits 1600 anonymous results", manyNodes(1600), CanonOptions{Loader: l}, false},
		{"default limits 4900 identical alignments", identicalNodes(4900), CanonOptions{Loader: l}, false},
		{"default limits 64 repeated types", repeatedTypes(64), CanonOptions{Loader: l}, false},
		{"default limits 64 repeated types json-gold expander", viaJSONGold(repeatedTypes(64)), CanonOptions{Loader: l}, false},
		{"raised limits 20000 anonymous results", manyNodes(20000), CanonOptions{Loader: l, Limits: raised}, false},
		{"raised limits 20000 identical alignments", identicalNodes(20000), CanonOptions{Loader: l, Limits: raised}, false},
		{"raised limits 20000 compact-IRI keys json-gold expander", manyKeys(20000), CanonOptions{Loader: l, Limits: raised}, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.name == "default limits" {
				js, _ := json.Marshal(bc.doc)
				b.ReportMetric(float64(len(js)), "json-bytes")
			}
			for b.Loop() {
				_, err := Canonicalize(context.Background(), bc.doc, bc.opts)
				if bc.refuse != errors.Is(err, ErrTooMuchWork) || !bc.refuse && err != nil {
					b.Fatalf("err = %v, refusal expected: %v", err, bc.refuse)
				}
			}
		})
	}
}

// manyNodes is plainCredential with n anonymous results, each a blank node.
func manyNodes(n int) map[string]any {
	doc := plainCredential()
	var rs []any
	for i := range n {
		rs = append(rs, map[string]any{"type": []any{"Result"}, "value": fmt.Sprint(i)})
	}
	doc["credentialSubject"].(map[string]any)["result"] = rs
	return doc
}

// identicalNodes is plainCredential with n identical anonymous alignments:
// blank nodes that look alike, next to one named node.
func identicalNodes(n int) map[string]any {
	doc := plainCredential()
	var as []any
	for range n {
		as = append(as, map[string]any{"type": []any{"Alignment"}, "targetName": "x", "targetUrl": "https://example.org/x"})
	}
	doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["alignment"] = as
	return doc
}

// manyKeys is plainCredential, expanded by json-gold, with n keys that are
// compact IRIs on the achievement (each key searched for by its last
// segment when safe mode names paths).
func manyKeys(n int) map[string]any {
	doc := viaJSONGold(plainCredential())
	ach := doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
	for i := range n {
		ach[fmt.Sprint("ex:p", i)] = "v"
	}
	return doc
}

// nestedNodes is plainCredential with n anonymous results, each with k
// alignments: (k+1)*n JSON objects, no array longer than max(n, k).
func nestedNodes(n, k int) map[string]any {
	doc := plainCredential()
	var rs []any
	for i := range n {
		var as []any
		for j := range k {
			as = append(as, map[string]any{"type": []any{"Alignment"}, "targetName": fmt.Sprint(i, "-", j), "targetUrl": "https://example.org/x"})
		}
		rs = append(rs, map[string]any{"type": []any{"Result"}, "value": fmt.Sprint(i), "alignment": as})
	}
	doc["credentialSubject"].(map[string]any)["result"] = rs
	return doc
}

// repeatedTypes is plainCredential whose achievement has n types, all
// Achievement (a type with a scoped context).
func repeatedTypes(n int) map[string]any {
	doc := plainCredential()
	types := make([]any, n)
	for i := range types {
		types[i] = "Achievement"
	}
	doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["type"] = types
	return doc
}

// FuzzNodeMapMatchesJSONGold: on any document, the default path (whose
// RDF conversion for documents outside the own expander's subset is
// nodeMapper, json-gold's node map with hashed de-duplication) and the
// json-gold reference path agree byte for byte or refuse alike. The seeds
// are the shapes the node map treats specially.
func FuzzNodeMapMatchesJSONGold(f *testing.F) {
	ctx := `"@context":["https://www.w3.org/ns/credentials/v2",{"ex":"https://example.org/#","ex:list":{"@container":"@list"},"ex:rev":{"@reverse":"https://example.org/#p"},"ex:g":{"@container":"@graph"},"ex:i":{"@id":"https://example.org/#i","@container":"@index"}}]`
	for _, body := range []string{
		`"ex:a":["x","x","y",{"@value":"x"},{"@value":"x","@language":"en"},{"@value":"x","@type":"ex:t"},true,true,1,1.0]`,
		`"ex:a":[{"@id":"ex:n"},{"@id":"ex:n","ex:b":"1"},{"@id":"_:b","ex:b":"2"},{"@id":"_:b","ex:b":"2"},{"ex:b":"3"},{"ex:b":"3"}]`,
		`"@id":"ex:s","ex:list":["a","a",{"@id":"ex:n"}],"ex:a":{"@list":[]}`,
		`"@id":"ex:s","ex:rev":[{"@id":"ex:o"},{"@id":"ex:o"},{"ex:b":"x"}]`,
		`"ex:g":{"@id":"ex:in","ex:b":"x"},"@included":[{"@id":"ex:inc","ex:b":"y"}]`,
		`"ex:i":{"k1":{"@id":"ex:x"},"k2":{"@id":"ex:y"}},"@type":["ex:T","ex:T","_:bt"]`,
		`"ex:i":{"k1":{"@id":"ex:x"},"k2":{"@id":"ex:x"}}`,
		`"@graph":[{"@id":"ex:a","ex:b":"1"},{"@id":"ex:a","ex:b":"1","ex:c":{"@id":"_:z"}}]`,
	} {
		f.Add([]byte(`{` + ctx + `,` + body + `}`))
	}
	l := freshLoader(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var doc map[string]any
		if json.Unmarshal(b, &doc) != nil || doc == nil {
			return
		}
		if _, err := compareEngines(l, doc); err != nil {
			t.Error(err)
		}
	})
}
