package proof

import "crypto/ed25519"

// base58Alphabet is base58btc's: the digit of value k is base58Alphabet[k].
const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Digits maps a byte to its base58btc value, -1 for a byte outside
// the alphabet. It is never written after it is made.
var base58Digits = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for k := range len(base58Alphabet) {
		t[base58Alphabet[k]] = int8(k) //nolint:gosec // G115: k < 58
	}
	return t
}()

// base58Chunk is how many digits decodeSignature takes at a time:
// 58^5 < 2^32, so a limb times it plus a carry fits in 64 bits.
const (
	base58Chunk    = 5
	base58ChunkMul = 58 * 58 * 58 * 58 * 58
)

// decodeSignature decodes s, base58btc text, when it is the text of a
// signature decodeProofValue accepts (64 or 96 bytes); ok is false for
// anything else, which decodeProofValue leaves to the general decoder and
// its errors. The decoding is one-to-one (s's leading '1's are the
// signature's leading zero bytes, the other digits the number the rest
// spells, without leading zeros), so the text of what it returns is s:
// no encoding back is needed to know that s is canonical.
func decodeSignature(s string) (_ []byte, ok bool) {
	if len(s) == 0 || len(s) > maxProofValueLen {
		return nil, false
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// The number, in 32-bit limbs, least significant first; used limbs
	// are 0..top-1.
	var limbs [p384SignatureLen / 4]uint32
	top := 0
	for i := zeros; i < len(s); {
		mul, add := uint64(1), uint64(0)
		for end := min(i+base58Chunk, len(s)); i < end; i++ {
			d := base58Digits[s[i]]
			if d < 0 {
				return nil, false
			}
			mul *= 58
			add = add*58 + uint64(d) //nolint:gosec // G115: d >= 0
		}
		carry := add
		for k := range top {
			t := uint64(limbs[k])*mul + carry
			limbs[k], carry = uint32(t), t>>32 //nolint:gosec // G115: the low 32 bits
		}
		if carry != 0 {
			if top == len(limbs) {
				return nil, false
			}
			limbs[top] = uint32(carry) //nolint:gosec // G115: carry < 2^32
			top++
		}
	}
	// The number's bytes, big-endian, without leading zeros.
	var be [p384SignatureLen]byte
	nb := 0
	for k := top - 1; k >= 0; k-- {
		for shift := 24; shift >= 0; shift -= 8 {
			b := byte(limbs[k] >> shift) //nolint:gosec // G115: one byte of the limb
			if nb == 0 && b == 0 {
				continue
			}
			be[nb] = b
			nb++
		}
	}
	n := zeros + nb
	if n != ed25519.SignatureSize && n != p384SignatureLen {
		return nil, false
	}
	sig := make([]byte, n)
	copy(sig[zeros:], be[:nb])
	return sig, true
}
