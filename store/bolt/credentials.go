package bolt

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"

	bbolt "go.etcd.io/bbolt"

	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
)

// PutCredential records r and binds its status entries to it. Concurrent
// calls (a server's issue requests) share one commit.
func (d *DB) PutCredential(ctx context.Context, r store.Record) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("putting credential: %w", err)
	}
	r = normalize(r)
	err := d.batch(ctx, func(tx *bbolt.Tx) error { return putRecord(ctx, tx, &r) })
	if err != nil {
		return fmt.Errorf("putting credential %s: %w", r.ID, err)
	}
	return nil
}

// PutCredentials records every record of rs in one transaction.
func (d *DB) PutCredentials(ctx context.Context, rs []store.Record) error {
	norm := make([]store.Record, len(rs))
	for i, r := range rs {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("putting credentials: record %d: %w", i, err)
		}
		norm[i] = normalize(r)
	}
	var failed int
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		for i := range norm {
			if i > 0 && i%trimRecords == 0 {
				d.trim(tx)
			}
			if err := putRecord(ctx, tx, &norm[i]); err != nil {
				failed = i
				return err
			}
		}
		return nil
	})
	if err != nil {
		if len(norm) == 0 || ctx.Err() != nil {
			return fmt.Errorf("putting credentials: %w", err)
		}
		return fmt.Errorf("putting credentials: record %d (%s): %w", failed, norm[failed].ID, err)
	}
	return nil
}

// normalize returns the copy of r that is stored.
func normalize(r store.Record) store.Record {
	r.IssuedAt = r.IssuedAt.UTC()
	r.State = ""
	r.Status = slices.Clone(r.Status)
	return r
}

// putRecord records r, a validated and normalized record, within tx.
//
// Records are keyed by a sequence number in the order they are recorded,
// so a batch appends to the end of the records bucket and of the issuedAt
// and batch indexes instead of writing into pages all over the file; only
// the id, recipient and status owner entries take random keys, and each
// holds a few dozen bytes per record. That keeps the pages a long batch
// touches, and so its resident memory, nearly constant as the store grows.
func putRecord(ctx context.Context, tx *bbolt.Tx, r *store.Record) error {
	ids := tx.Bucket([]byte(bIDs))
	records := tx.Bucket([]byte(bRecords))
	idk := idKey(r.ID)
	if seq := ids.Get(idk); seq != nil {
		old, err := recordAt(records, seq)
		if err != nil {
			return err
		}
		if old.Equal(r) {
			return nil
		}
		if old.Undelivered && old.SameRequest(r) {
			return replaceRecord(tx, bytes.Clone(seq), old, r)
		}
		if old.Undelivered {
			return fmt.Errorf("recorded as undelivered for another request (a retry needs the same recipient, achievement and status entries): %w", store.ErrExists)
		}
		return fmt.Errorf("recorded with different content: %w", store.ErrExists)
	}
	if r.RowKey != "" {
		prefix := key(r.BatchID, r.RowKey)
		err := prefixed(ctx, tx.Bucket([]byte(bByBatch)), prefix, func(k, _ []byte) error {
			if len(k) != len(prefix)+8 {
				return fmt.Errorf("malformed %s key %x", bByBatch, k)
			}
			other, err := recordAt(records, k[len(prefix):])
			if err != nil {
				return err
			}
			return fmt.Errorf("batch %s row %s already issued as %s: %w", r.BatchID, r.RowKey, other.ID, store.ErrExists)
		})
		if err != nil {
			return err
		}
	}
	n, err := records.NextSequence()
	if err != nil {
		return err
	}
	seq := be64(n)
	for i, s := range r.Status {
		if err := bind(tx, seq, s); err != nil {
			return fmt.Errorf("status[%d]: %w", i, err)
		}
	}
	records.FillPercent = appendFill
	if err := putJSON(records, seq, r); err != nil {
		return err
	}
	if err := ids.Put(idk, seq); err != nil {
		return err
	}
	type entry struct {
		bucket string
		k, v   []byte
		append bool
	}
	ix := []entry{
		{bByRecipient, append(hash8(r.Recipient), seq...), nil, false},
		{bByAchievement, append(hash8(r.AchievementID), seq...), nil, true},
		{bByIssued, append(timeKey(r.IssuedAt), r.ID...), seq, true},
	}
	if r.BatchID != "" {
		ix = append(ix, entry{bByBatch, append(key(r.BatchID, r.RowKey), seq...), nil, true})
	}
	for _, e := range ix {
		b := tx.Bucket([]byte(e.bucket))
		if e.append {
			b.FillPercent = appendFill
		}
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// replaceRecord puts r, a retry of the undelivered record old stored under
// seq, in its place: the same id, recipient, achievement, batch row and
// status entries (still bound to seq), so only the issuedAt index moves.
func replaceRecord(tx *bbolt.Tx, seq []byte, old, r *store.Record) error {
	issued := tx.Bucket([]byte(bByIssued))
	if err := issued.Delete(append(timeKey(old.IssuedAt), old.ID...)); err != nil {
		return err
	}
	if err := issued.Put(append(timeKey(r.IssuedAt), r.ID...), seq); err != nil {
		return err
	}
	return putJSON(tx.Bucket([]byte(bRecords)), seq, r)
}

// MarkDelivered clears the credential's Undelivered mark. Concurrent
// calls share one commit.
func (d *DB) MarkDelivered(ctx context.Context, id string) error {
	err := d.batch(ctx, func(tx *bbolt.Tx) error {
		seq := tx.Bucket([]byte(bIDs)).Get(idKey(id))
		if seq == nil {
			return fmt.Errorf("credential %s: %w", id, store.ErrNotFound)
		}
		seq = bytes.Clone(seq)
		records := tx.Bucket([]byte(bRecords))
		r, err := recordAt(records, seq)
		if err != nil {
			return err
		}
		if !r.Undelivered {
			return nil
		}
		r.Undelivered = false
		return putJSON(records, seq, r)
	})
	if err != nil {
		return fmt.Errorf("marking %s delivered: %w", id, err)
	}
	return nil
}

// appendFill is the page fill for buckets whose keys mostly grow: a page
// split there leaves the old page nearly full, since nothing will be
// inserted before its last key, rather than bbolt's half-full default.
const appendFill = 0.9

// idKey is the ids bucket key of a credential id: the 16 bytes of a
// canonical urn:uuid (what badgesmith issues), or the id itself, each
// behind a tag byte so that the two forms never collide.
func idKey(id string) []byte {
	const prefix = "urn:uuid:"
	if len(id) == len(prefix)+36 && id[:len(prefix)] == prefix {
		u := id[len(prefix):]
		var b [17]byte
		b[0] = 1
		ok := true
		j := 1
		for i := 0; i < len(u) && ok; {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				ok = u[i] == '-'
				i++
				continue
			}
			hi, lo := unhex(u[i]), unhex(u[i+1])
			ok = hi >= 0 && lo >= 0 && j < len(b)
			if ok {
				b[j] = byte(hi<<4 | lo) //nolint:gosec // G115: hi and lo are hex digits, 0..15
				j++
			}
			i += 2
		}
		if ok && j == len(b) {
			return b[:]
		}
	}
	return append([]byte{0}, id...)
}

// unhex decodes a lower-case hex digit; upper case is refused so that an
// id and its 16-byte key map one to one.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// hash8 is the first 8 bytes of the SHA-256 of s: a fixed-size index
// prefix for long values (a salted identity hash, an achievement URL).
// Readers compare the record's own field, so a collision costs a record
// read, never a wrong answer.
func hash8(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:8]
}

