package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
)

// TestEachSuiteOverHTTP sends the bodies the W3C VC-API and suite test
// suites send to a server signing in each format it can be configured
// with: POST /credentials/issue {credential, options} answers 201 with a
// credential in that suite (a Data Integrity proof naming it, or an
// EnvelopedVerifiableCredential data: URL for a JWT), and POST
// /credentials/verify answers 200 verified for it, and 400 verified false
// with problemDetails for the same credential changed after signing, for
// one without its proof and for an enveloped credential whose JWS
// signature was changed.
func TestEachSuiteOverHTTP(t *testing.T) {
	for _, tc := range []struct {
		key       keys.Type
		format    issuer.Format
		proofType string // "" for a JWT
		suite     string // the proof's cryptosuite, or the JWT's format
	}{
		{keys.Ed25519, issuer.EddsaRdfc2022, "DataIntegrityProof", "eddsa-rdfc-2022"},
		{keys.Ed25519, issuer.EddsaJcs2022, "DataIntegrityProof", "eddsa-jcs-2022"},
		{keys.P256, issuer.EcdsaRdfc2019, "DataIntegrityProof", "ecdsa-rdfc-2019"},
		{keys.Ed25519, issuer.Ed25519Signature2020, "Ed25519Signature2020", ""},
		{keys.Ed25519, issuer.VCJWT, "", "vc-jwt"},
		{keys.Ed25519, issuer.JOSE, "", "jose"},
		{keys.P256, issuer.JOSE, "", "jose"},
	} {
		t.Run(string(tc.key)+"/"+string(tc.format), func(t *testing.T) {
			t.Parallel()
			base := loopbackServer(t, tc.key, tc.format)
			post := func(path string, body any, want int, out any) {
				t.Helper()
				b, err := json.Marshal(body)
				if err != nil {
					t.Fatal(err)
				}
				data, err := benchPost(http.DefaultClient, base+path, b, want)
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(data, out); err != nil {
					t.Fatalf("%s answered %s: %v", path, data, err)
				}
			}
			var got issued
			post("/credentials/issue", map[string]any{"credential": sampleCredential(t), "options": map[string]any{}}, http.StatusCreated, &got)
			vc := got.VerifiableCredential

			var invalid []map[string]any
			if tc.proofType != "" {
				// One proof, alone or as a proof set of one.
				p, _ := vc["proof"].(map[string]any)
				if set, ok := vc["proof"].([]any); ok && len(set) == 1 {
					p, _ = set[0].(map[string]any)
				}
				if p["type"] != tc.proofType || (tc.suite != "" && p["cryptosuite"] != tc.suite) {
					t.Fatalf("proof %v, want type %s cryptosuite %q", p, tc.proofType, tc.suite)
				}
				changed, unproven := map[string]any{}, map[string]any{}
				for k, v := range vc {
					changed[k], unproven[k] = v, v
				}
				changed["name"] = "Forged Degree"
				delete(unproven, "proof")
				invalid = append(invalid, changed, unproven)
			} else {
				id, _ := vc["id"].(string)
				if vc["type"] != "EnvelopedVerifiableCredential" || !strings.HasPrefix(id, envelopedJWTPrefix) {
					t.Fatalf("issued %v, want an EnvelopedVerifiableCredential", vc)
				}
				// The last characters of the JWS are its signature's.
				sig := id[len(id)-4:]
				flipped := strings.Map(func(r rune) rune {
					if r == 'A' {
						return 'B'
					}
					return 'A'
				}, sig)
				invalid = append(invalid, map[string]any{"@context": vc["@context"], "type": vc["type"], "id": id[:len(id)-4] + flipped})
			}

			var vr VerifyResponse
			post("/credentials/verify", map[string]any{"verifiableCredential": vc, "options": map[string]any{}}, http.StatusOK, &vr)
			if !vr.Verified {
				t.Fatalf("verify of the issued credential: %+v", vr)
			}
			for i, bad := range invalid {
				var vr VerifyResponse
				post("/credentials/verify", map[string]any{"verifiableCredential": bad, "options": map[string]any{}}, http.StatusBadRequest, &vr)
				if vr.Verified || len(vr.ProblemDetails) == 0 {
					t.Errorf("invalid credential %d: %+v, want verified false with problemDetails", i, vr)
				}
			}
		})
	}
}
