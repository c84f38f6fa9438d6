package storetest

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/store"
)

// RunOffers runs the offers conformance suite; open returns a new, empty
// store for each subtest and closes it (t.Cleanup).
func RunOffers(t *testing.T, open func(t *testing.T) store.Offers) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Offers)
	}{
		{"PutGet", testOfferPutGet},
		{"RedeemOnce", testRedeemOnce},
		{"RedeemConcurrent", testRedeemConcurrent},
		{"RedeemExpired", testRedeemExpired},
		{"TxCode", testTxCode},
		{"DeliverOnce", testDeliverOnce},
		{"Nonces", testNonces},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

func offer(n string) store.Offer {
	return store.Offer{
		IDHash: "id" + n, CodeHash: "code" + n, CredentialID: "urn:uuid:" + n, Recipient: "did:example:" + n,
		Created: base(), Expires: base().Add(time.Hour),
	}
}

func mustPutOffer(t *testing.T, s store.Offers, o store.Offer) {
	t.Helper()
	if err := s.PutOffer(t.Context(), o); err != nil {
		t.Fatalf("PutOffer(%s): %v", o.IDHash, err)
	}
}

func testOfferPutGet(t *testing.T, s store.Offers) {
	ctx := t.Context()
	o := offer("a")
	mustPutOffer(t, s, o)
	got, err := s.GetOffer(ctx, o.IDHash)
	if err != nil || got.CredentialID != o.CredentialID || got.CodeHash != o.CodeHash || !got.Expires.Equal(o.Expires) {
		t.Fatalf("GetOffer = %+v, %v; want %+v", got, err, o)
	}
	for _, tc := range []struct {
		name string
		o    store.Offer
	}{
		{"same id", func() store.Offer { x := offer("b"); x.IDHash = o.IDHash; return x }()},
		{"same code", func() store.Offer { x := offer("b"); x.CodeHash = o.CodeHash; return x }()},
	} {
		if err := s.PutOffer(ctx, tc.o); !errors.Is(err, store.ErrExists) {
			t.Errorf("PutOffer(%s) = %v, want ErrExists", tc.name, err)
		}
	}
	if _, err := s.GetOffer(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetOffer(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.PutOffer(ctx, store.Offer{IDHash: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("PutOffer(no code) = %v, want ErrInvalid", err)
	}
}

func testRedeemOnce(t *testing.T, s store.Offers) {
	ctx := t.Context()
	o := offer("a")
	mustPutOffer(t, s, o)
	now := base().Add(time.Minute)
	got, err := s.RedeemCode(ctx, o.CodeHash, "", 3, "tok", now.Add(time.Minute), now)
	if err != nil || got.IDHash != o.IDHash || got.Redeemed.IsZero() {
		t.Fatalf("RedeemCode = %+v, %v", got, err)
	}
	if _, err := s.RedeemCode(ctx, o.CodeHash, "", 3, "tok2", now.Add(time.Minute), now); !errors.Is(err, store.ErrUsed) {
		t.Errorf("second RedeemCode = %v, want ErrUsed", err)
	}
	if _, err := s.RedeemCode(ctx, "unknown", "", 3, "tok3", now, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RedeemCode(unknown) = %v, want ErrNotFound", err)
	}
	byTok, err := s.OfferByToken(ctx, "tok")
	if err != nil || byTok.IDHash != o.IDHash {
		t.Errorf("OfferByToken = %+v, %v", byTok, err)
	}
	if _, err := s.OfferByToken(ctx, "tok2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OfferByToken(refused redemption's token) = %v, want ErrNotFound", err)
	}
}

// testRedeemConcurrent redeems one code from many goroutines: exactly
// one may win.
func testRedeemConcurrent(t *testing.T, s store.Offers) {
	o := offer("a")
	mustPutOffer(t, s, o)
	now := base().Add(time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, used := 0, 0
	for i := range 8 {
		wg.Go(func() {
			_, err := s.RedeemCode(t.Context(), o.CodeHash, "", 3, "tok"+strconv.Itoa(i), now.Add(time.Minute), now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, store.ErrUsed):
				used++
			default:
				t.Errorf("RedeemCode: %v", err)
			}
		})
	}
	wg.Wait()
	if wins != 1 || used != 7 {
		t.Errorf("%d redemptions won and %d refused as used, want 1 and 7", wins, used)
	}
}

func testRedeemExpired(t *testing.T, s store.Offers) {
	o := offer("a")
	mustPutOffer(t, s, o)
	if _, err := s.RedeemCode(t.Context(), o.CodeHash, "", 3, "tok", o.Expires.Add(time.Hour), o.Expires); !errors.Is(err, store.ErrExpired) {
		t.Errorf("RedeemCode at expiry = %v, want ErrExpired", err)
	}
}

func testTxCode(t *testing.T, s store.Offers) {
	ctx := t.Context()
	now := base().Add(time.Minute)
	a, b := offer("a"), offer("b")
	a.TxCodeHash, b.TxCodeHash = "right", "right"
	mustPutOffer(t, s, a)
	mustPutOffer(t, s, b)
	// a: two failures, then the right code still works.
	for i, want := range []error{store.ErrMismatch, store.ErrMismatch, nil} {
		tx := "wrong"
		if want == nil {
			tx = "right"
		}
		if _, err := s.RedeemCode(ctx, a.CodeHash, tx, 3, "tokA", now.Add(time.Minute), now); !errors.Is(err, want) {
			t.Errorf("a attempt %d: %v, want %v", i, err, want)
		}
	}
	// b: the third failure kills it, even for the right code.
	for i, want := range []error{store.ErrMismatch, store.ErrMismatch, store.ErrAttempts, store.ErrAttempts} {
		tx := "wrong"
		if i == 3 {
			tx = "right"
		}
		if _, err := s.RedeemCode(ctx, b.CodeHash, tx, 3, "tokB", now.Add(time.Minute), now); !errors.Is(err, want) {
			t.Errorf("b attempt %d: %v, want %v", i, err, want)
		}
	}
	got, err := s.GetOffer(ctx, b.IDHash)
	if err != nil || got.FailedTx != 3 || !got.Redeemed.IsZero() {
		t.Errorf("b after failures = %+v, %v; want 3 failures, unredeemed", got, err)
	}
}

func testDeliverOnce(t *testing.T, s store.Offers) {
	ctx := t.Context()
	o := offer("a")
	mustPutOffer(t, s, o)
	now := base().Add(time.Minute)
	set := func(x *store.Offer) error { x.DeliveredID, x.HolderDID = "urn:uuid:bound", "did:key:z"; return nil }
	if err := s.Deliver(ctx, o.IDHash, now, set); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Deliver before redemption = %v, want ErrInvalid", err)
	}
	if _, err := s.RedeemCode(ctx, o.CodeHash, "", 3, "tok", now.Add(time.Minute), now); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := s.Deliver(ctx, o.IDHash, now, func(*store.Offer) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Deliver(fn fails) = %v, want its error", err)
	}
	if err := s.Deliver(ctx, o.IDHash, now.Add(2*time.Minute), set); !errors.Is(err, store.ErrExpired) {
		t.Errorf("Deliver after the token expired = %v, want ErrExpired", err)
	}
	if err := s.Deliver(ctx, o.IDHash, now, set); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if err := s.Deliver(ctx, o.IDHash, now, set); !errors.Is(err, store.ErrUsed) {
		t.Errorf("second Deliver = %v, want ErrUsed", err)
	}
	got, err := s.GetOffer(ctx, o.IDHash)
	if err != nil || got.DeliveredID != "urn:uuid:bound" || got.HolderDID != "did:key:z" || got.Delivered.IsZero() {
		t.Errorf("offer after delivery = %+v, %v", got, err)
	}
}

func testNonces(t *testing.T, s store.Offers) {
	ctx := t.Context()
	now := base()
	for _, n := range []string{"n1", "n2"} {
		if err := s.PutNonce(ctx, n, now.Add(time.Minute), now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutNonce(ctx, "n1", now.Add(time.Minute), now); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutNonce(again) = %v, want ErrExists", err)
	}
	for _, tc := range []struct {
		name  string
		nonce string
		at    time.Time
		want  error
	}{
		{"fresh", "n1", now, nil},
		{"reused", "n1", now, store.ErrUsed},
		{"unknown", "n3", now, store.ErrNotFound},
		{"stale", "n2", now.Add(time.Minute), store.ErrExpired},
	} {
		if err := s.UseNonce(ctx, tc.nonce, tc.at); !errors.Is(err, tc.want) {
			t.Errorf("UseNonce(%s) = %v, want %v", tc.name, err, tc.want)
		}
	}
}