// recordAt decodes the record stored under seq.
func recordAt(records *bbolt.Bucket, seq []byte) (*store.Record, error) {
	var r store.Record
	found, err := getJSON(records, seq, &r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("index refers to missing record %x", seq)
	}
	return &r, nil
}

// bind ties entry s to the record stored under seq, claiming the index if
// it was not allocated.
func bind(tx *bbolt.Tx, seq []byte, s store.StatusRef) error {
	lb, m, err := listBucket(tx, s.ListID)
	if err != nil {
		return err
	}
	if m.Purpose != s.Purpose {
		return fmt.Errorf("list %s has purpose %q, not %q: %w", s.ListID, m.Purpose, s.Purpose, store.ErrInvalid)
	}
	if s.Index >= m.Size {
		return fmt.Errorf("index %d outside list %s of %d entries: %w", s.Index, s.ListID, m.Size, store.ErrInvalid)
	}
	owners := lb.Bucket([]byte(kOwners))
	ik := be64(uint64(s.Index)) //nolint:gosec // G115: 0 <= s.Index < m.Size, checked above and by store.Record validation
	if owner := owners.Get(ik); owner != nil {
		other, err := recordAt(tx.Bucket([]byte(bRecords)), owner)
		if err != nil {
			return err
		}
		return fmt.Errorf("index %d of list %s bound to %s: %w", s.Index, s.ListID, other.ID, store.ErrExists)
	}
	if used := lb.Get([]byte(kUsed)); status.EntryValue(used, s.Index, 1) == 0 {
		if err := markUsed(lb, m, bytes.Clone(used), s.Index); err != nil {
			return err
		}
	}
	return owners.Put(ik, seq)
}

// reader reads records and their state within one transaction, caching
// list metadata.
type reader struct {
	tx      *bbolt.Tx
	ids     *bbolt.Bucket
	records *bbolt.Bucket
	lists   map[string]*listMeta
}

