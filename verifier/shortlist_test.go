package verifier_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/verifier"
)

// shortEncodedList is the encodedList of a bitstring of n bytes with the
// given bits set: status.New refuses lists this short, as issuers should.
func shortEncodedList(t testing.TB, n int, set ...int) string {
	t.Helper()
	bits := make([]byte, n)
	for _, i := range set {
		bits[i/8] |= 0x80 >> (i % 8)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(bits); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// TestStatusShortList: a list shorter than status.MinEntries entries
// (STATUS_LIST_LENGTH_ERROR) means the status could not be checked,
// whatever the bit under the entry says: "could not check", never
// "invalid" and never "not revoked". A list of the minimum length is read.
func TestStatusShortList(t *testing.T) {
	k := newKey(t, 1)
	minBytes := status.MinEntries / 8
	tests := []struct {
		name   string
		bytes  int // length of the bitstring
		set    []int
		index  int
		size   int // the entry's statusSize; 1 if zero
		want   outcome
		reason string
	}{
		{name: "one entry short, bit clear", bytes: minBytes - 1, index: 7, want: wantInconclusive, reason: "STATUS_LIST_LENGTH_ERROR"},
		{name: "one entry short, bit set", bytes: minBytes - 1, set: []int{7}, index: 7, want: wantInconclusive, reason: "STATUS_LIST_LENGTH_ERROR"},
		{name: "sixteen entries", bytes: 2, index: 3, want: wantInconclusive, reason: "shorter than the minimum"},
		{name: "index past a short list", bytes: 2, index: 100, want: wantInconclusive, reason: "STATUS_LIST_LENGTH_ERROR"},
		{name: "minimum length for 1-bit entries, too short for 2-bit ones", bytes: minBytes, index: 7, size: 2, want: wantInconclusive, reason: "STATUS_LIST_LENGTH_ERROR"},
		{name: "minimum length, bit clear", bytes: minBytes, index: 7, want: wantValid, reason: "not revoked"},
		{name: "minimum length, bit set", bytes: minBytes, set: []int{7}, index: 7, want: wantFail, reason: "revoked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newListServer(t)
			listURL := s.srv.URL + "/lists/short"
			d := listDoc(k.did, listURL, "revocation", shortEncodedList(t, tc.bytes, tc.set...))
			s.put(t, "/lists/short", sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022))
			e := bitstringEntry(listURL, "revocation", tc.index)
			if tc.size == 2 {
				e["statusSize"] = float64(2)
				e["statusMessage"] = []any{map[string]any{"status": "0x0", "message": "valid"}, map[string]any{"status": "0x1", "message": "a"},
					map[string]any{"status": "0x2", "message": "b"}, map[string]any{"status": "0x3", "message": "c"}}
			}
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient()})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), credWithStatus(t, k, e))
			checkOutcome(t, res, err, tc.want, tc.reason)
			if st := res.Check(verifier.CheckStatus); tc.want == wantInconclusive && st.Status == verifier.StatusFail {
				t.Errorf("a short list failed the credential: %+v", st)
			}
		})
	}
}
