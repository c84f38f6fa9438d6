package status

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// seedFiles adds every file under testdata/dir to the corpus.
func seedFiles(f *testing.F, dir string, add func(data []byte)) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds in testdata/%s: %v", dir, err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		add(data)
	}
}

// FuzzDecode checks that Decode never panics, that every error maps to a
// spec error code, and that decode(encode(x)) == x both for lists Decode
// accepted and for bitstrings built from the raw input.
func FuzzDecode(f *testing.F) {
	seedFiles(f, "encoded", func(data []byte) {
		s := strings.TrimSpace(string(data))
		f.Add(s, false, uint8(1))
		f.Add(s, true, uint8(2))
	})
	f.Add("", false, uint8(0))
	f.Add("uH4sI", true, uint8(8))
	f.Fuzz(func(t *testing.T, encoded string, legacy bool, size uint8) {
		statusSize := int(size%MaxStatusSize) + 1
		// A small cap keeps each run fast; the cap logic is what is fuzzed.
		opts := DecodeOptions{MaxBytes: 1 << 20, Legacy: legacy}
		l, err := Decode(encoded, statusSize, opts)
		if err != nil {
			if Code(err) == "" {
				t.Fatalf("error without a spec code: %v", err)
			}
		} else {
			checkRoundTrip(t, l, opts)
		}

		// Narrow entries keep the raw round trip cheap; width changes only
		// the entry count, not the codec.
		raw, err := New(MinEntries, int(size%8)+1)
		if err != nil {
			t.Fatal(err)
		}
		copy(raw.bits, encoded)
		checkRoundTrip(t, raw, opts)
	})
}

func checkRoundTrip(t *testing.T, l *List, opts DecodeOptions) {
	t.Helper()
	enc, err := l.Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	again, err := Decode(enc, l.StatusSize(), opts)
	if err != nil {
		t.Fatalf("Decode(Encode(list)): %v", err)
	}
	if !bytes.Equal(again.bits, l.bits) || again.Len() != l.Len() {
		t.Fatal("decode(encode(list)) differs from list")
	}
	for _, i := range []int{0, l.Len() / 2, l.Len() - 1} {
		a, errA := l.Get(i)
		b, errB := again.Get(i)
		if a != b || errA != nil || errB != nil {
			t.Fatalf("Get(%d) = %d, %v before and %d, %v after", i, a, errA, b, errB)
		}
	}
}

// FuzzParseEntry checks ParseEntry never panics and that an accepted entry
// survives Map and encoding/json unchanged.
func FuzzParseEntry(f *testing.F) {
	seedFiles(f, "entries", func(data []byte) { f.Add(data) })
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			return
		}
		e, err := ParseEntry(m)
		if err != nil {
			if Code(err) == "" {
				t.Fatalf("error without a spec code: %v", err)
			}
			return
		}
		again, err := ParseEntry(e.Map())
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("ParseEntry(Map()) = %+v, %v; want %+v", again, err, e)
		}
	})
}

// FuzzParseRevocationList checks the 1EdTech body parser never panics and
// agrees with its own Items.
func FuzzParseRevocationList(f *testing.F) {
	seedFiles(f, "revocation", func(data []byte) { f.Add(data) })
	f.Add([]byte(`{"revokedCredential":[{"id":"a","revoked":false},{"id":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rl, err := ParseRevocationList(data)
		if err != nil {
			return
		}
		for _, it := range rl.Items {
			if (it.Revoked == nil || *it.Revoked) && !rl.IsRevoked(it.ID) {
				t.Fatalf("item %q is revoked but IsRevoked is false", it.ID)
			}
		}
	})
}

// FuzzLookup checks that the streaming Lookup agrees with Decode and Get
// on every input: the same value, or errors with the same spec code, and
// never more inflated than the cap (plus the byte that detects it).
func FuzzLookup(f *testing.F) {
	seedFiles(f, "encoded", func(data []byte) {
		s := strings.TrimSpace(string(data))
		f.Add(s, false, uint8(1), uint32(0))
		f.Add(s, true, uint8(2), uint32(MinEntries/2-1))
	})
	f.Add("uH4sI", true, uint8(8), uint32(7))
	f.Fuzz(func(t *testing.T, encoded string, legacy bool, size uint8, index uint32) {
		statusSize := int(size%MaxStatusSize) + 1
		const maxBytes = 1 << 20
		opts := DecodeOptions{MaxBytes: maxBytes, Legacy: legacy, Budget: NewBudget(4 << 20)}
		got, err := Lookup(context.Background(), encoded, statusSize, int(index), opts)
		if used := opts.Budget.Used(); used > maxBytes+1 {
			t.Fatalf("inflated %d bytes, cap %d", used, maxBytes)
		}
		l, derr := Decode(encoded, statusSize, DecodeOptions{MaxBytes: maxBytes, Legacy: legacy})
		var want uint64
		if derr == nil {
			want, derr = l.Get(int(index))
		}
		switch {
		case err == nil && derr == nil:
			if got != want {
				t.Fatalf("Lookup = %d, Decode and Get = %d", got, want)
			}
		case err != nil && Code(err) == "":
			t.Fatalf("Lookup error without a spec code: %v", err)
		case err == nil && !errors.Is(derr, ErrTooLarge) && !errors.Is(derr, ErrMalformed):
			// Lookup stops at the entry, so only a problem after it (a
			// list past the cap, a corrupt tail) may go unseen.
			t.Fatalf("Lookup = %d, but Decode and Get fail: %v", got, derr)
		case err != nil && derr == nil:
			t.Fatalf("Lookup fails (%v), Decode and Get = %d", err, want)
		}
	})
}
