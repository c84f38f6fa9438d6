package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
)

// TestOID4VCIInstances: every issuer instance is its own credential
// issuer, at its base URL under /issuers/{id}, with its metadata at the
// well-known path form, its own offers, codes and nonces (none of which
// another instance honours), and delivers credentials it signs itself.
func TestOID4VCIInstances(t *testing.T) {
	const basePath = "/api"
	def := startWalletServerWith(t, testConfig{basePath: basePath, instances: []testInstance{
		{id: "arts", format: issuer.EcdsaRdfc2019},
		{id: "jwt", format: issuer.JOSE},
	}})
	origin := strings.TrimSuffix(def.ts.url, basePath)
	// The default instance's metadata, in both forms, under the base path.
	for _, u := range []string{origin + "/.well-known/openid-credential-issuer" + basePath, def.ts.url + "/.well-known/openid-credential-issuer"} {
		if m := decode[map[string]any](t, get(t, u)); m["credential_issuer"] != def.ts.url {
			t.Errorf("%s: credential_issuer %v, want %s", u, m["credential_issuer"], def.ts.url)
		}
	}
	for _, tc := range []struct {
		id, config string
	}{
		{"arts", configLDP},
		{"jwt", configJOSE},
	} {
		t.Run(tc.id, func(t *testing.T) {
			prefix := "/issuers/" + tc.id
			f := def
			f.prefix = prefix
			issuerURL := def.ts.url + prefix
			md := get(t, origin+"/.well-known/openid-credential-issuer"+basePath+prefix)
			if md.StatusCode != http.StatusOK {
				t.Fatalf("metadata: %d %s", md.StatusCode, md.Body)
			}
			m := decode[map[string]any](t, md)
			if m["credential_issuer"] != issuerURL || m["credential_endpoint"] != issuerURL+"/oid4vci/credential" || m["nonce_endpoint"] != issuerURL+"/oid4vci/nonce" {
				t.Errorf("metadata %v: want the endpoints of %s", m, issuerURL)
			}
			as := decode[map[string]any](t, get(t, origin+"/.well-known/oauth-authorization-server"+basePath+prefix))
			if as["issuer"] != issuerURL || as["token_endpoint"] != issuerURL+"/oid4vci/token" {
				t.Errorf("authorization server metadata %v", as)
			}
			// The older form, after the issuer's path, answers the same.
			for _, name := range []string{"openid-credential-issuer", "oauth-authorization-server"} {
				std := get(t, origin+"/.well-known/"+name+basePath+prefix)
				old := get(t, issuerURL+"/.well-known/"+name)
				if old.StatusCode != http.StatusOK || string(old.Body) != string(std.Body) {
					t.Errorf("%s after the path: %d %s, want %s", name, old.StatusCode, old.Body, std.Body)
				}
			}

			cred := sampleCredential(t)
			subj := cred["credentialSubject"].(map[string]any)
			delete(subj, "id")
			subj["identifier"] = []any{map[string]any{"type": "IdentityObject", "identityType": "emailAddress", "hashed": false, "identityHash": "learner@example.edu"}}
			resp := def.ts.issueAt(t, prefix, testAdminKey, cred)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("issue: %d %s", resp.StatusCode, resp.Body)
			}
			vc := decode[issued](t, resp).VerifiableCredential
			credID, _ := vc["id"].(string)
			if tc.config == configJOSE {
				_, p := jwtParts(t, issuedJWT(t, vc))
				credID, _ = p["id"].(string)
			}
			// The default instance has no such credential to offer.
			if r := def.ts.do(t, "POST", "/offers", testAdminKey, OfferRequest{CredentialID: credID}); r.StatusCode != http.StatusNotFound {
				t.Errorf("offer at the default instance of %s's credential: %d %s", tc.id, r.StatusCode, r.Body)
			}
			o := f.offer(t, credID, false)
			if o.CredentialOffer["credential_issuer"] != issuerURL || !strings.HasPrefix(o.ClaimURL, issuerURL+"/claim/") ||
				!strings.Contains(o.OfferURIByReference, url.QueryEscape(issuerURL+"/oid4vci/offers/")) {
				t.Fatalf("offer %v, %s, %s: not under %s", o.CredentialOffer, o.ClaimURL, o.OfferURIByReference, issuerURL)
			}
			if ids, _ := o.CredentialOffer["credential_configuration_ids"].([]any); len(ids) != 1 || ids[0] != tc.config {
				t.Errorf("configurations %v, want [%s]", ids, tc.config)
			}
			if page := get(t, o.ClaimURL); page.StatusCode != http.StatusOK {
				t.Errorf("claim page: %d", page.StatusCode)
			}
			iuv := get(t, o.InteractionURL, "Accept", "application/json")
			if p, _ := decode[map[string]any](t, iuv)["protocols"].(map[string]any); p["vcapi"] != issuerURL+"/workflows/claim/exchanges/"+o.OfferID {
				t.Errorf("interaction URL protocols %v: want the exchange under %s", p, issuerURL)
			}
			// Another instance honours neither its code nor its nonces.
			wantOAuthError(t, "code at the default token endpoint", def.token(t, codeOf(t, o), ""), http.StatusBadRequest, "invalid_grant")
			key := newWalletKey(t)
			tok := f.accessToken(t, o)
			req := credReq(f.proof(t, key, key, false, def.nonce(t), nil))
			req["credential_configuration_id"] = tc.config
			wantOAuthError(t, "default instance's nonce", f.credential(t, tok, req), http.StatusBadRequest, "invalid_nonce")
			req = credReq(f.proof(t, key, key, false, f.nonce(t), func(_, c map[string]any) { c["aud"] = def.ts.url }))
			req["credential_configuration_id"] = tc.config
			wantOAuthError(t, "aud the default issuer", f.credential(t, tok, req), http.StatusBadRequest, "invalid_proof")
			wantOAuthError(t, "token at the default credential endpoint", def.credential(t, tok, req), http.StatusUnauthorized, "invalid_token")

			req = credReq(f.proof(t, key, key, false, f.nonce(t), nil))
			req["credential_configuration_id"] = tc.config
			resp = f.credential(t, tok, req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("credential: %d %s", resp.StatusCode, resp.Body)
			}
			var out struct {
				Credentials []struct {
					Credential json.RawMessage `json:"credential"`
				} `json:"credentials"`
			}
			if err := json.Unmarshal(resp.Body, &out); err != nil || len(out.Credentials) != 1 {
				t.Fatalf("credential answer %s: %v", resp.Body, err)
			}
			var got map[string]any
			var toVerify any
			if tc.config == configJOSE {
				var tokStr string
				if err := json.Unmarshal(out.Credentials[0].Credential, &tokStr); err != nil {
					t.Fatalf("want a JWT string: %s", out.Credentials[0].Credential)
				}
				_, got = jwtParts(t, tokStr)
				toVerify = map[string]any{"@context": "https://www.w3.org/ns/credentials/v2", "id": envelopedJWTPrefix + tokStr, "type": "EnvelopedVerifiableCredential"}
			} else {
				if err := json.Unmarshal(out.Credentials[0].Credential, &got); err != nil {
					t.Fatal(err)
				}
				toVerify = got
			}
			if issuerIDOf(t, got) != def.ts.signers[tc.id].Identity().ID {
				t.Errorf("the bound copy names issuer %s, want the instance's %s", issuerIDOf(t, got), def.ts.signers[tc.id].Identity().ID)
			}
			if s, _ := got["credentialSubject"].(map[string]any); s["id"] != key.didJWK {
				t.Errorf("credentialSubject.id %v, want %s", s["id"], key.didJWK)
			}
			if code, res := def.ts.verifyVC(t, toVerify); code != http.StatusOK || !res.Verified {
				t.Errorf("the bound copy does not verify: %d %+v", code, res)
			}
		})
	}
}
