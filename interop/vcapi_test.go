package interop_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/server"
	"github.com/badgesmith/badgesmith/proof"
)

// holderKey is a wallet's Ed25519 did:key.
type holderKey struct {
	priv ed25519.PrivateKey
	did  string
	vm   string
}

func newHolderKey(t *testing.T) holderKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, err := did.KeyFromPublic(pub)
	if err != nil {
		t.Fatal(err)
	}
	return holderKey{priv: priv, did: d, vm: d + "#" + strings.TrimPrefix(d, "did:key:")}
}

// didAuthVP is a DIDAuthentication presentation of the holder, signed
// with suite for purpose, challenge and domain.
func didAuthVP(t *testing.T, k holderKey, suite proof.Suite, purpose, challenge, domain string) map[string]any {
	t.Helper()
	vp := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"},
		"type":     []any{"VerifiablePresentation"},
		"holder":   k.did,
	}
	if suite == proof.Ed25519Signature2020 {
		vp["@context"] = []any{"https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/suites/ed25519-2020/v1"}
	}
	signed, err := proof.Sign(context.Background(), vp, k.priv, proof.SignOptions{
		Suite: suite, VerificationMethod: k.vm, ProofPurpose: purpose,
		Challenge: challenge, Domain: domain, Created: time.Now().Add(-time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// exchangeOf finds an offer's VC-API exchange as the Learner Credential
// Wallet does: the interaction URL asked for JSON.
func (ws *walletServer) exchangeOf(t *testing.T, o server.CreatedOffer) string {
	t.Helper()
	status, body := ws.send(t, "GET", o.InteractionURL, "application/json", "", nil)
	var out struct {
		Protocols map[string]string `json:"protocols"`
	}
	if err := json.Unmarshal(body, &out); status != http.StatusOK || err != nil || out.Protocols["vcapi"] == "" {
		t.Fatalf("interaction URL: %d %s", status, body)
	}
	return out.Protocols["vcapi"]
}

// vpRequest starts an exchange with {} and returns the challenge and
// domain of its DIDAuthentication request.
func (ws *walletServer) vpRequest(t *testing.T, exchange string) (challenge, domain string) {
	t.Helper()
	status, body := ws.send(t, "POST", exchange, "", "", map[string]any{})
	var out struct {
		VPR struct {
			Query []struct {
				Type string `json:"type"`
			} `json:"query"`
			Challenge string `json:"challenge"`
			Domain    string `json:"domain"`
		} `json:"verifiablePresentationRequest"`
	}
	if err := json.Unmarshal(body, &out); status != http.StatusOK || err != nil || len(out.VPR.Query) != 1 || out.VPR.Query[0].Type != "DIDAuthentication" || out.VPR.Challenge == "" {
		t.Fatalf("verifiable presentation request: %d %s", status, body)
	}
	return out.VPR.Challenge, out.VPR.Domain
}

func (ws *walletServer) offer(t *testing.T, id string, tx bool) server.CreatedOffer {
	t.Helper()
	var o server.CreatedOffer
	ws.post(t, "/offers", server.OfferRequest{CredentialID: id, TxCode: tx}, &o)
	return o
}

// TestVCAPIExchange runs the exchange as the Learner Credential Wallet
// does, with both suites it may sign with, and replays it.
func TestVCAPIExchange(t *testing.T) {
	ws := startWalletServer(t)
	orig := ws.issueToEmail(t)
	for _, suite := range []proof.Suite{proof.Ed25519Signature2020, proof.EddsaRdfc2022} {
		t.Run(string(suite), func(t *testing.T) {
			key := newHolderKey(t)
			o := ws.offer(t, orig["id"].(string), false)
			ex := ws.exchangeOf(t, o)
			challenge, domain := ws.vpRequest(t, ex)
			if domain != ws.url {
				t.Errorf("domain %q, want the issuer %s", domain, ws.url)
			}
			vp := didAuthVP(t, key, suite, "authentication", challenge, domain)
			status, body := ws.send(t, "POST", ex, "", "", map[string]any{"verifiablePresentation": vp})
			if status != http.StatusOK {
				t.Fatalf("presenting: %d %s", status, body)
			}
			var out struct {
				VP struct {
					VCs []map[string]any `json:"verifiableCredential"`
				} `json:"verifiablePresentation"`
			}
			if err := json.Unmarshal(body, &out); err != nil || len(out.VP.VCs) != 1 {
				t.Fatalf("answer %s: %v", body, err)
			}
			vc := out.VP.VCs[0]
			a, _ := json.Marshal(vc["credentialStatus"])
			b, _ := json.Marshal(orig["credentialStatus"])
			if vc["credentialSubject"].(map[string]any)["id"] != key.did || string(a) != string(b) {
				t.Errorf("delivered credential not bound to %s with the original's status entry: %v", key.did, vc)
			}
			// The server's verifier reads its own status lists.
			if status, body := ws.send(t, "POST", ws.url+"/credentials/verify", "", "", map[string]any{"verifiableCredential": vc}); status != http.StatusOK || !strings.Contains(string(body), `"verified":true`) {
				t.Errorf("the delivered credential does not verify: %d %s", status, body)
			}
			// Replayed: the exchange is spent, and so is the offer.
			if status, body := ws.send(t, "POST", ex, "", "", map[string]any{"verifiablePresentation": vp}); status != http.StatusNotFound {
				t.Errorf("replayed presentation: %d %s", status, body)
			}
			if status, _ := ws.send(t, "POST", ex, "", "", map[string]any{}); status != http.StatusNotFound {
				t.Errorf("replayed exchange: %d", status)
			}
		})
	}
}

// TestVCAPIExchangeMisuse presents what a wallet must not get a
// credential for: each is a 400 and spends nothing.
func TestVCAPIExchangeMisuse(t *testing.T) {
	ws := startWalletServer(t)
	id := ws.issueToEmail(t)["id"].(string)
	key := newHolderKey(t)
	ex := ws.exchangeOf(t, ws.offer(t, id, false))
	other := ws.exchangeOf(t, ws.offer(t, id, false))
	for _, tc := range []struct {
		name string
		vp   func() any
	}{
		{"wrong challenge", func() any {
			_, d := ws.vpRequest(t, ex)
			return didAuthVP(t, key, proof.Ed25519Signature2020, "authentication", "made-up-challenge", d)
		}},
		{"wrong domain", func() any {
			c, _ := ws.vpRequest(t, ex)
			return didAuthVP(t, key, proof.Ed25519Signature2020, "authentication", c, "https://evil.example")
		}},
		{"another exchange's challenge", func() any {
			c, d := ws.vpRequest(t, other)
			return didAuthVP(t, key, proof.Ed25519Signature2020, "authentication", c, d)
		}},
		{"assertionMethod purpose", func() any {
			c, d := ws.vpRequest(t, ex)
			return didAuthVP(t, key, proof.EddsaRdfc2022, "assertionMethod", c, d)
		}},
		{"stale challenge", func() any {
			c, d := ws.vpRequest(t, ex)
			ws.advance(10 * time.Minute)
			return didAuthVP(t, key, proof.EddsaRdfc2022, "authentication", c, d)
		}},
		{"holder changed after signing", func() any {
			c, d := ws.vpRequest(t, ex)
			vp := didAuthVP(t, key, proof.EddsaRdfc2022, "authentication", c, d)
			vp["holder"] = newHolderKey(t).did
			return vp
		}},
		{"unsigned", func() any {
			return map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiablePresentation"}, "holder": key.did}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := ws.send(t, "POST", ex, "", "", map[string]any{"verifiablePresentation": tc.vp()}); status != http.StatusBadRequest {
				t.Errorf("%d %s, want 400", status, body)
			}
		})
	}
	// After all that the exchange still works: a refusal spends nothing.
	c, d := ws.vpRequest(t, ex)
	if status, body := ws.send(t, "POST", ex, "", "", map[string]any{"verifiablePresentation": didAuthVP(t, key, proof.EddsaRdfc2022, "authentication", c, d)}); status != http.StatusOK {
		t.Errorf("after the refusals: %d %s", status, body)
	}
	// An offer with a transaction code has no exchange.
	tx := ws.offer(t, id, true)
	if status, _ := ws.send(t, "POST", ws.url+"/workflows/claim/exchanges/"+tx.OfferID, "", "", map[string]any{}); status != http.StatusBadRequest {
		t.Errorf("exchange of a tx_code offer: %d", status)
	}
}

// TestVCAPIWallet has a Node script that does what the Learner Credential
// Wallet does (vcapi.mjs: @digitalbazaar/vc and Ed25519Signature2020 for a
// did:key holder) claim an offer over the VC-API exchange, then verify
// the credential received with @digitalbazaar/vc, status included.
func TestVCAPIWallet(t *testing.T) {
	node := requireNode(t)
	ws := startWalletServer(t)
	orig := ws.issueToEmail(t)
	o := ws.offer(t, orig["id"].(string), false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "vcapi.mjs", o.InteractionURL)
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+ws.caFile)
	cmd.Stderr = &testWriter{t: t}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vcapi.mjs: %v\n%s", err, out)
	}
	var res walletResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("vcapi.mjs answer %s: %v", out, err)
	}
	if !res.Verified || !res.ProofVerified || !res.StatusVerified || res.Revoked {
		t.Errorf("@digitalbazaar/vc does not verify the received credential: %+v", res)
	}
	subj, _ := res.Credential["credentialSubject"].(map[string]any)
	if !strings.HasPrefix(res.Holder, "did:key:") || subj["id"] != res.Holder {
		t.Errorf("credentialSubject.id %v, want the wallet's did:key %s", subj["id"], res.Holder)
	}
	// The exchange is single-use: the offer is spent.
	if status, _ := ws.send(t, "GET", o.InteractionURL, "application/json", "", nil); status != http.StatusNotFound {
		t.Errorf("interaction URL after the exchange: %d", status)
	}

	// The bound copy keeps the original's status entry: revoking the
	// original revokes what the wallet holds.
	var changed server.StatusChanged
	ws.post(t, "/admin/credentials/status", server.StatusChange{CredentialID: orig["id"].(string), Action: server.ActionRevoke, Reason: "test"}, &changed)
	file := filepath.Join(t.TempDir(), "received.json")
	data, _ := json.Marshal(res.Credential)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd = exec.CommandContext(ctx, node, "received.mjs", file, ws.url)
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+ws.caFile)
	cmd.Stderr = &testWriter{t: t}
	if out, err = cmd.Output(); err != nil {
		t.Fatalf("received.mjs: %v", err)
	}
	var after walletResult
	// @digitalbazaar/vc's verified means the status could be read; the
	// entry's bit is in revoked.
	if err := json.Unmarshal(out, &after); err != nil || !after.Revoked || !after.StatusVerified || !after.ProofVerified {
		t.Errorf("after revoking the original, @digitalbazaar/vc says %s (%v), want revoked with a valid proof", out, err)
	}
}
