package proof

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/badgesmith/badgesmith/rdfc"
)

// TestResultQuads: with VerifyOptions.Statements, every verified proof's
// Result.Quads is exactly what rdfc.ParseNQuads reads from its
// Statements, for the repository's benchmark credentials signed with each
// suite (alone and as a chain), and for the 1EdTech and W3C vectors as
// published; without Statements, Quads is nil.
func TestResultQuads(t *testing.T) {
	ctx := context.Background()
	l := testLoader(t)
	key := seededKey(t, 7)
	const vm = "did:ex:issuer#k"

	type signedDoc struct {
		name string
		doc  map[string]any
		keys KeyFetcher
	}
	var docs []signedDoc
	bench, err := filepath.Glob("../testdata/bench/*.json")
	if err != nil || len(bench) < 4 {
		t.Fatalf("benchmark credentials: %v, %d found", err, len(bench))
	}
	for _, p := range bench {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, suite := range []Suite{EddsaRdfc2022, Ed25519Signature2020, EddsaJcs2022} {
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			signed, err := Sign(ctx, doc, key, SignOptions{Suite: suite, VerificationMethod: vm, Loader: l, ID: "urn:proof:1"})
			if err != nil {
				t.Fatalf("%s, %s: %v", p, suite, err)
			}
			docs = append(docs, signedDoc{filepath.Base(p) + " " + string(suite), signed, keysByMethod{vm: key.Public()}})
			if suite == EddsaRdfc2022 {
				chained, err := Sign(ctx, signed, key, SignOptions{VerificationMethod: vm, Loader: l, PreviousProof: []string{"urn:proof:1"}})
				if err != nil {
					t.Fatal(err)
				}
				docs = append(docs, signedDoc{filepath.Base(p) + " chained", chained, keysByMethod{vm: key.Public()}})
			}
		}
	}
	w3c := keysByMethod{}
	for _, rel := range []string{
		"test-vectors/w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json",
		"test-vectors/w3c-vc-di-eddsa/Ed25519Signature2020/signedEdSig.json",
		"test-vectors/w3c-vc-di-eddsa/eddsa-jcs-2022/signedJCS.json",
	} {
		doc := readDoc(t, rel)
		m, _ := firstProof(t, doc)["verificationMethod"].(string)
		w3c[m] = w3cKey(t).Public().(ed25519.PublicKey)
		docs = append(docs, signedDoc{rel, doc, w3c})
	}
	docs = append(docs, signedDoc{obDir, obSigned(t), &fragmentKeys{}})

	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			outcomes, err := VerifySet(ctx, d.doc, VerifyOptions{Keys: d.keys, Loader: l, Statements: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range outcomes {
				if o.Err != nil {
					t.Fatalf("proof %d: %v", o.Index, o.Err)
				}
				want, err := rdfc.ParseNQuads(o.Statements)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 || !slices.Equal(o.Quads, want) {
					t.Errorf("proof %d: Quads\n%+v\nStatements read\n%+v", o.Index, o.Quads, want)
				}
			}
			outcomes, err = VerifySet(ctx, d.doc, VerifyOptions{Keys: d.keys, Loader: l})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range outcomes {
				if o.Err != nil || o.Quads != nil {
					t.Errorf("proof %d without Statements: %d quads, err %v", o.Index, len(o.Quads), o.Err)
				}
			}
		})
	}
}
