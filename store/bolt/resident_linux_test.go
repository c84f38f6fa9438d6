//go:build linux

package bolt

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/badgesmith/badgesmith/store"
)

// mappedKB returns how much of the mapping of path is resident in this
// process, from /proc/self/smaps.
func mappedKB(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in, total := false, 0
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = strings.HasSuffix(line, " "+path)
			continue
		}
		if in && len(fields) >= 2 && fields[0] == "Rss:" {
			n, err := strconv.Atoi(fields[1])
			if err != nil {
				t.Fatalf("smaps line %q: %v", line, err)
			}
			total += n
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}

// fillStore writes n batch-like records (random UUID-shaped ids, salted
// recipient hashes, a random status index each) in PutCredentials chunks
// of 64, as a batch issuer does, and returns the largest resident share of
// the file seen after a commit.
func fillStore(t *testing.T, db *DB, path string, n int) (peakKB int) {
	t.Helper()
	ctx := t.Context()
	var free []store.StatusRef
	lists := 0
	newList := func() store.ListInfo {
		lists++
		return store.ListInfo{ID: fmt.Sprintf("https://example.edu/status/%d", lists), Purpose: store.PurposeRevocation, Size: 131072}
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var chunk []store.Record
	for i := range n {
		if len(free) == 0 {
			var err error
			if free, err = db.AllocateIndices(ctx, store.PurposeRevocation, 256, newList); err != nil {
				t.Fatal(err)
			}
		}
		h := uint64(i+1) * 0x9e3779b97f4a7c15
		chunk = append(chunk, store.Record{
			ID:            fmt.Sprintf("urn:uuid:%08x-%04x-5%03x-8%03x-%012x", uint32(h>>32), uint16(h>>16), h&0xfff, (h>>12)&0xfff, h*31&0xffffffffffff),
			Recipient:     fmt.Sprintf("sha256$%064x", h*7),
			AchievementID: "https://example.edu/achievements/capstone",
			IssuerKey:     "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
			Format:        store.FormatDI,
			IssuedAt:      base.Add(time.Duration(i) * time.Millisecond),
			SHA256:        fmt.Sprintf("%064x", h),
			BatchID:       "cohort-2026",
			RowKey:        fmt.Sprintf("s%07d", i),
			Status:        free[len(free)-1:],
		})
		free = free[:len(free)-1]
		if len(chunk) == 64 || i == n-1 {
			if err := db.PutCredentials(ctx, chunk); err != nil {
				t.Fatal(err)
			}
			chunk = chunk[:0]
			peakKB = max(peakKB, mappedKB(t, path))
		}
	}
	return peakKB
}

// TestTrimKeepsMappingSmall writes 24,000 records into a store with and
// without trimming and compares how much of the file each leaves mapped
// into the process: without trimming, fault-around keeps most of the file
// resident; with it, only what a commit touches.
func TestTrimKeepsMappingSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("writes two 30 MB stores")
	}
	const rows = 24_000
	measure := func(noTrim bool) (peakKB, fileKB int) {
		path := t.TempDir() + "/trim.db"
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.noTrim = noTrim
		peakKB = fillStore(t, db, path, rows)
		var size int64
		err = db.db.View(func(tx *bbolt.Tx) error { size = tx.Size(); return nil })
		if err != nil {
			t.Fatal(err)
		}
		return peakKB, int(size >> 10)
	}
	trimmed, fileKB := measure(false)
	untrimmed, _ := measure(true)
	t.Logf("%d records, %d KB of pages in use: peak resident %d KB trimmed, %d KB untrimmed", rows, fileKB, trimmed, untrimmed)
	if untrimmed < fileKB/2 {
		t.Skipf("without trimming only %d of %d KB stayed resident: this kernel does not fault around, so there is nothing to compare", untrimmed, fileKB)
	}
	// A commit of 64 records reads about three random index pages per
	// record, and fault-around maps 64 KB around each (the kernel default;
	// page cache folios can make it more): 12 MB at most, however large the
	// file. The untrimmed store, over half of a 25 MB file, exceeds it.
	const boundKB = 64 * 3 * 64
	if trimmed > boundKB {
		t.Errorf("trimmed store peaked at %d KB resident, want at most %d KB (untrimmed %d KB)", trimmed, boundKB, untrimmed)
	}
}
