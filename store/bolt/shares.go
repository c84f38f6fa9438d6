package bolt

import (
	"context"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/badgesmith/badgesmith/store"
)

// The shares' buckets: shares maps a share's TokenHash to its JSON;
// share_creds holds the keys credentialID NUL TokenHash, for SharesOf and
// RevokeShares. They are created on the first write, so a file written
// before shares existed needs no migration: reads treat a missing bucket
// as empty.
const (
	bShares     = "shares"
	bShareCreds = "share_creds"
)

var _ store.Shares = (*DB)(nil)

// shareCredKey is the share_creds key of a share.
func shareCredKey(credentialID, tokenHash string) []byte {
	return []byte(credentialID + "\x00" + tokenHash)
}

// PutShare records a new share (see store.Shares).
func (d *DB) PutShare(ctx context.Context, s store.Share) error {
	if s.TokenHash == "" || s.CredentialID == "" {
		return fmt.Errorf("recording share: tokenHash and credentialId: %w: required", store.ErrInvalid)
	}
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		shares, err := tx.CreateBucketIfNotExists([]byte(bShares))
		if err != nil {
			return err
		}
		creds, err := tx.CreateBucketIfNotExists([]byte(bShareCreds))
		if err != nil {
			return err
		}
		if shares.Get([]byte(s.TokenHash)) != nil {
			return store.ErrExists
		}
		if err := creds.Put(shareCredKey(s.CredentialID, s.TokenHash), []byte{}); err != nil {
			return err
		}
		return putJSON(shares, []byte(s.TokenHash), s)
	})
	if err != nil {
		return fmt.Errorf("recording share of %s: %w", s.CredentialID, err)
	}
	return nil
}

// GetShare returns a share by its token's hash (see store.Shares).
func (d *DB) GetShare(ctx context.Context, tokenHash string) (*store.Share, error) {
	var s store.Share
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bShares))
		if b == nil {
			return store.ErrNotFound
		}
		found, err := getJSON(b, []byte(tokenHash), &s)
		if err == nil && !found {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading share: %w", err)
	}
	return &s, nil
}

// sharesOf reads the shares of credentialID in tx.
func sharesOf(ctx context.Context, tx *bbolt.Tx, credentialID string) ([]store.Share, error) {
	shares, creds := tx.Bucket([]byte(bShares)), tx.Bucket([]byte(bShareCreds))
	if shares == nil || creds == nil {
		return nil, nil
	}
	prefix := []byte(credentialID + "\x00")
	var out []store.Share
	err := prefixed(ctx, creds, prefix, func(k, _ []byte) error {
		var s store.Share
		found, err := getJSON(shares, k[len(prefix):], &s)
		if err != nil {
			return err
		}
		if found {
			out = append(out, s)
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b store.Share) int { return a.Created.Compare(b.Created) })
	return out, err
}

// SharesOf returns a credential's shares (see store.Shares).
func (d *DB) SharesOf(ctx context.Context, credentialID string) ([]store.Share, error) {
	var out []store.Share
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		out, err = sharesOf(ctx, tx, credentialID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing shares of %s: %w", credentialID, err)
	}
	return out, nil
}

// RevokeShares revokes a credential's live shares (see store.Shares).
func (d *DB) RevokeShares(ctx context.Context, credentialID string, now time.Time) (int, error) {
	n := 0
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		n = 0
		list, err := sharesOf(ctx, tx, credentialID)
		if err != nil || len(list) == 0 {
			return err
		}
		shares := tx.Bucket([]byte(bShares))
		for _, s := range list {
			if !s.Revoked.IsZero() {
				continue
			}
			s.Revoked = now
			if err := putJSON(shares, []byte(s.TokenHash), s); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("revoking shares of %s: %w", credentialID, err)
	}
	return n, nil
}
