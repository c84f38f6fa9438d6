package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/ob3"
)

// walletKey is a holder's Ed25519 key with its did:key and did:jwk.
type walletKey struct {
	priv   ed25519.PrivateKey
	jwk    json.RawMessage
	didKey string
	didJWK string
}

func newWalletKey(t *testing.T) walletKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	j, err := keys.PublicJWK(pub)
	if err != nil {
		t.Fatal(err)
	}
	dk, err := did.KeyFromPublic(pub)
	if err != nil {
		t.Fatal(err)
	}
	dj, err := did.JWKFromPublic(pub)
	if err != nil {
		t.Fatal(err)
	}
	return walletKey{priv: priv, jwk: j, didKey: dk, didJWK: dj}
}

// kid is the did:key verification method of the key.
func (k walletKey) kid() string { return k.didKey + "#" + strings.TrimPrefix(k.didKey, "did:key:") }

// signJWS signs header and claims with priv as a compact EdDSA JWS.
func signJWS(t *testing.T, priv ed25519.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(data)
	}
	in := enc(header) + "." + enc(claims)
	return in + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, []byte(in)))
}

// walletFlow drives the pre-authorized code flow against a test server.
type walletFlow struct {
	ts    *testServer
	clock *atomic.Pointer[time.Time]
	// prefix is the issuer instance's path: "" or /issuers/{id}.
	prefix string
}

func (f walletFlow) now() time.Time { return *f.clock.Load() }

func (f walletFlow) advance(d time.Duration) {
	t := f.now().Add(d)
	f.clock.Store(&t)
}

// startWalletServer starts a server with a settable clock.
func startWalletServer(t *testing.T) walletFlow {
	t.Helper()
	var clock atomic.Pointer[time.Time]
	start := time.Now().UTC().Truncate(time.Second)
	clock.Store(&start)
	ts := startServer(t, testConfig{now: func() time.Time { return *clock.Load() }})
	return walletFlow{ts: ts, clock: &clock}
}

// issueToEmail issues the sample credential to a hashed email address,
// not a DID.
func (f walletFlow) issueToEmail(t *testing.T) map[string]any {
	t.Helper()
	cred := sampleCredential(t)
	subj := cred["credentialSubject"].(map[string]any)
	delete(subj, "id")
	subj["identifier"] = []any{map[string]any{
		"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
		"identityHash": ob3.IdentityHash("learner@example.edu", "s4lt"), "salt": "s4lt",
	}}
	return f.ts.issue(t, cred)
}

func (f walletFlow) offer(t *testing.T, credID string, tx bool) CreatedOffer {
	t.Helper()
	resp := f.ts.do(t, "POST", f.prefix+"/offers", testAdminKey, OfferRequest{CredentialID: credID, TxCode: tx})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /offers: %d %s", resp.StatusCode, resp.Body)
	}
	return decode[CreatedOffer](t, resp)
}

// form posts a form and returns the answer.
func (f walletFlow) form(t *testing.T, path string, v url.Values) fetched {
	t.Helper()
	req, err := http.NewRequest("POST", f.ts.url+path, strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, req)
}

func send(t *testing.T, req *http.Request) fetched {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf strings.Builder
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		t.Fatal(err)
	}
	return fetched{resp.StatusCode, resp.Header, []byte(buf.String())}
}

func codeOf(t *testing.T, o CreatedOffer) string {
	t.Helper()
	g := o.CredentialOffer["grants"].(map[string]any)[grantPreAuth].(map[string]any)
	return g["pre-authorized_code"].(string)
}

func (f walletFlow) token(t *testing.T, code, tx string) fetched {
	t.Helper()
	v := url.Values{"grant_type": {grantPreAuth}, "pre-authorized_code": {code}}
	if tx != "" {
		v.Set("tx_code", tx)
	}
	return f.form(t, f.prefix+"/oid4vci/token", v)
}

