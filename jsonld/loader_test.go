package jsonld

import (
	"context"
	"testing"

	"github.com/badgesmith/badgesmith/contexts"
)

func mustLoader(tb testing.TB) *Loader {
	tb.Helper()
	l, err := NewLoader()
	if err != nil {
		tb.Fatalf("NewLoader: %v", err)
	}
	return l
}

// TestNewLoaderShared checks that every NewLoader call shares one Loader,
// and so one cache of processed contexts, as before the move out of
// package contexts.
func TestNewLoaderShared(t *testing.T) {
	a, b := mustLoader(t), mustLoader(t)
	if a != b {
		t.Fatal("NewLoader returned distinct loaders; processed contexts are not shared")
	}
	cl, err := contexts.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	if a.Loader != cl {
		t.Error("NewLoader does not serve the bundled contexts.Loader")
	}
}

// TestWithHasItsOwnCache checks that With serves the added context, leaves
// the Loader it was called on alone, and starts a cache of its own.
func TestWithHasItsOwnCache(t *testing.T) {
	base := mustLoader(t)
	const u = "https://example.org/private/v1"
	w, err := base.With(u, []byte(`{"@context": {"shoeSize": "https://example.org/vocab#shoeSize"}}`))
	if err != nil {
		t.Fatalf("With: %v", err)
	}
	if !w.Has(u) || !w.Has(contexts.CredentialsV2) || base.Has(u) {
		t.Fatalf("With: Has(new) = %v, Has(bundled) = %v, base Has(new) = %v", w.Has(u), w.Has(contexts.CredentialsV2), base.Has(u))
	}
	if _, err := base.With(u, []byte(`{"@context": `)); err == nil {
		t.Error("With accepted malformed JSON")
	}
	doc := map[string]any{
		"@context": []any{contexts.CredentialsV2, u},
		"type":     "VerifiableCredential",
		"shoeSize": "42",
	}
	if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: w}); err != nil {
		t.Fatalf("Canonicalize with the added context: %v", err)
	}
	if w.processed.own.Load()+w.processed.fallback.Load()+w.processed.fast.Load() != 1 {
		t.Errorf("the With loader counted %d own and %d json-gold expansions and %d fast paths, want 1 in all", w.processed.own.Load(), w.processed.fallback.Load(), w.processed.fast.Load())
	}
}

// TestContextsLoaderTakesOwnPath checks that a *contexts.Loader passed as
// CanonOptions.Loader gets the same output as the jsonld Loader over it.
func TestContextsLoaderTakesOwnPath(t *testing.T) {
	cl, err := contexts.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{
		"@context":  []any{contexts.CredentialsV2, contexts.OBv3p0},
		"id":        "urn:uuid:1",
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    "did:example:1",
		"validFrom": "2024-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"type": "AchievementSubject",
		},
	}
	ctx := context.Background()
	got, err := Canonicalize(ctx, doc, CanonOptions{Loader: cl})
	if err != nil {
		t.Fatalf("Canonicalize with a *contexts.Loader: %v", err)
	}
	want, err := Canonicalize(ctx, doc, CanonOptions{Loader: FromContexts(cl), Reference: true})
	if err != nil {
		t.Fatalf("reference Canonicalize: %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("*contexts.Loader output differs from the reference:\n%s\nwant\n%s", got, want)
	}
}
