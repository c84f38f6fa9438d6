package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
)

// base is the issuance time test records count from.
func base() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }

// Run runs the conformance suite; open returns a new, empty store for each
// subtest and is responsible for closing it (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"PutGet", testPutGet},
		{"PutIdempotent", testPutIdempotent},
		{"PutConflict", testPutConflict},
		{"Undelivered", testUndelivered},
		{"PutInvalid", testPutInvalid},
		{"PutCredentials", testPutCredentials},
		{"NotFound", testNotFound},
		{"ListFilters", testListFilters},
		{"EachCredential", testEachCredential},
		{"CreateList", testCreateList},
		{"AllocateNeverRepeats", testAllocateNeverRepeats},
		{"AllocateRandom", testAllocateRandom},
		{"AllocateRollover", testAllocateRollover},
		{"AllocateIndices", testAllocateIndices},
		{"PutClaimsIndex", testPutClaimsIndex},
		{"ConcurrentAllocate", testConcurrentAllocate},
		{"ConcurrentSetStatus", testConcurrentSetStatus},
		{"ConcurrentPut", testConcurrentPut},
		{"RevokeFinal", testRevokeFinal},
		{"SuspendReinstate", testSuspendReinstate},
		{"MultiBit", testMultiBit},
		{"BitOrder", testBitOrder},
		{"ContextCancelled", testContextCancelled},
		{"IssuerSecret", func(t *testing.T, s store.Store) { testIssuerSecret(t, s, open(t)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// record returns a valid record issued n minutes after base().
func record(id string, n int) store.Record {
	return store.Record{
		ID:            id,
		Recipient:     "did:example:alice",
		AchievementID: "https://example.com/achievements/a",
		IssuerKey:     "did:key:z6MkTest#z6MkTest",
		Format:        store.FormatDI,
		IssuedAt:      base().Add(time.Duration(n) * time.Minute),
		SHA256:        strings.Repeat("ab", 32),
	}
}

func list(id string, purpose status.Purpose, size int) func() store.ListInfo {
	return func() store.ListInfo {
		return store.ListInfo{ID: id, Purpose: purpose, Size: size, Created: base()}
	}
}

// issue allocates an entry for each purpose (creating list <purpose>-1 of
// size 64 when needed) and records the credential with them.
func issue(t *testing.T, s store.Store, r store.Record, purposes ...status.Purpose) store.Record {
	t.Helper()
	ctx := t.Context()
	for _, p := range purposes {
		ref, err := s.AllocateIndex(ctx, p, list("https://example.com/status/"+string(p)+"-1", p, 64))
		if err != nil {
			t.Fatalf("AllocateIndex(%s): %v", p, err)
		}
		r.Status = append(r.Status, ref)
	}
	if err := s.PutCredential(ctx, r); err != nil {
		t.Fatalf("PutCredential(%s): %v", r.ID, err)
	}
	return r
}

func ids(rs []store.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func testPutGet(t *testing.T, s store.Store) {
	want := issue(t, s, record("urn:uuid:1", 0), store.PurposeRevocation, store.PurposeSuspension)
	got, err := s.GetCredential(t.Context(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(&want) {
		t.Errorf("GetCredential = %+v, want %+v", got, want)
	}
	if got.State != store.Active {
		t.Errorf("State = %q, want %q", got.State, store.Active)
	}
	if got.IssuedAt.Location() != time.UTC {
		t.Errorf("IssuedAt location = %v, want UTC", got.IssuedAt.Location())
	}
}

func testPutIdempotent(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := issue(t, s, record("urn:uuid:1", 0), store.PurposeRevocation)
	again := r
	again.IssuedAt = r.IssuedAt.In(time.FixedZone("X", 3600)) // same instant
	again.State = store.Revoked                               // ignored
	if err := s.PutCredential(ctx, again); err != nil {
		t.Fatalf("second identical PutCredential: %v", err)
	}
	all, err := s.ListCredentials(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Errorf("ListCredentials after two puts = %v, want one record", ids(all))
	}
}

func testPutConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := issue(t, s, record("urn:uuid:1", 0), store.PurposeRevocation)
	other := issue(t, s, func() store.Record {
		o := record("urn:uuid:2", 1)
		o.BatchID, o.RowKey = "b1", "row-7"
		return o
	}(), store.PurposeRevocation)
	tests := []struct {
		name   string
		mutate func(*store.Record)
	}{
		{"different hash", func(r *store.Record) { r.SHA256 = strings.Repeat("cd", 32) }},
		{"different time", func(r *store.Record) { r.IssuedAt = r.IssuedAt.Add(time.Second) }},
		{"different status", func(r *store.Record) { r.Status = nil }},
		{"new id, index of another", func(r *store.Record) { r.ID = "urn:uuid:3"; r.Status = other.Status }},
		{"new id, same batch row", func(r *store.Record) { r.ID = "urn:uuid:4"; r.Status = nil; r.BatchID, r.RowKey = "b1", "row-7" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := r
			c.Status = slices.Clone(r.Status)
			tt.mutate(&c)
			if err := s.PutCredential(ctx, c); !errors.Is(err, store.ErrExists) {
				t.Errorf("PutCredential = %v, want ErrExists", err)
			}
		})
	}
	got, err := s.GetCredential(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(&r) {
		t.Errorf("record changed by rejected puts: %+v", got)
	}
	for _, id := range []string{"urn:uuid:3", "urn:uuid:4"} {
		if _, err := s.GetCredential(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetCredential(%s) after rejected put = %v, want ErrNotFound", id, err)
		}
	}
}

// testUndelivered: an undelivered record keeps its entries, is replaced
// only by a retry of the same request (never by another credential, nor
// once delivered), and MarkDelivered clears the mark.
func testUndelivered(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := record("urn:uuid:u1", 0)
	u.Undelivered, u.RecipientSalt = true, "0123456789abcdef"
	u = issue(t, s, u, store.PurposeRevocation, store.PurposeSuspension)
	other := issue(t, s, record("urn:uuid:u2", 1), store.PurposeRevocation)
	got, err := s.GetCredential(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Undelivered || got.RecipientSalt != u.RecipientSalt || !got.Equal(&u) {
		t.Fatalf("GetCredential = %+v, want %+v", got, u)
	}
	if err := s.PutCredential(ctx, u); err != nil {
		t.Fatalf("identical put of an undelivered record: %v", err)
	}

	refused := []struct {
		name   string
		mutate func(*store.Record)
	}{
		{"another recipient", func(r *store.Record) { r.Recipient = "did:example:mallory" }},
		{"another achievement", func(r *store.Record) { r.AchievementID = "https://example.com/achievements/b" }},
		{"fewer entries", func(r *store.Record) { r.Status = r.Status[:1] }},
		{"another credential's entry", func(r *store.Record) { r.Status = slices.Concat(other.Status, r.Status[1:2]) }},
		{"a batch row", func(r *store.Record) { r.BatchID, r.RowKey = "b", "1" }},
	}
	for _, tt := range refused {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			c := u
			c.Status = slices.Clone(u.Status)
			c.SHA256 = strings.Repeat("ef", 32)
			tt.mutate(&c)
			if err := s.PutCredential(ctx, c); !errors.Is(err, store.ErrExists) {
				t.Errorf("PutCredential = %v, want ErrExists", err)
			}
		})
	}
	// Another credential may never take the undelivered one's entries.
	thief := record("urn:uuid:u3", 2)
	thief.Status = slices.Clone(u.Status)
	if err := s.PutCredential(ctx, thief); !errors.Is(err, store.ErrExists) {
		t.Errorf("another credential took an undelivered record's entries: %v", err)
	}

	// A retry of the same request: signed again, later, still undelivered.
	retry := u
	retry.Status = slices.Clone(u.Status)
	retry.SHA256 = strings.Repeat("12", 32)
	retry.IssuedAt = base().Add(time.Hour)
	retry.IssuerKey = "did:key:z6MkOther#z6MkOther"
	if err := s.PutCredential(ctx, retry); err != nil {
		t.Fatalf("retry of an undelivered record: %v", err)
	}
	if got, err := s.GetCredential(ctx, u.ID); err != nil || !got.Equal(&retry) {
		t.Fatalf("after the retry: %+v, %v; want %+v", got, err, retry)
	}
	early, err := s.ListCredentials(ctx, store.Filter{IssuedBefore: base().Add(30 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ids(early), u.ID) {
		t.Errorf("the retried record is still listed at its first time: %v", ids(early))
	}
	late, err := s.ListCredentials(ctx, store.Filter{IssuedAfter: base().Add(30 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(late), []string{u.ID}) {
		t.Errorf("records issued after the retry time = %v, want [%s]", ids(late), u.ID)
	}
	// Its entries still work.
	if err := s.SetStatus(ctx, store.Change{CredentialID: u.ID, Purpose: store.PurposeSuspension, Value: 1, ClaimedActor: "t", Reason: "r"}); err != nil {
		t.Fatalf("SetStatus on the retried record: %v", err)
	}

	if err := s.MarkDelivered(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDelivered(ctx, u.ID); err != nil {
		t.Fatalf("marking again: %v", err)
	}
	delivered, err := s.GetCredential(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if delivered.Undelivered || delivered.SHA256 != retry.SHA256 || delivered.State != store.Suspended {
		t.Errorf("after MarkDelivered: %+v", delivered)
	}
	// Once delivered, even the same request cannot replace it.
	again := retry
	again.Status = slices.Clone(retry.Status)
	again.SHA256 = strings.Repeat("34", 32)
	if err := s.PutCredential(ctx, again); !errors.Is(err, store.ErrExists) {
		t.Errorf("retry after delivery = %v, want ErrExists", err)
	}
	if err := s.MarkDelivered(ctx, "urn:uuid:none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkDelivered(unknown) = %v, want ErrNotFound", err)
	}
}

// batchRecords returns n records of batch b with entries allocated in a
// list of purpose revocation.
func batchRecords(t *testing.T, s store.Store, b string, first, n int) []store.Record {
	t.Helper()
	rs := make([]store.Record, n)
	for i := range rs {
		ref, err := s.AllocateIndex(t.Context(), store.PurposeRevocation, list("https://example.com/status/revocation-1", store.PurposeRevocation, 64))
		if err != nil {
			t.Fatal(err)
		}
		rs[i] = record(fmt.Sprintf("urn:uuid:%s-%d", b, first+i), first+i)
		rs[i].BatchID, rs[i].RowKey = b, fmt.Sprintf("row-%d", first+i)
		rs[i].Status = []store.StatusRef{ref}
	}
	return rs
}

func testPutCredentials(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.PutCredentials(ctx, nil); err != nil {
		t.Fatalf("PutCredentials(nil) = %v", err)
	}
	good := batchRecords(t, s, "b1", 0, 3)
	if err := s.PutCredentials(ctx, good); err != nil {
		t.Fatalf("PutCredentials: %v", err)
	}
	// Identical records again succeed and change nothing.
	if err := s.PutCredentials(ctx, good); err != nil {
		t.Fatalf("PutCredentials again: %v", err)
	}
	got, err := s.ListCredentials(ctx, store.Filter{BatchID: "b1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := ids(good); !slices.Equal(ids(got), want) {
		t.Fatalf("batch b1 = %v, want %v", ids(got), want)
	}
	tests := []struct {
		name string
		bad  func(rs []store.Record) []store.Record
		want error
	}{
		{"row issued under another id", func(rs []store.Record) []store.Record {
			c := good[1]
			c.ID, c.Status = "urn:uuid:other", nil
			return append(rs, c)
		}, store.ErrExists},
		{"same row twice in the call", func(rs []store.Record) []store.Record {
			c := rs[0]
			c.ID, c.Status = "urn:uuid:twin", nil
			return append(rs, c)
		}, store.ErrExists},
		{"invalid record", func(rs []store.Record) []store.Record {
			c := rs[0]
			c.ID, c.SHA256, c.RowKey, c.Status = "urn:uuid:bad", "nothex", "row-bad", nil
			return append(rs, c)
		}, store.ErrInvalid},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := tt.bad(batchRecords(t, s, fmt.Sprintf("b%d", i+2), 0, 2))
			if err := s.PutCredentials(ctx, rs); !errors.Is(err, tt.want) {
				t.Fatalf("PutCredentials = %v, want %v", err, tt.want)
			}
			// All or nothing: the good records before the bad one are not
			// recorded either.
			for _, r := range rs {
				if _, err := s.GetCredential(ctx, r.ID); !errors.Is(err, store.ErrNotFound) && r.ID != good[1].ID {
					t.Errorf("record %s of a refused call: GetCredential = %v, want ErrNotFound", r.ID, err)
				}
			}
		})
	}
}

func testPutInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.CreateList(ctx, list("https://example.com/l", store.PurposeRevocation, 8)()); err != nil {
		t.Fatal(err)
	}
	ref := store.StatusRef{Purpose: store.PurposeRevocation, ListID: "https://example.com/l", Index: 1}
	tests := []struct {
		name   string
		mutate func(*store.Record)
		want   error
	}{
		{"no id", func(r *store.Record) { r.ID = "" }, store.ErrInvalid},
		{"bad format", func(r *store.Record) { r.Format = "xml" }, store.ErrInvalid},
		{"zero time", func(r *store.Record) { r.IssuedAt = time.Time{} }, store.ErrInvalid},
		{"short hash", func(r *store.Record) { r.SHA256 = "abcd" }, store.ErrInvalid},
		{"upper-case hash", func(r *store.Record) { r.SHA256 = strings.Repeat("AB", 32) }, store.ErrInvalid},
		{"row without batch", func(r *store.Record) { r.RowKey = "1" }, store.ErrInvalid},
		{"long recipient", func(r *store.Record) { r.Recipient = strings.Repeat("x", store.MaxFieldLen+1) }, store.ErrInvalid},
		{"negative index", func(r *store.Record) {
			r.Status = []store.StatusRef{{Purpose: "revocation", ListID: ref.ListID, Index: -1}}
		}, store.ErrInvalid},
		{"index past end", func(r *store.Record) {
			r.Status = []store.StatusRef{{Purpose: "revocation", ListID: ref.ListID, Index: 8}}
		}, store.ErrInvalid},
		{"purpose of another list", func(r *store.Record) {
			r.Status = []store.StatusRef{{Purpose: "suspension", ListID: ref.ListID, Index: 1}}
		}, store.ErrInvalid},
		{"two entries one purpose", func(r *store.Record) { r.Status = []store.StatusRef{ref, ref} }, store.ErrInvalid},
		{"unknown list", func(r *store.Record) {
			r.Status = []store.StatusRef{{Purpose: "revocation", ListID: "https://example.com/nope"}}
		}, store.ErrUnknownList},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := record("urn:uuid:bad", 0)
			tt.mutate(&r)
			if err := s.PutCredential(ctx, r); !errors.Is(err, tt.want) {
				t.Errorf("PutCredential = %v, want %v", err, tt.want)
			}
		})
	}
	if all, err := s.ListCredentials(ctx, store.Filter{}); err != nil || len(all) != 0 {
		t.Errorf("ListCredentials after rejected puts = %v, %v; want none", ids(all), err)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	issue(t, s, record("urn:uuid:1", 0)) // no status entries
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"GetCredential", func() error { _, err := s.GetCredential(ctx, "urn:uuid:x"); return err }, store.ErrNotFound},
		{"Audit", func() error { _, err := s.Audit(ctx, "urn:uuid:x"); return err }, store.ErrNotFound},
		{"SetStatus unknown id", func() error {
			return s.SetStatus(ctx, store.Change{CredentialID: "urn:uuid:x", Purpose: store.PurposeRevocation, Value: 1})
		}, store.ErrNotFound},
		{"SetStatus no entry", func() error {
			return s.SetStatus(ctx, store.Change{CredentialID: "urn:uuid:1", Purpose: store.PurposeRevocation, Value: 1})
		}, store.ErrNotFound},
		{"ListBits", func() error { _, _, _, err := s.ListBits(ctx, "https://example.com/x"); return err }, store.ErrUnknownList},
		{"AllocateIndex without newList", func() error { _, err := s.AllocateIndex(ctx, store.PurposeRevocation, nil); return err }, store.ErrFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
	if evs, err := s.Audit(ctx, "urn:uuid:1"); err != nil || len(evs) != 0 {
		t.Errorf("Audit of an unchanged credential = %v, %v; want no events", evs, err)
	}
}

func testListFilters(t *testing.T, s store.Store) {
	ctx := t.Context()
	mk := func(id string, n int, recipient, ach, batch, row string) store.Record {
		r := record(id, n)
		r.Recipient, r.AchievementID, r.BatchID, r.RowKey = recipient, ach, batch, row
		return r
	}
	// Put out of time order so the store must sort.
	for _, r := range []store.Record{
		mk("urn:c", 2, "alice", "A", "b1", "2"),
		mk("urn:a", 0, "alice", "A", "b1", "1"),
		mk("urn:e", 4, "bob", "B", "", ""),
		mk("urn:b", 1, "bob", "A", "b2", "1"),
		mk("urn:d", 3, "carol", "B", "b2", ""),
		mk("urn:f", 4, "alice", "B", "", ""), // ties urn:e on time
	} {
		issue(t, s, r, store.PurposeRevocation, store.PurposeSuspension)
	}
	for _, c := range []store.Change{
		{CredentialID: "urn:b", Purpose: store.PurposeRevocation, Value: 1},
		{CredentialID: "urn:d", Purpose: store.PurposeSuspension, Value: 1},
		{CredentialID: "urn:e", Purpose: store.PurposeSuspension, Value: 1},
		{CredentialID: "urn:e", Purpose: store.PurposeRevocation, Value: 1}, // revoked wins
	} {
		if err := s.SetStatus(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	at := func(n int) time.Time { return base().Add(time.Duration(n) * time.Minute) }
	tests := []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"all", store.Filter{}, []string{"urn:a", "urn:b", "urn:c", "urn:d", "urn:e", "urn:f"}},
		{"recipient", store.Filter{Recipient: "alice"}, []string{"urn:a", "urn:c", "urn:f"}},
		{"recipient none", store.Filter{Recipient: "dave"}, nil},
		{"achievement", store.Filter{AchievementID: "B"}, []string{"urn:d", "urn:e", "urn:f"}},
		{"recipient and achievement", store.Filter{Recipient: "alice", AchievementID: "B"}, []string{"urn:f"}},
		{"batch", store.Filter{BatchID: "b2"}, []string{"urn:b", "urn:d"}},
		{"batch row", store.Filter{BatchID: "b1", RowKey: "2"}, []string{"urn:c"}},
		{"active", store.Filter{Status: store.Active}, []string{"urn:a", "urn:c", "urn:f"}},
		{"revoked", store.Filter{Status: store.Revoked}, []string{"urn:b", "urn:e"}},
		{"suspended", store.Filter{Status: store.Suspended}, []string{"urn:d"}},
		{"issued after", store.Filter{IssuedAfter: at(2)}, []string{"urn:d", "urn:e", "urn:f"}},
		{"issued before", store.Filter{IssuedBefore: at(2)}, []string{"urn:a", "urn:b"}},
		{"issued window", store.Filter{IssuedAfter: at(0), IssuedBefore: at(4)}, []string{"urn:b", "urn:c", "urn:d"}},
		{"limit", store.Filter{Limit: 2}, []string{"urn:a", "urn:b"}},
		{"offset", store.Filter{Offset: 4}, []string{"urn:e", "urn:f"}},
		{"offset past end", store.Filter{Offset: 10}, nil},
		{"limit offset status", store.Filter{Status: store.Active, Offset: 1, Limit: 1}, []string{"urn:c"}},
		{"limit offset recipient", store.Filter{Recipient: "alice", Offset: 1, Limit: 5}, []string{"urn:c", "urn:f"}},
		{"recipient window", store.Filter{Recipient: "alice", IssuedAfter: at(0), IssuedBefore: at(4)}, []string{"urn:c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListCredentials(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("ListCredentials(%+v) = %v, want %v", tt.f, ids(got), tt.want)
			}
			var walked []store.Record
			if err := s.EachCredential(ctx, tt.f, func(r store.Record) error { walked = append(walked, r); return nil }); err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(walked, got, func(a, b store.Record) bool { return a.Equal(&b) && a.State == b.State }) {
				t.Errorf("EachCredential(%+v) = %v, want %v", tt.f, ids(walked), ids(got))
			}
			for _, r := range got {
				if r.State == "" {
					t.Errorf("%s: State not filled in", r.ID)
				}
			}
		})
	}
	for _, f := range []store.Filter{{Status: "gone"}, {RowKey: "1"}, {Limit: -1}, {Offset: -1}} {
		if _, err := s.ListCredentials(ctx, f); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ListCredentials(%+v) = %v, want ErrInvalid", f, err)
		}
		if err := s.EachCredential(ctx, f, func(store.Record) error { return nil }); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("EachCredential(%+v) = %v, want ErrInvalid", f, err)
		}
	}
}

func testEachCredential(t *testing.T, s store.Store) {
	ctx := t.Context()
	// More records than any reasonable page, several at one instant, put
	// out of order.
	const n = 1500
	var want []string
	var batch []store.Record
	for i := range n {
		r := record(fmt.Sprintf("urn:each:%04d", i), i/3)
		r.Recipient = []string{"alice", "bob", "carol"}[i%3]
		batch = append(batch, r)
		want = append(want, r.ID)
	}
	slices.Reverse(batch)
	if err := s.PutCredentials(ctx, batch); err != nil {
		t.Fatal(err)
	}
	walk := func(f store.Filter, fn func(store.Record) error) ([]string, error) {
		var got []string
		err := s.EachCredential(ctx, f, func(r store.Record) error {
			got = append(got, r.ID)
			return fn(r)
		})
		return got, err
	}
	none := func(store.Record) error { return nil }
	got, err := walk(store.Filter{}, none)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("EachCredential over %d records = %d ids, %v; want all in issuance order", n, len(got), err)
	}
	got, _ = walk(store.Filter{Recipient: "carol", Offset: 100, Limit: 300}, none)
	if len(got) != 300 || got[0] != want[302] || got[299] != want[1199] {
		t.Errorf("EachCredential with recipient, offset and limit = %d ids from %v, want 300 from %s", len(got), got[:min(1, len(got))], want[302])
	}
	got, _ = walk(store.Filter{IssuedAfter: base().Add(100 * time.Minute), IssuedBefore: base().Add(200 * time.Minute)}, none)
	if len(got) != 99*3 || got[0] != want[303] {
		t.Errorf("EachCredential in a window = %d ids starting %v, want 297 from %s", len(got), got[:min(1, len(got))], want[303])
	}
	// fn runs outside the store's transactions: it may write.
	got, err = walk(store.Filter{Limit: 3}, func(r store.Record) error {
		return s.PutCredential(ctx, record(r.ID+":copy", n))
	})
	if err != nil || len(got) != 3 {
		t.Errorf("EachCredential with a writing fn = %v, %v", got, err)
	}
	stop := errors.New("enough")
	got, err = walk(store.Filter{}, func(store.Record) error {
		return stop
	})
	if err != stop || len(got) != 1 { //nolint:errorlint // fn's error must come back unwrapped
		t.Errorf("EachCredential with fn failing = %d calls, %v; want 1, fn's error as is", len(got), err)
	}
}

func testCreateList(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := store.ListInfo{ID: "https://example.com/a", Purpose: store.PurposeRevocation, Size: 16, Created: base()}
	b := store.ListInfo{ID: "https://example.com/b", Purpose: store.PurposeSuspension, Size: 8, StatusSize: 1, Created: base()}
	c := store.ListInfo{ID: "https://example.com/c", Purpose: store.PurposeRevocation, Size: 9, StatusSize: 3, Created: base()}
	for _, l := range []store.ListInfo{a, b, c, a} {
		if err := s.CreateList(ctx, l); err != nil {
			t.Fatalf("CreateList(%s): %v", l.ID, err)
		}
	}
	conflict := a
	conflict.Size = 32
	if err := s.CreateList(ctx, conflict); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateList of a different list under an existing id = %v, want ErrExists", err)
	}
	for _, bad := range []store.ListInfo{
		{Purpose: "revocation", Size: 8},
		{ID: "https://example.com/x", Size: 8},
		{ID: "https://example.com/x", Purpose: "revocation"},
		{ID: "https://example.com/x", Purpose: "revocation", Size: 8, StatusSize: 65},
		{ID: "https://example.com/x", Purpose: "revocation", Size: store.MaxListBits + 1},
	} {
		if err := s.CreateList(ctx, bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("CreateList(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	tests := []struct {
		purpose status.Purpose
		want    []string
	}{
		{"", []string{a.ID, b.ID, c.ID}},
		{store.PurposeRevocation, []string{a.ID, c.ID}},
		{store.PurposeSuspension, []string{b.ID}},
		{"message", nil},
	}
	for _, tt := range tests {
		got, err := s.Lists(ctx, tt.purpose)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []string
		for _, l := range got {
			gotIDs = append(gotIDs, l.ID)
		}
		if !slices.Equal(gotIDs, tt.want) {
			t.Errorf("Lists(%q) = %v, want %v", tt.purpose, gotIDs, tt.want)
		}
	}
	got, err := s.Lists(ctx, store.PurposeRevocation)
	if err != nil {
		t.Fatal(err)
	}
	if l := got[0]; l.StatusSize != 1 || l.Size != 16 || !l.Created.Equal(base()) || l.Allocated != 0 {
		t.Errorf("Lists()[0] = %+v, want statusSize 1 (zero read as 1), size 16, created %v", l, base())
	}
	bits, ss, size, err := s.ListBits(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ss != 3 || size != 9 || len(bits) != 4 || slices.ContainsFunc(bits, func(b byte) bool { return b != 0 }) {
		t.Errorf("ListBits(c) = %x, %d, %d; want 4 zero bytes, 3, 9", bits, ss, size)
	}
}

// allocateAll allocates n entries for purpose with lists of the given size
// named by newList, returning them.
func allocateAll(t *testing.T, s store.Store, purpose status.Purpose, n, size int) []store.StatusRef {
	t.Helper()
	var mu sync.Mutex
	made := 0
	newList := func() store.ListInfo {
		mu.Lock()
		defer mu.Unlock()
		made++
		return store.ListInfo{ID: fmt.Sprintf("https://example.com/%s/%d", purpose, made), Size: size}
	}
	refs := make([]store.StatusRef, 0, n)
	for range n {
		ref, err := s.AllocateIndex(t.Context(), purpose, newList)
		if err != nil {
			t.Fatalf("AllocateIndex after %d: %v", len(refs), err)
		}
		refs = append(refs, ref)
	}
	return refs
}

// checkUnique fails on a repeated or out-of-range entry and returns the
// count per list.
func checkUnique(t *testing.T, refs []store.StatusRef, purpose status.Purpose, size int) map[string]int {
	t.Helper()
	seen := map[store.StatusRef]bool{}
	perList := map[string]int{}
	for _, r := range refs {
		if seen[r] {
			t.Errorf("entry %+v allocated twice", r)
		}
		seen[r] = true
		if r.Index < 0 || r.Index >= size || r.Purpose != purpose {
			t.Errorf("entry %+v out of range 0..%d or not %q", r, size-1, purpose)
		}
		perList[r.ListID]++
	}
	return perList
}

func testAllocateNeverRepeats(t *testing.T, s store.Store) {
	const size, lists = 50, 4
	refs := allocateAll(t, s, store.PurposeRevocation, size*lists, size)
	perList := checkUnique(t, refs, store.PurposeRevocation, size)
	if len(perList) != lists {
		t.Errorf("entries spread over %d lists, want %d", len(perList), lists)
	}
	// Lists fill one at a time: every list but the newest is full before
	// the next is made.
	for i, r := range refs {
		want := fmt.Sprintf("https://example.com/revocation/%d", i/size+1)
		if r.ListID != want {
			t.Fatalf("allocation %d went to %s, want %s", i, r.ListID, want)
		}
	}
	got, err := s.Lists(t.Context(), store.PurposeRevocation)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range got {
		if l.Allocated != size || l.Purpose != store.PurposeRevocation {
			t.Errorf("list %s: allocated %d, purpose %q; want %d, revocation", l.ID, l.Allocated, l.Purpose, size)
		}
	}
	if _, err := s.AllocateIndex(t.Context(), store.PurposeRevocation, nil); !errors.Is(err, store.ErrFull) {
		t.Errorf("AllocateIndex with every list full and no newList = %v, want ErrFull", err)
	}
}

func testAllocateIndices(t *testing.T, s store.Store) {
	ctx := t.Context()
	const size = 100
	made := 0
	newList := func() store.ListInfo {
		made++
		return store.ListInfo{ID: fmt.Sprintf("https://example.com/chunk/%d", made), Size: size}
	}
	// One entry first, so the chunks below meet a partly used list.
	one, err := s.AllocateIndex(ctx, store.PurposeRevocation, newList)
	if err != nil {
		t.Fatal(err)
	}
	refs := []store.StatusRef{one}
	for _, tt := range []struct {
		n, want int
		list    string
	}{
		{40, 40, "https://example.com/chunk/1"},
		{70, 59, "https://example.com/chunk/1"}, // only 59 left: a short chunk
		{30, 30, "https://example.com/chunk/2"}, // the full list rolls over
		{1, 1, "https://example.com/chunk/2"},
	} {
		got, err := s.AllocateIndices(ctx, store.PurposeRevocation, tt.n, newList)
		if err != nil {
			t.Fatalf("AllocateIndices(%d) after %d: %v", tt.n, len(refs), err)
		}
		if len(got) != tt.want {
			t.Fatalf("AllocateIndices(%d) after %d gave %d entries, want %d", tt.n, len(refs), len(got), tt.want)
		}
		for _, r := range got {
			if r.ListID != tt.list {
				t.Fatalf("AllocateIndices(%d) gave %+v, want entries of %s", tt.n, r, tt.list)
			}
		}
		refs = append(refs, got...)
	}
	checkUnique(t, refs, store.PurposeRevocation, size)
	// A chunk is as random as single allocations: 30 draws from a fresh
	// 100-entry list are not 0..29 in order.
	sequential := true
	for i, r := range refs[100:130] {
		sequential = sequential && r.Index == i
	}
	if sequential {
		t.Errorf("a chunk's indices %v are sequential; allocation must be random", refs[100:130])
	}
	lists, err := s.Lists(ctx, store.PurposeRevocation)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 2 || lists[0].Allocated != size || lists[1].Allocated != 31 {
		t.Errorf("lists after the chunks = %+v, want 100 and 31 allocated", lists)
	}
	// Reserved entries are claimed by PutCredential like single ones.
	r := record("urn:uuid:chunk", 0)
	r.Status = refs[len(refs)-1:]
	if err := s.PutCredential(ctx, r); err != nil {
		t.Errorf("PutCredential with a chunk's entry: %v", err)
	}
	for _, tt := range []struct {
		name    string
		purpose status.Purpose
		n       int
		newList func() store.ListInfo
		want    error
	}{
		{"zero", store.PurposeRevocation, 0, newList, store.ErrInvalid},
		{"negative", store.PurposeRevocation, -3, newList, store.ErrInvalid},
		{"no purpose", "", 5, newList, store.ErrInvalid},
		{"full without newList", store.PurposeSuspension, 5, nil, store.ErrFull},
	} {
		if _, err := s.AllocateIndices(ctx, tt.purpose, tt.n, tt.newList); !errors.Is(err, tt.want) {
			t.Errorf("%s: AllocateIndices = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func testAllocateRandom(t *testing.T, s store.Store) {
	// 32 draws from 65,536 entries come out as 0..31 in order with
	// negligible probability for a random allocator, and always for a
	// sequential one.
	refs := allocateAll(t, s, store.PurposeRevocation, 32, 1<<16)
	sequential := true
	for i, r := range refs {
		if r.Index != i {
			sequential = false
		}
	}
	if sequential {
		t.Errorf("indices %v are sequential; allocation must be random", refs)
	}
	// The allocator must still find the last free entry of a nearly full
	// list: fill a 200-entry list completely, one by one.
	refs = allocateAll(t, s, store.PurposeSuspension, 200, 200)
	if n := checkUnique(t, refs, store.PurposeSuspension, 200); len(n) != 1 {
		t.Errorf("200 allocations in a 200-entry list used %d lists", len(n))
	}
}

func testAllocateRollover(t *testing.T, s store.Store) {
	ctx := t.Context()
	// An explicitly created list is used before newList is called.
	if err := s.CreateList(ctx, store.ListInfo{ID: "https://example.com/first", Purpose: store.PurposeSuspension, Size: 2}); err != nil {
		t.Fatal(err)
	}
	calls := 0
	next := func() store.ListInfo {
		calls++
		return store.ListInfo{ID: fmt.Sprintf("https://example.com/next/%d", calls), Size: 3, StatusSize: 2}
	}
	var got []string
	for range 5 {
		ref, err := s.AllocateIndex(ctx, store.PurposeSuspension, next)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ref.ListID)
	}
	want := []string{"https://example.com/first", "https://example.com/first",
		"https://example.com/next/1", "https://example.com/next/1", "https://example.com/next/1"}
	if !slices.Equal(got, want) || calls != 1 {
		t.Errorf("allocations went to %v with %d newList calls; want %v, 1", got, calls, want)
	}
	lists, err := s.Lists(ctx, store.PurposeSuspension)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 2 || lists[1].StatusSize != 2 || lists[1].Purpose != store.PurposeSuspension {
		t.Errorf("Lists = %+v, want the created list then next/1 with statusSize 2, purpose filled in", lists)
	}
	tests := []struct {
		name    string
		newList func() store.ListInfo
		want    error
	}{
		{"wrong purpose", list("https://example.com/other", store.PurposeRevocation, 4), store.ErrInvalid},
		{"existing id", list("https://example.com/first", store.PurposeSuspension, 2), store.ErrExists},
		{"invalid list", func() store.ListInfo { return store.ListInfo{ID: "https://example.com/empty"} }, store.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.AllocateIndex(ctx, store.PurposeSuspension, tt.newList); !errors.Is(err, tt.want) {
				t.Errorf("AllocateIndex = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.AllocateIndex(ctx, "", next); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("AllocateIndex with no purpose = %v, want ErrInvalid", err)
	}
}

func testPutClaimsIndex(t *testing.T, s store.Store) {
	ctx := t.Context()
	const id = "https://example.com/claims"
	if err := s.CreateList(ctx, store.ListInfo{ID: id, Purpose: store.PurposeRevocation, Size: 8}); err != nil {
		t.Fatal(err)
	}
	// Entries recorded without allocation (an import) are taken out of the
	// free pool, leaving exactly index 5.
	for i := range 8 {
		if i == 5 {
			continue
		}
		r := record(fmt.Sprintf("urn:claim:%d", i), i)
		r.Status = []store.StatusRef{{Purpose: store.PurposeRevocation, ListID: id, Index: i}}
		if err := s.PutCredential(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	ref, err := s.AllocateIndex(ctx, store.PurposeRevocation, nil)
	if err != nil || ref.Index != 5 {
		t.Fatalf("AllocateIndex = %+v, %v; want index 5", ref, err)
	}
	if _, err := s.AllocateIndex(ctx, store.PurposeRevocation, nil); !errors.Is(err, store.ErrFull) {
		t.Errorf("AllocateIndex on a full list = %v, want ErrFull", err)
	}
	// A reserved index binds to one credential only.
	r := record("urn:claim:5", 5)
	r.Status = []store.StatusRef{ref}
	if err := s.PutCredential(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.ID = "urn:claim:5b"
	if err := s.PutCredential(ctx, r); !errors.Is(err, store.ErrExists) {
		t.Errorf("second credential on index 5 = %v, want ErrExists", err)
	}
}

func testConcurrentAllocate(t *testing.T, s store.Store) {
	const workers, each, size = 16, 25, 60
	var (
		mu    sync.Mutex
		refs  []store.StatusRef
		made  int
		wg    sync.WaitGroup
		errCh = make(chan error, workers)
	)
	newList := func() store.ListInfo {
		mu.Lock()
		defer mu.Unlock()
		made++
		return store.ListInfo{ID: fmt.Sprintf("https://example.com/c/%d", made), Size: size}
	}
	for range workers {
		wg.Go(func() {
			for range each {
				ref, err := s.AllocateIndex(t.Context(), store.PurposeRevocation, newList)
				if err != nil {
					errCh <- err
					return
				}
				mu.Lock()
				refs = append(refs, ref)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errCh)
	for err := range errCh {
		t.Fatal(err)
	}
	if len(refs) != workers*each {
		t.Fatalf("got %d allocations, want %d", len(refs), workers*each)
	}
	checkUnique(t, refs, store.PurposeRevocation, size)
	lists, err := s.Lists(t.Context(), store.PurposeRevocation)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, l := range lists {
		total += l.Allocated
		if i < len(lists)-1 && l.Allocated != size {
			t.Errorf("list %s not full (%d/%d) but a newer list exists", l.ID, l.Allocated, size)
		}
	}
	if total != workers*each || len(lists) != (workers*each+size-1)/size {
		t.Errorf("%d lists with %d allocated, want %d lists with %d", len(lists), total, (workers*each+size-1)/size, workers*each)
	}
}

func testConcurrentSetStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 48
	recs := make([]store.Record, n)
	for i := range recs {
		recs[i] = issue(t, s, record(fmt.Sprintf("urn:cc:%d", i), i), store.PurposeSuspension)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, r := range recs {
		wg.Go(func() {
			// Odd credentials are suspended and reinstated, even ones stay
			// suspended: every write to the shared list must survive.
			errs[i] = s.SetStatus(ctx, store.Change{CredentialID: r.ID, Purpose: store.PurposeSuspension, Value: 1, ClaimedActor: "w"})
			if errs[i] == nil && i%2 == 1 {
				errs[i] = s.SetStatus(ctx, store.Change{CredentialID: r.ID, Purpose: store.PurposeSuspension, Value: 0, ClaimedActor: "w"})
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	listID := recs[0].Status[0].ListID
	bits, ss, size, err := s.ListBits(ctx, listID)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]bool, size)
	for i, r := range recs {
		if r.Status[0].ListID != listID {
			t.Fatalf("test needs one list; %s is in %s", r.ID, r.Status[0].ListID)
		}
		want[r.Status[0].Index] = i%2 == 0
	}
	for i := range size {
		if got := bitAt(bits, i*ss); got != want[i] {
			t.Errorf("bit %d = %v, want %v", i, got, want[i])
		}
	}
	for i, r := range recs {
		evs, err := s.Audit(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1+i%2 {
			t.Errorf("%s: %d audit events, want %d", r.ID, len(evs), 1+i%2)
		}
	}
}

func bitAt(b []byte, i int) bool { return b[i/8]&(0x80>>(i%8)) != 0 }

func testRevokeFinal(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := issue(t, s, record("urn:uuid:1", 0), store.PurposeRevocation)
	revoke := store.Change{CredentialID: r.ID, Purpose: store.PurposeRevocation, Value: 1,
		ClaimedActor: "admin", UID: "1000", OSUser: "registrar", Reason: "issued in error", At: base().Add(time.Hour)}
	if err := s.SetStatus(ctx, revoke); err != nil {
		t.Fatal(err)
	}
	again := revoke
	again.At = base().Add(2 * time.Hour)
	if err := s.SetStatus(ctx, again); err != nil {
		t.Errorf("repeating a revocation = %v, want nil", err)
	}
	reinstate := store.Change{CredentialID: r.ID, Purpose: store.PurposeRevocation, Value: 0, ClaimedActor: "admin"}
	if err := s.SetStatus(ctx, reinstate); !errors.Is(err, store.ErrFinal) {
		t.Errorf("un-revoking = %v, want ErrFinal", err)
	}
	got, err := s.GetCredential(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Revoked {
		t.Errorf("State = %q, want revoked", got.State)
	}
	bits, _, _, err := s.ListBits(ctx, r.Status[0].ListID)
	if err != nil {
		t.Fatal(err)
	}
	if !bitAt(bits, r.Status[0].Index) {
		t.Errorf("revocation bit %d not set", r.Status[0].Index)
	}
	evs, err := s.Audit(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Event{{CredentialID: r.ID, Purpose: store.PurposeRevocation, ListID: r.Status[0].ListID,
		Index: r.Status[0].Index, From: 0, To: 1, ClaimedActor: "admin", UID: "1000", OSUser: "registrar", Reason: "issued in error", At: revoke.At}}
	if !eventsEqual(evs, want) {
		t.Errorf("Audit = %+v, want only %+v (no-op repeat and refused change not recorded)", evs, want)
	}
}

func eventsEqual(a, b []store.Event) bool {
	return slices.EqualFunc(a, b, func(x, y store.Event) bool {
		x.At, y.At = x.At.UTC(), y.At.UTC()
		return x.At.Equal(y.At) && x.CredentialID == y.CredentialID && x.Purpose == y.Purpose &&
			x.ListID == y.ListID && x.Index == y.Index && x.From == y.From && x.To == y.To &&
			x.ClaimedActor == y.ClaimedActor && x.UID == y.UID && x.OSUser == y.OSUser && x.Reason == y.Reason
	})
}

func testSuspendReinstate(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := issue(t, s, record("urn:uuid:1", 0), store.PurposeRevocation, store.PurposeSuspension)
	bystander := issue(t, s, record("urn:uuid:2", 1), store.PurposeSuspension)
	sus := r.Status[1]
	steps := []struct {
		value     uint64
		actor     string
		wantState store.State
	}{
		{1, "registrar", store.Suspended},
		{0, "dean", store.Active},
		{1, "registrar", store.Suspended},
	}
	var want []store.Event
	for i, st := range steps {
		at := base().Add(time.Duration(i+1) * time.Hour)
		c := store.Change{CredentialID: r.ID, Purpose: store.PurposeSuspension, Value: st.value,
			ClaimedActor: st.actor, Reason: fmt.Sprintf("step %d", i), At: at}
		if err := s.SetStatus(ctx, c); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		want = append(want, store.Event{CredentialID: r.ID, Purpose: sus.Purpose, ListID: sus.ListID,
			Index: sus.Index, From: 1 - st.value, To: st.value, ClaimedActor: st.actor, Reason: c.Reason, At: at})
		got, err := s.GetCredential(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != st.wantState {
			t.Errorf("step %d: State = %q, want %q", i, got.State, st.wantState)
		}
		bits, _, _, err := s.ListBits(ctx, sus.ListID)
		if err != nil {
			t.Fatal(err)
		}
		if bitAt(bits, sus.Index) != (st.value == 1) {
			t.Errorf("step %d: bit %d = %v, want %v", i, sus.Index, !(st.value == 1), st.value == 1)
		}
		if bitAt(bits, bystander.Status[0].Index) {
			t.Errorf("step %d: bystander's bit %d set", i, bystander.Status[0].Index)
		}
	}
	evs, err := s.Audit(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !eventsEqual(evs, want) {
		t.Errorf("Audit =\n%+v\nwant\n%+v", evs, want)
	}
	// A zero At is filled in by the store.
	if err := s.SetStatus(ctx, store.Change{CredentialID: r.ID, Purpose: store.PurposeSuspension, Value: 0}); err != nil {
		t.Fatal(err)
	}
	evs, err = s.Audit(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 4 || evs[3].At.IsZero() {
		t.Errorf("Audit after a change with zero At = %+v, want a fourth event with a time", evs)
	}
	if evs, err := s.Audit(ctx, bystander.ID); err != nil || len(evs) != 0 {
		t.Errorf("bystander Audit = %v, %v; want none", evs, err)
	}
}

func testMultiBit(t *testing.T, s store.Store) {
	ctx := t.Context()
	const id = "https://example.com/message"
	if err := s.CreateList(ctx, store.ListInfo{ID: id, Purpose: "message", Size: 5, StatusSize: 3}); err != nil {
		t.Fatal(err)
	}
	r := record("urn:m", 0)
	r.Status = []store.StatusRef{{Purpose: "message", ListID: id, Index: 2}}
	if err := s.PutCredential(ctx, r); err != nil {
		t.Fatal(err)
	}
	// Entry 2 is bits 6..8: the last two bits of byte 0 and the first of
	// byte 1, value most significant bit first.
	tests := []struct {
		value uint64
		want  []byte
	}{
		{0b101, []byte{0b00000010, 0b10000000}},
		{0b011, []byte{0b00000001, 0b10000000}},
		{0b110, []byte{0b00000011, 0b00000000}},
	}
	for _, tt := range tests {
		if err := s.SetStatus(ctx, store.Change{CredentialID: r.ID, Purpose: "message", Value: tt.value}); err != nil {
			t.Fatal(err)
		}
		bits, ss, size, err := s.ListBits(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(bits, tt.want) || ss != 3 || size != 5 {
			t.Errorf("after value %03b: bits %08b, statusSize %d, size %d; want %08b, 3, 5", tt.value, bits, ss, size, tt.want)
		}
	}
	if err := s.SetStatus(ctx, store.Change{CredentialID: r.ID, Purpose: "message", Value: 8}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("value wider than statusSize = %v, want ErrInvalid", err)
	}
	got, err := s.GetCredential(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Active {
		t.Errorf("State with only a message entry = %q, want active", got.State)
	}
}

func testBitOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	const id = "https://example.com/order"
	if err := s.CreateList(ctx, store.ListInfo{ID: id, Purpose: store.PurposeRevocation, Size: 20}); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 9, 19} {
		r := record(fmt.Sprintf("urn:o:%d", i), i)
		r.Status = []store.StatusRef{{Purpose: store.PurposeRevocation, ListID: id, Index: i}}
		if err := s.PutCredential(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := s.SetStatus(ctx, store.Change{CredentialID: r.ID, Purpose: store.PurposeRevocation, Value: 1}); err != nil {
			t.Fatal(err)
		}
	}
	bits, _, _, err := s.ListBits(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0x80, 0x40, 0x10}; !slices.Equal(bits, want) {
		t.Errorf("ListBits = %08b, want %08b", bits, want)
	}
	bits[0] = 0 // the copy is the caller's
	if again, _, _, _ := s.ListBits(ctx, id); again[0] != 0x80 {
		t.Errorf("modifying ListBits' result changed the store")
	}
}

func testContextCancelled(t *testing.T, s store.Store) {
	r := issue(t, s, record("urn:uuid:1", 0), store.PurposeRevocation)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	fresh := record("urn:uuid:2", 1)
	tests := []struct {
		name string
		call func() error
	}{
		{"PutCredential", func() error { return s.PutCredential(ctx, fresh) }},
		{"PutCredentials", func() error { return s.PutCredentials(ctx, []store.Record{fresh}) }},
		{"GetCredential", func() error { _, err := s.GetCredential(ctx, r.ID); return err }},
		{"ListCredentials", func() error { _, err := s.ListCredentials(ctx, store.Filter{}); return err }},
		{"CreateList", func() error { return s.CreateList(ctx, list("https://example.com/x", "revocation", 8)()) }},
		{"Lists", func() error { _, err := s.Lists(ctx, ""); return err }},
		{"AllocateIndex", func() error {
			_, err := s.AllocateIndex(ctx, store.PurposeRevocation, list("https://example.com/y", "revocation", 8))
			return err
		}},
		{"AllocateIndices", func() error {
			_, err := s.AllocateIndices(ctx, store.PurposeRevocation, 4, list("https://example.com/y", "revocation", 8))
			return err
		}},
		{"SetStatus", func() error {
			return s.SetStatus(ctx, store.Change{CredentialID: r.ID, Purpose: store.PurposeRevocation, Value: 1})
		}},
		{"ListBits", func() error { _, _, _, err := s.ListBits(ctx, r.Status[0].ListID); return err }},
		{"Audit", func() error { _, err := s.Audit(ctx, r.ID); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context = %v, want context.Canceled", tt.name, err)
			}
		})
	}
	// Nothing was written.
	live := t.Context()
	if _, err := s.GetCredential(live, fresh.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("credential put with a cancelled context exists: %v", err)
	}
	if got, err := s.GetCredential(live, r.ID); err != nil || got.State != store.Active {
		t.Errorf("credential after a cancelled revoke = %+v, %v; want active", got, err)
	}
	lists, err := s.Lists(live, "")
	if err != nil || len(lists) != 1 || lists[0].Allocated != 1 {
		t.Errorf("lists after cancelled writes = %+v, %v; want one list with one entry", lists, err)
	}
}

// testIssuerSecret checks that the issuer secret is made once, is
// IssuerSecretLen bytes, is the same for every caller, concurrent ones
// included, and differs between two stores.
func testIssuerSecret(t *testing.T, s, other store.Store) {
	ctx := t.Context()
	const n = 8
	secrets := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { secrets[i], errs[i] = s.IssuerSecret(ctx) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("IssuerSecret: %v", errs[i])
		}
		if len(secrets[i]) != store.IssuerSecretLen {
			t.Fatalf("IssuerSecret is %d bytes, want %d", len(secrets[i]), store.IssuerSecretLen)
		}
		if !slices.Equal(secrets[i], secrets[0]) {
			t.Fatalf("concurrent first calls got different secrets: %x and %x", secrets[0], secrets[i])
		}
	}
	if slices.Equal(secrets[0], make([]byte, store.IssuerSecretLen)) {
		t.Error("IssuerSecret is all zero")
	}
	// A caller changing its copy does not change the secret.
	secrets[0][0] ^= 0xff
	again, err := s.IssuerSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again, secrets[1]) {
		t.Errorf("IssuerSecret changed: %x, then %x", secrets[1], again)
	}
	theirs, err := other.IssuerSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(theirs, again) {
		t.Error("two stores have the same issuer secret")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := other.IssuerSecret(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("IssuerSecret with a cancelled context = %v, want context.Canceled", err)
	}
}

// testConcurrentPut: concurrent PutCredential and MarkDelivered calls (a
// server's issue requests, which a store may commit together) each take
// effect as if alone: every distinct record is kept and delivered, and of
// two puts of one id with different contents exactly one wins, the other
// failing with ErrExists without undoing the calls committed with it.
func testConcurrentPut(t *testing.T, s store.Store) {
	ctx := t.Context()
	const workers = 16
	results := make([]error, 2*workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := record(fmt.Sprintf("urn:cp:%d", w), w)
			r.Undelivered = true
			if err := s.PutCredential(ctx, r); err != nil {
				results[2*w] = err
				return
			}
			results[2*w] = s.MarkDelivered(ctx, r.ID)
		})
		wg.Go(func() {
			r := record(fmt.Sprintf("urn:cp:pair-%d", w/2), w)
			r.SHA256 = strings.Repeat(fmt.Sprintf("%02x", w), 32)
			results[2*w+1] = s.PutCredential(ctx, r)
		})
	}
	wg.Wait()
	for w := range workers {
		if err := results[2*w]; err != nil {
			t.Errorf("urn:cp:%d: %v", w, err)
			continue
		}
		got, err := s.GetCredential(ctx, fmt.Sprintf("urn:cp:%d", w))
		if err != nil || got.Undelivered {
			t.Errorf("urn:cp:%d after put and MarkDelivered: %+v, %v", w, got, err)
		}
	}
	for pair := range workers / 2 {
		var won []int
		for _, w := range []int{2 * pair, 2*pair + 1} {
			switch err := results[2*w+1]; {
			case err == nil:
				won = append(won, w)
			case !errors.Is(err, store.ErrExists):
				t.Errorf("pair %d, put %d: %v, want nil or ErrExists", pair, w, err)
			}
		}
		if len(won) != 1 {
			t.Errorf("pair %d: puts %v succeeded, want exactly one", pair, won)
			continue
		}
		got, err := s.GetCredential(ctx, fmt.Sprintf("urn:cp:pair-%d", pair))
		if want := strings.Repeat(fmt.Sprintf("%02x", won[0]), 32); err != nil || got.SHA256 != want {
			t.Errorf("pair %d: record %+v, %v; want the winner's hash %s", pair, got, err, want)
		}
	}
}
