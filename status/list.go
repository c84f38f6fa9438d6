package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

const (
	// MinEntries is the smallest number of entries a list may have:
	// 131,072, which is 16 KiB of bits at status size 1. Lists this large
	// give each credential a crowd to hide in.
	MinEntries = 131072
	// DefaultMaxBytes is the default cap on a decompressed list, 16 MiB.
	DefaultMaxBytes = 16 << 20
	// MaxStatusSize is the widest entry supported, so a status fits a uint64.
	MaxStatusSize = 64

	// maxNewBits keeps lists we create decodable under the default cap.
	maxNewBits = 8 * DefaultMaxBytes
	// deflateMaxRatio bounds how far deflate can expand its input; used only
	// to keep a forged gzip size field from buying a large allocation.
	deflateMaxRatio = 1032
)

// List is a bitstring of Len entries of StatusSize bits each. Entry i
// occupies bits [i*StatusSize, (i+1)*StatusSize); bit k is
// byte[k/8] & (0x80 >> (k%8)), so index 0 is the leftmost bit. Multi-bit
// values are stored most significant bit first.
//
// A List is not safe for concurrent mutation.
type List struct {
	bits       []byte
	entries    int
	statusSize int
}

// New returns an all-zero list of entries entries, each statusSize bits wide.
// A zero statusSize means 1. entries must be at least MinEntries, and the
// list must fit DefaultMaxBytes so that any verifier with default limits can
// read it.
func New(entries, statusSize int) (*List, error) {
	size, err := checkStatusSize(statusSize)
	if err != nil {
		return nil, err
	}
	if entries < MinEntries {
		return nil, fmt.Errorf("new list of %d entries, minimum %d: %w", entries, MinEntries, ErrListLength)
	}
	if entries > maxNewBits/size {
		return nil, fmt.Errorf("new list of %d entries of %d bits exceeds %d bytes: %w", entries, size, DefaultMaxBytes, ErrTooLarge)
	}
	return &List{bits: make([]byte, (entries*size+7)/8), entries: entries, statusSize: size}, nil
}

func checkStatusSize(statusSize int) (int, error) {
	if statusSize == 0 {
		return 1, nil
	}
	if statusSize < 0 || statusSize > MaxStatusSize {
		return 0, fmt.Errorf("status size %d not in 1..%d: %w", statusSize, MaxStatusSize, ErrRange)
	}
	return statusSize, nil
}

// Len returns the number of entries. After Decode it is the decompressed
// bit count divided by the status size, so it may exceed the entries count
// the list was created with by the padding of its last byte.
func (l *List) Len() int { return l.entries }

// StatusSize returns the width of each entry in bits.
func (l *List) StatusSize() int { return l.statusSize }

// Bytes returns a copy of the bitstring.
func (l *List) Bytes() []byte { return bytes.Clone(l.bits) }

func (l *List) checkIndex(index int) error {
	if index < 0 || index >= l.entries {
		return fmt.Errorf("index %d not in [0, %d): %w", index, l.entries, ErrRange)
	}
	return nil
}

// Get returns the value of entry index, reading its bits most significant
// first. It returns ErrRange for an index outside [0, Len()).
func (l *List) Get(index int) (uint64, error) {
	if err := l.checkIndex(index); err != nil {
		return 0, err
	}
	if l.statusSize == 1 {
		return uint64(l.bits[index>>3]>>(7-uint(index&7))) & 1, nil
	}
	pos := index * l.statusSize
	var v uint64
	for k := pos; k < pos+l.statusSize; k++ {
		v = v<<1 | uint64(l.bits[k>>3]>>(7-uint(k&7)))&1
	}
	return v, nil
}

// Set stores value in entry index, most significant bit at the entry's
// first position. It returns ErrRange for an index outside [0, Len()) or a
// value that does not fit StatusSize bits.
func (l *List) Set(index int, value uint64) error {
	if err := l.checkIndex(index); err != nil {
		return err
	}
	if l.statusSize < 64 && value>>uint(l.statusSize) != 0 {
		return fmt.Errorf("value %d does not fit %d bits: %w", value, l.statusSize, ErrRange)
	}
	pos := index * l.statusSize
	for i := 0; i < l.statusSize; i++ {
		k := pos + i
		mask := byte(0x80) >> uint(k&7)
		if value>>uint(l.statusSize-1-i)&1 == 1 {
			l.bits[k>>3] |= mask
		} else {
			l.bits[k>>3] &^= mask
		}
	}
	return nil
}