func newReader(tx *bbolt.Tx) *reader {
	return &reader{tx: tx, ids: tx.Bucket([]byte(bIDs)), records: tx.Bucket([]byte(bRecords)), lists: map[string]*listMeta{}}
}

// record loads id with its State, or returns ErrNotFound.
func (rd *reader) record(id string) (*store.Record, error) {
	seq := rd.ids.Get(idKey(id))
	if seq == nil {
		return nil, fmt.Errorf("credential %s: %w", id, store.ErrNotFound)
	}
	return rd.at(seq)
}

// at loads the record stored under seq with its State.
func (rd *reader) at(seq []byte) (*store.Record, error) {
	r, err := recordAt(rd.records, seq)
	if err != nil {
		return nil, err
	}
	r.State, err = store.StateOf(r, rd.value)
	if err != nil {
		return nil, fmt.Errorf("credential %s: %w", r.ID, err)
	}
	return r, nil
}

func (rd *reader) value(s store.StatusRef) (uint64, error) {
	m, ok := rd.lists[s.ListID]
	lb := rd.tx.Bucket([]byte(bLists)).Bucket([]byte(s.ListID))
	if lb == nil {
		return 0, fmt.Errorf("list %s: %w", s.ListID, store.ErrUnknownList)
	}
	if !ok {
		var err error
		if m, err = readMeta(lb); err != nil {
			return 0, fmt.Errorf("list %s: %w", s.ListID, err)
		}
		rd.lists[s.ListID] = m
	}
	return status.EntryValue(lb.Get([]byte(kBits)), s.Index, m.StatusSize), nil
}

// GetCredential returns the record for id with its State.
func (d *DB) GetCredential(ctx context.Context, id string) (*store.Record, error) {
	var r *store.Record
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		r, err = newReader(tx).record(id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("getting credential: %w", err)
	}
	return r, nil
}

// ListCredentials returns the records matching f.
func (d *DB) ListCredentials(ctx context.Context, f store.Filter) ([]store.Record, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("listing credentials: %w", err)
	}
	var out []store.Record
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		rd := newReader(tx)
		var (
			index  string
			prefix []byte
		)
		switch {
		case f.RowKey != "":
			index, prefix = bByBatch, key(f.BatchID, f.RowKey)
		case f.BatchID != "":
			index, prefix = bByBatch, key(f.BatchID)
		case f.Recipient != "":
			index, prefix = bByRecipient, hash8(f.Recipient)
		case f.AchievementID != "":
			index, prefix = bByAchievement, hash8(f.AchievementID)
		}
		if index != "" {
			err := prefixed(ctx, tx.Bucket([]byte(index)), prefix, func(k, _ []byte) error {
				// Every secondary index key ends in the record's sequence.
				if len(k) < len(prefix)+8 {
					return fmt.Errorf("malformed %s key %x", index, k)
				}
				r, err := rd.at(k[len(k)-8:])
				if err != nil {
					return err
				}
				if f.Match(r) {
					out = append(out, *r)
				}
				return nil
			})
			if err != nil {
				return err
			}
			slices.SortFunc(out, func(a, b store.Record) int {
				return cmp.Or(a.IssuedAt.Compare(b.IssuedAt), cmp.Compare(a.ID, b.ID))
			})
			out = page(out, f.Offset, f.Limit)
			return nil
		}
		// No selective index: stream the issuedAt index in result order.
		skip := f.Offset
		_, _, err := scanIssued(ctx, rd, tx, &f, nil, 0, &skip, func(r *store.Record) bool {
			out = append(out, *r)
			return f.Limit == 0 || len(out) < f.Limit
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing credentials: %w", err)
	}
	return out, nil
}

// eachPage is how many records EachCredential reads per transaction.
const eachPage = 256

// EachCredential walks the issuedAt index a page per transaction.
func (d *DB) EachCredential(ctx context.Context, f store.Filter, fn func(store.Record) error) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("walking credentials: %w", err)
	}
	skip, sent := f.Offset, 0
	var after []byte // the last key read, once a page has been read
	for {
		var recs []store.Record
		done := false
		err := d.view(ctx, func(tx *bbolt.Tx) error {
			// A page also ends after 4*eachPage keys, so a filter matching
			// little does not hold one transaction open for the whole walk.
			last, end, err := scanIssued(ctx, newReader(tx), tx, &f, after, 4*eachPage, &skip, func(r *store.Record) bool {
				recs = append(recs, *r)
				return len(recs) < eachPage && (f.Limit == 0 || sent+len(recs) < f.Limit)
			})
			if last != nil {
				after = bytes.Clone(last) // the next page runs in another transaction
			}
			done = end
			return err
		})
		if err != nil {
			return fmt.Errorf("walking credentials: %w", err)
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
			sent++
		}
		if done || (f.Limit > 0 && sent == f.Limit) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("walking credentials: %w", err)
		}
	}
}

