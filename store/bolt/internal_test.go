package bolt

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestTimeKeyOrder(t *testing.T) {
	times := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Unix(0, 0),
		time.Unix(0, 1),
		time.Unix(1, 0),
		time.Date(2025, 3, 1, 12, 0, 0, 0, time.FixedZone("A", -5*3600)),
		time.Date(2025, 3, 1, 18, 0, 0, 1, time.UTC),
		time.Date(2262, 4, 12, 0, 0, 0, 0, time.UTC), // past UnixNano's range
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		a, b := times[i-1], times[i]
		if got := bytes.Compare(timeKey(a), timeKey(b)); got != a.Compare(b) {
			t.Errorf("timeKey order of %v and %v = %d, want %d", a, b, got, a.Compare(b))
		}
	}
}

func TestKeyPrefix(t *testing.T) {
	tests := []struct {
		name  string
		parts []string
	}{
		{"one", []string{"urn:x"}},
		{"empty middle", []string{"batch", "", "urn:y"}},
		{"binary", []string{"\x00\x01", "\xff", "id\x00with nul"}},
		{"long", []string{string(make([]byte, 300)), "urn:z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := key(tt.parts...)
			// A prefix of whole parts selects this key, a prefix of a
			// longer first part does not.
			if !bytes.HasPrefix(k, key(tt.parts[:len(tt.parts)-1]...)) {
				t.Error("key of the leading parts is not a prefix")
			}
			if bytes.HasPrefix(k, key(tt.parts[0]+"x")) {
				t.Error("key of a different first part is a prefix")
			}
		})
	}
}

func TestKthZero(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 8, 9, 63, 64, 65, 200} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		var zeros []int
		for i := range n * 8 {
			if b[i/8]&(0x80>>(i%8)) == 0 {
				zeros = append(zeros, i)
			}
		}
		for k, want := range zeros {
			if got := kthZero(b, k); got != want {
				t.Fatalf("len %d: kthZero(%d) = %d, want %d", n, k, got, want)
			}
		}
		if got := kthZero(b, len(zeros)); got != -1 {
			t.Errorf("len %d: kthZero past the last zero = %d, want -1", n, got)
		}
	}
}

func TestRandN(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 131072, 1<<63 + 1} {
		for range 100 {
			v, err := randN(n)
			if err != nil || v >= n {
				t.Fatalf("randN(%d) = %d, %v", n, v, err)
			}
		}
	}
	if _, err := randN(0); err == nil {
		t.Error("randN(0) succeeded")
	}
	// Every value of a small range comes up.
	seen := make([]bool, 5)
	for range 500 {
		v, _ := randN(5)
		seen[v] = true
	}
	if slices.Contains(seen, false) {
		t.Errorf("randN(5) over 500 draws missed a value: %v", seen)
	}
}