// Encode returns the encodedList form: "u" (multibase base64url) followed by
// the unpadded base64url encoding of the GZIP-compressed bitstring.
func (l *List) Encode() (string, error) {
	var buf bytes.Buffer
	buf.Grow(len(l.bits)/64 + 64)
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(l.bits); err != nil {
		return "", fmt.Errorf("compressing status list: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("compressing status list: %w", err)
	}
	out := make([]byte, 1+base64.RawURLEncoding.EncodedLen(buf.Len()))
	out[0] = 'u'
	base64.RawURLEncoding.Encode(out[1:], buf.Bytes())
	return string(out), nil
}

// DecodeOptions tunes Decode. The zero value decodes Bitstring Status List
// 1.0 lists with the default size cap.
type DecodeOptions struct {
	// MaxBytes caps the decompressed bitstring; decompression stops as soon
	// as it is exceeded. If zero or negative, DefaultMaxBytes is used.
	MaxBytes int64
	// Legacy accepts StatusList2021 encodings as well: the "u" prefix may be
	// missing and the body may use the standard or URL-safe base64 alphabet,
	// padded or not.
	Legacy bool
	// Cache, if set, remembers what Decode returned for each encoded list,
	// status size and option set, so a list read for many credentials is
	// inflated once. Lists from a cache are shared: callers must only read
	// them.
	Cache *DecodeCache
}

// maxCachedDecodes bounds a DecodeCache. One is meant for the few ways a
// single list credential is read (its status sizes), so this is generous.
const maxCachedDecodes = 16

// DecodeCache holds Decode results. The zero value is ready to use, and it
// is safe for concurrent use.
type DecodeCache struct {
	mu      sync.Mutex
	entries map[decodeKey]decoded
}

type decodeKey struct {
	encoded  string
	size     int
	legacy   bool
	maxBytes int64
}

type decoded struct {
	list *List
	err  error
}

func (c *DecodeCache) get(k decodeKey) (decoded, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.entries[k]
	return d, ok
}

func (c *DecodeCache) put(k decodeKey, d decoded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[decodeKey]decoded)
	}
	if len(c.entries) < maxCachedDecodes {
		c.entries[k] = d
	}
}

// Decode parses an encodedList value into a list of statusSize-bit entries
// (zero means 1). It returns ErrMalformed for bad base64 or GZIP,
// ErrTooLarge beyond opts.MaxBytes, and ErrListLength when the list holds
// fewer than MinEntries entries.
func Decode(encoded string, statusSize int, opts DecodeOptions) (*List, error) {
	size, err := checkStatusSize(statusSize)
	if err != nil {
		return nil, err
	}
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if opts.Cache == nil {
		return decode(encoded, size, opts.Legacy, maxBytes)
	}
	k := decodeKey{encoded: encoded, size: size, legacy: opts.Legacy, maxBytes: maxBytes}
	if d, ok := opts.Cache.get(k); ok {
		return d.list, d.err
	}
	l, err := decode(encoded, size, opts.Legacy, maxBytes)
	opts.Cache.put(k, decoded{list: l, err: err})
	return l, err
}

func decode(encoded string, size int, legacy bool, maxBytes int64) (*List, error) {
	compressed, err := decodeBase64(encoded, legacy, maxBytes)
	if err != nil {
		return nil, err
	}
	bits, err := gunzip(compressed, maxBytes)
	if err != nil {
		return nil, err
	}
	entries := int64(len(bits)) * 8 / int64(size)
	if entries < MinEntries {
		return nil, fmt.Errorf("encodedList holds %d entries of %d bits, minimum %d: %w", entries, size, MinEntries, ErrListLength)
	}
	return &List{bits: bits, entries: int(entries), statusSize: size}, nil
}

func decodeBase64(encoded string, legacy bool, maxBytes int64) ([]byte, error) {
	// Incompressible input grows by a few bytes per 64 KiB deflate block plus
	// the gzip framing; anything longer cannot inflate to within the cap.
	maxCompressed := maxBytes + maxBytes/1024 + 1024
	if int64(len(encoded)) > (maxCompressed+2)/3*4+1 {
		return nil, fmt.Errorf("encodedList of %d characters: %w", len(encoded), ErrTooLarge)
	}
	s := encoded
	switch {
	case s == "":
		return nil, fmt.Errorf("encodedList is empty: %w", ErrMalformed)
	case s[0] == 'u':
		s = s[1:]
	case !legacy:
		return nil, fmt.Errorf("encodedList lacks the multibase prefix \"u\": %w", ErrMalformed)
	}
	// The base64 package skips CR and LF even in strict mode; they are not
	// part of any encoding we accept.
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("encodedList contains a line break: %w", ErrMalformed)
	}
	enc := base64.RawURLEncoding
	if legacy {
		padded := strings.HasSuffix(s, "=")
		switch std := strings.ContainsAny(s, "+/"); {
		case std && padded:
			enc = base64.StdEncoding
		case std:
			enc = base64.RawStdEncoding
		case padded:
			enc = base64.URLEncoding
		}
	}
	b, err := enc.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("encodedList base64: %w: %w", ErrMalformed, err)
	}
	return b, nil
}

func gunzip(compressed []byte, maxBytes int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, fmt.Errorf("encodedList gzip: %w: %w", ErrMalformed, err)
	}
	// The trailer's ISIZE is the decompressed size mod 2^32 of the last
	// member. Trust it only as a capacity hint, bounded by what the input
	// could possibly inflate to.
	hint := int64(0)
	if n := len(compressed); n >= 4 {
		hint = min(int64(binary.LittleEndian.Uint32(compressed[n-4:])), maxBytes, int64(n)*deflateMaxRatio)
	}
	// One spare byte lets the final read see EOF, or the first byte over the
	// cap, without growing.
	out := make([]byte, 0, hint+1)
	for {
		if len(out) == cap(out) {
			grown := make([]byte, len(out), min(int64(cap(out))*2+512, maxBytes+1))
			copy(grown, out)
			out = grown
		}
		n, err := zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if int64(len(out)) > maxBytes {
			return nil, fmt.Errorf("encodedList inflates past %d bytes: %w", maxBytes, ErrTooLarge)
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("encodedList gzip: %w: %w", ErrMalformed, err)
		}
	}
}
