package ob3

import (
	"encoding/json"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
)

// typedArena is where one typed copy carves its small values from: the
// Extra members and raw messages re-encoded, and the Types lists, each
// family from a few shared blocks instead of an allocation per value.
// Every carved slice has no spare capacity, so an append by its user
// copies it rather than writing over its neighbour.
type typedArena struct {
	// raw is the block re-encoded values are carved from; scratch is where
	// each is written first, so a block holds only finished values.
	raw, scratch []byte
	strs         []string
	// rawBlocks and strsBlocks count the blocks taken: each is twice the
	// last, up to a limit, so a small credential takes little and a large
	// one few blocks.
	rawBlocks, strsBlocks int
}

// Block sizes: the first blocks hold a typical credential's few small
// values; a value over a quarter of the largest block has an allocation
// of its own.
const (
	arenaRawFirst  = 128
	arenaRawMax    = 4096
	arenaStrsFirst = 16
	arenaStrsMax   = 64
)

// blockSize is the size of block number n (from 0), doubling from first
// up to max.
func blockSize(n, first, max int) int {
	if n >= 8 {
		return max
	}
	return min(first<<n, max)
}

// encode returns v encoded as json.Marshal encodes it, and false when
// json.Marshal would fail.
func (a *typedArena) encode(v any) (json.RawMessage, bool) {
	// Written first to scratch, kept for the next value, as the size is
	// only known once written.
	out, ok := jsonvalue.Append(a.scratch[:0], v)
	if !ok {
		b, err := json.Marshal(v)
		return b, err == nil
	}
	a.scratch = out
	return append(a.alloc(len(out)), out...), true
}

// alloc returns an empty slice with room for n bytes and no more, carved
// from a block or, if large, allocated alone.
func (a *typedArena) alloc(n int) []byte {
	if n > cap(a.raw)-len(a.raw) {
		size := blockSize(a.rawBlocks, arenaRawFirst, arenaRawMax)
		if n > size/4 {
			return make([]byte, 0, n)
		}
		a.raw = make([]byte, 0, size)
		a.rawBlocks++
	}
	start := len(a.raw)
	a.raw = a.raw[:start+n]
	return a.raw[start : start : start+n]
}

// types returns a Types of n elements for the caller to fill. Zero
// elements give an empty list, not nil, as json.Unmarshal decodes [] (a
// carve from no block yet would be nil).
func (a *typedArena) types(n int) Types {
	if n == 0 {
		return Types{}
	}
	if n > len(a.strs) {
		size := blockSize(a.strsBlocks, arenaStrsFirst, arenaStrsMax)
		if n > size/4 {
			return make(Types, n)
		}
		a.strs = make([]string, size)
		a.strsBlocks++
	}
	t := a.strs[:n:n]
	a.strs = a.strs[n:]
	return t
}
