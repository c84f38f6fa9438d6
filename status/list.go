package status

import (
	"bytes"
	"compress/gzip"
	"context"
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
	return EntryValue(l.bits, index, l.statusSize), nil
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
	SetEntryValue(l.bits, index, l.statusSize, value)
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

// DecodeOptions tunes Decode, Lookup and Verdict. The zero value decodes
// Bitstring Status List 1.0 lists with the default size cap.
type DecodeOptions struct {
	// MaxBytes caps the decompressed bitstring of one list; decompression
	// stops as soon as it is exceeded. If zero or negative, DefaultMaxBytes
	// is used.
	MaxBytes int64
	// Legacy accepts StatusList2021 encodings as well: the "u" prefix may be
	// missing and the body may use the standard or URL-safe base64 alphabet,
	// padded or not.
	Legacy bool
	// Budget, if set, is charged with every byte decompressed, as it is
	// decompressed; when it runs out decoding stops with ErrBudget. One
	// Budget shared by every list read on behalf of one credential bounds
	// their total.
	Budget *Budget
	// Inflated, if it holds the encodedList Lookup is given (inflated
	// with the same Legacy), is read instead of inflating the list again.
	// Lookup returns what it would return inflating and charges Budget
	// the same bytes; it inflates after all when it cannot be sure of
	// that (a Budget nearly spent, a MaxBytes below the list's size).
	// Decode ignores it.
	Inflated *Inflated
}

func (o DecodeOptions) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// Budget is an allowance of decompressed bytes shared by several lists. It
// is safe for concurrent use; readers charge it before each chunk they
// inflate, so Used never exceeds the limit.
type Budget struct {
	mu    sync.Mutex
	limit int64
	used  int64
}

// NewBudget returns a Budget of limit bytes.
func NewBudget(limit int64) *Budget { return &Budget{limit: limit} }

// Used returns the number of bytes decompressed against b.
func (b *Budget) Used() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Limit returns the allowance b was created with.
func (b *Budget) Limit() int64 { return b.limit }

// take reserves up to n bytes and returns how many it granted.
func (b *Budget) take(n int64) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	n = max(min(n, b.limit-b.used), 0)
	b.used += n
	return n
}

// give returns n reserved bytes that were not produced.
func (b *Budget) give(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
}

// inflater streams the decompressed bitstring of an encodedList, charging
// its budget chunk by chunk.
type inflater struct {
	zr     *gzip.Reader
	budget *Budget
	// n counts the bytes produced so far.
	n int64
}

func newInflater(encoded string, opts DecodeOptions) (*inflater, []byte, error) {
	compressed, err := decodeBase64(encoded, opts.Legacy, opts.maxBytes())
	if err != nil {
		return nil, nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, nil, fmt.Errorf("encodedList gzip: %w: %w", ErrMalformed, err)
	}
	return &inflater{zr: zr, budget: opts.Budget}, compressed, nil
}

// read inflates into p and returns io.EOF at the end of the bitstring. It
// checks ctx first and charges the budget for what it produces.
func (f *inflater) read(ctx context.Context, p []byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("inflating encodedList: %w", err)
	}
	grant := int64(len(p))
	if f.budget != nil && grant > 0 {
		if grant = f.budget.take(grant); grant == 0 {
			return 0, fmt.Errorf("the decompression budget of %d bytes is spent: %w", f.budget.limit, ErrBudget)
		}
	}
	n, err := f.zr.Read(p[:grant])
	if f.budget != nil {
		f.budget.give(grant - int64(n))
	}
	f.n += int64(n)
	switch {
	case errors.Is(err, io.EOF):
		return n, io.EOF
	case err != nil:
		return n, fmt.Errorf("encodedList gzip: %w: %w", ErrMalformed, err)
	}
	return n, nil
}

// Decode parses an encodedList value into a list of statusSize-bit entries
// (zero means 1), holding the whole bitstring in memory: issuers use it on
// their own lists. Verifiers read one entry with Lookup, which never
// materialises the list. Decode returns ErrMalformed for bad base64 or
// GZIP, ErrTooLarge beyond opts.MaxBytes, ErrBudget when opts.Budget runs
// out, and ErrListLength when the list holds fewer than MinEntries entries.
func Decode(encoded string, statusSize int, opts DecodeOptions) (*List, error) {
	size, err := checkStatusSize(statusSize)
	if err != nil {
		return nil, err
	}
	bits, err := inflateAll(encoded, opts)
	if err != nil {
		return nil, err
	}
	entries := int64(len(bits)) * 8 / int64(size)
	if entries < MinEntries {
		return nil, fmt.Errorf("encodedList holds %d entries of %d bits, minimum %d: %w", entries, size, MinEntries, ErrListLength)
	}
	return &List{bits: bits, entries: int(entries), statusSize: size}, nil
}

