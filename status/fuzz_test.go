package status

import (
	"bytes"
	"encoding/json"
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
