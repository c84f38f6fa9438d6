package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/internal/testkit"
)

// specEmptyList is the empty 16 KiB list given by Bitstring Status List 1.0.
const specEmptyList = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

func mustNew(t testing.TB, entries, size int) *List {
	t.Helper()
	l, err := New(entries, size)
	if err != nil {
		t.Fatalf("New(%d, %d): %v", entries, size, err)
	}
	return l
}

func mustSet(t testing.TB, l *List, index int, v uint64) {
	t.Helper()
	if err := l.Set(index, v); err != nil {
		t.Fatalf("Set(%d, %d): %v", index, v, err)
	}
}

// gz compresses raw the way a third-party issuer might.
func gz(t testing.TB, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func u(b []byte) string { return "u" + base64.RawURLEncoding.EncodeToString(b) }

func TestBitOrder(t *testing.T) {
	tests := []struct {
		name  string
		size  int
		index int
		value uint64
		want  map[int]byte // non-zero bytes of the bitstring
	}{
		{"index 0 is the leftmost bit", 1, 0, 1, map[int]byte{0: 0x80}},
		{"index 7 is the last bit of byte 0", 1, 7, 1, map[int]byte{0: 0x01}},
		{"index 9 is 0x40 of byte 1", 1, 9, 1, map[int]byte{1: 0x40}},
		{"last index", 1, MinEntries - 1, 1, map[int]byte{MinEntries/8 - 1: 0x01}},
		{"2-bit high bit first", 2, 1, 0b10, map[int]byte{0: 0x20}},
		{"2-bit low bit second", 2, 1, 0b01, map[int]byte{0: 0x10}},
		{"3-bit entry spans bytes", 3, 2, 0b101, map[int]byte{0: 0x02, 1: 0x80}},
		{"8-bit entry is a whole byte", 8, 3, 0xA5, map[int]byte{3: 0xA5}},
		{"13-bit entry across three bytes", 13, 1, 0x1FFF, map[int]byte{1: 0x07, 2: 0xFF, 3: 0xC0}},
		{"64-bit entry", 64, 1, 0x8000000000000001, map[int]byte{8: 0x80, 15: 0x01}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustNew(t, MinEntries, tt.size)
			mustSet(t, l, tt.index, tt.value)
			for i, b := range l.bits {
				if b != tt.want[i] {
					t.Errorf("byte %d = %#02x, want %#02x", i, b, tt.want[i])
				}
			}
			got, err := l.Get(tt.index)
			if err != nil || got != tt.value {
				t.Errorf("Get(%d) = %#x, %v; want %#x", tt.index, got, err, tt.value)
			}
		})
	}
}

func TestGetSetAgainstModel(t *testing.T) {
	for _, size := range []int{1, 2, 3, 7, 8, 13, 63, 64} {
		t.Run("size "+strconv.Itoa(size), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(size), 1))
			l := mustNew(t, MinEntries, size)
			model := map[int]uint64{}
			for range 2000 {
				i := rng.IntN(l.Len())
				v := rng.Uint64()
				if size < 64 {
					v &= 1<<size - 1
				}
				if rng.IntN(4) == 0 {
					v = 0 // clearing must not disturb neighbours
				}
				mustSet(t, l, i, v)
				model[i] = v
			}
			for i, want := range model {
				for _, j := range []int{i - 1, i, i + 1} {
					if j < 0 || j >= l.Len() {
						continue
					}
					got, err := l.Get(j)
					if err != nil {
						t.Fatal(err)
					}
					if got != model[j] {
						t.Fatalf("Get(%d) = %#x, want %#x (after setting %d to %#x)", j, got, model[j], i, want)
					}
				}
			}
		})
	}
}

