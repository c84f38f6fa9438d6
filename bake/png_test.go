package bake_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/internal/testkit"
)

func TestPNGRoundTrip(t *testing.T) {
	images := map[string][]byte{
		"generated 3x2":    tinyPNG(t, 3, 2),
		"generated 64x64":  tinyPNG(t, 64, 64),
		"testdata fixture": readTestdata(t, "badge.png"),
	}
	creds := []struct {
		name string
		cred string
		want string
	}{
		{"json", sampleJSON, sampleJSON},
		{"jws", sampleJWS(), sampleJWS()},
		{"json with surrounding white space", "\n  " + sampleJSON + "\n", sampleJSON},
		{"jws with a trailing newline", sampleJWS() + "\n", sampleJWS()},
	}
	for iname, img := range images {
		for _, c := range creds {
			t.Run(iname+"/"+c.name, func(t *testing.T) {
				baked, err := bake.PNG(img, []byte(c.cred))
				if err != nil {
					t.Fatal(err)
				}
				got, err := bake.ExtractPNG(baked)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != c.want {
					t.Fatalf("extracted %q, want %q", got, c.want)
				}
				// The standard decoder checks every CRC and the image data.
				if _, err := png.Decode(bytes.NewReader(baked)); err != nil {
					t.Fatalf("baked image does not decode: %v", err)
				}
				if _, err := bake.ExtractPNG(img); !errors.Is(err, bake.ErrNotBaked) {
					t.Fatalf("the input was modified, or is baked: %v", err)
				}
			})
		}
	}
}

// TestPNGChunkLayout checks the bytes the spec prescribes: an iTXt chunk
// right before IEND with flag 0, method 0 and empty language fields.
func TestPNGChunkLayout(t *testing.T) {
	img := tinyPNG(t, 2, 2)
	baked, err := bake.PNG(img, []byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	at := pngChunkAt(t, baked, "iTXt")
	n := int(binary.BigEndian.Uint32(baked[at:]))
	data := baked[at+8 : at+8+n]
	want := "openbadgecredential\x00\x00\x00\x00\x00" + sampleJSON
	if string(data) != want {
		t.Fatalf("iTXt data = %q, want %q", data, want)
	}
	if end := at + 12 + n; string(baked[end+4:end+8]) != "IEND" || end+12 != len(baked) {
		t.Fatal("the iTXt chunk is not immediately before IEND")
	}
	if !bytes.Equal(baked[:at], img[:len(img)-12]) {
		t.Fatal("chunks before the credential were changed")
	}
	// The goldens bake the committed badge.png: png.Encode's bytes (tinyPNG)
	// change between Go releases.
	if baked, err = bake.PNG(readTestdata(t, "badge.png"), []byte(sampleJSON)); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, filepath.Join("testdata", "baked-json.png"), baked)
	jws, err := bake.PNG(readTestdata(t, "badge.png"), readTestdata(t, "credential.jwt"))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, filepath.Join("testdata", "baked-jws.png"), jws)
}

