package issuer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// allocCounter is a store that counts the status index reservations made
// through it.
type allocCounter struct {
	*bolt.DB
	mu    sync.Mutex
	sizes []int
}

func (c *allocCounter) AllocateIndices(ctx context.Context, purpose status.Purpose, n int, newList func() store.ListInfo) ([]store.StatusRef, error) {
	c.mu.Lock()
	c.sizes = append(c.sizes, n)
	c.mu.Unlock()
	return c.DB.AllocateIndices(ctx, purpose, n, newList)
}

// TestBatchReservesIndicesInChunks checks that a batch reserves its status
// indices in chunks growing from 64 to 1024 (one store transaction per
// chunk, including the one reserved ahead), that it times every stage,
// and that no index is given twice.
func TestBatchReservesIndicesInChunks(t *testing.T) {
	const rows, first, chunk = 1100, 64, 1024
	db := &allocCounter{DB: openStore(t, filepath.Join(t.TempDir(), "issued.db"))}
	f := newStatusIssuer(t, nil, func(c *issuer.Config) { c.Store = db })
	ach := readJSON(t, "achievement.json")
	items := make([]issuer.BatchItem, rows)
	for i := range items {
		email := fmt.Sprintf("learner%d@example.edu", i)
		items[i] = issuer.BatchItem{Line: i + 2, Key: email, Recipient: email,
			Request: issuer.Request{Achievement: ach, RecipientEmail: email}}
	}
	stats := &issuer.BatchStats{}
	b, err := f.is.NewBatch(t.Context(), issuer.BatchConfig{ID: "chunks", OutDir: t.TempDir(), Output: issuer.BatchOutput{Ext: ".json"}, Workers: 4, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := b.Run(t.Context(), issuer.BatchItems(items...))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Issued != rows {
		t.Fatalf("issued %d, want %d", sum.Issued, rows)
	}
	// Chunks grow from 64, doubling up to 1024, and are taken whole: what
	// is reserved covers the rows with less than two chunks to spare (the
	// one in use and the one reserved ahead).
	reserved := 0
	for i, n := range db.sizes {
		if want := min(first<<i, chunk); n != want {
			t.Errorf("reservation %d of %d indices, want %d", i, n, want)
		}
		reserved += n
	}
	if reserved < rows || reserved-rows >= 2*chunk {
		t.Errorf("%d indices reserved for %d rows in %d reservations", reserved, rows, len(db.sizes))
	}
	recs, err := db.ListCredentials(t.Context(), store.Filter{BatchID: "chunks"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != rows {
		t.Fatalf("%d records, want %d", len(recs), rows)
	}
	seen := map[store.StatusRef]string{}
	for _, r := range recs {
		for _, s := range r.Status {
			if other, ok := seen[s]; ok {
				t.Fatalf("status entry %+v given to %s and %s", s, other, r.ID)
			}
			seen[s] = r.ID
		}
	}
	counts := map[issuer.BatchStage]int64{}
	for _, st := range stats.Stages() {
		counts[st.Stage] = st.Count
		if st.Time <= 0 {
			t.Errorf("stage %s: no time recorded", st.Stage)
		}
	}
	for _, st := range []issuer.BatchStage{issuer.StageRead, issuer.StageBuild, issuer.StageStatus, issuer.StageSign, issuer.StageEncode, issuer.StageWrite} {
		if counts[st] != rows {
			t.Errorf("stage %s ran %d times, want once per row (%d)", st, counts[st], rows)
		}
	}
	for _, st := range []issuer.BatchStage{issuer.StageSync, issuer.StageStore, issuer.StageManifest} {
		if counts[st] < 1 || counts[st] > rows {
			t.Errorf("stage %s ran %d times, want once per commit", st, counts[st])
		}
	}
}
