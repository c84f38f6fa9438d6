package testkit

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"math/big"
	"testing"

	"github.com/badgesmith/badgesmith/keys"
)

// RSA returns a deterministic 2048-bit RSA key pair of the seed byte b.
// rsa.GenerateKey cannot be seeded (since Go 1.26 it ignores its reader),
// so the primes are searched for here, from a SHA-256 counter stream of b:
// slow and biased next to the real thing, and for tests only. An RSA key
// has no Multikey or did:key form, so DID, Multikey, VM and SecretMultikey
// are empty.
func RSA(t testing.TB, b byte) Key {
	t.Helper()
	const e = 65537
	stream := counterStream{seed: b}
	bigE := big.NewInt(e)
	for {
		p, q := stream.prime(1024, bigE), stream.prime(1024, bigE)
		if p.Cmp(q) == 0 {
			continue
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != 2048 {
			continue
		}
		one := big.NewInt(1)
		pm, qm := new(big.Int).Sub(p, one), new(big.Int).Sub(q, one)
		gcd := new(big.Int).GCD(nil, nil, pm, qm)
		lambda := new(big.Int).Div(new(big.Int).Mul(pm, qm), gcd)
		d := new(big.Int).ModInverse(bigE, lambda)
		if d == nil {
			continue
		}
		priv := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: e}, D: d, Primes: []*big.Int{p, q}}
		priv.Precompute()
		if err := priv.Validate(); err != nil {
			t.Fatalf("testkit: RSA key of seed %d: %v", b, err)
		}
		kp, err := keys.FromPrivate(priv)
		if err != nil {
			t.Fatalf("testkit: RSA key of seed %d: %v", b, err)
		}
		return Key{KeyPair: *kp}
	}
}

// counterStream is SHA-256(seed || counter), block after block.
type counterStream struct {
	seed    byte
	counter uint64
}

func (s *counterStream) read(n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	for len(out) < n {
		var in [9]byte
		in[0] = s.seed
		binary.BigEndian.PutUint64(in[1:], s.counter)
		s.counter++
		h := sha256.Sum256(in[:])
		out = append(out, h[:]...)
	}
	return out[:n]
}

// prime returns the first probable prime p of bits bits at or after a
// stream-drawn odd start with its two top bits set (so that two of them
// multiply to 2*bits bits), for which e is coprime to p-1.
func (s *counterStream) prime(bits int, e *big.Int) *big.Int {
	buf := s.read(bits / 8)
	buf[0] |= 0xc0
	buf[len(buf)-1] |= 1
	p := new(big.Int).SetBytes(buf)
	two, one := big.NewInt(2), big.NewInt(1)
	for {
		if p.BitLen() == bits && p.ProbablyPrime(20) && new(big.Int).GCD(nil, nil, e, new(big.Int).Sub(p, one)).Cmp(one) == 0 {
			return p
		}
		p.Add(p, two)
	}
}
