package verifier_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestRedTeam25ZeroInstantBound: Claims keeps each validity bound as a
// time.Time whose zero value means "absent", so a signed validUntil of
// 0001-01-01T00:00:00Z (the zero instant, in any time zone) read as no
// validUntil at all: a credential expired since year 1 was VALID, and a
// status list expired as long was used. A bound at the zero instant is
// now a date the statements cannot state.
func TestRedTeam25ZeroInstantBound(t *testing.T) {
	k := newKey(t, 251)
	srv := newListServer(t)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: srv.loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	// Each list at a path of its own: the verifier caches lists by URL.
	list := func(path string, edit func(map[string]any)) map[string]any {
		url := srv.srv.URL + path
		srv.put(t, path, signedList(t, k, url, "revocation", nil, edit))
		return bitstringEntry(url, "revocation", 7)
	}
	for _, tc := range []struct {
		name string
		edit func(d map[string]any)
		want outcome
	}{
		{"control: no validUntil", func(map[string]any) {}, wantValid},
		{"control: validUntil in the past", func(d map[string]any) { d["validUntil"] = "2020-01-01T00:00:00Z" }, wantFail},
		{"validUntil at the zero instant", func(d map[string]any) { d["validUntil"] = "0001-01-01T00:00:00Z" }, wantFail},
		{"validUntil at the zero instant in another zone", func(d map[string]any) { d["validUntil"] = "0001-01-01T01:00:00+01:00" }, wantFail},
		{"validUntil one second after the zero instant", func(d map[string]any) { d["validUntil"] = "0001-01-01T00:00:01Z" }, wantFail},
		{"control: status list clear", func(d map[string]any) {
			d["credentialStatus"] = list("/rt25/clear", nil)
		}, wantValid},
		{"status list whose validUntil is the zero instant", func(d map[string]any) {
			d["credentialStatus"] = list("/rt25/zero", func(l map[string]any) { l["validUntil"] = "0001-01-01T00:00:00Z" })
		}, wantInconclusive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := unsigned(t, k)
			tc.edit(d)
			res, err := v.Verify(context.Background(), encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)))
			if got := rtVerdict(t, res, err); got != tc.want {
				t.Fatalf("verdict %s, want %s: %v %+v", got, tc.want, err, res.Checks)
			}
			if tc.want == wantFail {
				if c := res.Check(verifier.CheckValidity); c == nil || c.Status != verifier.StatusFail || !strings.Contains(c.Path, "validUntil") {
					t.Errorf("validity check %+v, want a failure at validUntil", c)
				}
			}
		})
	}
}
