package status

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestEntryValueRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for ss := 1; ss <= MaxStatusSize; ss++ {
		const entries = 5
		b := make([]byte, (entries*ss+7)/8)
		want := make([]uint64, entries)
		for range 20 {
			i := r.IntN(entries)
			v := r.Uint64()
			if ss < 64 {
				v &= 1<<ss - 1
			}
			SetEntryValue(b, i, ss, v)
			want[i] = v
			for j := range entries {
				if got := EntryValue(b, j, ss); got != want[j] {
					t.Fatalf("statusSize %d: entry %d = %x, want %x", ss, j, got, want[j])
				}
			}
		}
	}
}

// TestEntryValueLayout pins the packing to the spec's: entry 0 is the
// leftmost bit, multi-bit values most significant bit first.
func TestEntryValueLayout(t *testing.T) {
	tests := []struct {
		bits        []byte
		index, size int
		want        uint64
	}{
		{[]byte{0x80}, 0, 1, 1},
		{[]byte{0x80}, 1, 1, 0},
		{[]byte{0x01}, 7, 1, 1},
		{[]byte{0x00, 0x80}, 8, 1, 1},
		{[]byte{0xb0}, 0, 2, 2},
		{[]byte{0xb0}, 1, 2, 3},
		{[]byte{0x0f, 0xf0}, 1, 8, 0xf0},
		{[]byte{0x0f, 0xf0}, 0, 12, 0x0ff},
		{[]byte{0x0f, 0xf0}, 1, 4, 0xf},
	}
	for _, tt := range tests {
		if got := EntryValue(tt.bits, tt.index, tt.size); got != tt.want {
			t.Errorf("EntryValue(%x, %d, %d) = %d, want %d", tt.bits, tt.index, tt.size, got, tt.want)
		}
		b := make([]byte, len(tt.bits))
		SetEntryValue(b, tt.index, tt.size, tt.want)
		if EntryValue(b, tt.index, tt.size) != tt.want || (tt.want != 0 && b[(tt.index*tt.size)/8]&tt.bits[(tt.index*tt.size)/8] == 0) {
			t.Errorf("SetEntryValue(%d, %d, %d) = %x, want the bits of %x", tt.index, tt.size, tt.want, b, tt.bits)
		}
	}
}

// TestFromBitsMatchesList checks that a list made from a bitstring reads
// every entry as EntryValue does, ignores the bits past its last entry,
// and encodes like a list built entry by entry.
func TestFromBitsMatchesList(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, ss := range []int{1, 2, 3, 8} {
		entries := MinEntries + 3
		bits := make([]byte, (entries*ss+7)/8+2)
		for range 200 {
			SetEntryValue(bits, r.IntN(entries), ss, r.Uint64()&(1<<ss-1))
		}
		bits[len(bits)-1], bits[len(bits)-2] = 0xff, 0xff // past the last entry
		l, err := FromBits(bits, entries, ss)
		if err != nil {
			t.Fatal(err)
		}
		want, err := New(entries, ss)
		if err != nil {
			t.Fatal(err)
		}
		for i := range entries {
			v := EntryValue(bits, i, ss)
			if got, _ := l.Get(i); got != v {
				t.Fatalf("statusSize %d: entry %d = %d, want %d", ss, i, got, v)
			}
			if v != 0 {
				if err := want.Set(i, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		ge, _ := l.Encode()
		we, _ := want.Encode()
		if ge != we {
			t.Errorf("statusSize %d: FromBits encodes differently from a list built entry by entry", ss)
		}
	}
	if _, err := FromBits(make([]byte, 10), MinEntries, 1); !errors.Is(err, ErrRange) {
		t.Errorf("short bitstring: %v, want ErrRange", err)
	}
}
