package did_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
)

// TestAssertionKeyAt covers the rules a key must meet to be the issuer's
// assertion key at a given time: exact method id, controller equal to the
// document id, listed under assertionMethod, not revoked, not expired.
func TestAssertionKeyAt(t *testing.T) {
	const id = "https://example.edu/issuers/cs"
	at := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	// method is the OB vector key as id#k1 with extra members.
	method := func(extra string) string {
		return `{"id":"` + id + `#k1","type":"Multikey","controller":"` + id + `","publicKeyMultibase":"` + obMK + `"` + extra + `}`
	}
	listed := func(vm string) string {
		return `{"id":"` + id + `","verificationMethod":[` + vm + `],"assertionMethod":["` + id + `#k1"]}`
	}
	tests := []struct {
		name string
		doc  string
		vmID string
		want error
	}{
		{name: "listed by reference", doc: listed(method("")), vmID: id + "#k1"},
		{name: "embedded under assertionMethod", doc: `{"id":"` + id + `","assertionMethod":[` + method("") + `]}`, vmID: id + "#k1"},
		{name: "fragment-relative id and reference", doc: `{"id":"` + id + `","verificationMethod":[{"id":"#k1","type":"Multikey","controller":"` + id + `","publicKeyMultibase":"` + obMK + `"}],"assertionMethod":["#k1"]}`, vmID: id + "#k1"},
		{name: "only under authentication", doc: `{"id":"` + id + `","verificationMethod":[` + method("") + `],"authentication":["` + id + `#k1"]}`, vmID: id + "#k1", want: did.ErrNotAuthorized},
		{name: "not listed anywhere", doc: `{"id":"` + id + `","verificationMethod":[` + method("") + `]}`, vmID: id + "#k1", want: did.ErrNotAuthorized},
		{name: "controller is not the document", doc: listed(strings.Replace(method(""), `"controller":"`+id+`"`, `"controller":"https://evil.example/issuer"`, 1)), vmID: id + "#k1", want: did.ErrInvalidMethod},
		{name: "controller is the method itself", doc: listed(strings.Replace(method(""), `"controller":"`+id+`"`, `"controller":"`+id+`#k1"`, 1)), vmID: id + "#k1", want: did.ErrInvalidMethod},
		{name: "revoked before now", doc: listed(method(`,"revoked":"2026-11-01T00:00:00Z"`)), vmID: id + "#k1", want: did.ErrMethodRevoked},
		{name: "revoked exactly now", doc: listed(method(`,"revoked":"2026-11-15T12:00:00Z"`)), vmID: id + "#k1", want: did.ErrMethodRevoked},
		{name: "revoked in another zone, before now", doc: listed(method(`,"revoked":"2026-11-15T13:00:00+02:00"`)), vmID: id + "#k1", want: did.ErrMethodRevoked},
		{name: "revocation still to come", doc: listed(method(`,"revoked":"2026-12-01T00:00:00Z"`)), vmID: id + "#k1"},
		{name: "expired", doc: listed(method(`,"expires":"2026-11-15T11:59:59Z"`)), vmID: id + "#k1", want: did.ErrMethodExpired},
		{name: "expires later", doc: listed(method(`,"expires":"2027-01-01T00:00:00Z"`)), vmID: id + "#k1"},
		{name: "revoked without a time zone", doc: listed(method(`,"revoked":"2026-11-01T00:00:00"`)), vmID: id + "#k1", want: did.ErrInvalidMethod},
		{name: "expires not a date", doc: listed(method(`,"expires":"soon"`)), vmID: id + "#k1", want: did.ErrInvalidMethod},
		{name: "embedded and revoked", doc: `{"id":"` + id + `","assertionMethod":[` + method(`,"revoked":"2020-01-01T00:00:00Z"`) + `]}`, vmID: id + "#k1", want: did.ErrMethodRevoked},
		{name: "embedded with a numeric revoked", doc: `{"id":"` + id + `","assertionMethod":[` + method(`,"revoked":1`) + `]}`, vmID: id + "#k1", want: did.ErrInvalidMethod},
		{name: "method id in another case", doc: listed(method("")), vmID: id + "#K1", want: did.ErrMethodNotFound},
		{name: "method id percent-encoded", doc: listed(method("")), vmID: id + "#%6B1", want: did.ErrMethodNotFound},
		{name: "document URL spelled differently", doc: listed(method("")), vmID: "https://EXAMPLE.edu/issuers/cs#k1", want: did.ErrMethodNotFound},
		{name: "document URL with a trailing slash", doc: listed(method("")), vmID: id + "/#k1", want: did.ErrMethodNotFound},
		{name: "method of another document", doc: listed(method("")), vmID: "https://example.edu/issuers/other#k1", want: did.ErrMethodNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := docFrom(t, tc.doc)
			vm, pub, err := d.AssertionKeyAt(tc.vmID, at)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("error = %v, want %v", err, tc.want)
				}
				if !strings.Contains(err.Error(), tc.vmID) && !strings.Contains(err.Error(), `"`+id+`"`) {
					t.Errorf("error %q names neither the method nor the document", err)
				}
				if pub != nil || vm != nil {
					t.Errorf("a refused method still gave %+v", vm)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if vm.ID != tc.vmID || !obKey(t).Public().(ed25519.PublicKey).Equal(pub) {
				t.Fatalf("got %+v", vm)
			}
		})
	}
}

// A method revoked at some time is usable before it and not from it on;
// AssertionKey judges at the wall clock, and the Fetcher at its Now.
func TestRevokedMethodClock(t *testing.T) {
	id := obDID
	doc, err := did.KeyDocument(id)
	if err != nil {
		t.Fatal(err)
	}
	doc.VerificationMethod[0].Revoked = "2020-01-01T00:00:00Z"
	before := time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, _, err := doc.AssertionKeyAt(obVM, before); err != nil {
		t.Errorf("before revocation: %v", err)
	}
	if _, _, err := doc.AssertionKey(obVM); !errors.Is(err, did.ErrMethodRevoked) {
		t.Errorf("AssertionKey now = %v, want ErrMethodRevoked", err)
	}
	r := staticResolver{doc: doc}
	if _, err := (did.Fetcher{Resolver: r, Now: func() time.Time { return before }}).PublicKey(context.Background(), obVM, ""); err != nil {
		t.Errorf("Fetcher before revocation: %v", err)
	}
	if _, err := (did.Fetcher{Resolver: r}).PublicKey(context.Background(), obVM, ""); !errors.Is(err, did.ErrMethodRevoked) {
		t.Errorf("Fetcher now = %v, want ErrMethodRevoked", err)
	}
}

type staticResolver struct{ doc *did.Document }

func (s staticResolver) Resolve(context.Context, string) (*did.Document, error) { return s.doc, nil }
