package status

import (
	"errors"
	"sync"
	"testing"
)

func TestDecodeCache(t *testing.T) {
	l := mustNew(t, MinEntries, 2)
	mustSet(t, l, 5, 3)
	enc, err := l.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var c DecodeCache
	for _, tc := range []struct {
		name    string
		encoded string
		size    int
		opts    DecodeOptions
		want    uint64
		wantErr error
	}{
		{name: "two-bit entries", encoded: enc, size: 2, want: 3},
		{name: "same list read as one-bit entries", encoded: enc, size: 1, want: 1},
		{name: "legacy options", encoded: enc, size: 2, opts: DecodeOptions{Legacy: true}, want: 3},
		{name: "cap below the list", encoded: enc, size: 2, opts: DecodeOptions{MaxBytes: 1024}, wantErr: ErrTooLarge},
		{name: "malformed", encoded: "u!!", size: 1, wantErr: ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			index := 5
			if tc.size == 1 {
				index = 10 // the first bit of entry 5 at two bits
			}
			cached := tc.opts
			cached.Cache = &c
			for round := range 2 {
				plain, plainErr := Decode(tc.encoded, tc.size, tc.opts)
				got, err := Decode(tc.encoded, tc.size, cached)
				if !errors.Is(err, tc.wantErr) || !errors.Is(plainErr, tc.wantErr) {
					t.Fatalf("round %d: cached error %v, uncached %v, want %v", round, err, plainErr, tc.wantErr)
				}
				if err != nil {
					if err.Error() != plainErr.Error() {
						t.Fatalf("round %d: cached error %q, uncached %q", round, err, plainErr)
					}
					continue
				}
				v, err := got.Get(index)
				if err != nil {
					t.Fatal(err)
				}
				pv, _ := plain.Get(index)
				if v != tc.want || pv != tc.want || got.Len() != plain.Len() {
					t.Fatalf("round %d: cached %d (len %d), uncached %d (len %d), want %d", round, v, got.Len(), pv, plain.Len(), tc.want)
				}
			}
		})
	}
	first, err := Decode(enc, 2, DecodeOptions{Cache: &c})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Decode(enc, 2, DecodeOptions{Cache: &c})
	if err != nil {
		t.Fatal(err)
	}
	if first != again {
		t.Fatal("the cache decoded the same list twice")
	}
}

func TestDecodeCacheConcurrent(t *testing.T) {
	l := mustNew(t, MinEntries, 1)
	mustSet(t, l, 77, 1)
	enc, err := l.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var c DecodeCache
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := Decode(enc, 1, DecodeOptions{Cache: &c})
			if err != nil {
				t.Error(err)
				return
			}
			if v, _ := got.Get(77); v != 1 {
				t.Errorf("entry 77 = %d, want 1", v)
			}
		})
	}
	wg.Wait()
}

func BenchmarkDecodeCachedAndGet(b *testing.B) {
	enc, err := sparseList(b).Encode()
	if err != nil {
		b.Fatal(err)
	}
	var c DecodeCache
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l, err := Decode(enc, 1, DecodeOptions{Cache: &c})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.Get(i % MinEntries); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}
