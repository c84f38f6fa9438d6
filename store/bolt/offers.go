package bolt

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/badgesmith/badgesmith/store"
)

// The offers' buckets: offers maps an offer's IDHash to its JSON;
// offer_codes maps a CodeHash, and offer_tokens a TokenHash, to the
// IDHash; nonces maps a nonce's hash to its expiry (timeKey) followed by
// one byte, 1 once used. Used nonces are kept until they expire, so a
// replay after a restart is still refused.

var _ store.Offers = (*DB)(nil)

// PutOffer records a new offer (see store.Offers).
func (d *DB) PutOffer(ctx context.Context, o store.Offer) error {
	if o.IDHash == "" || o.CodeHash == "" || o.CredentialID == "" {
		return fmt.Errorf("recording offer: idHash, codeHash and credentialId: %w: required", store.ErrInvalid)
	}
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		offers, codes := tx.Bucket([]byte(bOffers)), tx.Bucket([]byte(bOfferCodes))
		if offers.Get([]byte(o.IDHash)) != nil || codes.Get([]byte(o.CodeHash)) != nil {
			return store.ErrExists
		}
		if err := codes.Put([]byte(o.CodeHash), []byte(o.IDHash)); err != nil {
			return err
		}
		return putJSON(offers, []byte(o.IDHash), o)
	})
	if err != nil {
		return fmt.Errorf("recording offer for %s: %w", o.CredentialID, err)
	}
	return nil
}

// GetOffer returns an offer by its id's hash (see store.Offers).
func (d *DB) GetOffer(ctx context.Context, idHash string) (*store.Offer, error) {
	var o store.Offer
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		found, err := getJSON(tx.Bucket([]byte(bOffers)), []byte(idHash), &o)
		if err == nil && !found {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading offer: %w", err)
	}
	return &o, nil
}

// offerVia reads the offer whose IDHash index (codes or tokens) maps k.
func offerVia(tx *bbolt.Tx, index string, k string) (*store.Offer, error) {
	id := tx.Bucket([]byte(index)).Get([]byte(k))
	if id == nil {
		return nil, store.ErrNotFound
	}
	var o store.Offer
	found, err := getJSON(tx.Bucket([]byte(bOffers)), id, &o)
	if err == nil && !found {
		err = store.ErrNotFound
	}
	return &o, err
}

// RedeemCode redeems a pre-authorized code (see store.Offers).
func (d *DB) RedeemCode(ctx context.Context, codeHash, txHash string, maxTx int, tokenHash string, tokenExpires, now time.Time) (*store.Offer, error) {
	var out *store.Offer
	// A failed attempt must be counted even though the redemption fails:
	// the count is written and the refusal returned after the commit.
	var refusal error
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		refusal = nil
		o, err := offerVia(tx, bOfferCodes, codeHash)
		if err != nil {
			return err
		}
		switch {
		case !o.Redeemed.IsZero():
			refusal = store.ErrUsed
		case !now.Before(o.Expires):
			refusal = store.ErrExpired
		case o.TxCodeHash != "" && o.FailedTx >= maxTx:
			refusal = store.ErrAttempts
		case o.TxCodeHash != "" && !hashEqual(o.TxCodeHash, txHash):
			o.FailedTx++
			refusal = store.ErrMismatch
			if o.FailedTx >= maxTx {
				refusal = store.ErrAttempts
			}
		default:
			o.Redeemed = now.UTC()
			o.TokenHash, o.TokenExpires = tokenHash, tokenExpires.UTC()
			if err := tx.Bucket([]byte(bOfferTokens)).Put([]byte(tokenHash), []byte(o.IDHash)); err != nil {
				return err
			}
			out = o
		}
		if refusal != nil && o.FailedTx == 0 {
			return nil // nothing changed
		}
		return putJSON(tx.Bucket([]byte(bOffers)), []byte(o.IDHash), o)
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		return nil, fmt.Errorf("redeeming pre-authorized code: %w", err)
	}
	return out, nil
}

// OfferByToken returns the offer redeemed for a token (see store.Offers).
func (d *DB) OfferByToken(ctx context.Context, tokenHash string) (*store.Offer, error) {
	var o *store.Offer
	err := d.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		o, err = offerVia(tx, bOfferTokens, tokenHash)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading offer by token: %w", err)
	}
	return o, nil
}

// Deliver records a delivery on an offer (see store.Offers).
func (d *DB) Deliver(ctx context.Context, idHash string, now time.Time, fn func(*store.Offer) error) error {
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bOffers))
		var o store.Offer
		found, err := getJSON(b, []byte(idHash), &o)
		switch {
		case err != nil:
			return err
		case !found:
			return store.ErrNotFound
		case !o.Delivered.IsZero():
			return store.ErrUsed
		case o.Redeemed.IsZero():
			return fmt.Errorf("offer not redeemed: %w", store.ErrInvalid)
		case !now.Before(o.TokenExpires):
			return store.ErrExpired
		}
		if err := fn(&o); err != nil {
			return err
		}
		o.Delivered = now.UTC()
		return putJSON(b, []byte(idHash), o)
	})
	if err != nil {
		return fmt.Errorf("recording delivery: %w", err)
	}
	return nil
}

// PutNonce records a nonce (see store.Offers).
func (d *DB) PutNonce(ctx context.Context, nonceHash string, expires, now time.Time) error {
	if nonceHash == "" {
		return fmt.Errorf("recording nonce: %w: empty", store.ErrInvalid)
	}
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bNonces))
		if b.Get([]byte(nonceHash)) != nil {
			return store.ErrExists
		}
		pruneNonces(b, now)
		return b.Put([]byte(nonceHash), append(timeKey(expires), 0))
	})
	if err != nil {
		return fmt.Errorf("recording nonce: %w", err)
	}
	return nil
}

// maxPrune bounds the expired nonces one PutNonce deletes, so its cost
// stays flat however many have piled up.
const maxPrune = 16

// pruneNonces deletes a few nonces that expired, found from the start
// of the bucket; hashes are random, so that is a fair sample.
func pruneNonces(b *bbolt.Bucket, at time.Time) {
	now := timeKey(at)
	c := b.Cursor()
	var old [][]byte
	n := 0
	for k, v := c.First(); k != nil && n < 4*maxPrune && len(old) < maxPrune; k, v = c.Next() {
		n++
		if len(v) == 13 && string(v[:12]) < string(now) {
			old = append(old, bytes.Clone(k))
		}
	}
	for _, k := range old {
		_ = b.Delete(k)
	}
}

// UseNonce consumes a nonce (see store.Offers).
func (d *DB) UseNonce(ctx context.Context, nonceHash string, now time.Time) error {
	err := d.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bNonces))
		v := b.Get([]byte(nonceHash))
		switch {
		case len(v) != 13:
			return store.ErrNotFound
		case v[12] == 1:
			return store.ErrUsed
		case string(v[:12]) <= string(timeKey(now)):
			return store.ErrExpired
		}
		used := append(append([]byte(nil), v[:12]...), 1)
		return b.Put([]byte(nonceHash), used)
	})
	if err != nil {
		return fmt.Errorf("using nonce: %w", err)
	}
	return nil
}

// hashEqual compares two hex hashes in constant time.
func hashEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
