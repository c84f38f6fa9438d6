package store_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/store"
)

func TestFitsStatusSize(t *testing.T) {
	tests := []struct {
		name       string
		value      uint64
		statusSize int
		want       bool
	}{
		{"one bit set", 1, 1, true},
		{"one bit too wide", 2, 1, false},
		{"three bits max", 7, 3, true},
		{"three bits too wide", 8, 3, false},
		{"64 bits max", ^uint64(0), 64, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.FitsStatusSize(tt.value, tt.statusSize); got != tt.want {
				t.Errorf("FitsStatusSize(%d, %d) = %v, want %v", tt.value, tt.statusSize, got, tt.want)
			}
		})
	}
}

func TestStateOf(t *testing.T) {
	rev := store.StatusRef{Purpose: store.PurposeRevocation, ListID: "r"}
	sus := store.StatusRef{Purpose: store.PurposeSuspension, ListID: "s"}
	msg := store.StatusRef{Purpose: "message", ListID: "m"}
	tests := []struct {
		name   string
		refs   []store.StatusRef
		values map[string]uint64
		want   store.State
	}{
		{"no entries", nil, nil, store.Active},
		{"all zero", []store.StatusRef{rev, sus}, nil, store.Active},
		{"suspended", []store.StatusRef{rev, sus}, map[string]uint64{"s": 1}, store.Suspended},
		{"revoked wins", []store.StatusRef{sus, rev}, map[string]uint64{"r": 1, "s": 1}, store.Revoked},
		{"message ignored", []store.StatusRef{msg}, map[string]uint64{"m": 3}, store.Active},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := store.Record{Status: tt.refs}
			got, err := store.StateOf(&r, func(s store.StatusRef) (uint64, error) { return tt.values[s.ListID], nil })
			if err != nil || got != tt.want {
				t.Errorf("StateOf = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	boom := errors.New("boom")
	r := store.Record{Status: []store.StatusRef{rev}}
	if _, err := store.StateOf(&r, func(store.StatusRef) (uint64, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("StateOf with a failing reader = %v, want boom", err)
	}
}

// TestEventUnmarshalJSON checks that an event recorded before ClaimedActor
// existed reads its "actor" as the claimed actor, and that the new fields
// round-trip.
func TestEventUnmarshalJSON(t *testing.T) {
	tests := []struct {
		name, in           string
		claimed, uid, user string
	}{
		{"legacy actor", `{"credentialId":"urn:x","actor":"alice"}`, "alice", "", ""},
		{"claimed and uid", `{"credentialId":"urn:x","claimedActor":"bob","uid":"1000","osUser":"registrar"}`, "bob", "1000", "registrar"},
		{"claimedActor wins", `{"credentialId":"urn:x","actor":"old","claimedActor":"new"}`, "new", "", ""},
		{"numeric uid only", `{"credentialId":"urn:x","uid":"4242"}`, "", "4242", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev store.Event
			if err := json.Unmarshal([]byte(tt.in), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.CredentialID != "urn:x" || ev.ClaimedActor != tt.claimed || ev.UID != tt.uid || ev.OSUser != tt.user {
				t.Errorf("got %+v, want claimed %q uid %q osUser %q", ev, tt.claimed, tt.uid, tt.user)
			}
			out, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), `"actor"`) {
				t.Errorf("marshalled %s still says actor", out)
			}
		})
	}
	if err := json.Unmarshal([]byte(`{"uid":1}`), new(store.Event)); err == nil {
		t.Error("a numeric uid JSON value was accepted")
	}
}
