package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"

	bbolt "go.etcd.io/bbolt"

	"github.com/badgesmith/badgesmith/store"
)

// The catalogue's buckets: achievements maps key(id) + be64(version) to a
// version's JSON; catalogue_audit maps key(id) + be64(sequence) to an
// event's JSON; approver_sets maps be64(serial) to a set's JSON.

func versionKey(id string, version int) []byte {
	return append(key(id), be64(uint64(version))...) //nolint:gosec // G115: versions are validated positive
}

// CreateVersion records a new achievement version (see store.Catalogue).
func (d *DB) CreateVersion(ctx context.Context, v store.AchievementVersion, e store.CatalogueEvent) error {
	if err := v.Validate(); err != nil {
		return err
	}
	if v.Created.IsZero() {
		v.Created = d.clock()
	}
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bAchievements))
		k := versionKey(v.AchievementID, v.Version)
		if b.Get(k) != nil {
			return fmt.Errorf("achievement %s version %d: %w", v.AchievementID, v.Version, store.ErrExists)
		}
		if err := putJSON(b, k, v); err != nil {
			return err
		}
		return d.appendCatalogueEvent(tx, v.AchievementID, e)
	})
	if err != nil {
		return fmt.Errorf("creating achievement version: %w", err)
	}
	return nil
}

// UpdateVersion changes a version through fn (see store.Catalogue).
func (d *DB) UpdateVersion(ctx context.Context, id string, version int, fn func(*store.AchievementVersion) (store.CatalogueEvent, error)) error {
	return d.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bAchievements))
		k := versionKey(id, version)
		var old store.AchievementVersion
		found, err := getJSON(b, k, &old)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("achievement %s version %d: %w", id, version, store.ErrNotFound)
		}
		var v store.AchievementVersion
		if _, err := getJSON(b, k, &v); err != nil {
			return err
		}
		e, err := fn(&v)
		if err != nil {
			return err
		}
		if err := store.CheckChange(&old, &v); err != nil {
			return err
		}
		if err := putJSON(b, k, v); err != nil {
			return err
		}
		return d.appendCatalogueEvent(tx, id, e)
	})
}

func (d *DB) appendCatalogueEvent(tx *bbolt.Tx, id string, e store.CatalogueEvent) error {
	if e.At.IsZero() {
		e.At = d.clock()
	}
	b := tx.Bucket([]byte(bCatAudit))
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return putJSON(b, append(key(id), be64(seq)...), e)
}

// GetVersion returns one version, or the latest for version 0.
func (d *DB) GetVersion(ctx context.Context, id string, version int) (*store.AchievementVersion, error) {
	if version < 0 {
		return nil, fmt.Errorf("achievement %s: version %d: %w", id, version, store.ErrInvalid)
	}
	var v *store.AchievementVersion
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bAchievements))
		k := versionKey(id, version)
		if version == 0 {
			// The latest version is the last key under the id's prefix.
			c := b.Cursor()
			prefix := key(id)
			ck, _ := c.Seek(versionKey(id, math.MaxInt64))
			if ck == nil {
				ck, _ = c.Last()
			} else {
				ck, _ = c.Prev()
			}
			if ck == nil || !bytes.HasPrefix(ck, prefix) || len(ck) != len(prefix)+8 {
				return nil
			}
			k = ck
		}
		var got store.AchievementVersion
		found, err := getJSON(b, k, &got)
		if found {
			v = &got
		}
		return err
	})
	if err == nil && v == nil {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("achievement %s version %d: %w", id, version, err)
	}
	return v, nil
}

// Versions returns every version of the achievement, oldest first.
func (d *DB) Versions(ctx context.Context, id string) ([]store.AchievementVersion, error) {
	var out []store.AchievementVersion
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		prefix := key(id)
		return prefixed(ctx, tx.Bucket([]byte(bAchievements)), prefix, func(k, v []byte) error {
			if len(k) != len(prefix)+8 {
				return nil
			}
			var av store.AchievementVersion
			if _, err := getJSON(tx.Bucket([]byte(bAchievements)), k, &av); err != nil {
				return err
			}
			out = append(out, av)
			return nil
		})
	})
	if err == nil && len(out) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("achievement %s: %w", id, err)
	}
	return out, nil
}

// AchievementIDs returns the id of every achievement, sorted.
func (d *DB) AchievementIDs(ctx context.Context) ([]string, error) {
	var ids []string
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		return prefixed(ctx, tx.Bucket([]byte(bAchievements)), nil, func(k, _ []byte) error {
			n, w := binary.Uvarint(k)
			if w <= 0 || uint64(len(k)-w) < n { //nolint:gosec // G115: len(k)-w is not negative
				return fmt.Errorf("malformed achievement key %x", k)
			}
			id := string(k[w : w+int(n)]) //nolint:gosec // G115: n fits in the key
			if len(ids) == 0 || ids[len(ids)-1] != id {
				ids = append(ids, id)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing achievements: %w", err)
	}
	return ids, nil
}

// CatalogueAudit returns the achievement's trail, oldest first.
func (d *DB) CatalogueAudit(ctx context.Context, id string) ([]store.CatalogueEvent, error) {
	var out []store.CatalogueEvent
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		prefix := key(id)
		b := tx.Bucket([]byte(bCatAudit))
		return prefixed(ctx, b, prefix, func(k, _ []byte) error {
			if len(k) != len(prefix)+8 {
				return nil
			}
			var e store.CatalogueEvent
			if _, err := getJSON(b, k, &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	if err == nil && len(out) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("audit of achievement %s: %w", id, err)
	}
	return out, nil
}

// PutApproverSet records the next approver set.
func (d *DB) PutApproverSet(ctx context.Context, s store.ApproverSet) error {
	if s.Serial < 1 || s.RootKey == "" || s.Signed == "" {
		return fmt.Errorf("approver set %d: serial, root key and signed form required: %w", s.Serial, store.ErrInvalid)
	}
	if s.Recorded.IsZero() {
		s.Recorded = d.clock()
	}
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bApproverSets))
		latest := 0
		if k, _ := b.Cursor().Last(); k != nil {
			latest = int(binary.BigEndian.Uint64(k)) //nolint:gosec // G115: serials are small
		}
		if s.Serial != latest+1 {
			return fmt.Errorf("serial %d after %d: %w", s.Serial, latest, store.ErrExists)
		}
		return putJSON(b, be64(uint64(s.Serial)), s) //nolint:gosec // G115: serials are checked positive
	})
	if err != nil {
		return fmt.Errorf("recording approver set: %w", err)
	}
	return nil
}

// ApproverSets returns every approver set, by serial.
func (d *DB) ApproverSets(ctx context.Context) ([]store.ApproverSet, error) {
	var out []store.ApproverSet
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bApproverSets))
		return prefixed(ctx, b, nil, func(k, _ []byte) error {
			var s store.ApproverSet
			if _, err := getJSON(b, k, &s); err != nil {
				return err
			}
			out = append(out, s)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading approver sets: %w", err)
	}
	return out, nil
}
