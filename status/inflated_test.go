package status

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestLookupInflatedAgrees holds Lookup reading an Inflated list to Lookup
// inflating it: the same value, the same error, the same bytes charged to
// the budget, for lists short and long, entries inside and past the end,
// caps below the list's size and budgets too small by a byte or more.
func TestLookupInflatedAgrees(t *testing.T) {
	min16 := MinEntries / 8
	type list struct {
		name    string
		encoded string
		legacy  bool
	}
	full := mustNew(t, 2*MinEntries, 1)
	for _, i := range []int{0, 9, MinEntries + 3, 2*MinEntries - 1} {
		mustSet(t, full, i, 1)
	}
	fullEnc, err := full.Encode()
	if err != nil {
		t.Fatal(err)
	}
	lists := []list{
		{name: "two minimum lists, some bits set", encoded: fullEnc},
		{name: "minimum list of zeros", encoded: zeros(t, min16)},
		{name: "one byte short of the minimum", encoded: zeros(t, min16-1)},
		{name: "legacy base64", encoded: u(gz(t, make([]byte, min16)))[1:], legacy: true},
	}
	for _, l := range lists {
		in, err := Inflate(l.encoded, DecodeOptions{Legacy: l.legacy})
		if err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		if in.Size() == 0 {
			t.Fatalf("%s: nothing inflated", l.name)
		}
		for _, size := range []int{1, 2, 8} {
			for _, index := range []int{0, 9, min16*8/size - 1, min16 * 8 / size, MinEntries + 3, 2*MinEntries - 1, 2 * MinEntries, MaxIndex + 1} {
				for _, maxBytes := range []int64{0, int64(min16), int64(in.Size()) - 1} {
					for _, extra := range []int64{-1, 0, 1, 2, 1 << 30} {
						name := fmt.Sprintf("%s/size %d/index %d/max %d/budget %+d", l.name, size, index, maxBytes, extra)
						// The bytes a plain Lookup charges, then budgets
						// around that figure.
						probe := NewBudget(1 << 40)
						opts := DecodeOptions{Legacy: l.legacy, MaxBytes: maxBytes, Budget: probe}
						if _, err := Lookup(context.Background(), l.encoded, size, index, opts); err != nil && errors.Is(err, ErrBudget) {
							t.Fatalf("%s: budget of 2^40 spent", name)
						}
						limit := probe.Used() + extra
						if extra == 1<<30 {
							limit = 1 << 30
						}
						if limit < 0 {
							continue
						}
						plain := NewBudget(limit)
						opts.Budget = plain
						v1, err1 := Lookup(context.Background(), l.encoded, size, index, opts)
						cached := NewBudget(limit)
						opts.Budget, opts.Inflated = cached, in
						v2, err2 := Lookup(context.Background(), l.encoded, size, index, opts)
						if v1 != v2 || fmt.Sprint(err1) != fmt.Sprint(err2) {
							t.Fatalf("%s: inflating gives %d, %v; reading the inflated list %d, %v", name, v1, err1, v2, err2)
						}
						if plain.Used() != cached.Used() {
							t.Fatalf("%s: inflating charges %d bytes, reading the inflated list %d", name, plain.Used(), cached.Used())
						}
					}
				}
			}
		}
	}
}

// TestLookupInflatedOtherList checks that an Inflated list is read only for
// the encodedList it was inflated from, with the same Legacy.
func TestLookupInflatedOtherList(t *testing.T) {
	l := mustNew(t, MinEntries, 1)
	mustSet(t, l, 5, 1)
	enc, err := l.Encode()
	if err != nil {
		t.Fatal(err)
	}
	other, err := Inflate(zeros(t, MinEntries/8), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, legacy := range []bool{false, true} {
		v, err := Lookup(context.Background(), enc, 1, 5, DecodeOptions{Inflated: other, Legacy: legacy})
		if err != nil || v != 1 {
			t.Fatalf("legacy %v: Lookup with another list's Inflated = %d, %v; want 1", legacy, v, err)
		}
	}
	legacy, err := Inflate(enc, DecodeOptions{Legacy: true})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Lookup(context.Background(), enc, 1, 5, DecodeOptions{Inflated: legacy}); err != nil || v != 1 {
		t.Fatalf("Lookup with an Inflated of other Legacy = %d, %v; want 1", v, err)
	}
	// Inflating looks at ctx before each chunk; reading the inflated list
	// does not, so a cancelled context tells which one ran.
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lookup(canceled, enc, 1, 5, DecodeOptions{Inflated: legacy}); err == nil {
		t.Fatal("Lookup read an Inflated list of other Legacy")
	}
	mine, err := Inflate(enc, DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Lookup(canceled, enc, 1, 5, DecodeOptions{Inflated: mine}); err != nil || v != 1 {
		t.Fatalf("Lookup of its own Inflated list = %d, %v; want 1 without inflating", v, err)
	}
}

// TestInflateErrors checks that Inflate refuses what Decode refuses, but
// for the list length, which Lookup judges per entry.
func TestInflateErrors(t *testing.T) {
	if _, err := Inflate("u!!", DecodeOptions{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad base64: %v, want ErrMalformed", err)
	}
	if _, err := Inflate(zeros(t, 4096), DecodeOptions{MaxBytes: 1024}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("past MaxBytes: %v, want ErrTooLarge", err)
	}
	if in, err := Inflate(zeros(t, 16), DecodeOptions{}); err != nil || in.Size() != 16 {
		t.Errorf("short list: %v, %v; want 16 bytes", in.Size(), err)
	}
}

func BenchmarkLookupInflated(b *testing.B) {
	enc := zeros(b, MinEntries/8)
	in, err := Inflate(enc, DecodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		in   *Inflated
	}{{"inflating", nil}, {"inflated", in}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Lookup(context.Background(), enc, 1, 7, DecodeOptions{Budget: NewBudget(1 << 30), Inflated: c.in}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
