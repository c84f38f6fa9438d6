package verifier_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// noisePNG encodes a w×h image of pseudo-random pixels, so it does not
// compress and its size tracks w×h.
func noisePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	x := uint32(2463534242)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = uint8(x)
	}
	img.Set(0, 0, color.NRGBA{A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const badgeSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30"/></svg>`

func mustBake(t testing.TB, img, cred []byte) []byte {
	t.Helper()
	out, _, err := bake.Bake(img, cred)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withCompressedCredential adds a zlib-compressed openbadgecredential iTXt
// chunk holding text before IEND.
func withCompressedCredential(t testing.TB, img, text []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(text)
	w.Close()
	data := append([]byte(bake.Keyword+"\x00\x01\x00\x00\x00"), z.Bytes()...)
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, "iTXt"...)
	c = append(c, data...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	iend := len(img) - 12
	return append(append(bytes.Clone(img[:iend]), c...), img[iend:]...)
}

func TestVerifyBakedImages(t *testing.T) {
	k := newKey(t, 7)
	good := sign(t, unsigned(t, k), k.priv, k.vm, proof.EddsaRdfc2022)
	goodJSON := encode(t, good)
	tampered := clone(t, good)
	achievement(tampered)["name"] = "Brain Surgery"
	tamperedJSON := encode(t, tampered)
	small := noisePNG(t, 8, 8)
	big := noisePNG(t, 128, 128) // about 64 KiB
	enc := base64.RawURLEncoding
	jws := enc.EncodeToString([]byte(`{"alg":"EdDSA"}`)) + "." + enc.EncodeToString(goodJSON) + "." + enc.EncodeToString(make([]byte, 64))

	tests := []struct {
		name string
		data []byte
		opts verifier.Options
		// failing is the check that must fail; "" means valid.
		failing verifier.CheckName
		// undecided is the check that could not run, for a could-not-check verdict.
		undecided verifier.CheckName
		// reason is a fragment the parse check's reason must carry.
		reason string
	}{
		{name: "png", data: mustBake(t, small, goodJSON), reason: "png image"},
		{name: "svg", data: mustBake(t, []byte(badgeSVG), goodJSON), reason: "svg image"},
		{name: "compressed png chunk", data: withCompressedCredential(t, small, goodJSON), reason: "png image"},
		{name: "png over MaxSize, credential within it", data: mustBake(t, big, goodJSON),
			opts: verifier.Options{MaxSize: int64(len(goodJSON)) + 16}, reason: "png image"},
		{name: "tampered credential in png", data: mustBake(t, small, tamperedJSON), failing: verifier.CheckProof},
		{name: "tampered credential in svg", data: mustBake(t, []byte(badgeSVG), tamperedJSON), failing: verifier.CheckProof},
		{name: "png not baked", data: small, failing: verifier.CheckParse, reason: bake.ErrNotBaked.Error()},
		{name: "svg not baked", data: []byte(badgeSVG), failing: verifier.CheckParse, reason: bake.ErrNotBaked.Error()},
		{name: "corrupt png", data: func() []byte {
			b := mustBake(t, small, goodJSON)
			b[len(b)-20] ^= 0xff // inside the credential text
			return b
		}(), failing: verifier.CheckParse, reason: "crc"},
		{name: "svg with entity declarations", data: []byte(`<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential>&x;</openbadges:credential></svg>`),
			failing: verifier.CheckParse, reason: "DOCTYPE"},
		{name: "image over MaxImageSize", data: mustBake(t, big, goodJSON), opts: verifier.Options{MaxImageSize: 32 << 10},
			failing: verifier.CheckParse, reason: "limit"},
		{name: "baked credential over MaxSize", data: mustBake(t, small, goodJSON), opts: verifier.Options{MaxSize: 512},
			failing: verifier.CheckParse, reason: "limit"},
		{name: "compression bomb", data: withCompressedCredential(t, small, append([]byte("{"), bytes.Repeat([]byte(" "), 8<<20)...)),
			failing: verifier.CheckParse, reason: "limit"},
		// The test token has no kid, so it reaches the JWT path and its
		// proof could not be checked: the header names no key.
		{name: "jws baked in png", data: mustBake(t, small, []byte(jws)), undecided: verifier.CheckProof},
		{name: "bare jws", data: []byte(jws), undecided: verifier.CheckProof},
		{name: "json still accepted", data: goodJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Now = func() time.Time { return now }
			v, err := verifier.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), tc.data)
			if res == nil || len(res.Checks) != 8 {
				t.Fatalf("result %+v, err %v", res, err)
			}
			parse := res.Check(verifier.CheckParse)
			if !strings.Contains(parse.Reason, tc.reason) {
				t.Errorf("parse reason %q lacks %q", parse.Reason, tc.reason)
			}
			if tc.undecided != "" {
				var ie *verifier.InconclusiveError
				if !errors.As(err, &ie) || ie.Check != tc.undecided || res.Verdict != verifier.VerdictCouldNotCheck {
					t.Fatalf("want could not check %s, got %v (%s)", tc.undecided, err, res.Verdict)
				}
				return
			}
			if tc.failing == "" {
				if err != nil || !res.Valid {
					t.Fatalf("want valid, got %v: %+v", err, res.Checks)
				}
				return
			}
			var ve *verifier.VerificationError
			if !errors.As(err, &ve) || res.Valid {
				t.Fatalf("want a VerificationError, got %v", err)
			}
			if f := res.Failed(); f == nil || f.Check != tc.failing {
				t.Fatalf("first failure %+v, want %s", f, tc.failing)
			}
		})
	}
}

func TestNewRejectsNegativeMaxImageSize(t *testing.T) {
	if _, err := verifier.New(verifier.Options{MaxImageSize: -1}); err == nil {
		t.Fatal("negative MaxImageSize accepted")
	}
}