// scanIssued walks the issuedAt index in order, from just after the key
// after (from f's IssuedAfter bound if nil), passing yield every record
// that matches f once *skip more have been skipped, until yield returns
// false or maxKeys keys (if not zero) have been read. It returns the last
// key read and whether the index, or f's IssuedBefore bound, was reached.
func scanIssued(ctx context.Context, rd *reader, tx *bbolt.Tx, f *store.Filter, after []byte, maxKeys int, skip *int, yield func(*store.Record) bool) (last []byte, done bool, err error) {
	var end []byte
	if !f.IssuedBefore.IsZero() {
		end = timeKey(f.IssuedBefore)
	}
	c := tx.Bucket([]byte(bByIssued)).Cursor()
	var k, v []byte
	switch {
	case after != nil:
		if k, v = c.Seek(after); bytes.Equal(k, after) {
			k, v = c.Next()
		}
	case !f.IssuedAfter.IsZero():
		// Past every key of that instant: the walk is strictly after it.
		k, v = c.Seek(append(timeKey(f.IssuedAfter), 0xff))
	default:
		k, v = c.First()
	}
	for n := 1; ; k, v = c.Next() {
		if k == nil || (end != nil && bytes.Compare(k[:min(len(k), 12)], end) >= 0) {
			return last, true, nil
		}
		if maxKeys > 0 && n > maxKeys {
			return last, false, nil
		}
		if n++; n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return last, false, err
			}
		}
		if len(k) < 12 {
			return last, false, fmt.Errorf("malformed issuedAt index key %x", k)
		}
		last = k
		r, err := rd.at(v)
		if err != nil {
			return last, false, err
		}
		if !f.Match(r) {
			continue
		}
		if *skip > 0 {
			*skip--
			continue
		}
		if !yield(r) {
			return last, false, nil
		}
	}
}

func page(rs []store.Record, offset, limit int) []store.Record {
	if offset >= len(rs) {
		return nil
	}
	rs = rs[offset:]
	if limit > 0 && limit < len(rs) {
		rs = rs[:limit]
	}
	return rs
}

// SetStatus sets one entry's value and appends an audit event.
func (d *DB) SetStatus(ctx context.Context, c store.Change) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("setting status: %w", err)
	}
	if c.At.IsZero() {
		c.At = d.clock()
	}
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		r, err := newReader(tx).record(c.CredentialID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(r.Status, func(s store.StatusRef) bool { return s.Purpose == c.Purpose })
		if i < 0 {
			return fmt.Errorf("credential %s has no %q entry: %w", c.CredentialID, c.Purpose, store.ErrNotFound)
		}
		s := r.Status[i]
		lb, m, err := listBucket(tx, s.ListID)
		if err != nil {
			return err
		}
		if !store.FitsStatusSize(c.Value, m.StatusSize) {
			return fmt.Errorf("value %d wider than %d bits: %w", c.Value, m.StatusSize, store.ErrInvalid)
		}
		bits := lb.Get([]byte(kBits))
		from := status.EntryValue(bits, s.Index, m.StatusSize)
		if from == c.Value {
			return nil
		}
		if s.Purpose == store.PurposeRevocation && from != 0 {
			return fmt.Errorf("credential %s revoked: %w", c.CredentialID, store.ErrFinal)
		}
		bits = bytes.Clone(bits)
		status.SetEntryValue(bits, s.Index, m.StatusSize, c.Value)
		if err := lb.Put([]byte(kBits), bits); err != nil {
			return err
		}
		audit := tx.Bucket([]byte(bAudit))
		seq, err := audit.NextSequence()
		if err != nil {
			return err
		}
		ev := store.Event{
			CredentialID: c.CredentialID, Purpose: s.Purpose, ListID: s.ListID, Index: s.Index,
			From: from, To: c.Value, ClaimedActor: c.ClaimedActor, UID: c.UID, OSUser: c.OSUser, Reason: c.Reason, At: c.At.UTC(),
		}
		return putJSON(audit, append(key(c.CredentialID), be64(seq)...), &ev)
	})
	if err != nil {
		return fmt.Errorf("setting %s status of %s: %w", c.Purpose, c.CredentialID, err)
	}
	return nil
}

// Audit returns the credential's events, oldest first.
func (d *DB) Audit(ctx context.Context, credentialID string) ([]store.Event, error) {
	var out []store.Event
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		if tx.Bucket([]byte(bIDs)).Get(idKey(credentialID)) == nil {
			return fmt.Errorf("credential %s: %w", credentialID, store.ErrNotFound)
		}
		out = []store.Event{}
		return prefixed(ctx, tx.Bucket([]byte(bAudit)), key(credentialID), func(k, v []byte) error {
			var ev store.Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("audit event %x: %w", k, err)
			}
			out = append(out, ev)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading audit trail: %w", err)
	}
	return out, nil
}
