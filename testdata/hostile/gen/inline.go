package gen

import (
	"slices"

	"github.com/badgesmith/badgesmith/proof"
)

// ---- issue #11 Found 5: inline @context objects ----

// ctxOB301 is a VCDM 1.1 context list with the OB 3.0.1 context, whose
// terms are not @protected: JSON-LD itself lets a later context redefine
// them, so only the verifier's inline context rule stops a remap.
var ctxOB301 = []any{
	"https://www.w3.org/2018/credentials/v1",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
	"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
}

const evilVocab = "https://evil.hostile.example/vocab#"

// inlineContexts builds credentials signed by the genuine issuer that carry
// an inline @context: a control that only adds a term verifies; every
// remap of an unprotected term, and every construct the rule refuses,
// fails the context check while the proof itself is good.
func (b *builder) inlineContexts() {
	iss := IssuerKey()
	add := func(name, attack string, doc map[string]any, verdict, reason string) {
		// VCDM 1.1 credentials have no DataIntegrityProof term; the
		// Ed25519Signature2020 suite brings its own context.
		suite := proof.EddsaRdfc2022
		if doc["@context"].([]any)[0] == ctxOB301[0] {
			suite = proof.Ed25519Signature2020
		}
		c := Case{Name: name, Category: "jsonld-rewrite", Items: []int{2}, Attack: attack,
			Files: []string{b.putJSON("rewrite/"+name+".json", b.sign(doc, iss, "", suite))}, Verdict: verdict,
			AtLeast: map[string]int64{"quads": 1, "proofs": 1}}
		if verdict != Valid {
			c.Check, c.Reason, c.NotPass = cContext, reason, []string{cContext}
		}
		b.add(c)
	}
	// withInline is the sample credential under ctx, with the inline
	// context obj appended (ctx of nil: the VC 2.0 and OB 3.0.3 contexts).
	withInline := func(name string, ctx []any, obj map[string]any) map[string]any {
		d := b.cred(iss.DID, name)
		if ctx != nil {
			ob301(d)
		}
		d["@context"] = append(d["@context"].([]any), obj)
		return d
	}

	ctl := withInline("inline-context-new-term", nil, map[string]any{"badgeColour": "https://example.edu/vocab#badgeColour"})
	ctl["badgeColour"] = "green"
	add("inline-context-new-term", "control: an inline context after the bundled ones that defines only a new term verifies", ctl, Valid, "")

	ctl301 := withInline("inline-context-new-term-ob301", ctxOB301, map[string]any{"badgeColour": map[string]any{"@id": "https://example.edu/vocab#badgeColour", "@container": "@set"}})
	ctl301["badgeColour"] = []any{"green", "gold"}
	add("inline-context-new-term-ob301", "control: a new term beside the unprotected OB 3.0.1 context verifies", ctl301, Valid, "")

	// Remaps of terms the OB 3.0.1 and extensions contexts leave
	// unprotected: JSON-LD accepts each, so the signed graph says
	// something else than the JSON reads.
	for _, v := range []struct{ name, term, attack string }{
		{"inline-remap-name", "name", "an inline context remaps the unprotected OB 3.0.1 term name, so the signed name is another property"},
		{"inline-remap-description", "description", "an inline context remaps the unprotected OB 3.0.1 term description"},
		{"inline-remap-narrative", "narrative", "an inline context remaps the unprotected OB 3.0.1 term narrative (criteria)"},
		{"inline-remap-achievement", "achievement", "an inline context redefines achievement, a term of OB 3.0.1's type-scoped AchievementSubject context"},
		{"inline-remap-awardeddate", "awardedDate", "an inline context remaps awardedDate, an unprotected OB 3.0.1 date term"},
		{"inline-remap-schema-type", "1EdTechJsonSchemaValidator2019", "an inline context remaps the unprotected extensions term 1EdTechJsonSchemaValidator2019, the credentialSchema type"},
	} {
		d := withInline(v.name, ctxOB301, map[string]any{v.term: evilVocab + v.term})
		add(v.name, v.attack, d, Invalid, "@context[3]."+v.term)
	}

	nested := b.cred(iss.DID, "inline-nested-remap-narrative")
	ob301(nested)
	crit := nested["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["criteria"].(map[string]any)
	crit["@context"] = map[string]any{"narrative": evilVocab + "narrative"}
	add("inline-nested-remap-narrative", "a @context object inside the achievement's criteria remaps the unprotected term narrative there",
		nested, Invalid, "credentialSubject.achievement.criteria.@context.narrative")

	before := withInline("inline-before-bundled", nil, map[string]any{"badgeColour": "https://example.edu/vocab#badgeColour"})
	ctx := before["@context"].([]any)
	ctx[2], ctx[3] = ctx[3], ctx[2]
	before["badgeColour"] = "green"
	add("inline-before-bundled", "an inline context placed before a bundled context, which could then rebind its terms",
		before, Invalid, "@context[2]")

	vocab := withInline("inline-vocab", nil, map[string]any{"@vocab": evilVocab})
	vocab["grade"] = "A+"
	add("inline-vocab", "an inline @vocab gives every undefined property (here grade) an IRI, hiding it from safe mode",
		vocab, Invalid, "@context[3].@vocab")

	alias := withInline("inline-keyword-alias", nil, map[string]any{"ident": "@id"})
	add("inline-keyword-alias", "an inline context defines a keyword alias (ident for @id)", alias, Invalid, "@context[3].ident")

	scoped := withInline("inline-scoped-context", nil, map[string]any{"extra": map[string]any{
		"@id": "https://example.edu/vocab#extra", "@context": map[string]any{"name": evilVocab + "name"},
	}})
	scoped["extra"] = map[string]any{"name": "Doctor of Medicine"}
	add("inline-scoped-context", "an inline term with a property-scoped context, which may redefine even protected terms (name) below it",
		scoped, Invalid, "@context[3].extra.@context")

	prefix := withInline("inline-did-prefix", nil, map[string]any{"did": "https://evil.hostile.example/did/"})
	add("inline-did-prefix", "an inline context makes did a prefix, so every did: value in the graph becomes an evil https IRI",
		prefix, Invalid, "@context[3].did")
}

// ob301 turns the sample credential into a VCDM 1.1 credential under the
// OB 3.0.1 context, without the properties only later contexts define.
func ob301(d map[string]any) {
	vc11(d)
	d["@context"] = slices.Clone(ctxOB301)
	a := d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
	for _, k := range ob301Missing {
		delete(a, k)
	}
}

// ob301Missing are the sample achievement's properties OB 3.0.1 does not
// define.
var ob301Missing = []string{"inLanguage"}
