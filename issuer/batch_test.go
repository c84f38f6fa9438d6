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
// indices a chunk of 1024 at a time (one store transaction per chunk,
// including the one reserved ahead), that the stages it times add up, and
// that no index is given twice.
func TestBatchReservesIndicesInChunks(t *testing.T) {
	const rows, chunk = 1100, 1024
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
	// Chunks are taken whole: ceil(rows/chunk), one more at most if the
	// last was reserved ahead and not used.
	if n, most := len(db.sizes), (rows+chunk-1)/chunk+1; n < (rows+chunk-1)/chunk || n > most {
		t.Errorf("%d reservations for %d rows, want %d to %d", n, rows, most-1, most)
	}
	for i, n := range db.sizes {
		if n != chunk {
			t.Errorf("reservation %d of %d indices, want %d", i, n, chunk)
		}
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
