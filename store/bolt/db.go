package bolt

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/badgesmith/badgesmith/store"
)

// DefaultTimeout is how long Open waits for another process's file lock
// when Options.Timeout is zero.
const DefaultTimeout = time.Second

// schemaVersion is the layout described in the package doc. Open upgrades
// a version 1 file (credentials keyed by id) in place.
const schemaVersion = 2

// Bucket names and keys; see the package doc.
const (
	bMeta          = "meta"
	bRecords       = "records"
	bIDs           = "ids"
	bLists         = "lists"
	bListOrder     = "list_order"
	bAudit         = "audit"
	bByRecipient   = "by_recipient"
	bByAchievement = "by_achievement"
	bByBatch       = "by_batch"
	bByIssued      = "by_issued"
	bAchievements  = "achievements"
	bCatAudit      = "catalogue_audit"
	bApproverSets  = "approver_sets"
	bOffers        = "offers"
	bOfferCodes    = "offer_codes"
	bOfferTokens   = "offer_tokens"
	bNonces        = "nonces"

	kVersion = "version"
	kInfo    = "info"
	kUsed    = "used"
	kBits    = "bits"
	kOwners  = "owners"
	kSecret  = "issuer_secret"
)

// batchDelay is how long AllocateIndex waits for concurrent calls to share
// its commit. bbolt's default, 10 ms, is what a lone call (issuing one
// credential) would pay every time; an fsync here costs under half a
// millisecond, so a millisecond still gathers the callers that arrive
// together.
const batchDelay = time.Millisecond

// ErrLocked means another process holds the database file open.
var ErrLocked = errors.New("database locked by another process")

// Options configures Open. The zero value is ready to use.
type Options struct {
	// Timeout is how long Open waits for the exclusive file lock another
	// process holds before returning ErrLocked. If zero, DefaultTimeout is
	// used; it must not be negative.
	Timeout time.Duration
	// Now is the clock used for a zero ListInfo.Created or Change.At. If
	// nil, time.Now is used.
	Now func() time.Time
}

// DB is a store.Store in one bbolt file. It is safe for concurrent use.
type DB struct {
	db  *bbolt.DB
	now func() time.Time
	// views counts read transactions, to trim every trimViews of them.
	views atomic.Uint64
	// noTrim turns trimming off, for the test that shows what it saves.
	noTrim bool
}

// Why and when the store trims the pages of its file mapped into the
// process (see trim).
//
// bbolt reads the file through a shared mmap. On every read fault Linux
// also maps up to 16 neighbouring pages that are in the page cache
// (fault-around), and a store that was just written is all in the page
// cache, so the random reads of the id, recipient and status owner
// indexes leave most of the file mapped: before trimming, a
// 100,000-credential batch held over 60 MB of its 120 MB file resident
// though each transaction needs only a few hundred pages. Trimming keeps
// the process's resident memory flat as the store grows; the pages stay in
// the kernel's page cache, so one needed again costs a minor fault.
const (
	// trimViews is how many read transactions run between trims.
	trimViews = 64
	// trimRecords is how many records PutCredentials writes between
	// trims; every write transaction also starts with one.
	trimRecords = 32
)

var (
	_ store.Store     = (*DB)(nil)
	_ store.Catalogue = (*DB)(nil)
)

// Open opens or creates the database at path (mode 0600).
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("opening %s: negative lock timeout %s: %w", path, opts.Timeout, store.ErrInvalid)
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout})
	if err == nil {
		bdb.MaxBatchDelay = batchDelay
	}
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("opening %s: no lock after %s: %w", path, timeout, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	err = bdb.Update(func(tx *bbolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists([]byte(bMeta))
		if err != nil {
			return fmt.Errorf("creating bucket %s: %w", bMeta, err)
		}
		v := meta.Get([]byte(kVersion))
		version := uint64(schemaVersion)
		if v != nil {
			if len(v) != 8 {
				return fmt.Errorf("schema version %x, want %d", v, schemaVersion)
			}
			version = binary.BigEndian.Uint64(v)
		}
		if version == 1 {
			if err := dropV1Indexes(tx); err != nil {
				return err
			}
		}
		for _, name := range []string{bRecords, bIDs, bLists, bListOrder, bAudit,
			bByRecipient, bByAchievement, bByBatch, bByIssued, bAchievements, bCatAudit, bApproverSets,
			bOffers, bOfferCodes, bOfferTokens, bNonces} {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("creating bucket %s: %w", name, err)
			}
		}
		switch version {
		case schemaVersion:
		case 1:
			if err := migrateV1(tx); err != nil {
				return fmt.Errorf("upgrading from schema version 1: %w", err)
			}
		default:
			return fmt.Errorf("schema version %d, want %d", version, schemaVersion)
		}
		if v != nil && version == schemaVersion {
			return nil
		}
		return meta.Put([]byte(kVersion), be64(schemaVersion))
	})
	if err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &DB{db: bdb, now: now}, nil
}

