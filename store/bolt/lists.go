package bolt

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	bbolt "go.etcd.io/bbolt"

	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
)

// listMeta is a list's stored "info" value.
type listMeta struct {
	store.ListInfo
	// Seq orders lists by creation across purposes.
	Seq uint64 `json:"seq"`
}

// CreateList records a new, all-zero status list.
func (d *DB) CreateList(ctx context.Context, l store.ListInfo) error {
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		_, err := d.createList(tx, l)
		if errors.Is(err, errSameList) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("creating status list %s: %w", l.ID, err)
	}
	return nil
}

// errSameList is createList's answer when an identical list exists.
var errSameList = errors.New("identical list exists")

func (d *DB) createList(tx *bbolt.Tx, l store.ListInfo) (*listMeta, error) {
	if l.StatusSize == 0 {
		l.StatusSize = 1
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if l.Created.IsZero() {
		l.Created = d.clock()
	}
	l.Created = l.Created.UTC()
	l.Allocated = 0
	lists := tx.Bucket([]byte(bLists))
	if lb := lists.Bucket([]byte(l.ID)); lb != nil {
		old, err := readMeta(lb)
		if err != nil {
			return nil, err
		}
		if old.Purpose == l.Purpose && old.Size == l.Size && old.StatusSize == l.StatusSize {
			return nil, errSameList
		}
		return nil, fmt.Errorf("list %s has purpose %q, size %d, statusSize %d: %w",
			l.ID, old.Purpose, old.Size, old.StatusSize, store.ErrExists)
	}
	lb, err := lists.CreateBucket([]byte(l.ID))
	if err != nil {
		return nil, err
	}
	order := tx.Bucket([]byte(bListOrder))
	seq, err := order.NextSequence()
	if err != nil {
		return nil, err
	}
	if err := order.Put(append(key(string(l.Purpose)), be64(seq)...), []byte(l.ID)); err != nil {
		return nil, err
	}
	// The padding bits after the last entry count as used, so that the
	// allocator only ever sees real entries as free.
	used := make([]byte, (l.Size+7)/8)
	for i := l.Size; i < len(used)*8; i++ {
		status.SetEntryValue(used, i, 1, 1)
	}
	if err := lb.Put([]byte(kUsed), used); err != nil {
		return nil, err
	}
	if err := lb.Put([]byte(kBits), make([]byte, (l.Size*l.StatusSize+7)/8)); err != nil {
		return nil, err
	}
	if _, err := lb.CreateBucket([]byte(kOwners)); err != nil {
		return nil, err
	}
	m := &listMeta{ListInfo: l, Seq: seq}
	return m, putJSON(lb, []byte(kInfo), m)
}

func readMeta(lb *bbolt.Bucket) (*listMeta, error) {
	var m listMeta
	ok, err := getJSON(lb, []byte(kInfo), &m)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("list info missing")
	}
	return &m, nil
}

// listBucket returns the list's bucket and info, or ErrUnknownList.
func listBucket(tx *bbolt.Tx, id string) (*bbolt.Bucket, *listMeta, error) {
	lb := tx.Bucket([]byte(bLists)).Bucket([]byte(id))
	if lb == nil {
		return nil, nil, fmt.Errorf("list %s: %w", id, store.ErrUnknownList)
	}
	m, err := readMeta(lb)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", id, err)
	}
	return lb, m, nil
}

