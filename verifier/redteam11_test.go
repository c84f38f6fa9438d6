package verifier_test

import (
	"context"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// Red-team regression tests (issue #11): the paths that accept more
// (warnings, could not check, inline contexts, status lists signed by
// another party) tried as a forger would.

// TestRedteam11HiddenSchemaDeclaration: a credential its issuer signed
// that fails the 1EdTech schema it declares in credentialSchema is
// invalid (OB 3.0 §9.1). Rewriting the JSON so the declaration no longer
// reads as one (@type, @id, the full IRI, @nest), with the same statements
// and so the same valid signature, must not turn it into a warning.
func TestRedteam11HiddenSchemaDeclaration(t *testing.T) {
	k := newKey(t, 201)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	d := unsigned(t, k)
	delete(achievement(d), "criteria")
	signed := sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)
	schemaOf := func(d map[string]any) map[string]any {
		return d["credentialSchema"].([]any)[0].(map[string]any)
	}
	tests := []struct {
		name string
		edit func(d map[string]any)
	}{
		{"as signed", func(map[string]any) {}},
		{"type as @type", func(d map[string]any) {
			cs := schemaOf(d)
			cs["@type"], cs["type"] = cs["type"], nil
			delete(cs, "type")
		}},
		{"id as @id", func(d map[string]any) {
			cs := schemaOf(d)
			cs["@id"] = cs["id"]
			delete(cs, "id")
		}},
		{"type as its full IRI", func(d map[string]any) {
			schemaOf(d)["type"] = "https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019"
		}},
		{"credentialSchema under its full IRI", func(d map[string]any) {
			d["https://www.w3.org/2018/credentials#credentialSchema"] = d["credentialSchema"]
			delete(d, "credentialSchema")
		}},
		{"credentialSchema under @nest", func(d map[string]any) {
			d["@nest"] = map[string]any{"credentialSchema": d["credentialSchema"]}
			delete(d, "credentialSchema")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := clone(t, signed)
			tc.edit(s)
			res, err := v.Verify(context.Background(), encode(t, s))
			if res.Verdict != verifier.VerdictInvalid || res.Decision != verifier.CheckSchema {
				t.Fatalf("verdict %q decided by %q (err %v), want invalid by the schema check; checks %+v", res.Verdict, res.Decision, err, checksOf(res))
			}
			if c := res.Check(verifier.CheckProof); c.Status != verifier.StatusPass {
				t.Errorf("proof check %+v, want pass: the rewrite keeps the statements", c)
			}
		})
	}
}
