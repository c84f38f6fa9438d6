package verifier_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestDIDWebDuplicateMethod: a did:web document, served over loopback TLS,
// that lists the signing method twice binds the key when the copies are
// identical (the issuer check says so) and refuses it when they differ in
// any member, revoked and expires included.
func TestDIDWebDuplicateMethod(t *testing.T) {
	k := newKey(t, 7)
	other := newKey(t, 70)
	// twice serves the document of ls.did() with #key-1 under
	// verificationMethod and, as the second copy, the first edited by edit.
	twice := func(ls *localhostServer, key testKey, edit string) string {
		doc := controllerDoc(t, ls.did(), k)
		i := strings.Index(doc, `"verificationMethod":[`) + len(`"verificationMethod":[`)
		j := i + strings.Index(doc[i:], "}") + 1
		first := doc[i:j]
		second := first
		if key.did != k.did {
			d := controllerDoc(t, ls.did(), key)
			second = d[i : i+strings.Index(d[i:], "}")+1]
		}
		second = second[:len(second)-1] + edit + "}"
		return doc[:j] + "," + second + doc[j:]
	}
	tests := []struct {
		name    string
		key     testKey
		edit    string // members added to the second copy
		invalid bool
		note    string // in the issuer check's pass reason
	}{
		{name: "identical copies", key: k, note: "listed twice, identically"},
		{name: "second copy revoked", key: k, edit: `,"revoked":"2026-01-01T00:00:00Z"`, invalid: true},
		{name: "second copy expires later", key: k, edit: `,"expires":"2030-01-01T00:00:00Z"`, invalid: true},
		{name: "second copy with another key", key: other, invalid: true},
		{name: "second copy with an extra member", key: k, edit: `,"note":"x"`, invalid: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ls := newLocalhostServer(t)
			ls.put(wellKnownPath, twice(ls, tc.key, tc.edit))
			res, err := verifyWith(t, verifier.Options{HTTPClient: ls.client(5 * time.Second)}, signedBy(t, ls.did(), k))
			iss := res.Check(verifier.CheckIssuer)
			if iss == nil {
				t.Fatalf("no issuer check: %v", err)
			}
			if !tc.invalid {
				if err != nil || !res.Valid || iss.Status != verifier.StatusWarn || res.Verdict != verifier.VerdictWarnings {
					t.Fatalf("err = %v, verdict %s, issuer check %+v; want valid with a warning on the issuer check", err, res.Verdict, iss)
				}
				if !strings.Contains(iss.Reason, tc.note) {
					t.Errorf("issuer reason %q lacks %q", iss.Reason, tc.note)
				}
				return
			}
			var ve *verifier.VerificationError
			if !errors.As(err, &ve) || res.Valid || iss.Status != verifier.StatusFail {
				t.Fatalf("err = %v, issuer check %+v; want the issuer check failed", err, iss)
			}
			if !errors.Is(err, did.ErrInvalidDocument) && !strings.Contains(iss.Reason, "differently") {
				t.Errorf("issuer reason %q does not say the copies differ", iss.Reason)
			}
			if strings.Contains(iss.Reason, "identically") {
				t.Errorf("issuer reason %q calls differing copies identical", iss.Reason)
			}
		})
	}
}
