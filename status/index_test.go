package status

import (
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// constReader always yields the same bytes, so uniform must give up rather
// than loop when every value is rejected.
type constReader byte

func (c constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

func TestRandomUnusedIndex(t *testing.T) {
	usedSet := func(size int, free ...int) func(int) bool {
		f := map[int]bool{}
		for _, i := range free {
			f[i] = true
		}
		return func(i int) bool {
			if i < 0 || i >= size {
				t.Fatalf("used(%d) called outside [0, %d)", i, size)
			}
			return !f[i]
		}
	}
	tests := []struct {
		name    string
		used    func(int) bool
		size    int
		rand    io.Reader
		want    int // -1: any unused index
		wantErr error
	}{
		{"empty list", func(int) bool { return false }, MinEntries, rand.NewChaCha8([32]byte{1}), -1, nil},
		{"one free at the end", usedSet(MinEntries, MinEntries-1), MinEntries, rand.NewChaCha8([32]byte{2}), MinEntries - 1, nil},
		{"one free at the start", usedSet(MinEntries, 0), MinEntries, rand.NewChaCha8([32]byte{3}), 0, nil},
		{"size one", func(int) bool { return false }, 1, rand.NewChaCha8([32]byte{4}), 0, nil},
		{"full", usedSet(1000), 1000, rand.NewChaCha8([32]byte{5}), 0, ErrFull},
		{"zero size", func(int) bool { return false }, 0, rand.NewChaCha8([32]byte{6}), 0, ErrRange},
		{"size past MaxIndex", func(int) bool { return false }, MaxIndex + 1, rand.NewChaCha8([32]byte{6}), 0, ErrRange},
		{"nil rand uses crypto/rand", usedSet(10, 3), 10, nil, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RandomUnusedIndex(tt.used, tt.size, tt.rand)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got < 0 || got >= tt.size || tt.used(got) || (tt.want >= 0 && got != tt.want) {
				t.Fatalf("got %d, want %d", got, tt.want)
			}
		})
	}

	t.Run("reader error", func(t *testing.T) {
		if _, err := RandomUnusedIndex(func(int) bool { return false }, 10, errReader{}); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
		}
	})
	t.Run("reader always rejected", func(t *testing.T) {
		// 0xff... is above the largest multiple of 3 below 2^64.
		if _, err := RandomUnusedIndex(func(int) bool { return false }, 3, constReader(0xff)); err == nil {
			t.Fatal("want an error from a source that never yields an acceptable value")
		}
	})
	t.Run("nil used", func(t *testing.T) {
		if _, err := RandomUnusedIndex(nil, 10, nil); err == nil {
			t.Fatal("want an error")
		}
	})
}

// TestRandomUnusedIndexUniform checks both paths spread picks evenly: a
// half-full list (random probes) and a nearly full one (counting fallback).
// The source is seeded, so the test is deterministic; the bound is loose
// enough for any fair source and tight enough to catch a scan-from-a-random-
// start bias, which would favour the free index after the longest used run.
func TestRandomUnusedIndexUniform(t *testing.T) {
	tests := []struct {
		name string
		size int
		free []int
	}{
		{"half full", 16, []int{0, 2, 4, 6, 8, 10, 12, 14}},
		{"nearly full", 4096, []int{1, 2, 3, 4000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isFree := map[int]bool{}
			for _, i := range tt.free {
				isFree[i] = true
			}
			used := func(i int) bool { return !isFree[i] }
			src := rand.NewChaCha8([32]byte{42})
			const draws = 8000
			counts := map[int]int{}
			for range draws {
				i, err := RandomUnusedIndex(used, tt.size, src)
				if err != nil {
					t.Fatal(err)
				}
				if !isFree[i] {
					t.Fatalf("returned used index %d", i)
				}
				counts[i]++
			}
			want := draws / len(tt.free)
			for _, i := range tt.free {
				if c := counts[i]; c < want*8/10 || c > want*12/10 {
					t.Errorf("index %d picked %d times, want about %d", i, c, want)
				}
			}
		})
	}
}
