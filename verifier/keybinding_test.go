package verifier_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
	"github.com/badgesmith/badgesmith/verifier"
)

// multikey is k's public key as a Multikey.
func multikey(t testing.TB, k testKey) string {
	t.Helper()
	mk, err := keys.EncodePublicMultikey(k.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return mk
}

// issuedBy is the sample credential issued by issuer, signed with priv as
// vm (eddsa-rdfc-2022).
func issuedBy(t testing.TB, issuer string, priv ed25519.PrivateKey, vm string) []byte {
	t.Helper()
	return encode(t, sign(t, unsigned(t, testKey{did: issuer}), priv, vm, proof.EddsaRdfc2022))
}

// jwtIssuedBy is the sample credential issued by issuer as a VC-JWT signed
// with priv under the header kid.
func jwtIssuedBy(t testing.TB, issuer string, priv ed25519.PrivateKey, kid string) []byte {
	t.Helper()
	tok, err := vcjwt.Sign(context.Background(), unsigned(t, testKey{did: issuer}), priv, vcjwt.Options{KeyID: kid, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return []byte(tok)
}

// docWith is the document of id with k's key as the Multikey method vmID,
// controlled by id and referenced from assertionMethod, after edit.
func docWith(t testing.TB, id, vmID string, k testKey, edit func(d *did.Document)) string {
	t.Helper()
	d := &did.Document{
		Context: []any{did.ContextDIDv1, did.ContextMultikeyV1},
		ID:      id,
		VerificationMethod: []did.VerificationMethod{{
			ID: vmID, Type: did.TypeMultikey, Controller: id, PublicKeyMultibase: multikey(t, k),
		}},
		AssertionMethod: []any{vmID},
	}
	if edit != nil {
		edit(d)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// errNoSuchHost stands in for a DNS failure.
var errNoSuchHost = errors.New("no such host (test resolver)")

// TestKeyBinding proves the rule for trusting a signing key: the key a
// did:key issuer id encodes, a key listed under assertionMethod in the
// issuer's own document, or a pinned key, and nothing the credential says
// about itself. Each forgery is refused (invalid) or could not be checked,
// never valid, and the issuer check never passes without a binding.
func TestKeyBinding(t *testing.T) {
	k := newKey(t, 7)          // the issuer's key
	attacker := newKey(t, 200) // the forger's key
	const urn = "urn:uuid:6f1d6c8a-3c1e-4d8f-9e42-0b1f8c7e2a11"
	const otherURN = "urn:uuid:0b6a1b6e-1d8e-4f43-a1c8-5d1f2f7b9c33"
	pin := func(issuer string, key testKey, vm string) []verifier.PinnedKey {
		return []verifier.PinnedKey{{Issuer: issuer, Key: key.priv.Public(), VerificationMethod: vm}}
	}
	type env struct {
		ls   *localhostServer
		url  string // the server's https issuer URL
		did  string // the server's did:web DID
		opts verifier.Options
	}
	tests := []struct {
		name string
		// build serves what the case needs and returns the credential; it
		// may set e.opts (HTTPClient defaults to one that reaches e.ls).
		build func(t *testing.T, e *env) []byte
		want  outcome
		// issuer is the issuer check's status; reason a fragment of its
		// reason (of every check's reasons when the issuer check has none).
		issuer verifier.Status
		reason string
		// cause is an error the verification error must wrap.
		cause error
		// notAsked is a server path that must never be requested.
		notAsked string
	}{
		// Forged keys named by the credential itself.
		{name: "DI fragment key on https issuer without a document", build: func(t *testing.T, e *env) []byte {
			return issuedBy(t, e.url, attacker.priv, e.url+"#"+multikey(t, attacker))
		}, want: wantInconclusive, issuer: verifier.StatusError, reason: "not trusted on its own", cause: did.ErrNotFound},
		{name: "DI fragment key on https issuer whose document lists another key", build: func(t *testing.T, e *env) []byte {
			e.ls.put("/issuer", docWith(t, e.url, e.url+"#key-1", k, nil))
			return issuedBy(t, e.url, attacker.priv, e.url+"#"+multikey(t, attacker))
		}, want: wantFail, issuer: verifier.StatusFail, reason: "not in document"},
		{name: "JWT fragment kid on https issuer without a document", build: func(t *testing.T, e *env) []byte {
			return jwtIssuedBy(t, e.url, attacker.priv, e.url+"#"+multikey(t, attacker))
		}, want: wantInconclusive, issuer: verifier.StatusError, reason: "not trusted on its own", cause: did.ErrNotFound},
		{name: "JWT relative fragment kid on https issuer without a document", build: func(t *testing.T, e *env) []byte {
			return jwtIssuedBy(t, e.url, attacker.priv, "#"+multikey(t, attacker))
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: verifier.ErrKeyNotBound},
		{name: "JWT fragment kid on https issuer whose document lists another key", build: func(t *testing.T, e *env) []byte {
			e.ls.put("/issuer", docWith(t, e.url, e.url+"#key-1", k, nil))
			return jwtIssuedBy(t, e.url, attacker.priv, e.url+"#"+multikey(t, attacker))
		}, want: wantFail, issuer: verifier.StatusFail, reason: "not in document"},
		{name: "DI fragment key on urn issuer", build: func(t *testing.T, e *env) []byte {
			return issuedBy(t, urn, attacker.priv, urn+"#"+multikey(t, attacker))
		}, want: wantInconclusive, issuer: verifier.StatusError, reason: "names no document", cause: verifier.ErrKeyNotBound},
		{name: "DI fragment key on http issuer", build: func(t *testing.T, e *env) []byte {
			u := fmt.Sprintf("http://localhost:%d/issuer", e.ls.port)
			return issuedBy(t, u, attacker.priv, u+"#"+multikey(t, attacker))
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: verifier.ErrKeyNotBound, notAsked: "/issuer"},
		{name: "JWT fragment kid on urn issuer", build: func(t *testing.T, e *env) []byte {
			return jwtIssuedBy(t, urn, attacker.priv, urn+"#"+multikey(t, attacker))
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: verifier.ErrKeyNotBound},
		{name: "JWT with a header jwk only", build: func(t *testing.T, e *env) []byte {
			jwk, err := keys.PublicJWK(attacker.priv.Public())
			if err != nil {
				t.Fatal(err)
			}
			var hdrJWK map[string]any
			if err := json.Unmarshal(jwk, &hdrJWK); err != nil {
				t.Fatal(err)
			}
			cred := unsigned(t, testKey{did: urn})
			return craftJWT(t, map[string]any{"alg": "EdDSA", "typ": "JWT", "jwk": hdrJWK}, vcJWTPayload(t, cred),
				func(in []byte) []byte { return ed25519.Sign(attacker.priv, in) })
		}, want: wantInconclusive, issuer: verifier.StatusSkipped, cause: vcjwt.ErrUnboundHeaderKey},
		{name: "JWT with a header jwk and its own fragment kid", build: func(t *testing.T, e *env) []byte {
			jwk, err := keys.PublicJWK(attacker.priv.Public())
			if err != nil {
				t.Fatal(err)
			}
			var hdrJWK map[string]any
			if err := json.Unmarshal(jwk, &hdrJWK); err != nil {
				t.Fatal(err)
			}
			cred := unsigned(t, testKey{did: e.url})
			return craftJWT(t, map[string]any{"alg": "EdDSA", "typ": "JWT", "jwk": hdrJWK, "kid": e.url + "#" + multikey(t, attacker)}, vcJWTPayload(t, cred),
				func(in []byte) []byte { return ed25519.Sign(attacker.priv, in) })
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: did.ErrNotFound},
		{name: "JWKS at the issuer URL", build: func(t *testing.T, e *env) []byte {
			jwk, err := keys.PublicJWK(attacker.priv.Public())
			if err != nil {
				t.Fatal(err)
			}
			e.ls.put("/issuer", `{"keys":[`+strings.Replace(string(jwk), "{", `{"kid":"k1",`, 1)+`]}`)
			return jwtIssuedBy(t, e.url, attacker.priv, e.url+"#k1")
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: did.ErrInvalidDocument},
		{name: "DI did:key method of another key than the issuer's", build: func(t *testing.T, e *env) []byte {
			return issuedBy(t, k.did, attacker.priv, attacker.vm)
		}, want: wantFail, issuer: verifier.StatusFail, reason: "not controlled by the issuer"},

		// Documents that do not authorise the key.
		{name: "method in DID document but not under assertionMethod", build: func(t *testing.T, e *env) []byte {
			e.ls.put(wellKnownPath, docWith(t, e.did, e.did+"#key-1", k, func(d *did.Document) {
				d.Authentication, d.AssertionMethod = d.AssertionMethod, nil
			}))
			return issuedBy(t, e.did, k.priv, e.did+"#key-1")
		}, want: wantFail, issuer: verifier.StatusFail, reason: "not listed under assertionMethod"},
		{name: "method in controlled identifier document but not under assertionMethod", build: func(t *testing.T, e *env) []byte {
			e.ls.put("/issuer", docWith(t, e.url, e.url+"#key-1", k, func(d *did.Document) { d.AssertionMethod = nil }))
			return jwtIssuedBy(t, e.url, k.priv, e.url+"#key-1")
		}, want: wantFail, issuer: verifier.StatusFail, reason: "not listed under assertionMethod"},
		{name: "controller is not the document id", build: func(t *testing.T, e *env) []byte {
			e.ls.put(wellKnownPath, docWith(t, e.did, e.did+"#key-1", k, func(d *did.Document) {
				d.VerificationMethod[0].Controller = "did:web:attacker.example"
			}))
			return issuedBy(t, e.did, k.priv, e.did+"#key-1")
		}, want: wantFail, issuer: verifier.StatusFail, reason: "controller"},
		{name: "method revoked before now", build: func(t *testing.T, e *env) []byte {
			e.ls.put(wellKnownPath, docWith(t, e.did, e.did+"#key-1", k, func(d *did.Document) {
				d.VerificationMethod[0].Revoked = now.Add(-24 * time.Hour).Format(time.RFC3339)
			}))
			return issuedBy(t, e.did, k.priv, e.did+"#key-1")
		}, want: wantFail, issuer: verifier.StatusFail, reason: "revoked"},
		{name: "method revoked after now", build: func(t *testing.T, e *env) []byte {
			e.ls.put(wellKnownPath, docWith(t, e.did, e.did+"#key-1", k, func(d *did.Document) {
				d.VerificationMethod[0].Revoked = now.Add(24 * time.Hour).Format(time.RFC3339)
			}))
			return issuedBy(t, e.did, k.priv, e.did+"#key-1")
		}, want: wantValid, issuer: verifier.StatusPass, reason: "in the DID document of"},
		{name: "method expired before now", build: func(t *testing.T, e *env) []byte {
			e.ls.put("/issuer", docWith(t, e.url, e.url+"#key-1", k, func(d *did.Document) {
				d.VerificationMethod[0].Expires = now.Add(-time.Second).Format(time.RFC3339)
			}))
			return issuedBy(t, e.url, k.priv, e.url+"#key-1")
		}, want: wantFail, issuer: verifier.StatusFail, reason: "expires"},
		{name: "controlled identifier document id is not its URL", build: func(t *testing.T, e *env) []byte {
			e.ls.put("/issuer", docWith(t, e.url+"/", e.url+"/#key-1", k, nil))
			return issuedBy(t, e.url, k.priv, e.url+"#key-1")
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: did.ErrInvalidDocument},
		{name: "DID document id is not the DID", build: func(t *testing.T, e *env) []byte {
			e.ls.put(wellKnownPath, docWith(t, "did:web:localhost", "did:web:localhost#key-1", k, nil))
			return issuedBy(t, e.did, k.priv, e.did+"#key-1")
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: did.ErrInvalidDocument},

		// Documents that were never obtained.
		{name: "cross-origin redirect", build: func(t *testing.T, e *env) []byte {
			doc := docWith(t, e.url, e.url+"#key-1", k, nil)
			e.ls.handle(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/issuer" {
					http.Redirect(w, r, fmt.Sprintf("https://127.0.0.1:%d/moved", e.ls.port), http.StatusFound)
					return
				}
				fmt.Fprint(w, doc)
			})
			return issuedBy(t, e.url, k.priv, e.url+"#key-1")
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: did.ErrRedirect, notAsked: "/moved"},
		{name: "did:web document not found", build: func(t *testing.T, e *env) []byte {
			return issuedBy(t, e.did, k.priv, e.did+"#key-1")
		}, want: wantInconclusive, issuer: verifier.StatusError, reason: "HTTP 404", cause: did.ErrNotFound},
		{name: "refused address", build: func(t *testing.T, e *env) []byte {
			e.ls.put("/issuer", docWith(t, e.url, e.url+"#key-1", k, nil))
			e.opts.HTTPClient = safehttp.NewClient(safehttp.Options{Timeout: 5 * time.Second})
			return issuedBy(t, e.url, k.priv, e.url+"#key-1")
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: safehttp.ErrForbiddenAddress, notAsked: "/issuer"},
		{name: "DNS failure", build: func(t *testing.T, e *env) []byte {
			e.ls.put("/issuer", docWith(t, e.url, e.url+"#key-1", k, nil))
			tr := e.ls.srv.Client().Transport.(*http.Transport).Clone()
			tr.DialContext = func(_ context.Context, _, addr string) (net.Conn, error) {
				host, _, _ := net.SplitHostPort(addr)
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true, UnwrapErr: errNoSuchHost}
			}
			e.opts.HTTPClient = &http.Client{Transport: tr, Timeout: 5 * time.Second}
			return issuedBy(t, e.url, k.priv, e.url+"#key-1")
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: errNoSuchHost, notAsked: "/issuer"},

		// Bound keys, and how the issuer check says so.
		{name: "did:key issuer", build: func(t *testing.T, e *env) []byte {
			return issuedBy(t, k.did, k.priv, k.vm)
		}, want: wantValid, issuer: verifier.StatusPass, reason: "is the key of did:key issuer " + k.did},
		{name: "did:key issuer, JWT", build: func(t *testing.T, e *env) []byte {
			return jwtIssuedBy(t, k.did, k.priv, k.vm)
		}, want: wantValid, issuer: verifier.StatusPass, reason: "is the key of did:key issuer " + k.did},
		{name: "did:web issuer", build: func(t *testing.T, e *env) []byte {
			e.ls.put(wellKnownPath, docWith(t, e.did, e.did+"#key-1", k, nil))
			return issuedBy(t, e.did, k.priv, e.did+"#key-1")
		}, want: wantValid, issuer: verifier.StatusPass, reason: "listed under assertionMethod in the DID document of did:web:localhost"},
		{name: "https issuer with a controlled identifier document", build: func(t *testing.T, e *env) []byte {
			e.ls.put("/issuer", docWith(t, e.url, e.url+"#key-1", k, nil))
			return jwtIssuedBy(t, e.url, k.priv, "#key-1")
		}, want: wantValid, issuer: verifier.StatusPass, reason: "listed under assertionMethod in the controlled identifier document at https://localhost:"},
		{name: "https issuer publishing its fragment key", build: func(t *testing.T, e *env) []byte {
			vm := e.url + "#" + multikey(t, k)
			e.ls.put("/issuer", docWith(t, e.url, vm, k, nil))
			return issuedBy(t, e.url, k.priv, vm)
		}, want: wantValid, issuer: verifier.StatusPass, reason: "controlled identifier document"},
		{name: "embedded method under assertionMethod", build: func(t *testing.T, e *env) []byte {
			e.ls.put("/issuer", docWith(t, e.url, e.url+"#key-1", k, func(d *did.Document) {
				d.AssertionMethod = []any{d.VerificationMethod[0]}
				d.VerificationMethod = nil
			}))
			return issuedBy(t, e.url, k.priv, e.url+"#key-1")
		}, want: wantValid, issuer: verifier.StatusPass, reason: "controlled identifier document"},

		// Pinned keys.
		{name: "pinned fragment key on urn issuer", build: func(t *testing.T, e *env) []byte {
			e.opts.PinnedKeys = pin(urn, k, "")
			return issuedBy(t, urn, k.priv, urn+"#"+multikey(t, k))
		}, want: wantValid, issuer: verifier.StatusPass, reason: "pinned locally for issuer " + urn},
		{name: "pinned key with its verification method, JWT", build: func(t *testing.T, e *env) []byte {
			e.opts.PinnedKeys = pin(urn, k, urn+"#key-1")
			return jwtIssuedBy(t, urn, k.priv, "#key-1")
		}, want: wantValid, issuer: verifier.StatusPass, reason: "key " + urn + "#key-1 pinned locally"},
		{name: "pinned key wins over the document, which is not fetched", build: func(t *testing.T, e *env) []byte {
			e.opts.PinnedKeys = pin(e.url, k, "")
			return issuedBy(t, e.url, k.priv, e.url+"#"+multikey(t, k))
		}, want: wantValid, issuer: verifier.StatusPass, reason: "pinned locally", notAsked: "/issuer"},
		{name: "pinned key for another issuer", build: func(t *testing.T, e *env) []byte {
			e.opts.PinnedKeys = pin(otherURN, attacker, "")
			return issuedBy(t, urn, attacker.priv, urn+"#"+multikey(t, attacker))
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: verifier.ErrKeyNotBound},
		{name: "pinned key for another issuer, https", build: func(t *testing.T, e *env) []byte {
			e.opts.PinnedKeys = pin(otherURN, attacker, "")
			return issuedBy(t, e.url, attacker.priv, e.url+"#"+multikey(t, attacker))
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: did.ErrNotFound},
		{name: "pinned method signed by another key", build: func(t *testing.T, e *env) []byte {
			e.opts.PinnedKeys = pin(urn, k, urn+"#key-1")
			return issuedBy(t, urn, attacker.priv, urn+"#key-1")
		}, want: wantFail, issuer: verifier.StatusPass, reason: "pinned locally"},
		{name: "pinned key answers only for its method", build: func(t *testing.T, e *env) []byte {
			e.opts.PinnedKeys = pin(urn, k, urn+"#key-1")
			return issuedBy(t, urn, k.priv, urn+"#key-2")
		}, want: wantInconclusive, issuer: verifier.StatusError, cause: verifier.ErrKeyNotBound},

		// Several proofs: what is learnt about one method is not carried to
		// another.
		{name: "third-party proof before the issuer's", build: func(t *testing.T, e *env) []byte {
			d := unsigned(t, k)
			third := sign(t, d, attacker.priv, attacker.vm, proof.EddsaRdfc2022)
			own := sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)
			own["proof"] = []any{firstProof(third), firstProof(own)}
			return encode(t, own)
		}, want: wantValid, issuer: verifier.StatusPass, reason: "is the key of did:key issuer"},
		{name: "only a third-party proof", build: func(t *testing.T, e *env) []byte {
			return issuedBy(t, k.did, attacker.priv, attacker.vm)
		}, want: wantFail, issuer: verifier.StatusFail, reason: "not controlled by the issuer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := newLocalhostServer(t)
			e := &env{ls: ls, url: fmt.Sprintf("https://localhost:%d/issuer", ls.port), did: ls.did()}
			cred := tt.build(t, e)
			if e.opts.HTTPClient == nil {
				e.opts.HTTPClient = ls.client(5 * time.Second)
			}
			res, err := verifyWith(t, e.opts, cred)
			if res == nil {
				t.Fatalf("nil result (err %v)", err)
			}
			var ve *verifier.VerificationError
			var ie *verifier.InconclusiveError
			switch tt.want {
			case wantValid:
				if err != nil || !res.Valid {
					t.Fatalf("err = %v, valid %v; checks %+v", err, res.Valid, res.Checks)
				}
			case wantFail:
				if !errors.As(err, &ve) || res.Valid {
					t.Fatalf("err = %v, want a VerificationError; checks %+v", err, res.Checks)
				}
			case wantInconclusive:
				if !errors.As(err, &ie) || res.Valid {
					t.Fatalf("err = %v, want an InconclusiveError; checks %+v", err, res.Checks)
				}
				if c := res.Check(verifier.CheckProof); c == nil || c.Status != verifier.StatusError {
					t.Errorf("proof check %+v, want error", c)
				}
			}
			c := res.Check(verifier.CheckIssuer)
			if c == nil || c.Status != tt.issuer {
				t.Fatalf("issuer check %+v, want %s; checks %+v", c, tt.issuer, res.Checks)
			}
			if tt.reason != "" && !strings.Contains(c.Reason, tt.reason) {
				t.Errorf("issuer check reason %q does not say %q", c.Reason, tt.reason)
			}
			if tt.cause != nil && !isCause(err, tt.cause) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.cause)
			}
			if tt.notAsked != "" {
				if n := ls.hitCount(tt.notAsked); n != 0 {
					t.Errorf("%s requested %d times", tt.notAsked, n)
				}
			}
			if len(res.Checks) != 8 {
				t.Errorf("%d checks, want 8", len(res.Checks))
			}
		})
	}
}

// The proofs of one credential ask for the issuer's document once, even
// when it cannot be had.
func TestKeyBindingFetchesOnce(t *testing.T) {
	attacker := newKey(t, 200)
	for _, serve := range []bool{false, true} {
		t.Run(fmt.Sprintf("document served %v", serve), func(t *testing.T) {
			ls := newLocalhostServer(t)
			u := fmt.Sprintf("https://localhost:%d/issuer", ls.port)
			if serve {
				ls.put("/issuer", docWith(t, u, u+"#key-1", newKey(t, 7), nil))
			}
			d := unsigned(t, testKey{did: u})
			var proofs []any
			for _, frag := range []string{"a", "b", "c", multikey(t, attacker)} {
				proofs = append(proofs, firstProof(sign(t, d, attacker.priv, u+"#"+frag, proof.EddsaRdfc2022)))
			}
			d["proof"] = proofs
			res, err := verifyWith(t, verifier.Options{HTTPClient: ls.client(5 * time.Second)}, encode(t, d))
			if err == nil || res.Valid {
				t.Fatalf("forged proof set verified: %+v", res.Checks)
			}
			if n := ls.hitCount("/issuer"); n != 1 {
				t.Errorf("issuer document requested %d times for %d proofs, want 1", n, len(proofs))
			}
		})
	}
}

func TestNewPinnedKeys(t *testing.T) {
	k := newKey(t, 3)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pins []verifier.PinnedKey
		ok   bool
	}{
		{"none", nil, true},
		{"fragment form", []verifier.PinnedKey{{Issuer: "urn:x", Key: k.priv.Public()}}, true},
		{"no issuer", []verifier.PinnedKey{{Key: k.priv.Public()}}, false},
		{"no key", []verifier.PinnedKey{{Issuer: "urn:x"}}, false},
		{"private key", []verifier.PinnedKey{{Issuer: "urn:x", Key: k.priv}}, false},
		{"short key", []verifier.PinnedKey{{Issuer: "urn:x", Key: ed25519.PublicKey(make([]byte, 31))}}, false},
		{"pinned twice", []verifier.PinnedKey{{Issuer: "urn:x", Key: k.priv.Public()}, {Issuer: "urn:x", Key: k.priv.Public(), VerificationMethod: "urn:x#" + multikey(t, k)}}, false},
		{"two methods", []verifier.PinnedKey{{Issuer: "urn:x", Key: k.priv.Public()}, {Issuer: "urn:x", Key: k.priv.Public(), VerificationMethod: "urn:x#key-1"}}, true},
		{"RSA with its method", []verifier.PinnedKey{{Issuer: "urn:x", Key: &rsaKey.PublicKey, VerificationMethod: "urn:x#rsa"}}, true},
		{"RSA without a method", []verifier.PinnedKey{{Issuer: "urn:x", Key: &rsaKey.PublicKey}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verifier.New(verifier.Options{PinnedKeys: tt.pins})
			if tt.ok != (err == nil) {
				t.Fatalf("New: %v, want ok %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, verifier.ErrPinnedKeys) {
				t.Errorf("error %v does not wrap ErrPinnedKeys", err)
			}
		})
	}
}

func TestParsePinnedKeys(t *testing.T) {
	k := newKey(t, 3)
	mk := multikey(t, k)
	jwk, err := keys.PublicJWK(k.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	privJWK := strings.Replace(string(jwk), `"kty"`, `"d":"`+b64url(k.priv.Seed())+`","kty"`, 1)
	tests := []struct {
		name string
		in   string
		// vms are the verification methods the pins answer for; nil means
		// the file is refused.
		vms []string
	}{
		{"multikey", `{"pinnedKeys":[{"issuer":"urn:x","publicKeyMultibase":"` + mk + `"}]}`, []string{""}},
		{"jwk with method", `{"pinnedKeys":[{"issuer":"urn:x","verificationMethod":"urn:x#key-1","publicKeyJwk":` + string(jwk) + `}]}`, []string{"urn:x#key-1"}},
		{"empty list", `{"pinnedKeys":[]}`, []string{}},
		{"no list", `{}`, nil},
		{"both key forms", `{"pinnedKeys":[{"issuer":"urn:x","publicKeyMultibase":"` + mk + `","publicKeyJwk":` + string(jwk) + `}]}`, nil},
		{"no key", `{"pinnedKeys":[{"issuer":"urn:x"}]}`, nil},
		{"no issuer", `{"pinnedKeys":[{"publicKeyMultibase":"` + mk + `"}]}`, nil},
		{"private jwk", `{"pinnedKeys":[{"issuer":"urn:x","publicKeyJwk":` + privJWK + `}]}`, nil},
		{"bad multikey", `{"pinnedKeys":[{"issuer":"urn:x","publicKeyMultibase":"z6Mk"}]}`, nil},
		{"unknown member", `{"pinnedKeys":[{"issuer":"urn:x","publicKeyMultibase":"` + mk + `","trust":"all"}]}`, nil},
		{"trailing data", `{"pinnedKeys":[]} {}`, nil},
		{"not an object", `[]`, nil},
		{"oversized", `{"pinnedKeys":[],"x":"` + strings.Repeat("a", verifier.MaxPinnedKeysSize) + `"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pins, err := verifier.ParsePinnedKeys([]byte(tt.in))
			if tt.vms == nil {
				if !errors.Is(err, verifier.ErrPinnedKeys) {
					t.Fatalf("ParsePinnedKeys = %v, %v; want ErrPinnedKeys", pins, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(pins) != len(tt.vms) {
				t.Fatalf("%d pins, want %d", len(pins), len(tt.vms))
			}
			for i, p := range pins {
				if p.Issuer != "urn:x" || p.VerificationMethod != tt.vms[i] || !k.priv.Public().(ed25519.PublicKey).Equal(p.Key) {
					t.Errorf("pin %d = %+v", i, p)
				}
			}
		})
	}
}

func FuzzParsePinnedKeys(f *testing.F) {
	f.Add([]byte(`{"pinnedKeys":[{"issuer":"urn:x","publicKeyMultibase":"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}]}`))
	f.Add([]byte(`{"pinnedKeys":[{"issuer":"urn:x","verificationMethod":"urn:x#k","publicKeyJwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}]}`))
	f.Add([]byte(`{"pinnedKeys":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pins, err := verifier.ParsePinnedKeys(data)
		if err != nil {
			if !errors.Is(err, verifier.ErrPinnedKeys) {
				t.Fatalf("error %v does not wrap ErrPinnedKeys", err)
			}
			return
		}
		// Whatever parses is accepted by New.
		if _, err := verifier.New(verifier.Options{PinnedKeys: pins}); err != nil {
			t.Fatalf("New refused parsed pins: %v", err)
		}
	})
}