func TestRangeErrors(t *testing.T) {
	l := mustNew(t, MinEntries, 3)
	tests := []struct {
		name string
		op   func() error
	}{
		{"get negative", func() error { _, err := l.Get(-1); return err }},
		{"get at Len", func() error { _, err := l.Get(l.Len()); return err }},
		{"set past end", func() error { return l.Set(l.Len()+5, 1) }},
		{"value wider than size", func() error { return l.Set(0, 8) }},
		{"new with size 65", func() error { _, err := New(MinEntries, 65); return err }},
		{"new with negative size", func() error { _, err := New(MinEntries, -1); return err }},
		{"decode with size 65", func() error { _, err := Decode(specEmptyList, 65, DecodeOptions{}); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.op(); !errors.Is(err, ErrRange) {
				t.Fatalf("err = %v, want ErrRange", err)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name        string
		entries     int
		size        int
		wantErr     error
		wantBytes   int
		wantSizeGot int
	}{
		{"minimum", MinEntries, 1, nil, 16384, 1},
		{"zero size means 1", MinEntries, 0, nil, 16384, 1},
		{"partial last byte", MinEntries + 1, 1, nil, 16385, 1},
		{"2-bit", MinEntries, 2, nil, 32768, 2},
		{"one short", MinEntries - 1, 1, ErrListLength, 0, 0},
		{"zero entries", 0, 1, ErrListLength, 0, 0},
		{"negative entries", -5, 1, ErrListLength, 0, 0},
		{"largest decodable", 8 * DefaultMaxBytes, 1, nil, DefaultMaxBytes, 1},
		{"past the default cap", 8*DefaultMaxBytes/4 + 1, 4, ErrTooLarge, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(tt.entries, tt.size)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if len(l.Bytes()) != tt.wantBytes || l.Len() != tt.entries || l.StatusSize() != tt.wantSizeGot {
				t.Fatalf("got %d bytes, %d entries, size %d", len(l.Bytes()), l.Len(), l.StatusSize())
			}
		})
	}
}

func TestSpecEmptyList(t *testing.T) {
	l, err := Decode(specEmptyList, 1, DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 131072 {
		t.Fatalf("Len = %d, want 131072", l.Len())
	}
	if b := l.Bytes(); len(b) != 16384 || !bytes.Equal(b, make([]byte, 16384)) {
		t.Fatalf("spec empty list is not 16384 zero bytes")
	}

	enc, err := mustNew(t, MinEntries, 1).Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "uH4sI") {
		t.Errorf("Encode = %.20s..., want the u + gzip magic prefix uH4sI", enc)
	}
	ours, err := Decode(enc, 1, DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ours.Bytes(), l.Bytes()) {
		t.Fatal("our empty list does not decode to the spec's empty list")
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		entries int
		size    int
		fill    float64
	}{
		{"empty", MinEntries, 1, 0},
		{"sparse", MinEntries, 1, 0.01},
		{"dense", MinEntries, 1, 0.5},
		{"full", MinEntries, 1, 1},
		{"2-bit", MinEntries, 2, 0.1},
		{"odd entries", MinEntries + 3, 5, 0.2},
		{"64-bit", MinEntries, 64, 0.001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tt.entries)))
			l := mustNew(t, tt.entries, tt.size)
			for i := range l.Len() {
				if rng.Float64() < tt.fill {
					v := rng.Uint64() | 1
					if tt.size < 64 {
						v &= 1<<tt.size - 1
					}
					mustSet(t, l, i, v)
				}
			}
			enc, err := l.Encode()
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(enc, tt.size, DecodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), l.Bytes()) {
				t.Fatal("decode(encode(list)) differs from list")
			}
			// Len after Decode counts whole entries in whole bytes.
			if want := len(l.Bytes()) * 8 / tt.size; got.Len() != want {
				t.Fatalf("decoded Len = %d, want %d", got.Len(), want)
			}
		})
	}
}

