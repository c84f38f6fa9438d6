package did_test

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
)

// TestDuplicateMethods: a verification method defined more than once is
// used only when every definition is the same JSON object, member for
// member (revoked and expires included); any difference refuses the
// document, whichever copy would have been read.
func TestDuplicateMethods(t *testing.T) {
	const web = "did:web:example.edu"
	const p256 = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	// vm is the method #k1 with extra members spliced in (`,"x":1`).
	vm := func(extra string) string {
		return `{"id":"` + web + `#k1","type":"Multikey","controller":"` + web + `","publicKeyMultibase":"` + obMK + `"` + extra + `}`
	}
	under := func(vms string, rel string) string {
		return `{"id":"` + web + `","verificationMethod":[` + vms + `],"assertionMethod":[` + rel + `]}`
	}
	ref := `"` + web + `#k1"`
	tests := []struct {
		name string
		doc  string
		defs int
		want error // nil: the key is bound
	}{
		{name: "once", doc: under(vm(""), ref), defs: 1},
		{name: "twice under verificationMethod, identical", doc: under(vm("")+","+vm(""), ref), defs: 2},
		{name: "three times, identical", doc: under(vm("")+","+vm(""), ref+","+vm("")), defs: 3},
		{name: "identical with members in another order", doc: under(vm(`,"expires":"2030-01-01T00:00:00Z"`)+`,{"expires":"2030-01-01T00:00:00Z","publicKeyMultibase":"`+obMK+`","controller":"`+web+`","type":"Multikey","id":"`+web+`#k1"}`, ref), defs: 2},
		{name: "identical, both carrying an unknown member", doc: under(vm(`,"note":"a"`)+","+vm(`,"note":"a"`), ref), defs: 2},
		{name: "verificationMethod and embedded in assertionMethod, identical", doc: under(vm(""), vm("")), defs: 2},
		{name: "identical but both revoked", doc: under(vm(`,"revoked":"2026-01-01T00:00:00Z"`)+","+vm(`,"revoked":"2026-01-01T00:00:00Z"`), ref), defs: 2, want: did.ErrMethodRevoked},
		{name: "another key", doc: under(vm("")+`,{"id":"`+web+`#k1","type":"Multikey","controller":"`+web+`","publicKeyMultibase":"`+p256+`"}`, ref), defs: 2, want: did.ErrInvalidDocument},
		{name: "another key, second copy embedded", doc: under(vm(""), `{"id":"`+web+`#k1","type":"Multikey","controller":"`+web+`","publicKeyMultibase":"`+p256+`"}`), defs: 2, want: did.ErrInvalidDocument},
		{name: "one copy revoked", doc: under(vm("")+","+vm(`,"revoked":"2026-01-01T00:00:00Z"`), ref), defs: 2, want: did.ErrInvalidDocument},
		{name: "revoked copy first", doc: under(vm(`,"revoked":"2026-01-01T00:00:00Z"`)+","+vm(""), ref), defs: 2, want: did.ErrInvalidDocument},
		{name: "one copy revoked in the future", doc: under(vm("")+","+vm(`,"revoked":"2030-01-01T00:00:00Z"`), ref), defs: 2, want: did.ErrInvalidDocument},
		{name: "one copy expiring", doc: under(vm("")+","+vm(`,"expires":"2030-01-01T00:00:00Z"`), ref), defs: 2, want: did.ErrInvalidDocument},
		{name: "expiry written differently", doc: under(vm(`,"expires":"2030-01-01T00:00:00Z"`)+","+vm(`,"expires":"2030-01-01T00:00:00.000Z"`), ref), defs: 2, want: did.ErrInvalidDocument},
		{name: "another controller", doc: under(vm("")+`,{"id":"`+web+`#k1","type":"Multikey","controller":"did:web:evil.example","publicKeyMultibase":"`+obMK+`"}`, ref), defs: 2, want: did.ErrInvalidDocument},
		{name: "another type", doc: under(vm("")+`,{"id":"`+web+`#k1","type":"Ed25519VerificationKey2020","controller":"`+web+`","publicKeyMultibase":"`+obMK+`"}`, ref), defs: 2, want: did.ErrInvalidDocument},
		{name: "an unknown member on one copy only", doc: under(vm("")+","+vm(`,"note":"a"`), ref), defs: 2, want: did.ErrInvalidDocument},
		{name: "the same key also as publicKeyJwk on one copy", doc: under(vm("")+","+vm(`,"publicKeyJwk":{"kty":"OKP"}`), ref), defs: 2, want: did.ErrInvalidDocument},
		{name: "id as a fragment on one copy", doc: under(vm("")+`,{"id":"#k1","type":"Multikey","controller":"`+web+`","publicKeyMultibase":"`+obMK+`"}`, ref), defs: 2, want: did.ErrInvalidDocument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := docFrom(t, tc.doc)
			if got := d.Definitions(web + "#k1"); got != tc.defs {
				t.Errorf("Definitions = %d, want %d", got, tc.defs)
			}
			vm, pub, err := d.AssertionKeyAt(web+"#k1", at)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("error = %v, want %v", err, tc.want)
				}
				if pub != nil {
					t.Error("a key came back with the error")
				}
				if errors.Is(tc.want, did.ErrInvalidDocument) && !strings.Contains(err.Error(), "differently") {
					t.Errorf("error %q does not say the copies differ", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if vm.ID != web+"#k1" || !obKey(t).Public().(ed25519.PublicKey).Equal(pub) {
				t.Errorf("wrong method or key: %+v", vm)
			}
		})
	}
}

// TestDuplicateMethodsBuiltInGo: definitions built in Go compare by their
// fields.
func TestDuplicateMethodsBuiltInGo(t *testing.T) {
	const web = "did:web:example.edu"
	m := did.VerificationMethod{ID: web + "#k1", Type: did.TypeMultikey, Controller: web, PublicKeyMultibase: obMK}
	revoked := m
	revoked.Revoked = "2026-01-01T00:00:00Z"
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		vms     []did.VerificationMethod
		wantErr bool
	}{
		{"identical", []did.VerificationMethod{m, m}, false},
		{"one revoked", []did.VerificationMethod{m, revoked}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &did.Document{ID: web, VerificationMethod: tc.vms, AssertionMethod: []any{web + "#k1"}}
			_, _, err := d.AssertionKeyAt(web+"#k1", at)
			if gotErr := err != nil; gotErr != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr && !errors.Is(err, did.ErrInvalidDocument) {
				t.Errorf("error = %v, want ErrInvalidDocument", err)
			}
		})
	}
}
