package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
)

// TestRedTeamEnvelopeConfusion: the verify endpoint takes an object as an
// EnvelopedVerifiableCredential, and verifies only the JWT in its id, when
// its type says so. Read by encoding/json, "Type" and "ID" count as type
// and id (names match ignoring case) and every other member is ignored, so
// a credential object whose claims nobody signed, carrying someone's real
// token under "ID", was answered verified: true. An envelope is the three
// members @context, id and type, named exactly.
func TestRedTeamEnvelopeConfusion(t *testing.T) {
	ts := startServer(t, testConfig{format: issuer.JOSE})
	env := ts.issue(t, sampleCredential(t))
	id, _ := env["id"].(string)

	forged := sampleCredential(t)
	forged["name"] = "Doctor of Medicine"
	forged["issuer"] = map[string]any{"id": "did:web:university.example", "type": "Profile", "name": "A University"}
	raw, err := json.Marshal(forged)
	if err != nil {
		t.Fatal(err)
	}
	// Last, so that encoding/json keeps them over type and id.
	folded := json.RawMessage(append(raw[:len(raw)-1], []byte(`,"Type":"EnvelopedVerifiableCredential","ID":"`+id+`"}`)...))
	withExtra := map[string]any{"@context": env["@context"], "type": "EnvelopedVerifiableCredential", "id": id, "name": "Doctor of Medicine"}
	for name, vc := range map[string]any{"case-folded envelope members": folded, "envelope with claims beside it": withExtra} {
		t.Run(name, func(t *testing.T) {
			resp := ts.do(t, "POST", "/credentials/verify", "", map[string]any{"verifiableCredential": vc})
			var vr VerifyResponse
			_ = json.Unmarshal(resp.Body, &vr)
			if vr.Verified || resp.StatusCode == http.StatusOK {
				t.Fatalf("verify: %d %s: an object that is not an envelope was verified as the token it carries", resp.StatusCode, resp.Body)
			}
		})
	}
	// The envelope the server issued still verifies.
	if code, vr := ts.verifyVC(t, env); code != http.StatusOK || !vr.Verified {
		t.Fatalf("issued envelope: %d %+v", code, vr)
	}
}

// TestRedTeamJWKSRefetchSlot: a token naming a key the server lacks
// causes at most one JWKS fetch a minute, made within the request of
// whoever sent that token. Made with that request's context, the fetch of
// a client that hung up at once failed, and the failure still took the
// minute's slot: after a key rotation, one such request a minute kept the
// authorization server's new tokens refused. The fetch is the server's,
// not the client's, and runs to its own end.
func TestRedTeamJWKSRefetchSlot(t *testing.T) {
	as := newTestAS(t)
	ts := startServer(t, testConfig{oauth: as.config()})
	as.rotate(t, "as-2")
	rotated := as.token(t, ts.url, map[string]any{"scope": ScopeRead})
	x := ts.oauth.ext
	x.mu.Lock()
	x.fetched = x.fetched.Add(-2 * jwksMinRefetch)
	x.mu.Unlock()
	// The attacker's request: an unknown kid, its client already gone.
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := x.key(gone, "attacker-kid"); err == nil {
		t.Fatal("an unknown kid found a key")
	}
	if resp := ts.do(t, "GET", "/credentials/urn:x", rotated, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("token by the rotated key after a hung-up refetch: %d %s, want 404", resp.StatusCode, resp.Body)
	}
	if n := as.fetches.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (start, the refetch)", n)
	}
}

// TestRedTeamTokenClaimNames: JWT claim names are case-sensitive (RFC
// 7519 §4), but the claims were decoded into a struct, which
// encoding/json matches ignoring case and folding Unicode, the last member
// winning: a token of the authorization server carrying, besides its
// scope, a claim "ſcope" (long s; a custom claim a client may get added,
// which JSON encoders write after "scope") was read as having that scope.
func TestRedTeamTokenClaimNames(t *testing.T) {
	as := newTestAS(t)
	ts := startServer(t, testConfig{oauth: as.config()})
	tok := as.token(t, ts.url, map[string]any{"scope": ScopeIssue, "\u017fcope": ScopeRead})
	resp := ts.do(t, "GET", "/credentials/urn:uuid:nothing-here", tok, nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a token with scope %s and a claim \u017fcope %s reading a credential: %d %s, want 403", ScopeIssue, ScopeRead, resp.StatusCode, resp.Body)
	}
}
