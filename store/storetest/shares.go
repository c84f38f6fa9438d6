package storetest

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/store"
)

// RunShares runs the shares conformance suite; open returns a new, empty
// store for each subtest and closes it (t.Cleanup).
func RunShares(t *testing.T, open func(t *testing.T) store.Shares) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Shares)
	}{
		{"PutGet", testSharePutGet},
		{"Invalid", testShareInvalid},
		{"Revoke", testShareRevoke},
		{"Concurrent", testShareConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

func share(n, cred string, at time.Time) store.Share {
	return store.Share{TokenHash: "tok" + n, CredentialID: cred, OfferIDHash: "id" + n, Created: at}
}

func testSharePutGet(t *testing.T, s store.Shares) {
	ctx := t.Context()
	if _, err := s.GetShare(ctx, "tok1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetShare of an empty store: %v, want ErrNotFound", err)
	}
	if l, err := s.SharesOf(ctx, "urn:uuid:a"); err != nil || len(l) != 0 {
		t.Fatalf("SharesOf of an empty store: %v, %v", l, err)
	}
	a1, a2, b1 := share("1", "urn:uuid:a", base().Add(time.Minute)), share("2", "urn:uuid:a", base()), share("3", "urn:uuid:ab", base())
	for _, sh := range []store.Share{a1, a2, b1} {
		if err := s.PutShare(ctx, sh); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutShare(ctx, share("1", "urn:uuid:other", base())); !errors.Is(err, store.ErrExists) {
		t.Fatalf("PutShare of a known token: %v, want ErrExists", err)
	}
	got, err := s.GetShare(ctx, "tok1")
	if err != nil {
		t.Fatal(err)
	}
	if got.CredentialID != "urn:uuid:a" || got.OfferIDHash != "id1" || !got.Created.Equal(a1.Created) || !got.Revoked.IsZero() {
		t.Errorf("GetShare = %+v, want %+v", got, a1)
	}
	// A credential id that is a prefix of another's does not see its
	// shares, and the list is oldest first.
	l, err := s.SharesOf(ctx, "urn:uuid:a")
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 2 || l[0].TokenHash != "tok2" || l[1].TokenHash != "tok1" {
		t.Errorf("SharesOf = %+v, want tok2 then tok1", l)
	}
}

func testShareInvalid(t *testing.T, s store.Shares) {
	for _, sh := range []store.Share{{CredentialID: "urn:uuid:a"}, {TokenHash: "tok"}} {
		if err := s.PutShare(t.Context(), sh); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutShare(%+v) = %v, want ErrInvalid", sh, err)
		}
	}
}

func testShareRevoke(t *testing.T, s store.Shares) {
	ctx := t.Context()
	for i, cred := range []string{"urn:uuid:a", "urn:uuid:a", "urn:uuid:b"} {
		if err := s.PutShare(ctx, share(strconv.Itoa(i), cred, base())); err != nil {
			t.Fatal(err)
		}
	}
	at := base().Add(time.Hour)
	if n, err := s.RevokeShares(ctx, "urn:uuid:a", at); err != nil || n != 2 {
		t.Fatalf("RevokeShares = %d, %v, want 2", n, err)
	}
	if n, err := s.RevokeShares(ctx, "urn:uuid:a", at.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("RevokeShares again = %d, %v, want 0", n, err)
	}
	if n, err := s.RevokeShares(ctx, "urn:uuid:none", at); err != nil || n != 0 {
		t.Fatalf("RevokeShares of an unknown credential = %d, %v, want 0", n, err)
	}
	for _, c := range []struct {
		tok     string
		revoked time.Time
	}{{"tok0", at}, {"tok1", at}, {"tok2", time.Time{}}} {
		got, err := s.GetShare(ctx, c.tok)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Revoked.Equal(c.revoked) {
			t.Errorf("%s revoked at %v, want %v", c.tok, got.Revoked, c.revoked)
		}
	}
}

func testShareConcurrent(t *testing.T, s store.Shares) {
	ctx := t.Context()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = s.PutShare(ctx, share("same", "urn:uuid:"+strconv.Itoa(i), base())) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrExists):
			t.Errorf("PutShare: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent PutShare of one token succeeded, want 1", ok)
	}
}
