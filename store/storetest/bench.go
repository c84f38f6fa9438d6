package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
)

// BenchListSize is the entry count of the lists the benchmarks use: the
// Bitstring Status List minimum, the size the issuer makes.
const BenchListSize = 131072

func benchList(purpose status.Purpose) func() store.ListInfo {
	n := 0
	return func() store.ListInfo {
		n++
		return store.ListInfo{ID: fmt.Sprintf("https://example.com/bench/%s/%d", purpose, n), Size: BenchListSize}
	}
}

// BenchAllocateIndex measures AllocateIndex on s (empty) after prefill
// allocations, so the allocator works on a partly full list.
func BenchAllocateIndex(b *testing.B, s store.Store, prefill int) {
	ctx := b.Context()
	newList := benchList(store.PurposeRevocation)
	for range prefill {
		if _, err := s.AllocateIndex(ctx, store.PurposeRevocation, newList); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.AllocateIndex(ctx, store.PurposeRevocation, newList); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchSetStatus measures SetStatus on s (empty): each call flips the
// suspension entry of one of 1,024 credentials in a 131,072-entry list and
// appends an audit event.
func BenchSetStatus(b *testing.B, s store.Store) {
	ctx := b.Context()
	const n = 1024
	newList := benchList(store.PurposeSuspension)
	ids := make([]string, n)
	for i := range ids {
		ref, err := s.AllocateIndex(ctx, store.PurposeSuspension, newList)
		if err != nil {
			b.Fatal(err)
		}
		r := benchRecord(i)
		r.Status = []store.StatusRef{ref}
		if err := s.PutCredential(ctx, r); err != nil {
			b.Fatal(err)
		}
		ids[i] = r.ID
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := store.Change{CredentialID: ids[i%n], Purpose: store.PurposeSuspension,
			Value: uint64(i/n%2 ^ 1), ClaimedActor: "bench", Reason: "benchmark"} //nolint:gosec // G115: Value is 0 or 1
		if err := s.SetStatus(ctx, c); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchPutCredential measures PutCredential on s (empty) of new records,
// each binding an entry of a 131,072-entry list that it claims.
func BenchPutCredential(b *testing.B, s store.Store) {
	ctx := b.Context()
	newList := benchList(store.PurposeRevocation)
	var l store.ListInfo
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%BenchListSize == 0 {
			b.StopTimer()
			l = newList()
			l.Purpose = store.PurposeRevocation
			if err := s.CreateList(ctx, l); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		r := benchRecord(i)
		r.Status = []store.StatusRef{{Purpose: store.PurposeRevocation, ListID: l.ID, Index: i % BenchListSize}}
		if err := s.PutCredential(ctx, r); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func benchRecord(i int) store.Record {
	return store.Record{
		ID:            fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i),
		Recipient:     fmt.Sprintf("sha256$%064x", i%5000),
		AchievementID: fmt.Sprintf("https://example.com/achievements/%d", i%20),
		IssuerKey:     "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		Format:        store.FormatDI,
		IssuedAt:      time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		SHA256:        strings.Repeat("5a", 32),
		BatchID:       "bench",
		RowKey:        fmt.Sprint(i),
	}
}