// legacyFixture is a list whose compressed form is incompressible, so its
// base64 uses '-' or '_' and its length needs padding.
func legacyFixture(t *testing.T) (raw, compressed []byte) {
	t.Helper()
	for seed := uint64(0); seed < 100; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2))
		raw = make([]byte, MinEntries/8)
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		compressed = gz(t, raw)
		url := base64.RawURLEncoding.EncodeToString(compressed)
		if len(compressed)%3 != 0 && strings.ContainsAny(url, "-_") {
			return raw, compressed
		}
	}
	t.Fatal("no fixture exercises padding and the URL-safe alphabet")
	return nil, nil
}

func TestDecodeLegacyForms(t *testing.T) {
	raw, compressed := legacyFixture(t)
	tests := []struct {
		name       string
		encoded    string
		legacy     bool
		wantErr    error
		wantStatus bool
	}{
		{"u prefix", u(compressed), false, nil, true},
		{"u prefix in legacy mode", u(compressed), true, nil, true},
		{"no prefix url raw", base64.RawURLEncoding.EncodeToString(compressed), true, nil, true},
		{"no prefix url padded", base64.URLEncoding.EncodeToString(compressed), true, nil, true},
		{"no prefix std raw", base64.RawStdEncoding.EncodeToString(compressed), true, nil, true},
		{"no prefix std padded", base64.StdEncoding.EncodeToString(compressed), true, nil, true},
		{"no prefix without legacy", base64.RawURLEncoding.EncodeToString(compressed), false, ErrMalformed, false},
		{"std alphabet after u without legacy", "u" + base64.RawStdEncoding.EncodeToString(compressed), false, ErrMalformed, false},
		{"padding after u without legacy", "u" + base64.URLEncoding.EncodeToString(compressed), false, ErrMalformed, false},
		{"mixed alphabets", strings.Replace(base64.RawStdEncoding.EncodeToString(compressed), "A", "-", 1), true, ErrMalformed, false},
		{"too much padding", base64.StdEncoding.EncodeToString(compressed) + "==", true, ErrMalformed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Decode(tt.encoded, 1, DecodeOptions{Legacy: tt.legacy})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && !bytes.Equal(l.Bytes(), raw) {
				t.Fatal("decoded bits differ")
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	valid := gz(t, make([]byte, MinEntries/8))
	truncated := valid[:len(valid)-6]
	badCRC := bytes.Clone(valid)
	badCRC[len(badCRC)-5] ^= 0xff
	trailing := append(bytes.Clone(valid), "junk"...)
	// A bomb: 16 MiB + 1 zero bytes compress to about 16 KiB.
	bomb := gz(t, make([]byte, DefaultMaxBytes+1))
	smallBomb := gz(t, make([]byte, 1<<20))

	tests := []struct {
		name    string
		encoded string
		size    int
		opts    DecodeOptions
		wantErr error
	}{
		{"empty string", "", 1, DecodeOptions{}, ErrMalformed},
		{"only the prefix", "u", 1, DecodeOptions{Legacy: true}, ErrMalformed},
		{"wrong multibase prefix", "z" + base64.RawURLEncoding.EncodeToString(valid), 1, DecodeOptions{}, ErrMalformed},
		{"bad base64 character", "uH4sI!AAA", 1, DecodeOptions{}, ErrMalformed},
		{"bad base64 length", "uH4sIA", 1, DecodeOptions{}, ErrMalformed},
		{"line break", "uH4sI\nAAAA", 1, DecodeOptions{}, ErrMalformed},
		{"not gzip", u([]byte("hello, status list")), 1, DecodeOptions{}, ErrMalformed},
		{"truncated gzip", u(truncated), 1, DecodeOptions{}, ErrMalformed},
		{"bad checksum", u(badCRC), 1, DecodeOptions{}, ErrMalformed},
		{"trailing garbage", u(trailing), 1, DecodeOptions{}, ErrMalformed},
		{"one byte short", u(gz(t, make([]byte, MinEntries/8-1))), 1, DecodeOptions{}, ErrListLength},
		{"empty bitstring", u(gz(t, nil)), 1, DecodeOptions{}, ErrListLength},
		{"16 KiB is short at size 2", u(valid), 2, DecodeOptions{}, ErrListLength},
		{"gzip bomb at the default cap", u(bomb), 1, DecodeOptions{}, ErrTooLarge},
		{"gzip bomb at a small cap", u(smallBomb), 1, DecodeOptions{MaxBytes: 20000}, ErrTooLarge},
		{"exactly at the cap", u(valid), 1, DecodeOptions{MaxBytes: MinEntries / 8}, nil},
		{"one byte over the cap", u(valid), 1, DecodeOptions{MaxBytes: MinEntries/8 - 1}, ErrTooLarge},
		{"encoded string too long", "u" + strings.Repeat("A", 40000), 1, DecodeOptions{MaxBytes: 20000}, ErrTooLarge},
		{"two gzip members", u(append(gz(t, make([]byte, 8192)), gz(t, make([]byte, 8192))...)), 1, DecodeOptions{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Decode(tt.encoded, tt.size, tt.opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil && Code(err) == "" {
				t.Errorf("Code(%v) is empty", err)
			}
			if err == nil && l.Len() < MinEntries {
				t.Errorf("Len = %d", l.Len())
			}
		})
	}
}

func TestCode(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("other"), ""},
		{ErrRange, "RANGE_ERROR"},
		{ErrListLength, "STATUS_LIST_LENGTH_ERROR"},
		{ErrTooLarge, "STATUS_LIST_LENGTH_ERROR"},
		{ErrMalformed, "MALFORMED_VALUE_ERROR"},
		{&FieldError{Field: "statusPurpose", Err: errors.New("x")}, "MALFORMED_VALUE_ERROR"},
		{ErrMismatch, "STATUS_VERIFICATION_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.want+"/"+errString(tt.err), func(t *testing.T) {
			if got := Code(tt.err); got != tt.want {
				t.Fatalf("Code = %q, want %q", got, tt.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// fixtures are the encoded lists in testdata/encoded, with the entries each
// one has set. -update rewrites the generated ones; the spec vector is
// fixed.
var fixtures = []struct {
	file   string
	size   int
	legacy bool
	set    map[int]uint64
	// encode produces the file content from the list; nil means the file is
	// not generated.
	encode func(l *List) (string, error)
}{
	{file: "empty-16k-spec.txt", size: 1},
	{file: "size1-set.txt", size: 1, set: map[int]uint64{0: 1, 9: 1, 42: 1, MinEntries - 1: 1}, encode: (*List).Encode},
	{file: "size2.txt", size: 2, set: map[int]uint64{0: 3, 1: 2, 5: 1, MinEntries - 1: 3}, encode: (*List).Encode},
	{file: "legacy-std-padded.txt", size: 1, legacy: true, set: map[int]uint64{3: 1, 1000: 1},
		encode: func(l *List) (string, error) {
			enc, err := l.Encode()
			if err != nil {
				return "", err
			}
			b, err := base64.RawURLEncoding.DecodeString(enc[1:])
			return base64.StdEncoding.EncodeToString(b), err
		}},
}

func TestFixtures(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.file, func(t *testing.T) {
			path := filepath.Join("testdata", "encoded", fx.file)
			if testkit.Update() && fx.encode != nil {
				l := mustNew(t, MinEntries, fx.size)
				for i, v := range fx.set {
					mustSet(t, l, i, v)
				}
				enc, err := fx.encode(l)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(enc), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Decode(strings.TrimSpace(string(data)), fx.size, DecodeOptions{Legacy: fx.legacy})
			if err != nil {
				t.Fatal(err)
			}
			for i := range l.Len() {
				got, err := l.Get(i)
				if err != nil {
					t.Fatal(err)
				}
				if got != fx.set[i] {
					t.Fatalf("entry %d = %d, want %d", i, got, fx.set[i])
				}
			}
		})
	}
}
