package bolt_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
	"github.com/badgesmith/badgesmith/store/storetest"
)

func TestOffersConformance(t *testing.T) {
	storetest.RunOffers(t, func(t *testing.T) store.Offers {
		return open(t, filepath.Join(t.TempDir(), "store.db"))
	})
}

// TestOffersSurviveRestart redeems a code and uses a nonce, reopens the
// file and replays both: the replays are refused.
func TestOffersSurviveRestart(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "store.db")
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := store.Offer{IDHash: "id", CodeHash: "code", CredentialID: "urn:uuid:1", Created: now, Expires: now.Add(time.Hour)}
	if err := db.PutOffer(ctx, o); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemCode(ctx, "code", "", 3, "tok", now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if err := db.PutNonce(ctx, "n", now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if err := db.UseNonce(ctx, "n", now); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = open(t, path)
	if _, err := db.RedeemCode(ctx, "code", "", 3, "tok2", now.Add(time.Hour), now); !errors.Is(err, store.ErrUsed) {
		t.Errorf("RedeemCode after restart = %v, want ErrUsed", err)
	}
	if err := db.UseNonce(ctx, "n", now); !errors.Is(err, store.ErrUsed) {
		t.Errorf("UseNonce after restart = %v, want ErrUsed", err)
	}
}

// TestNoncesPruned: recording a nonce forgets a few expired ones, so the
// bucket does not grow with every nonce ever handed out; live and used
// but unexpired nonces stay.
func TestNoncesPruned(t *testing.T) {
	ctx := t.Context()
	db := open(t, filepath.Join(t.TempDir(), "store.db"))
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, n := range []string{"a", "b", "c"} {
		if err := db.PutNonce(ctx, n, now.Add(time.Minute), now); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutNonce(ctx, "live", now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if err := db.UseNonce(ctx, "live", now); err != nil {
		t.Fatal(err)
	}
	later := now.Add(2 * time.Minute)
	if err := db.PutNonce(ctx, "d", later.Add(time.Minute), later); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		nonce string
		want  error
	}{{"a", store.ErrNotFound}, {"b", store.ErrNotFound}, {"c", store.ErrNotFound}, {"live", store.ErrUsed}, {"d", nil}} {
		if err := db.UseNonce(ctx, tc.nonce, later); !errors.Is(err, tc.want) {
			t.Errorf("UseNonce(%s) after pruning = %v, want %v", tc.nonce, err, tc.want)
		}
	}
}
