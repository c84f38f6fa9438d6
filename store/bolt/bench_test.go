package bolt_test

import (
	"path/filepath"
	"testing"

	"github.com/badgesmith/badgesmith/store/storetest"
)

func BenchmarkAllocateIndex(b *testing.B) {
	// An eighth full: the allocator's scan and the 16 KiB bitmap copy cost
	// the same at any fill, and prefilling through fsynced writes is slow.
	storetest.BenchAllocateIndex(b, open(b, filepath.Join(b.TempDir(), "bench.db")), storetest.BenchListSize/8)
}

func BenchmarkSetStatus(b *testing.B) {
	storetest.BenchSetStatus(b, open(b, filepath.Join(b.TempDir(), "bench.db")))
}

func BenchmarkPutCredential(b *testing.B) {
	storetest.BenchPutCredential(b, open(b, filepath.Join(b.TempDir(), "bench.db")))
}
