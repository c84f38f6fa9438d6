package status

import (
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// randomTries is how many random probes RandomUnusedIndex makes before it
// counts the free indices instead; at 90% full all 32 fail 3% of the time.
const randomTries = 32

// RandomUnusedIndex returns an index in [0, size) for which used is false,
// chosen uniformly among all such indices, so that an index reveals nothing
// about issuance order. It probes random indices first and, when those keep
// hitting used ones (a nearly full list), counts the unused indices and
// picks one of them, calling used at most 2*size more times. It returns
// ErrFull when every index is used. A nil rand means crypto/rand.Reader.
func RandomUnusedIndex(used func(int) bool, size int, rand io.Reader) (int, error) {
	if used == nil {
		return 0, errors.New("random unused index: used is nil")
	}
	if size <= 0 || size > MaxIndex {
		return 0, fmt.Errorf("list size %d not in 1..%d: %w", size, MaxIndex, ErrRange)
	}
	if rand == nil {
		rand = crand.Reader
	}
	var buf [8]byte
	for range randomTries {
		i, err := uniform(rand, uint64(size), &buf)
		if err != nil {
			return 0, err
		}
		if j := int(i); !used(j) { //nolint:gosec // G115: i < size, an int
			return j, nil
		}
	}
	free := 0
	for i := range size {
		if !used(i) {
			free++
		}
	}
	if free == 0 {
		return 0, fmt.Errorf("all %d indices used: %w", size, ErrFull)
	}
	k, err := uniform(rand, uint64(free), &buf)
	if err != nil {
		return 0, err
	}
	for i := range size {
		if !used(i) {
			if k == 0 {
				return i, nil
			}
			k--
		}
	}
	// used changed between the two passes.
	return 0, errors.New("random unused index: used changed while scanning")
}

// uniform returns a uniform value in [0, n) by rejection sampling, so no
// index is favoured by modulo bias.
func uniform(r io.Reader, n uint64, buf *[8]byte) (uint64, error) {
	// 2^64 mod n: values at or above 2^64 - rem would wrap unevenly.
	rem := (math.MaxUint64%n + 1) % n
	for range 64 {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return 0, fmt.Errorf("reading randomness: %w", err)
		}
		v := binary.LittleEndian.Uint64(buf[:])
		if rem == 0 || v < -rem {
			return v % n, nil
		}
	}
	return 0, errors.New("reading randomness: source keeps yielding rejected values")
}