// Close closes the database file, waiting for open transactions.
func (d *DB) Close() error {
	if err := d.db.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", d.db.Path(), err)
	}
	return nil
}

// IssuerSecret returns the store's issuer secret (see store.Store), made
// and kept in the meta bucket on first use.
func (d *DB) IssuerSecret(ctx context.Context) ([]byte, error) {
	var secret []byte
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		secret = bytes.Clone(tx.Bucket([]byte(bMeta)).Get([]byte(kSecret)))
		return nil
	})
	if err == nil && secret == nil {
		err = d.update(ctx, func(tx *bbolt.Tx) error {
			meta := tx.Bucket([]byte(bMeta))
			if secret = bytes.Clone(meta.Get([]byte(kSecret))); secret != nil {
				return nil // made meanwhile
			}
			secret = make([]byte, store.IssuerSecretLen)
			if _, err := rand.Read(secret); err != nil {
				return err
			}
			return meta.Put([]byte(kSecret), secret)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("issuer secret: %w", err)
	}
	if len(secret) != store.IssuerSecretLen {
		return nil, fmt.Errorf("issuer secret: %d bytes stored, want %d", len(secret), store.IssuerSecretLen)
	}
	return secret, nil
}

// Check runs bbolt's consistency check over the whole file and returns
// every problem found, joined.
func (d *DB) Check(ctx context.Context) error {
	return d.view(ctx, func(tx *bbolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

func (d *DB) clock() time.Time { return d.now().UTC().Round(0) }

// update runs fn in one read-write transaction unless ctx is done, also
// after waiting for the write lock, so a cancelled call never writes.
func (d *DB) update(ctx context.Context, fn func(*bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.db.Update(func(tx *bbolt.Tx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.trim(tx)
		return fn(tx)
	})
}

// batch is update through bbolt's DB.Batch: calls from concurrent
// goroutines share one transaction and one commit, so many callers
// allocating at once (a batch issuer's workers) cost a few fsyncs rather
// than one each. fn may run more than once and must only change the
// transaction and variables it overwrites.
func (d *DB) batch(ctx context.Context, fn func(*bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.db.Batch(func(tx *bbolt.Tx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.trim(tx)
		return fn(tx)
	})
}

func (d *DB) view(ctx context.Context, fn func(*bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.db.View(func(tx *bbolt.Tx) error {
		if d.views.Add(1)%trimViews == 0 {
			d.trim(tx)
		}
		return fn(tx)
	})
}

// trim drops the process's mappings of the file's pages. It runs inside
// tx, while the mapping cannot move: bbolt remaps only while committing a
// write, and only with no read transaction open. Pages the transaction has
// read stay valid: the mapping is shared and read-only and bbolt never
// rewrites a page an open transaction can see, so touching one again reads
// the same bytes back. Trimming is an optimisation, so a failure is
// ignored: the pages stay resident until the next trim.
func (d *DB) trim(tx *bbolt.Tx) {
	if d.noTrim {
		return
	}
	_ = dropResident(d.db.Info().Data, int(tx.Size()))
}

// ctxCheckEvery is how many keys a scan reads between looks at ctx.
const ctxCheckEvery = 256

func be64(v uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, v)
}

// key joins parts, each prefixed by its uvarint length, so that the key of
// the first n parts is a prefix of exactly the keys sharing those parts.
func key(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += binary.MaxVarintLen64 + len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// timeKey orders like time.Time.Compare: seconds with the sign bit flipped,
// then nanoseconds, both big-endian.
func timeKey(t time.Time) []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 12), uint64(t.Unix())^(1<<63)) //nolint:gosec // G115: the two's-complement reinterpretation is the point
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))                   //nolint:gosec // G115: nanoseconds are 0..999999999
}

// prefixed walks the keys of b starting with prefix, looking at ctx every
// ctxCheckEvery keys; fn returning errStop ends the walk without error.
func prefixed(ctx context.Context, b *bbolt.Bucket, prefix []byte, fn func(k, v []byte) error) error {
	c := b.Cursor()
	n := 0
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if n++; n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(k, v); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

var errStop = errors.New("stop")

func getJSON(b *bbolt.Bucket, k []byte, v any) (bool, error) {
	raw := b.Get(k)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("decoding %q: %w", k, err)
	}
	return true, nil
}

func putJSON(b *bbolt.Bucket, k []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %q: %w", k, err)
	}
	return b.Put(k, raw)
}
