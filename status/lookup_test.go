package status

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// zeros is an encodedList of n zero bytes, compressed as tightly as gzip
// can: a bomb when n is large.
func zeros(t testing.TB, n int) string {
	t.Helper()
	return u(gz(t, make([]byte, n)))
}

// TestLookupAgreesWithDecode reads entries of lists of every shape both
// ways: the streaming Lookup must give Get's value and error, and inflate
// no more than the entry and the minimum length need.
func TestLookupAgreesWithDecode(t *testing.T) {
	type tc struct {
		name    string
		entries int
		size    int
		index   int
	}
	var tests []tc
	for _, size := range []int{1, 2, 3, 8, 13, 64} {
		entries := MinEntries
		if size > 8 {
			entries = maxNewBits / size
		}
		for _, index := range []int{0, 1, 7, 8, 4095, entries / 2, entries - 1} {
			tests = append(tests, tc{name: fmt.Sprintf("size %d index %d", size, index), entries: entries, size: size, index: index})
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := mustNew(t, tc.entries, tc.size)
			// A pattern that differs between neighbouring entries, so a read
			// one entry off, or with its bits in the wrong order, is caught.
			mask := ^uint64(0) >> uint(64-tc.size)
			for _, i := range []int{tc.index - 1, tc.index, tc.index + 1} {
				if i >= 0 && i < l.Len() {
					mustSet(t, l, i, (uint64(i)*0x9E3779B97F4A7C15)&mask|1)
				}
			}
			enc, err := l.Encode()
			if err != nil {
				t.Fatal(err)
			}
			dec, err := Decode(enc, tc.size, DecodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want, wantErr := dec.Get(tc.index)
			b := NewBudget(DefaultMaxBytes)
			got, err := Lookup(context.Background(), enc, tc.size, tc.index, DecodeOptions{Budget: b})
			if got != want || (err == nil) != (wantErr == nil) {
				t.Fatalf("Lookup = %d, %v; Decode and Get = %d, %v", got, err, want, wantErr)
			}
			endBytes := (int64(tc.index+1)*int64(tc.size) + 7) / 8
			minBytes := int64(MinEntries) * int64(tc.size) / 8
			if wantUsed := max(endBytes, minBytes); b.Used() != wantUsed {
				t.Fatalf("inflated %d bytes, want %d (entry end %d, minimum list %d)", b.Used(), wantUsed, endBytes, minBytes)
			}
		})
	}
}

func TestLookupErrors(t *testing.T) {
	min16 := MinEntries / 8 // the minimum list at one bit, in bytes
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		encoded string
		size    int
		index   int
		opts    DecodeOptions
		ctx     context.Context
		want    error
		// used is the budget spent, when opts has none a fresh one of
		// DefaultMaxBytes is used and checked.
		used int64
	}{
		{name: "index past a minimum list", encoded: zeros(t, min16), index: MinEntries, want: ErrRange, used: int64(min16)},
		{name: "negative index", encoded: zeros(t, min16), index: -1, want: ErrRange},
		{name: "index past MaxIndex", encoded: zeros(t, min16), index: MaxIndex + 1, want: ErrRange},
		{name: "status size 65", encoded: zeros(t, min16), size: 65, want: ErrRange},
		{name: "list one byte short", encoded: zeros(t, min16-1), index: 0, want: ErrListLength, used: int64(min16 - 1)},
		{name: "two-bit list too short", encoded: zeros(t, min16), size: 2, index: 0, want: ErrListLength, used: int64(min16)},
		{name: "malformed base64", encoded: "u!!!", want: ErrMalformed},
		{name: "not gzip", encoded: u([]byte("plain text, not gzip")), want: ErrMalformed},
		{name: "truncated gzip", encoded: u(gz(t, make([]byte, 1<<20))[:40]), index: 5, want: ErrMalformed},
		// The bomb inflates to 64 MiB, but the entry is in its first bytes:
		// only the minimum list is inflated.
		{name: "bomb read at its start", encoded: zeros(t, 64<<20), index: 3, used: int64(min16)},
		{name: "bomb read past the cap", encoded: zeros(t, 64<<20), index: 8 * (2 << 20), opts: DecodeOptions{MaxBytes: 1 << 20}, want: ErrTooLarge, used: 1<<20 + 1},
		{name: "short list read past the cap is out of range", encoded: zeros(t, 1<<20), index: 8 * (2 << 20), opts: DecodeOptions{MaxBytes: 1 << 20}, want: ErrRange, used: 1 << 20},
		{name: "budget spent", encoded: zeros(t, 4<<20), index: 8*(4<<20) - 1, opts: DecodeOptions{Budget: NewBudget(1 << 20)}, want: ErrBudget, used: 1 << 20},
		{name: "budget enough", encoded: zeros(t, 4<<20), index: 8*(4<<20) - 1, opts: DecodeOptions{Budget: NewBudget(4 << 20)}, used: 4 << 20},
		{name: "canceled", encoded: zeros(t, min16), ctx: canceled, want: context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			opts := tc.opts
			if opts.Budget == nil {
				opts.Budget = NewBudget(DefaultMaxBytes)
			}
			_, err := Lookup(ctx, tc.encoded, tc.size, tc.index, opts)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err != nil && !errors.Is(err, context.Canceled) && Code(err) == "" {
				t.Fatalf("error without a spec code: %v", err)
			}
			if tc.used != 0 && opts.Budget.Used() != tc.used {
				t.Fatalf("budget used %d, want %d", opts.Budget.Used(), tc.used)
			}
			if opts.Budget.Used() > opts.Budget.Limit() {
				t.Fatalf("budget used %d over its limit %d", opts.Budget.Used(), opts.Budget.Limit())
			}
		})
	}
}

// One budget shared by several lists stops the one that would overspend it,
// wherever the chunk boundaries fall.
func TestBudgetShared(t *testing.T) {
	const limit = 3<<20 + 12345
	b := NewBudget(limit)
	enc := zeros(t, 2<<20)
	var errs []error
	for range 3 {
		_, err := Lookup(context.Background(), enc, 1, 8*(2<<20)-1, DecodeOptions{Budget: b})
		errs = append(errs, err)
	}
	if errs[0] != nil || !errors.Is(errs[1], ErrBudget) || !errors.Is(errs[2], ErrBudget) {
		t.Fatalf("errors %v, want nil then ErrBudget twice", errs)
	}
	if b.Used() != limit {
		t.Fatalf("used %d, want the whole budget %d", b.Used(), limit)
	}
	if _, err := Decode(enc, 1, DecodeOptions{Budget: NewBudget(1 << 20)}); !errors.Is(err, ErrBudget) {
		t.Fatalf("Decode over budget: %v, want ErrBudget", err)
	}
}

// BenchmarkLookupBomb reads the last entry of a list that inflates to the
// 16 MiB cap: time and memory of the worst list a verifier accepts.
func BenchmarkLookupBomb(b *testing.B) {
	enc := zeros(b, DefaultMaxBytes)
	b.ReportAllocs()
	b.SetBytes(DefaultMaxBytes)
	for b.Loop() {
		if _, err := Lookup(context.Background(), enc, 1, 8*DefaultMaxBytes-1, DecodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
