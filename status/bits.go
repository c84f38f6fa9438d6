package status

import "fmt"

// The bit layout of a status list, the one packing of the project: bit k
// of a bitstring is byte[k/8] & (0x80 >> (k%8)), entry i of statusSize
// bits occupies bits [i*statusSize, (i+1)*statusSize), most significant
// bit first. List, Lookup and the store's bitstrings all use these
// functions.

// EntryValue returns the statusSize-bit entry at index of bits. The caller
// makes sure the entry lies inside bits and statusSize is in 1..64.
func EntryValue(bits []byte, index, statusSize int) uint64 {
	return readBits(bits, index*statusSize, statusSize)
}

// SetEntryValue stores the low statusSize bits of v in the entry at index
// of bits, under the same conditions as EntryValue.
func SetEntryValue(bits []byte, index, statusSize int, v uint64) {
	pos := index * statusSize
	for i := range statusSize {
		k := pos + i
		mask := byte(0x80) >> uint(k&7)
		if v>>uint(statusSize-1-i)&1 == 1 {
			bits[k>>3] |= mask
		} else {
			bits[k>>3] &^= mask
		}
	}
}

// readBits returns the n bits of b from bit pos on, most significant first.
func readBits(b []byte, pos, n int) uint64 {
	if n == 1 {
		return uint64(b[pos>>3]>>(7-uint(pos&7))) & 1
	}
	var v uint64
	for k := pos; k < pos+n; k++ {
		v = v<<1 | uint64(b[k>>3]>>(7-uint(k&7)))&1
	}
	return v
}

// FromBits returns a list of entries entries of statusSize bits holding a
// copy of the start of bits (a store's bitstring, say); bits past the
// last entry are ignored. The rules of New apply to entries and
// statusSize, and bits must cover every entry.
func FromBits(bits []byte, entries, statusSize int) (*List, error) {
	l, err := New(entries, statusSize)
	if err != nil {
		return nil, err
	}
	nbits := entries * l.statusSize
	if len(bits)*8 < nbits {
		return nil, fmt.Errorf("bitstring of %d bytes is short for %d entries of %d bits: %w", len(bits), entries, l.statusSize, ErrRange)
	}
	copy(l.bits, bits)
	if r := nbits % 8; r != 0 {
		l.bits[len(l.bits)-1] &= byte(0xff) << uint(8-r)
	}
	return l, nil
}
