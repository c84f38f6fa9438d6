package jsonld

import (
	"slices"

	"github.com/badgesmith/badgesmith/contexts"
)

// presentationGraphs returns doc with each object of a VC 2.0
// presentation's verifiableCredential written as the graph object JSON-LD
// 1.1 makes of it, or doc itself when there is nothing to rewrite. Canonicalize
// applies it on json-gold's paths only.
//
// The VC 2.0 context defines verifiableCredential inside the
// VerifiablePresentation type-scoped context with both "@container":
// "@graph" and a scoped "@context": null. JSON-LD 1.1 expansion (§5.1.2,
// step 13.5) takes the container mapping from the active context, so each
// credential becomes a named graph, as jsonld.js gives it, and as the own
// expander does (expand.go); json-gold looks the container up in the
// term's scoped context, where null has removed the term, and puts the
// credentials in the default graph. A presentation's signature, made by
// the reference stack over the named graphs, would then never verify (nor
// one badgesmith made verify there). Writing the graph object out
// ({"@graph": cred}) gives json-gold the reference statements; an entry
// that already is a graph object, or is not an object (which the
// reference stack's safe mode refuses), is left as it is.
func presentationGraphs(doc any) any {
	m, ok := doc.(map[string]any)
	if !ok || !isPresentationV2(m) {
		return doc
	}
	wrap := func(e any) (any, bool) {
		obj, ok := e.(map[string]any)
		if !ok {
			return e, false
		}
		if _, isGraph := obj["@graph"]; isGraph {
			return e, false
		}
		return map[string]any{"@graph": obj}, true
	}
	var out any
	changed := false
	switch vc := m["verifiableCredential"].(type) {
	case []any:
		list := make([]any, len(vc))
		for i, e := range vc {
			var c bool
			list[i], c = wrap(e)
			changed = changed || c
		}
		out = list
	default:
		out, changed = wrap(vc)
	}
	if !changed {
		return doc
	}
	cp := make(map[string]any, len(m))
	for k, v := range m {
		cp[k] = v
	}
	cp["verifiableCredential"] = out
	return cp
}

// isPresentationV2 reports whether m is a VerifiablePresentation under the
// VC 2.0 context, the one whose definition presentationGraphs works around.
func isPresentationV2(m map[string]any) bool {
	first := m["@context"]
	if l, ok := first.([]any); ok && len(l) > 0 {
		first = l[0]
	}
	if first != contexts.CredentialsV2 {
		return false
	}
	switch t := m["type"].(type) {
	case string:
		return t == "VerifiablePresentation"
	case []any:
		return slices.Contains(t, any("VerifiablePresentation"))
	}
	return false
}
