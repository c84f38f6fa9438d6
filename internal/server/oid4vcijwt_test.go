package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/issuer"
)

// startWalletServerWith starts a server with a settable clock and tc.
func startWalletServerWith(t *testing.T, tc testConfig) walletFlow {
	t.Helper()
	var clock atomic.Pointer[time.Time]
	start := time.Now().UTC().Truncate(time.Second)
	clock.Store(&start)
	tc.now = func() time.Time { return *clock.Load() }
	return walletFlow{ts: startServer(t, tc), clock: &clock}
}

// jwtParts decodes a compact JWS's header and payload.
func jwtParts(t *testing.T, tok string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %.60q", tok)
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		data, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, payload
}

// issuedJWT is the token of an issue answer's EnvelopedVerifiableCredential.
func issuedJWT(t *testing.T, vc map[string]any) string {
	t.Helper()
	id, _ := vc["id"].(string)
	tok, ok := strings.CutPrefix(id, envelopedJWTPrefix)
	if !ok {
		t.Fatalf("issued %v: not an enveloped JWT", vc)
	}
	return tok
}

// TestOID4VCIJWTDelivery: an offer of a VC-JWT or VC-JOSE-COSE credential
// declares the configuration of its form, and delivers a compact JWS of
// that form re-issued to the proven DID (the sub claim too where the form
// has it), keeping the recipient identifier and status entry; it verifies.
func TestOID4VCIJWTDelivery(t *testing.T) {
	for _, tc := range []struct {
		format issuer.Format
		config string
		typ    string
		sub    bool
	}{
		{issuer.VCJWT, configOBJWT, "JWT", true},
		{issuer.JOSE, configJOSE, "vc+jwt", false},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			f := startWalletServerWith(t, testConfig{format: tc.format})
			origTok := issuedJWT(t, f.issueToEmail(t))
			_, orig := jwtParts(t, origTok)
			origID, _ := orig["id"].(string)
			md := decode[map[string]any](t, get(t, f.ts.url+"/.well-known/openid-credential-issuer"))
			conf, _ := md["credential_configurations_supported"].(map[string]any)[tc.config].(map[string]any)
			if conf["format"] != configFormats[tc.config] || conf["credential_definition"] == nil {
				t.Errorf("metadata of %s: %v", tc.config, conf)
			}
			for _, byKid := range []bool{false, true} {
				t.Run(map[bool]string{false: "jwk", true: "kid"}[byKid], func(t *testing.T) {
					o := f.offer(t, origID, false)
					if ids, _ := o.CredentialOffer["credential_configuration_ids"].([]any); len(ids) != 1 || ids[0] != tc.config {
						t.Fatalf("offer configurations %v, want [%s]", o.CredentialOffer["credential_configuration_ids"], tc.config)
					}
					key := newWalletKey(t)
					tok := f.accessToken(t, o)
					// The ldp_vc configuration is not this offer's.
					wantOAuthError(t, "ldp_vc asked", f.credential(t, tok, credReq(f.proof(t, key, key, byKid, f.nonce(t), nil))), http.StatusBadRequest, "unknown_credential_configuration")
					req := credReq(f.proof(t, key, key, byKid, f.nonce(t), nil))
					req["credential_configuration_id"] = tc.config
					resp := f.credential(t, tok, req)
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("credential: %d %s", resp.StatusCode, resp.Body)
					}
					var out struct {
						Credentials []struct {
							Credential string `json:"credential"`
						} `json:"credentials"`
					}
					if err := json.Unmarshal(resp.Body, &out); err != nil || len(out.Credentials) != 1 {
						t.Fatalf("credential answer %s: %v", resp.Body, err)
					}
					got := out.Credentials[0].Credential
					h, p := jwtParts(t, got)
					wantDID := key.didJWK
					if byKid {
						wantDID = key.didKey
					}
					subj, _ := p["credentialSubject"].(map[string]any)
					origSubj := orig["credentialSubject"].(map[string]any)
					switch {
					case h["typ"] != tc.typ:
						t.Errorf("header.typ %v, want %s", h["typ"], tc.typ)
					case subj["id"] != wantDID:
						t.Errorf("credentialSubject.id %v, want %s", subj["id"], wantDID)
					case tc.sub && p["sub"] != wantDID:
						t.Errorf("sub %v, want %s", p["sub"], wantDID)
					case !tc.sub && p["sub"] != nil:
						t.Errorf("sub %v in a %s", p["sub"], tc.typ)
					case p["vc"] != nil:
						t.Error("a vc claim")
					case p["id"] == origID || p["id"] == nil:
						t.Errorf("the bound copy's id %v", p["id"])
					case !jsonEqual(t, subj["identifier"], origSubj["identifier"]) || !jsonEqual(t, p["credentialStatus"], orig["credentialStatus"]):
						t.Errorf("the bound copy lost the recipient identifier or status entry:\n%v\n%v", p, orig)
					}
					env := map[string]any{"@context": "https://www.w3.org/ns/credentials/v2", "id": envelopedJWTPrefix + got, "type": "EnvelopedVerifiableCredential"}
					if code, res := f.ts.verifyVC(t, env); code != http.StatusOK || !res.Verified {
						t.Errorf("the bound copy does not verify: %d %+v", code, res)
					}
					st, _ := f.ts.offerStore(t.Context())
					rec, err := st.GetOffer(t.Context(), secretHash(o.OfferID))
					if err != nil || rec.DeliveredID != p["id"] || rec.HolderDID != wantDID {
						t.Errorf("the link is not recorded: %+v, %v", rec, err)
					}
				})
			}
			t.Run("claim downloads and VC-API", func(t *testing.T) {
				o := f.offer(t, origID, false)
				dl := get(t, o.ClaimURL+"/credential.json")
				if dl.StatusCode != http.StatusOK || string(dl.Body) != origTok || dl.Header.Get("Content-Type") != "application/jwt" {
					t.Errorf("JSON download: %d %s %.60s", dl.StatusCode, dl.Header.Get("Content-Type"), dl.Body)
				}
				if page := get(t, o.ClaimURL); page.StatusCode != http.StatusOK {
					t.Errorf("claim page: %d", page.StatusCode)
				}
				resp := f.ts.do(t, "POST", "/workflows/claim/exchanges/"+o.OfferID, "", map[string]any{})
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("VC-API exchange of a JWT: %d %s", resp.StatusCode, resp.Body)
				}
			})
		})
	}
}