// inflateAll inflates the whole bitstring of an encodedList, within
// opts.MaxBytes, charging opts.Budget.
func inflateAll(encoded string, opts DecodeOptions) ([]byte, error) {
	maxBytes := opts.maxBytes()
	f, compressed, err := newInflater(encoded, opts)
	if err != nil {
		return nil, err
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
	bits := make([]byte, 0, hint+1)
	for {
		if len(bits) == cap(bits) {
			grown := make([]byte, len(bits), min(int64(cap(bits))*2+512, maxBytes+1))
			copy(grown, bits)
			bits = grown
		}
		n, err := f.read(context.Background(), bits[len(bits):cap(bits)])
		bits = bits[:len(bits)+n]
		if int64(len(bits)) > maxBytes {
			return nil, fmt.Errorf("encodedList inflates past %d bytes: %w", maxBytes, ErrTooLarge)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return bits, nil
}

// Inflated is an encodedList inflated whole once, for a reader that looks
// up its entries many times (a verifier's cache of lists): Lookup reads it
// through DecodeOptions.Inflated. It is immutable and safe for concurrent
// use.
type Inflated struct {
	encoded string
	legacy  bool
	bits    []byte
}

// Inflate inflates encoded whole, within opts.MaxBytes and with
// opts.Legacy, for DecodeOptions.Inflated. opts.Budget is not charged:
// the bytes are charged to each Lookup that reads them instead. Errors are
// those of Decode but ErrListLength (Lookup reports it).
func Inflate(encoded string, opts DecodeOptions) (*Inflated, error) {
	opts.Budget = nil
	bits, err := inflateAll(encoded, opts)
	if err != nil {
		return nil, err
	}
	return &Inflated{encoded: encoded, legacy: opts.Legacy, bits: bits}, nil
}

// Size returns the number of bytes the inflated bitstring holds; 0 for
// nil.
func (in *Inflated) Size() int {
	if in == nil {
		return 0
	}
	return len(in.bits)
}

// lookup is Lookup's loop and verdict on the inflated bytes: inflating
// would stop at need or at the end of the list, so it produces min(need,
// total) bytes and charges the budget that much. ok is false when the
// budget has less than that and one byte left, the margin of the read
// that meets the end of a list shorter than need: Lookup then inflates.
func (in *Inflated) lookup(startBit, endBit, need, minBytes int64, size, index int, budget *Budget) (v uint64, ok bool, err error) {
	produced := min(need, int64(len(in.bits)))
	if budget != nil {
		if got := budget.take(produced + 1); got < produced+1 {
			budget.give(got)
			return 0, false, nil
		}
		budget.give(1)
	}
	if produced < minBytes {
		return 0, true, fmt.Errorf("encodedList holds %d entries of %d bits, minimum %d: %w", produced*8/int64(size), size, MinEntries, ErrListLength)
	}
	if produced*8 < endBit {
		return 0, true, fmt.Errorf("index %d not in [0, %d): %w", index, produced*8/int64(size), ErrRange)
	}
	for k := startBit; k < endBit; k++ {
		v = v<<1 | uint64(in.bits[k/8]>>(7-uint(k&7)))&1
	}
	return v, true, nil
}

// lookupChunk is the scratch buffer Lookup inflates through.
const lookupChunk = 32 << 10

// Lookup returns the value of entry index in the encodedList, reading its
// bits most significant first, as List.Get does. It inflates the list as a
// stream, keeping only the entry's bytes, and stops as soon as it has both
// the entry and the minimum list length: memory stays at a few tens of
// kilobytes whatever the list's size, and the bytes inflated (charged to
// opts.Budget as they are produced) are those before the entry, at least
// the minimum list. The part of the list after that is not read, so a
// corrupt tail or trailer there goes unnoticed; the list is signed, so the
// tail is still the issuer's statement.
//
// Errors are those of Decode (ErrMalformed, ErrTooLarge for an entry past
// opts.MaxBytes in a list that goes on that far, ErrBudget, ErrListLength)
// and ErrRange for an index or status size outside the list. ctx is
// checked before each chunk.
func Lookup(ctx context.Context, encoded string, statusSize, index int, opts DecodeOptions) (uint64, error) {
	size, err := checkStatusSize(statusSize)
	if err != nil {
		return 0, err
	}
	if index < 0 || index > MaxIndex {
		return 0, fmt.Errorf("index %d not in [0, %d]: %w", index, MaxIndex, ErrRange)
	}
	maxBytes := opts.maxBytes()
	startBit := int64(index) * int64(size)
	endBit := startBit + int64(size)
	minBytes := int64(MinEntries) * int64(size) / 8
	// need is how far to inflate; one byte past the cap tells a list that
	// ends in time from one that goes on.
	need := min(max((endBit+7)/8, minBytes), maxBytes+1)
	// A list inflated before gives the same answer without inflating; a
	// list longer than MaxBytes would make this call stop at the cap.
	if in := opts.Inflated; in != nil && in.legacy == opts.Legacy && in.encoded == encoded && int64(len(in.bits)) <= maxBytes {
		if v, ok, err := in.lookup(startBit, endBit, need, minBytes, size, index, opts.Budget); ok {
			return v, err
		}
	}
	lo, hi := startBit/8, (endBit-1)/8
	var window [MaxStatusSize/8 + 1]byte
	f, _, err := newInflater(encoded, opts)
	if err != nil {
		return 0, err
	}
	buf := make([]byte, min(int64(lookupChunk), need))
	eof := false
	for f.n < need && !eof {
		at := f.n
		n, err := f.read(ctx, buf[:min(int64(len(buf)), need-at)])
		switch {
		case errors.Is(err, io.EOF):
			eof = true
		case err != nil:
			return 0, err
		}
		// Keep the bytes of the chunk that fall in [lo, hi].
		for k := max(lo, at); k <= hi && k < at+int64(n); k++ {
			window[k-lo] = buf[k-at]
		}
	}
	total := f.n
	if !eof && total > maxBytes {
		return 0, fmt.Errorf("entry %d lies past the %d-byte cap of a list that goes on: %w", index, maxBytes, ErrTooLarge)
	}
	if total < minBytes {
		return 0, fmt.Errorf("encodedList holds %d entries of %d bits, minimum %d: %w", total*8/int64(size), size, MinEntries, ErrListLength)
	}
	if total*8 < endBit {
		return 0, fmt.Errorf("index %d not in [0, %d): %w", index, total*8/int64(size), ErrRange)
	}
	return readBits(window[:], int(startBit-lo*8), size), nil
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
