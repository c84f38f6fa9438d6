package bake_test

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/bake"
)

// benchCredential is a credential of a typical signed size (about 4 KiB).
var benchCredential = []byte(`{"description":"` + strings.Repeat("x", 4000) + `"}`)

func benchSVG() []byte {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256">`)
	for i := range 500 {
		b.WriteString(`<rect x="` + string(rune('0'+i%10)) + `" y="1" width="2" height="3" fill="#1166aa"/>`)
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// noisePNG is a 256×256 image that does not compress: about 260 KiB.
func noisePNG(b *testing.B) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	x := uint32(2463534242)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = uint8(x)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkPNG(b *testing.B) {
	img := noisePNG(b)
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bake.PNG(img, benchCredential); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExtractPNG(b *testing.B) {
	img, err := bake.PNG(noisePNG(b), benchCredential)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bake.ExtractPNG(img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSVG(b *testing.B) {
	svg := benchSVG()
	b.SetBytes(int64(len(svg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bake.SVG(svg, benchCredential); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExtractSVG(b *testing.B) {
	svg, err := bake.SVG(benchSVG(), benchCredential)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(svg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bake.ExtractSVG(svg); err != nil {
			b.Fatal(err)
		}
	}
}