func (f walletFlow) accessToken(t *testing.T, o CreatedOffer) string {
	t.Helper()
	resp := f.token(t, codeOf(t, o), o.TxCode)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %s", resp.StatusCode, resp.Body)
	}
	return decode[map[string]any](t, resp)["access_token"].(string)
}

func (f walletFlow) nonce(t *testing.T) string {
	t.Helper()
	resp := f.ts.do(t, "POST", f.prefix+"/oid4vci/nonce", "", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("nonce: %d %s", resp.StatusCode, resp.Body)
	}
	return decode[map[string]any](t, resp)["c_nonce"].(string)
}

// proof makes a key proof signed by signer, with the header binding to
// key by jwk (or by kid, with byKid), edited by edit.
func (f walletFlow) proof(t *testing.T, key, signer walletKey, byKid bool, nonce string, edit func(h, c map[string]any)) string {
	t.Helper()
	h := map[string]any{"alg": "EdDSA", "typ": proofTyp}
	if byKid {
		h["kid"] = key.kid()
	} else {
		h["jwk"] = key.jwk
	}
	c := map[string]any{"aud": f.ts.url + f.prefix, "iat": f.now().Unix(), "nonce": nonce}
	if edit != nil {
		edit(h, c)
	}
	return signJWS(t, signer.priv, h, c)
}

func (f walletFlow) credential(t *testing.T, token string, body any) fetched {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", f.ts.url+f.prefix+"/oid4vci/credential", strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

func credReq(proofs ...string) map[string]any {
	return map[string]any{"credential_configuration_id": configLDP, "proofs": map[string]any{"jwt": proofs}}
}

// wantOAuthError checks an OAuth error answer.
func wantOAuthError(t *testing.T, name string, resp fetched, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: status %d, want %d: %s", name, resp.StatusCode, status, resp.Body)
		return
	}
	var e map[string]string
	if err := json.Unmarshal(resp.Body, &e); err != nil || e["error"] != code {
		t.Errorf("%s: %s, want error %s", name, resp.Body, code)
	}
}

func TestOID4VCIDelivery(t *testing.T) {
	f := startWalletServer(t)
	orig := f.issueToEmail(t)
	for _, byKid := range []bool{false, true} {
		t.Run(map[bool]string{false: "jwk", true: "kid"}[byKid], func(t *testing.T) {
			o := f.offer(t, orig["id"].(string), false)
			if !strings.HasPrefix(o.OfferURI, "openid-credential-offer://?credential_offer=") ||
				!strings.HasPrefix(o.OfferURIByReference, "openid-credential-offer://?credential_offer_uri=") ||
				!strings.HasSuffix(o.InteractionURL, "?iuv=1") || len(o.QRPNG) < 100 || string(o.QRPNG[1:4]) != "PNG" {
				t.Fatalf("offer %+v", o)
			}
			// The offer by reference is the offer by value.
			ref, err := url.Parse(o.OfferURIByReference)
			if err != nil {
				t.Fatal(err)
			}
			byRef := get(t, ref.Query().Get("credential_offer_uri"))
			if byRef.StatusCode != http.StatusOK || codeOf(t, CreatedOffer{CredentialOffer: decode[map[string]any](t, byRef)}) != codeOf(t, o) {
				t.Fatalf("credential_offer_uri: %d %s", byRef.StatusCode, byRef.Body)
			}
			key := newWalletKey(t)
			tok := f.accessToken(t, o)
			resp := f.credential(t, tok, credReq(f.proof(t, key, key, byKid, f.nonce(t), nil)))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("credential: %d %s", resp.StatusCode, resp.Body)
			}
			var out struct {
				Credentials []struct {
					Credential map[string]any `json:"credential"`
				} `json:"credentials"`
			}
			if err := json.Unmarshal(resp.Body, &out); err != nil || len(out.Credentials) != 1 {
				t.Fatalf("credential answer %s: %v", resp.Body, err)
			}
			vc := out.Credentials[0].Credential
			subj := vc["credentialSubject"].(map[string]any)
			origSubj := orig["credentialSubject"].(map[string]any)
			wantDID := key.didJWK
			if byKid {
				wantDID = key.didKey
			}
			if subj["id"] != wantDID {
				t.Errorf("credentialSubject.id %v, want %s", subj["id"], wantDID)
			}
			if !jsonEqual(t, subj["identifier"], origSubj["identifier"]) || !jsonEqual(t, vc["credentialStatus"], orig["credentialStatus"]) {
				t.Errorf("the bound copy lost the recipient identifier or status entry:\n%v\n%v", vc, orig)
			}
			if vc["id"] == orig["id"] {
				t.Error("the bound copy has the original's id")
			}
			if code, res := f.ts.verifyVC(t, vc); code != http.StatusOK || !res.Verified {
				t.Errorf("the bound copy does not verify: %d %+v", code, res)
			}
			st, _ := f.ts.offerStore(t.Context())
			rec, err := st.GetOffer(t.Context(), secretHash(o.OfferID))
			if err != nil || rec.DeliveredID != vc["id"] || rec.HolderDID != wantDID || rec.CredentialID != orig["id"] {
				t.Errorf("the link is not recorded: %+v, %v", rec, err)
			}
			// Everything is single-use.
			wantOAuthError(t, "second redemption", f.token(t, codeOf(t, o), ""), http.StatusBadRequest, "invalid_grant")
			wantOAuthError(t, "token reused", f.credential(t, tok, credReq(f.proof(t, key, key, byKid, f.nonce(t), nil))), http.StatusUnauthorized, "invalid_token")
			if got := get(t, ref.Query().Get("credential_offer_uri")); got.StatusCode != http.StatusNotFound {
				t.Errorf("credential_offer_uri after redemption: %d", got.StatusCode)
			}
		})
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && a != nil && string(x) == string(y)
}

