//go:build unix

package cputime

import (
	"crypto/sha256"
	"testing"
)

// TestProcessGrows: work done between two readings shows as CPU time, and
// the clock never runs backwards.
func TestProcessGrows(t *testing.T) {
	before, ok := Process()
	if !ok {
		t.Fatal("no process CPU time on a unix system")
	}
	var sum [32]byte
	for range 1000 {
		for range 10_000 {
			sum = sha256.Sum256(sum[:])
		}
		after, ok := Process()
		switch {
		case !ok:
			t.Fatal("process CPU time went away")
		case after < before:
			t.Fatalf("CPU time went backwards: %v then %v", before, after)
		case after > before:
			return
		}
	}
	t.Fatal("10 million SHA-256 blocks took no CPU time")
}
