package bake_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// sampleJSON is a small credential; baking does not verify it, so it need
// not be signed.
const sampleJSON = `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"urn:uuid:7d2c7a44-2d0f-4a3e-8f36-7a3a2c1d9e01","type":["VerifiableCredential","OpenBadgeCredential"],"name":"Applied Data Analysis","proof":[{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofValue":"z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKxVQgkCUDTV1xsvk5"}]}`

// sampleJWS builds a compact JWS-shaped string; its signature is not real.
func sampleJWS() string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"EdDSA","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(`{"iss":"did:example:issuer","vc":{"type":["VerifiableCredential","OpenBadgeCredential"]}}`)) + "." +
		enc.EncodeToString(bytes.Repeat([]byte{0xA5}, 64))
}

// tinyPNG encodes a w×h image with the standard library's encoder.
func tinyPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 37), uint8(y * 91), uint8(x ^ y), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const sampleSVG = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a badge -->
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <circle cx="32" cy="32" r="30" fill="#1a6"/>
  <text x="32" y="38" text-anchor="middle">OB</text>
</svg>
`

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pngChunkAt returns the offset of the n-th chunk of type typ in img.
func pngChunkAt(t testing.TB, img []byte, typ string) int {
	t.Helper()
	off := 8
	for off+12 <= len(img) {
		n := int(binary.BigEndian.Uint32(img[off:]))
		if string(img[off+4:off+8]) == typ {
			return off
		}
		off += 12 + n
	}
	t.Fatalf("no %s chunk", typ)
	return 0
}

// chunk builds a PNG chunk with a correct CRC.
func chunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
}

// insertBefore inserts raw chunk bytes before the first chunk of type typ.
func insertBefore(t testing.TB, img []byte, typ string, raw []byte) []byte {
	t.Helper()
	at := pngChunkAt(t, img, typ)
	out := append([]byte{}, img[:at]...)
	out = append(out, raw...)
	return append(out, img[at:]...)
}
