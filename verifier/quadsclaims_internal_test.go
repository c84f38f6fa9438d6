package verifier

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
)

// TestOutcomeClaimsFromQuads: the claims read from a verified proof's
// Result.Quads are those read from its Result.Statements text, and those
// read from jsonld.CanonicalizeQuads those read from its text, on every
// benchmark credential (issuer set to the signing did:key).
func TestOutcomeClaimsFromQuads(t *testing.T) {
	ctx := context.Background()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keys.EncodePublicMultikey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	issuer := "did:key:" + mk
	files, err := filepath.Glob("../testdata/bench/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no benchmark credentials: %v", err)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			doc["issuer"] = issuer
			signed, err := proof.Sign(ctx, doc, priv, proof.SignOptions{VerificationMethod: issuer + "#" + mk, Created: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			outcomes, err := proof.VerifySet(ctx, signed, proof.VerifyOptions{Keys: did.Fetcher{}, Statements: true})
			if err != nil || len(outcomes) != 1 || outcomes[0].Err != nil {
				t.Fatalf("verify: %v %+v", err, outcomes)
			}
			o := &outcomes[0]
			if o.Quads == nil {
				t.Fatal("no Result.Quads")
			}
			fromQuads, gq, err := outcomeClaims(o)
			if err != nil {
				t.Fatal(err)
			}
			fromText, gt, err := credentialClaims(o.Statements)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fromQuads, fromText) {
				t.Fatalf("claims from quads %+v, from text %+v", fromQuads, fromText)
			}
			if !reflect.DeepEqual(indexed(gq), indexed(gt)) || !reflect.DeepEqual(gq.view(fromQuads, gq.rootNode), gt.view(fromText, gt.rootNode)) {
				t.Fatal("the graphs differ")
			}
			// The unverified reading (readUnverified) of the document.
			text, quads, err := jsonld.CanonicalizeQuads(ctx, doc, jsonld.CanonOptions{})
			if err != nil {
				t.Fatal(err)
			}
			fromQuads, _, err = graphClaims(newGraphQuads(quads))
			if err != nil {
				t.Fatal(err)
			}
			if fromText, _, err = credentialClaims(text); err != nil || !reflect.DeepEqual(fromQuads, fromText) {
				t.Fatalf("unverified claims from quads %+v, from text %+v (%v)", fromQuads, fromText, err)
			}
		})
	}
}
