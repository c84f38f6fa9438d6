package proof

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mr-tron/base58"
)

// decodeProofValueGeneral is decodeProofValue without decodeSignature:
// the general decoder, the length check and the text encoded back.
func decodeProofValueGeneral(s string) ([]byte, error) {
	if len(s) > maxProofValueLen {
		return nil, fmt.Errorf("%w: %d characters, more than a signature needs", ErrMalformedProof, len(s))
	}
	if len(s) < 2 || s[0] != 'z' {
		return nil, fmt.Errorf("%w: not base58btc multibase (must start with 'z')", ErrMalformedProof)
	}
	sig, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedProof, err)
	}
	if len(sig) != 64 && len(sig) != p384SignatureLen {
		return nil, fmt.Errorf("%w: signature is %d bytes, want %d (or %d for P-384)", ErrMalformedProof, len(sig), 64, p384SignatureLen)
	}
	if base58.Encode(sig) != s[1:] {
		return nil, fmt.Errorf("%w: non-canonical base58", ErrMalformedProof)
	}
	return sig, nil
}

// sameDecoding reports how decodeProofValue differs from the general
// decoder on s, "" when it does not.
func sameDecoding(s string) string {
	got, gerr := decodeProofValue(s)
	want, werr := decodeProofValueGeneral(s)
	switch {
	case (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error():
		return fmt.Sprintf("error %v, the general decoder's %v", gerr, werr)
	case !bytes.Equal(got, want):
		return fmt.Sprintf("%x, the general decoder's %x", got, want)
	}
	return ""
}

// proofValueCases are texts around what decodeProofValue accepts:
// signatures of every length near 64 and 96 bytes, with leading zero
// bytes, all ones, and their texts with a digit changed, added, dropped
// or replaced by one outside the alphabet, or with leading '1's added.
func proofValueCases(r *rand.Rand) []string {
	var out []string
	for _, n := range []int{0, 1, 32, 63, 64, 65, 95, 96, 97, 100} {
		for _, fill := range []string{"random", "zeros", "ones", "leading zeros"} {
			b := make([]byte, n)
			for i := range b {
				switch fill {
				case "random":
					b[i] = byte(r.Uint32())
				case "ones":
					b[i] = 0xff
				case "leading zeros":
					if i >= 3 {
						b[i] = byte(r.Uint32())
					}
				}
			}
			text := base58.Encode(b)
			out = append(out, "z"+text, "z1"+text, "z"+text+"1", "z"+strings.TrimPrefix(text, "1"))
			if len(text) > 1 {
				i := r.IntN(len(text))
				out = append(out,
					"z"+text[:i]+text[i+1:],
					"z"+text[:i]+string(base58Alphabet[r.IntN(58)])+text[i+1:],
					"z"+text[:i]+"0"+text[i+1:],
					"z"+text[:i]+"\xff"+text[i+1:],
					"z"+text[:i]+"zz"+text[i:],
				)
			}
		}
	}
	return append(out, "", "z", "z1", "u"+base58.Encode(make([]byte, 64)), "z"+strings.Repeat("z", 139), "z"+strings.Repeat("1", 64), "z"+strings.Repeat("1", 96))
}

// TestDecodeSignature: decodeProofValue, whose common case decodeSignature
// decodes without the general decoder, accepts, refuses and returns
// exactly what the general decoder with its canonical check does.
func TestDecodeSignature(t *testing.T) {
	r := rand.New(rand.NewPCG(58, 14))
	accepted := 0
	for range 20 {
		for _, s := range proofValueCases(r) {
			if d := sameDecoding(s); d != "" {
				t.Fatalf("%q: %s", s, d)
			}
			if _, ok := decodeSignature(strings.TrimPrefix(s, "z")); ok {
				accepted++
			}
		}
	}
	if accepted == 0 {
		t.Fatal("decodeSignature decoded nothing")
	}
}

// FuzzDecodeProofValue: on any text, decodeProofValue is the general
// decoder with its canonical check.
func FuzzDecodeProofValue(f *testing.F) {
	for _, s := range proofValueCases(rand.New(rand.NewPCG(5, 8))) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d := sameDecoding(s); d != "" {
			t.Fatalf("%q: %s", s, d)
		}
	})
}

func BenchmarkDecodeProofValue(b *testing.B) {
	sig := make([]byte, 64)
	for i := range sig {
		sig[i] = byte(i*37 + 11)
	}
	s := "z" + base58.Encode(sig)
	b.Run("general", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeProofValueGeneral(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeProofValue(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
