package bake_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgesmith/badgesmith/bake"
)

// seedTestdata adds every file in testdata/ with one of exts as a seed.
func seedTestdata(f *testing.F, exts ...string) {
	f.Helper()
	for _, ext := range exts {
		names, err := filepath.Glob(filepath.Join("testdata", "*"+ext))
		if err != nil {
			f.Fatal(err)
		}
		if len(names) == 0 {
			f.Fatalf("no testdata/*%s seeds", ext)
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

// fuzzLimits keeps each input's work small.
var fuzzLimits = bake.Limits{MaxImageSize: 1 << 20, MaxCredentialSize: 64 << 10}

// FuzzExtractPNG: extraction never panics and only ever fails with a
// sentinel; whenever an image can be baked, extracting from the result gives
// the credential back, and re-baking what was extracted is stable.
func FuzzExtractPNG(f *testing.F) {
	seedTestdata(f, ".png")
	f.Add(tinyPNG(f, 1, 1))
	f.Add(insertBefore(f, tinyPNG(f, 2, 1), "IEND", chunk("iTXt", append([]byte("openbadgecredential\x00\x01\x00\x00\x00"), zlibBytes(f, []byte(sampleJSON))...))))
	f.Fuzz(func(t *testing.T, img []byte) {
		got, err := fuzzLimits.ExtractPNG(img)
		if err != nil && !errors.Is(err, bake.ErrNotBaked) && !errors.Is(err, bake.ErrMalformedImage) && !errors.Is(err, bake.ErrTooLarge) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		baked, berr := fuzzLimits.PNG(img, []byte(sampleJSON))
		if (err == nil || errors.Is(err, bake.ErrNotBaked)) && berr != nil {
			t.Fatalf("extract accepted the image (%v) but bake refused it: %v", err, berr)
		}
		if berr != nil {
			return
		}
		back, err := fuzzLimits.ExtractPNG(baked)
		if err != nil || string(back) != sampleJSON {
			t.Fatalf("bake then extract: %q, %v", back, err)
		}
		if got == nil {
			return
		}
		// Whatever was extracted, if it is a credential, bakes and comes back
		// without its surrounding white space.
		rebaked, err := fuzzLimits.PNG(baked, got)
		if err != nil {
			return
		}
		if back, err := fuzzLimits.ExtractPNG(rebaked); err != nil || !bytes.Equal(back, bytes.TrimSpace(got)) {
			t.Fatalf("re-bake of the extracted credential: %q, %v", back, err)
		}
	})
}

// FuzzExtractSVG: extraction never panics and only fails with a sentinel;
// whenever an SVG can be baked, the result is well-formed and gives the
// credential back, JSON or JWS.
func FuzzExtractSVG(f *testing.F) {
	seedTestdata(f, ".svg")
	f.Add([]byte(sampleSVG))
	f.Add([]byte(billionLaughs))
	f.Add([]byte(`<svg xmlns:c="https://purl.imsglobal.org/clr/v2p0"><c:credential verify="a.b.c"/></svg>`))
	f.Add([]byte(`<svg/>`))
	f.Fuzz(func(t *testing.T, svg []byte) {
		got, err := fuzzLimits.ExtractSVG(svg)
		if err != nil && !errors.Is(err, bake.ErrNotBaked) && !errors.Is(err, bake.ErrMalformedImage) && !errors.Is(err, bake.ErrTooLarge) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		for _, cred := range []string{sampleJSON, `{"d":"]]>"}`, sampleJWS()} {
			baked, err := fuzzLimits.SVG(svg, []byte(cred))
			if err != nil {
				return
			}
			back, err := fuzzLimits.ExtractSVG(baked)
			if err != nil || string(back) != cred {
				t.Fatalf("bake then extract: %q, %v\n%s", back, err, baked)
			}
			if _, err := fuzzLimits.SVG(baked, []byte(cred)); err != nil {
				t.Fatalf("re-baking a baked svg: %v", err)
			}
		}
		if err == nil && (len(got) == 0 || !bytes.Equal(got, bytes.TrimSpace(got))) {
			t.Fatalf("extracted %q: empty or not trimmed", got)
		}
	})
}