func TestOID4VCITokenMisuse(t *testing.T) {
	f := startWalletServer(t)
	id := f.issueToEmail(t)["id"].(string)
	t.Run("expired offer", func(t *testing.T) {
		o := f.offer(t, id, false)
		f.advance(DefaultOfferTTL)
		defer f.advance(-DefaultOfferTTL)
		wantOAuthError(t, "at expiry", f.token(t, codeOf(t, o), ""), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("unknown code", func(t *testing.T) {
		wantOAuthError(t, "unknown", f.token(t, "not-a-code", ""), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("wrong grant type", func(t *testing.T) {
		resp := f.form(t, "/oid4vci/token", url.Values{"grant_type": {"client_credentials"}, "pre-authorized_code": {"x"}})
		wantOAuthError(t, "client_credentials", resp, http.StatusBadRequest, "unsupported_grant_type")
	})
	t.Run("tx_code", func(t *testing.T) {
		o := f.offer(t, id, true)
		if len(o.TxCode) != txCodeDigits {
			t.Fatalf("tx code %q", o.TxCode)
		}
		if tx, _ := o.CredentialOffer["grants"].(map[string]any)[grantPreAuth].(map[string]any)["tx_code"].(map[string]any); tx["length"] != float64(txCodeDigits) && tx["length"] != txCodeDigits {
			t.Errorf("offer tx_code %v", tx)
		}
		wrong := "000000"
		if o.TxCode == wrong {
			wrong = "111111"
		}
		wantOAuthError(t, "missing tx_code", f.token(t, codeOf(t, o), ""), http.StatusBadRequest, "invalid_request")
		wantOAuthError(t, "wrong tx_code", f.token(t, codeOf(t, o), wrong), http.StatusBadRequest, "invalid_grant")
		// The third failure voids the offer: the right code is refused.
		wantOAuthError(t, "third failure", f.token(t, codeOf(t, o), wrong), http.StatusBadRequest, "invalid_grant")
		wantOAuthError(t, "right code too late", f.token(t, codeOf(t, o), o.TxCode), http.StatusBadRequest, "invalid_grant")
		o2 := f.offer(t, id, true)
		wantOAuthError(t, "one wrong", f.token(t, codeOf(t, o2), wrong), http.StatusBadRequest, "invalid_grant")
		if resp := f.token(t, codeOf(t, o2), o2.TxCode); resp.StatusCode != http.StatusOK {
			t.Errorf("right tx_code after one failure: %d %s", resp.StatusCode, resp.Body)
		}
	})
}

func TestOID4VCICredentialMisuse(t *testing.T) {
	f := startWalletServer(t)
	id := f.issueToEmail(t)["id"].(string)
	key, other := newWalletKey(t), newWalletKey(t)
	tok := f.accessToken(t, f.offer(t, id, false))
	wantOAuthError(t, "no token", f.credential(t, "", credReq(f.proof(t, key, key, false, f.nonce(t), nil))), 401, "invalid_token")
	for _, tc := range []struct {
		name   string
		body   func() any
		token  string
		status int
		code   string
	}{
		{"unknown token", func() any { return credReq(f.proof(t, key, key, false, f.nonce(t), nil)) }, "nope", 401, "invalid_token"},
		{"missing proofs", func() any { return map[string]any{"credential_configuration_id": configLDP} }, tok, 400, "invalid_proof"},
		{"two proofs", func() any {
			return credReq(f.proof(t, key, key, false, f.nonce(t), nil), f.proof(t, key, key, false, f.nonce(t), nil))
		}, tok, 400, "invalid_proof"},
		{"unknown configuration", func() any {
			return map[string]any{"credential_configuration_id": "X", "proofs": map[string]any{"jwt": []string{f.proof(t, key, key, false, f.nonce(t), nil)}}}
		}, tok, 400, "unknown_credential_configuration"},
		{"missing nonce", func() any {
			return credReq(f.proof(t, key, key, false, "", func(_, c map[string]any) { delete(c, "nonce") }))
		}, tok, 400, "invalid_proof"},
		{"unknown nonce", func() any { return credReq(f.proof(t, key, key, false, "made-up", nil)) }, tok, 400, "invalid_nonce"},
		{"stale nonce", func() any {
			n := f.nonce(t)
			f.advance(nonceTTL)
			return credReq(f.proof(t, key, key, false, n, nil))
		}, tok, 400, "invalid_nonce"},
		{"jwk proof signed by another key", func() any { return credReq(f.proof(t, key, other, false, f.nonce(t), nil)) }, tok, 400, "invalid_proof"},
		{"kid proof signed by another key", func() any { return credReq(f.proof(t, key, other, true, f.nonce(t), nil)) }, tok, 400, "invalid_proof"},
		{"wrong aud", func() any {
			return credReq(f.proof(t, key, key, false, f.nonce(t), func(_, c map[string]any) { c["aud"] = "https://other.example" }))
		}, tok, 400, "invalid_proof"},
		{"kid and jwk", func() any {
			return credReq(f.proof(t, key, key, false, f.nonce(t), func(h, _ map[string]any) { h["kid"] = key.kid() }))
		}, tok, 400, "invalid_proof"},
		{"wrong typ", func() any {
			return credReq(f.proof(t, key, key, false, f.nonce(t), func(h, _ map[string]any) { h["typ"] = "JWT" }))
		}, tok, 400, "invalid_proof"},
		{"alg none", func() any {
			return credReq(f.proof(t, key, key, false, f.nonce(t), func(h, _ map[string]any) { h["alg"] = "none" }))
		}, tok, 400, "invalid_proof"},
		{"old iat", func() any {
			return credReq(f.proof(t, key, key, false, f.nonce(t), func(_, c map[string]any) { c["iat"] = f.now().Add(-time.Hour).Unix() }))
		}, tok, 400, "invalid_proof"},
		{"draft proof member", func() any {
			return map[string]any{"credential_configuration_id": configLDP, "proof": map[string]any{"proof_type": "jwt", "jwt": f.proof(t, key, key, false, f.nonce(t), nil)}}
		}, tok, 400, "invalid_credential_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body()
			wantOAuthError(t, tc.name, f.credential(t, tc.token, body), tc.status, tc.code)
		})
	}
}

// TestOID4VCIReplays replays a nonce that delivered a credential, and
// offers a credential issued to a DID to another DID.
func TestOID4VCIReplays(t *testing.T) {
	f := startWalletServer(t)
	key := newWalletKey(t)
	id := f.issueToEmail(t)["id"].(string)
	n := f.nonce(t)
	if resp := f.credential(t, f.accessToken(t, f.offer(t, id, false)), credReq(f.proof(t, key, key, false, n, nil))); resp.StatusCode != http.StatusOK {
		t.Fatalf("first delivery: %d %s", resp.StatusCode, resp.Body)
	}
	tok := f.accessToken(t, f.offer(t, id, false))
	wantOAuthError(t, "nonce replayed", f.credential(t, tok, credReq(f.proof(t, key, key, false, n, nil))), 400, "invalid_nonce")

	// The sample credential is issued to did:example:learner-...: no
	// other DID may receive it.
	toDID := f.ts.issue(t, sampleCredential(t))
	tok = f.accessToken(t, f.offer(t, toDID["id"].(string), false))
	wantOAuthError(t, "another DID", f.credential(t, tok, credReq(f.proof(t, key, key, false, f.nonce(t), nil))), 400, "credential_request_denied")

	// A credential revoked after its offer was made is not delivered.
	o := f.offer(t, id, false)
	tok = f.accessToken(t, o)
	if resp := f.ts.setStatus(t, id, "revocation", true); resp.StatusCode != http.StatusOK {
		t.Fatalf("revoking: %d %s", resp.StatusCode, resp.Body)
	}
	wantOAuthError(t, "revoked", f.credential(t, tok, credReq(f.proof(t, key, key, false, f.nonce(t), nil))), 400, "credential_request_denied")
	if resp := f.ts.do(t, "POST", f.prefix+"/offers", testAdminKey, OfferRequest{CredentialID: id}); resp.StatusCode != http.StatusConflict {
		t.Errorf("offer of a revoked credential: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestOfferRefusals(t *testing.T) {
	f := startWalletServer(t)
	id := f.issueToEmail(t)["id"].(string)
	issueOnly := f.ts.addKey(t, ScopeIssue)
	offersOnly := f.ts.addKey(t, ScopeOffers)
	for _, tc := range []struct {
		name   string
		key    string
		body   any
		status int
	}{
		{"no key", "", OfferRequest{CredentialID: id}, 401},
		{"issue scope", issueOnly, OfferRequest{CredentialID: id}, 403},
		{"offers scope", offersOnly, OfferRequest{CredentialID: id}, 201},
		{"unknown credential", offersOnly, OfferRequest{CredentialID: "urn:uuid:nope"}, 404},
		{"no credential", offersOnly, OfferRequest{}, 400},
		{"too long", offersOnly, OfferRequest{CredentialID: id, ExpiresIn: int64(MaxOfferTTL/time.Second) + 1}, 400},
		{"unknown member", offersOnly, map[string]any{"credentialId": id, "x": 1}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := f.ts.do(t, "POST", "/offers", tc.key, tc.body)
			if resp.StatusCode != tc.status {
				t.Errorf("%d, want %d: %s", resp.StatusCode, tc.status, resp.Body)
			}
			if tc.status == 201 && resp.Header.Get("Cache-Control") != "no-store" {
				t.Error("an offer's secrets are sent cacheable")
			}
		})
	}
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/claim/abc":                 "/claim/REDACTED",
		"/api/claim/abc/qr.png":      "/api/claim/REDACTED/qr.png",
		"/oid4vci/offers/abc":        "/oid4vci/offers/REDACTED",
		"/credentials/urn:uuid:1":    "/credentials/urn:uuid:1",
		"/workflows/w/exchanges/x/y": "/workflows/w/exchanges/REDACTED/y",
	} {
		if got := redactPath(in); got != want {
			t.Errorf("redactPath(%s) = %s, want %s", in, got, want)
		}
	}
}
