package verifier_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// clrVectorDocument is the 1EdTech CLR 2.0 test vector's input document
// (ob_v3p0/impl/linked-data-proof-clr.html), on the VC 2.0 envelope its
// document-canon.txt shows: one embedded credential, signed, two
// achievements and an isParentOf association.
func clrVectorDocument() map[string]any {
	const issuer = "https://example.edu/issuers/565049"
	profile := func() map[string]any {
		return map[string]any{"id": issuer, "type": "Profile", "name": "Example University"}
	}
	achievement := func(id, name string) map[string]any {
		return map[string]any{
			"id": "urn:uuid:" + id, "type": "Achievement",
			"creator":     map[string]any{"id": issuer, "type": "Profile"},
			"name":        name,
			"criteria":    map[string]any{"id": "https://example.edu/achievements/" + id + "/criteria"},
			"description": name,
			"image":       map[string]any{"id": "https://example.edu/achievements/sample.png", "type": "Image"},
		}
	}
	return map[string]any{
		"@context": []any{contexts.CredentialsV2, contexts.CLRv2p0, contexts.OBv3p0, contexts.OBExtensions},
		"id":       "http://example.edu/credentials/3732",
		"type":     []any{"VerifiableCredential", "ClrCredential"},
		"issuer":   profile(), "validFrom": "2010-01-01T00:00:00Z", "name": "Sample Transcript",
		"credentialSubject": map[string]any{
			"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "type": "ClrSubject",
			"verifiableCredential": []any{map[string]any{
				"@context": []any{contexts.CredentialsV2, contexts.OBv3p0, contexts.OBExtensions},
				"id":       "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
				"type":     []any{"VerifiableCredential", "OpenBadgeCredential"},
				"issuer":   profile(), "validFrom": "2010-01-01T00:00:00Z", "name": "Example University Degree",
				"credentialSubject": map[string]any{
					"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "type": "AchievementSubject",
					"achievement": achievement("a7467ef6-56cb-11ec-bf63-0242ac130002", "Achievement 1"),
				},
				"credentialSchema": []any{map[string]any{"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json", "type": "1EdTechJsonSchemaValidator2019"}},
				"proof": map[string]any{
					"type": "DataIntegrityProof", "created": "2010-01-01T19:23:24Z",
					"verificationMethod": issuer + "#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
					"cryptosuite":        "eddsa-rdfc-2022", "proofPurpose": "assertionMethod",
					"proofValue": "z45QnLySMt2mWuW787G6cf3SLkP97ZkMZxLeXH5yaaTQPCtTup4GCV95tU8HEnQJSyGCokSj3AvUhmJtvveTmN4Vu",
				},
			}},
			"achievement": []any{
				achievement("a7467ef6-56cb-11ec-bf63-0242ac130002", "Achievement 1"),
				achievement("dd887f0a-56cb-11ec-bf63-0242ac130002", "Achievement 2"),
			},
			"association": []any{map[string]any{
				"type": "Association", "associationType": "isParentOf",
				"sourceId": "urn:uuid:a7467ef6-56cb-11ec-bf63-0242ac130002", "targetId": "urn:uuid:dd887f0a-56cb-11ec-bf63-0242ac130002",
			}},
		},
		"credentialSchema": []any{map[string]any{"id": "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json", "type": "1EdTechJsonSchemaValidator2019"}},
	}
}

// TestCLRVectorReproduces canonicalizes the 1EdTech CLR vector's document
// to its document-canon.txt, signs it with the vector's key and options to
// its proofValue, and verifies the result with its embedded credential
// (the vector's key pinned for its https issuer).
func TestCLRVectorReproduces(t *testing.T) {
	canon, err := os.ReadFile(shared(t, "spec/test-vectors/clr-v2p0-eddsa-rdfc-2022/document-canon.txt"))
	if err != nil {
		t.Fatal(err)
	}
	loader, err := jsonld.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	doc := clrVectorDocument()
	got, err := jsonld.Canonicalize(context.Background(), doc, jsonld.CanonOptions{Loader: loader})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(canon) {
		t.Fatalf("canonical document differs from document-canon.txt:\n%s", got)
	}
	k := testkit.OBVector(t)
	const vm = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	created := time.Date(2010, 1, 1, 19, 23, 24, 0, time.UTC)
	signed, err := proof.Sign(context.Background(), doc, k.Private, proof.SignOptions{
		Suite: proof.EddsaRdfc2022, VerificationMethod: vm, Now: func() time.Time { return created }, Loader: loader,
	})
	if err != nil {
		t.Fatal(err)
	}
	p := signed["proof"]
	if ps, ok := p.([]any); ok {
		p = ps[0]
	}
	if pv := p.(map[string]any)["proofValue"]; pv != "zF52sU1nfPAjcwCqtgxPNSor6SJnAzRBwZW5VNQXPt8xXCHkd39sgqj32DnMjhFCzbyHsLkhQ8HpBqQTkMgXy329" {
		t.Errorf("proofValue %v, want the vector's", pv)
	}
	v, err := verifier.New(verifier.Options{HTTPClient: offlineClient(),
		PinnedKeys: []verifier.PinnedKey{{Issuer: "https://example.edu/issuers/565049", Key: k.Public}}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(signed)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := v.Verify(context.Background(), data)
	if c := res.Check(verifier.CheckProof); c == nil || c.Status != verifier.StatusPass {
		t.Fatalf("proof check %+v", c)
	}
	c := res.Check(verifier.CheckEmbedded)
	if c == nil || len(res.Embedded) != 1 {
		t.Fatalf("embedded check %+v, embedded %+v", c, res.Embedded)
	}
	// Both are valid; the warnings are the schemas: the CLR's is not
	// embedded, and the OB schema wants the array forms the vector
	// compacts.
	if !res.Verdict.Accepted() || c.Status != verifier.StatusPass || !res.Embedded[0].Verdict.Accepted() {
		t.Errorf("CLR %s, embedded check %+v, embedded credential %s (%s)", res.Verdict, c, res.Embedded[0].Verdict, res.Embedded[0].Decision)
	}
	if len(res.Claims.Clr.Associations) != 1 || res.Claims.Clr.Associations[0].Type != "isParentOf" {
		t.Errorf("associations %+v", res.Claims.Clr.Associations)
	}
}
