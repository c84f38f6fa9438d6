package status

import (
	"math/rand/v2"
	"testing"
)

// sparseList returns a minimum-size list with about 1% of entries set.
func sparseList(b *testing.B) *List {
	b.Helper()
	l := mustNew(b, MinEntries, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	for range MinEntries / 100 {
		mustSet(b, l, rng.IntN(MinEntries), 1)
	}
	return l
}

func BenchmarkEncode131072(b *testing.B) {
	l := sparseList(b)
	b.ReportAllocs()
	b.SetBytes(MinEntries / 8)
	for b.Loop() {
		if _, err := l.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeAndGet(b *testing.B) {
	enc, err := sparseList(b).Encode()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(MinEntries / 8)
	i := 0
	for b.Loop() {
		l, err := Decode(enc, 1, DecodeOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.Get(i % MinEntries); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

// BenchmarkRandomUnusedIndex measures a list with 100 free entries left,
// where random probes almost always miss and the counting fallback runs.
func BenchmarkRandomUnusedIndex(b *testing.B) {
	l := mustNew(b, MinEntries, 1)
	for i := range MinEntries {
		if i%1311 != 0 {
			mustSet(b, l, i, 1)
		}
	}
	used := func(i int) bool { v, _ := l.Get(i); return v != 0 }
	src := rand.NewChaCha8([32]byte{9})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RandomUnusedIndex(used, MinEntries, src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRandomUnusedIndexHalfFull is the common case, for comparison.
func BenchmarkRandomUnusedIndexHalfFull(b *testing.B) {
	l := mustNew(b, MinEntries, 1)
	for i := 0; i < MinEntries; i += 2 {
		mustSet(b, l, i, 1)
	}
	used := func(i int) bool { v, _ := l.Get(i); return v != 0 }
	src := rand.NewChaCha8([32]byte{9})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RandomUnusedIndex(used, MinEntries, src); err != nil {
			b.Fatal(err)
		}
	}
}