// Lists returns the lists for purpose, or all lists, in creation order.
func (d *DB) Lists(ctx context.Context, purpose status.Purpose) ([]store.ListInfo, error) {
	var metas []*listMeta
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		var prefix []byte
		if purpose != "" {
			prefix = key(string(purpose))
		}
		return prefixed(ctx, tx.Bucket([]byte(bListOrder)), prefix, func(_, v []byte) error {
			_, m, err := listBucket(tx, string(v))
			if err != nil {
				return err
			}
			metas = append(metas, m)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing status lists for %q: %w", purpose, err)
	}
	slices.SortFunc(metas, func(a, b *listMeta) int { return cmpUint64(a.Seq, b.Seq) })
	out := make([]store.ListInfo, len(metas))
	for i, m := range metas {
		out[i] = m.ListInfo
	}
	return out, nil
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AllocateIndex reserves a random unused index in the newest list for
// purpose with one, creating newList's list when there is none.
func (d *DB) AllocateIndex(ctx context.Context, purpose status.Purpose, newList func() store.ListInfo) (store.StatusRef, error) {
	var ref store.StatusRef
	if purpose == "" {
		return ref, fmt.Errorf("allocating status index: purpose is empty: %w", store.ErrInvalid)
	}
	err := d.batch(ctx, func(tx *bbolt.Tx) error {
		refs, err := d.allocateIn(ctx, tx, purpose, 1, newList)
		if err == nil {
			ref = refs[0]
		}
		return err
	})
	if err != nil {
		return store.StatusRef{}, fmt.Errorf("allocating %s status index: %w", purpose, err)
	}
	return ref, nil
}

// AllocateIndices reserves up to n random unused indices of one list in
// one transaction.
func (d *DB) AllocateIndices(ctx context.Context, purpose status.Purpose, n int, newList func() store.ListInfo) ([]store.StatusRef, error) {
	switch {
	case purpose == "":
		return nil, fmt.Errorf("allocating status indices: purpose is empty: %w", store.ErrInvalid)
	case n < 1:
		return nil, fmt.Errorf("allocating %d %s status indices: %w", n, purpose, store.ErrInvalid)
	}
	var refs []store.StatusRef
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		var err error
		refs, err = d.allocateIn(ctx, tx, purpose, n, newList)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("allocating %d %s status indices: %w", n, purpose, err)
	}
	return refs, nil
}

// allocateIn reserves up to n indices in the newest list for purpose with
// a free entry, or in the list newList makes.
func (d *DB) allocateIn(ctx context.Context, tx *bbolt.Tx, purpose status.Purpose, n int, newList func() store.ListInfo) ([]store.StatusRef, error) {
	var ids []string
	err := prefixed(ctx, tx.Bucket([]byte(bListOrder)), key(string(purpose)), func(_, v []byte) error {
		ids = append(ids, string(v))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range slices.Backward(ids) {
		lb, m, err := listBucket(tx, id)
		if err != nil {
			return nil, err
		}
		if m.Allocated < m.Size {
			return allocate(lb, m, n)
		}
	}
	if newList == nil {
		return nil, fmt.Errorf("all %d lists for %q full and no newList: %w", len(ids), purpose, store.ErrFull)
	}
	l := newList()
	if l.Purpose == "" {
		l.Purpose = purpose
	}
	if l.Purpose != purpose {
		return nil, fmt.Errorf("newList gave list %s purpose %q, want %q: %w", l.ID, l.Purpose, purpose, store.ErrInvalid)
	}
	m, err := d.createList(tx, l)
	if errors.Is(err, errSameList) {
		err = fmt.Errorf("newList gave existing list %s: %w", l.ID, store.ErrExists)
	}
	if err != nil {
		return nil, err
	}
	return allocate(tx.Bucket([]byte(bLists)).Bucket([]byte(l.ID)), m, n)
}

// allocate marks up to n entries of a non-full list used, each chosen
// uniformly among the entries still free, and stores the bitmap once.
func allocate(lb *bbolt.Bucket, m *listMeta, n int) ([]store.StatusRef, error) {
	used := bytes.Clone(lb.Get([]byte(kUsed)))
	n = min(n, m.Size-m.Allocated)
	refs := make([]store.StatusRef, 0, n)
	for range n {
		k, err := randN(uint64(m.Size - m.Allocated)) //nolint:gosec // G115: n = min(n, Size-Allocated) > 0 here
		if err != nil {
			return nil, err
		}
		i := kthZero(used, int(k)) //nolint:gosec // G115: k < Size-Allocated, an int
		if i < 0 || i >= m.Size {
			return nil, fmt.Errorf("list %s: allocation bitmap disagrees with count %d", m.ID, m.Allocated)
		}
		status.SetEntryValue(used, i, 1, 1)
		m.Allocated++
		refs = append(refs, store.StatusRef{Purpose: m.Purpose, ListID: m.ID, Index: i})
	}
	if err := lb.Put([]byte(kUsed), used); err != nil {
		return nil, err
	}
	return refs, putJSON(lb, []byte(kInfo), m)
}

// markUsed sets entry i in used (a private copy of the bitmap) and stores
// it with the new count.
func markUsed(lb *bbolt.Bucket, m *listMeta, used []byte, i int) error {
	status.SetEntryValue(used, i, 1, 1)
	if err := lb.Put([]byte(kUsed), used); err != nil {
		return err
	}
	m.Allocated++
	return putJSON(lb, []byte(kInfo), m)
}

// kthZero returns the position of the k-th (from 0) zero bit of b, or -1.
func kthZero(b []byte, k int) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		z := 64 - bits.OnesCount64(binary.BigEndian.Uint64(b[i:]))
		if k < z {
			break
		}
		k -= z
	}
	for ; i < len(b); i++ {
		z := 8 - bits.OnesCount8(b[i])
		if k >= z {
			k -= z
			continue
		}
		for j := range 8 {
			if b[i]&(0x80>>j) == 0 {
				if k == 0 {
					return i*8 + j
				}
				k--
			}
		}
	}
	return -1
}

// randN returns a uniform value in [0, n) from crypto/rand, rejecting the
// top partial range so no value is favoured by modulo bias.
func randN(n uint64) (uint64, error) {
	if n == 0 {
		return 0, errors.New("random index from an empty range")
	}
	rem := (math.MaxUint64%n + 1) % n // 2^64 mod n
	var buf [8]byte
	// Each draw is rejected with probability below 1/2.
	for range 128 {
		if _, err := rand.Read(buf[:]); err != nil {
			return 0, fmt.Errorf("reading randomness: %w", err)
		}
		v := binary.BigEndian.Uint64(buf[:])
		if v <= math.MaxUint64-rem {
			return v % n, nil
		}
	}
	return 0, errors.New("random index: too many rejected draws")
}

// ListBits returns a copy of the list's bitstring, status size and length.
func (d *DB) ListBits(ctx context.Context, listID string) ([]byte, int, int, error) {
	var (
		out []byte
		m   *listMeta
	)
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		lb, meta, err := listBucket(tx, listID)
		if err != nil {
			return err
		}
		m = meta
		out = bytes.Clone(lb.Get([]byte(kBits)))
		return nil
	})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("reading status list bits: %w", err)
	}
	return out, m.StatusSize, m.Size, nil
}