func TestPNGRebakeReplaces(t *testing.T) {
	img := tinyPNG(t, 4, 4)
	// A foreign iTXt chunk must survive re-baking untouched.
	other := chunk("iTXt", []byte("Comment\x00\x00\x00en\x00Comment\x00hello"))
	img = insertBefore(t, img, "IDAT", other)
	first, err := bake.PNG(img, []byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	second, err := bake.PNG(first, []byte(sampleJWS()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := bake.ExtractPNG(second)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != sampleJWS() {
		t.Fatalf("extracted %q after re-baking", got)
	}
	if n := bytes.Count(second, []byte(bake.Keyword)); n != 1 {
		t.Fatalf("%d credential chunks after re-baking, want 1", n)
	}
	if !bytes.Contains(second, other) {
		t.Fatal("foreign iTXt chunk lost")
	}
	if len(second) != len(img)+12+len(bake.Keyword)+5+len(sampleJWS()) {
		t.Fatalf("re-baked image is %d bytes", len(second))
	}
}

func TestExtractPNGRefusesTwoChunks(t *testing.T) {
	img := tinyPNG(t, 2, 2)
	a := chunk("iTXt", []byte("openbadgecredential\x00\x00\x00\x00\x00"+`{"first":true}`))
	b := chunk("iTXt", []byte("openbadgecredential\x00\x01\x00\x00\x00"+string(zlibBytes(t, []byte(`{"second":true}`)))))
	img = insertBefore(t, img, "IEND", append(a, b...))
	got, err := bake.ExtractPNG(img)
	if !errors.Is(err, bake.ErrDuplicateCredential) || !errors.Is(err, bake.ErrMalformedImage) {
		t.Fatalf("got %q, %v; want ErrDuplicateCredential", got, err)
	}
	if !strings.Contains(err.Error(), "offsets") {
		t.Errorf("error %q does not locate the chunks", err)
	}
	// Apart, before and after the image data, they are refused as well.
	split := insertBefore(t, insertBefore(t, tinyPNG(t, 2, 2), "IDAT", a), "IEND", b)
	if _, err := bake.ExtractPNG(split); !errors.Is(err, bake.ErrDuplicateCredential) {
		t.Fatalf("chunks apart: %v, want ErrDuplicateCredential", err)
	}
	// Re-baking removes both.
	baked, err := bake.PNG(img, []byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(baked, []byte(bake.Keyword)); n != 1 {
		t.Fatalf("%d credential chunks, want 1", n)
	}
}

func zlibBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExtractPNGChunkVariants(t *testing.T) {
	bomb := zlibBytes(t, append([]byte("{"), bytes.Repeat([]byte(" "), 4<<20)...))
	tests := []struct {
		name   string
		data   []byte // iTXt chunk data
		limits bake.Limits
		want   string
		err    error
	}{
		{name: "plain", data: []byte("openbadgecredential\x00\x00\x00\x00\x00" + sampleJSON), want: sampleJSON},
		{name: "language tag and translated keyword", data: []byte("openbadgecredential\x00\x00\x00en-GB\x00Credential\x00" + sampleJSON), want: sampleJSON},
		{name: "compressed", data: append([]byte("openbadgecredential\x00\x01\x00\x00\x00"), zlibBytes(t, []byte(sampleJSON))...), want: sampleJSON},
		{name: "decompression bomb", data: append([]byte("openbadgecredential\x00\x01\x00\x00\x00"), bomb...), limits: bake.Limits{MaxCredentialSize: 1 << 20}, err: bake.ErrTooLarge},
		{name: "corrupt zlib stream", data: []byte("openbadgecredential\x00\x01\x00\x00\x00xyzzy"), err: bake.ErrMalformedImage},
		{name: "unknown compression method", data: append([]byte("openbadgecredential\x00\x01\x07\x00\x00"), zlibBytes(t, []byte(sampleJSON))...), err: bake.ErrMalformedImage},
		{name: "compression flag 2", data: []byte("openbadgecredential\x00\x02\x00\x00\x00{}"), err: bake.ErrMalformedImage},
		{name: "truncated after keyword", data: []byte("openbadgecredential\x00\x00"), err: bake.ErrMalformedImage},
		{name: "unterminated language tag", data: []byte("openbadgecredential\x00\x00\x00en"), err: bake.ErrMalformedImage},
		{name: "empty text", data: []byte("openbadgecredential\x00\x00\x00\x00\x00 "), err: bake.ErrMalformedImage},
		{name: "text over the limit", data: []byte("openbadgecredential\x00\x00\x00\x00\x00" + sampleJSON), limits: bake.Limits{MaxCredentialSize: 16}, err: bake.ErrTooLarge},
		{name: "other keyword", data: []byte("openbadges\x00\x00\x00\x00\x00" + sampleJSON), err: bake.ErrNotBaked},
		{name: "keyword without separator", data: []byte("openbadgecredential"), err: bake.ErrNotBaked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := insertBefore(t, tinyPNG(t, 2, 2), "IEND", chunk("iTXt", tc.data))
			got, err := tc.limits.ExtractPNG(img)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

func TestPNGMalformed(t *testing.T) {
	base := tinyPNG(t, 8, 8)
	baked, err := bake.PNG(base, []byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(img []byte, f func(b []byte) []byte) []byte { return f(bytes.Clone(img)) }
	idat := pngChunkAt(t, baked, "IDAT")
	itxt := pngChunkAt(t, baked, "iTXt")
	tests := []struct {
		name   string
		img    []byte
		limits bake.Limits
		err    error
		// msg is a fragment the error must carry.
		msg string
	}{
		{name: "empty", img: nil, err: bake.ErrMalformedImage, msg: "signature"},
		{name: "not a png", img: []byte("GIF89a.........."), err: bake.ErrMalformedImage, msg: "signature"},
		{name: "signature only", img: baked[:8], err: bake.ErrMalformedImage, msg: "IEND"},
		{name: "corrupt image data byte", img: edit(baked, func(b []byte) []byte { b[idat+10] ^= 0x40; return b }), err: bake.ErrMalformedImage, msg: `"IDAT"`},
		{name: "corrupt credential byte", img: edit(baked, func(b []byte) []byte { b[itxt+40] ^= 0x01; return b }), err: bake.ErrMalformedImage, msg: "crc"},
		{name: "corrupt crc", img: edit(baked, func(b []byte) []byte { b[len(b)-1] ^= 0xff; return b }), err: bake.ErrMalformedImage, msg: `"IEND"`},
		{name: "huge declared length", img: edit(baked, func(b []byte) []byte { binary.BigEndian.PutUint32(b[idat:], 0x7ffffff0); return b }), err: bake.ErrMalformedImage, msg: "only"},
		{name: "length over 2^31-1", img: edit(baked, func(b []byte) []byte { binary.BigEndian.PutUint32(b[idat:], 0xffffffff); return b }), err: bake.ErrMalformedImage, msg: "2^31-1"},
		{name: "bad chunk type", img: edit(baked, func(b []byte) []byte { b[idat+5] = '1'; return b }), err: bake.ErrMalformedImage, msg: "type"},
		{name: "trailing data", img: append(bytes.Clone(baked), "junk"...), err: bake.ErrMalformedImage, msg: "after IEND"},
		{name: "IHDR not first", img: edit(base, func(b []byte) []byte {
			return append(append(bytes.Clone(b[:8]), chunk("tEXt", []byte("a\x00b"))...), b[8:]...)
		}), err: bake.ErrMalformedImage, msg: "IHDR"},
		{name: "second IHDR", img: insertBefore(t, base, "IEND", base[8:33]), err: bake.ErrMalformedImage, msg: "second IHDR"},
		{name: "IEND with data", img: append(bytes.Clone(base[:len(base)-12]), chunk("IEND", []byte{1})...), err: bake.ErrMalformedImage, msg: "IEND"},
		{name: "over the image limit", img: baked, limits: bake.Limits{MaxImageSize: 100}, err: bake.ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.limits.ExtractPNG(tc.img)
			if !errors.Is(err, tc.err) || !strings.Contains(errString(err), tc.msg) {
				t.Fatalf("extract: err = %v, want %v containing %q", err, tc.err, tc.msg)
			}
			if _, err := tc.limits.PNG(tc.img, []byte(sampleJSON)); !errors.Is(err, tc.err) {
				t.Fatalf("bake: err = %v, want %v", err, tc.err)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestPNGTruncated cuts a baked image at every length: each must be
// refused as malformed, never read.
func TestPNGTruncated(t *testing.T) {
	baked, err := bake.PNG(tinyPNG(t, 3, 3), []byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(baked); n++ {
		if _, err := bake.ExtractPNG(baked[:n]); !errors.Is(err, bake.ErrMalformedImage) {
			t.Fatalf("cut at %d: err = %v", n, err)
		}
	}
}

func TestBakeRefusesBadCredential(t *testing.T) {
	img := tinyPNG(t, 2, 2)
	svg := []byte(sampleSVG)
	tests := []struct {
		name   string
		cred   string
		limits bake.Limits
		err    error
	}{
		{"empty", "", bake.Limits{}, bake.ErrInvalidCredential},
		{"plain text", "hello world", bake.Limits{}, bake.ErrInvalidCredential},
		{"truncated json", `{"a":`, bake.Limits{}, bake.ErrInvalidCredential},
		{"json array", `[1,2]`, bake.Limits{}, bake.ErrInvalidCredential},
		{"two segments", "eyJhbGciOiJFZERTQSJ9.eyJ9", bake.Limits{}, bake.ErrInvalidCredential},
		{"jws with a space", "eyJhbGciOiJFZERTQSJ9.ey J9.abc", bake.Limits{}, bake.ErrInvalidCredential},
		{"invalid utf-8", "{\"a\":\"\xff\"}", bake.Limits{}, bake.ErrInvalidCredential},
		{"over the limit", sampleJSON, bake.Limits{MaxCredentialSize: 10}, bake.ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.limits.PNG(img, []byte(tc.cred)); !errors.Is(err, tc.err) {
				t.Errorf("png: err = %v, want %v", err, tc.err)
			}
			if _, err := tc.limits.SVG(svg, []byte(tc.cred)); !errors.Is(err, tc.err) {
				t.Errorf("svg: err = %v, want %v", err, tc.err)
			}
		})
	}
}
