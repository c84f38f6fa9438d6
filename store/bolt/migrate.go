package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/badgesmith/badgesmith/store"
)

// v1Credentials is schema version 1's bucket of id -> JSON record.
const v1Credentials = "credentials"

// dropV1Indexes deletes the secondary indexes of a version 1 file, whose
// keys end in credential ids rather than sequences; migrateV1 rebuilds them.
func dropV1Indexes(tx *bbolt.Tx) error {
	for _, name := range []string{bByRecipient, bByAchievement, bByBatch, bByIssued} {
		if err := tx.DeleteBucket([]byte(name)); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return fmt.Errorf("dropping version 1 index %s: %w", name, err)
		}
	}
	return nil
}

// migrateV1 moves a version 1 file's records into the sequence-keyed
// layout, one at a time in id order (listings order by issuedAt and id, not
// by sequence), and points the status lists' owners at the new sequences.
// It runs in Open's transaction, so a crash leaves the file at version 1.
func migrateV1(tx *bbolt.Tx) error {
	old := tx.Bucket([]byte(v1Credentials))
	if old == nil {
		return errors.New("no credentials bucket")
	}
	err := old.ForEach(func(k, v []byte) error {
		var r store.Record
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("record %q: %w", k, err)
		}
		if r.ID != string(k) {
			return fmt.Errorf("record %q holds id %q", k, r.ID)
		}
		// A v1 owner names the credential, a v2 owner is its sequence:
		// drop the old binding so that putRecord binds afresh.
		for _, s := range r.Status {
			lb := tx.Bucket([]byte(bLists)).Bucket([]byte(s.ListID))
			if lb == nil {
				return fmt.Errorf("credential %s: list %s: %w", r.ID, s.ListID, store.ErrUnknownList)
			}
			owners := lb.Bucket([]byte(kOwners))
			ik := be64(uint64(s.Index)) //nolint:gosec // G115: stored indexes passed store validation (>= 0)
			if got := owners.Get(ik); string(got) != r.ID {
				return fmt.Errorf("credential %s: index %d of list %s is owned by %q", r.ID, s.Index, s.ListID, got)
			}
			if err := owners.Delete(ik); err != nil {
				return err
			}
		}
		if err := putRecord(context.Background(), tx, &r); err != nil {
			return fmt.Errorf("credential %s: %w", r.ID, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tx.DeleteBucket([]byte(v1Credentials))
}
