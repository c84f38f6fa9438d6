package verifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestStatusListTrust: a status list signed by someone other than the
// credential's issuer (issue #11 Found 2). Its own proof is always
// verified; it is used as the issuer's only when it is the issuer's or the
// operator trusts its issuer for the credential's; otherwise a set bit
// fails the credential, naming who signed the list, and a clear bit leaves
// the status unknown. Real signed credentials and lists, did:key issuers,
// served from a status directory and over loopback TLS.
func TestStatusListTrust(t *testing.T) {
	iss, host, forger, third := newKey(t, 21), newKey(t, 22), newKey(t, 23), newKey(t, 24)
	type listFunc func(t *testing.T, listURL string) map[string]any
	by := func(k testKey, purpose string, set ...int) listFunc {
		return func(t *testing.T, u string) map[string]any { return signedList(t, k, u, purpose, set, nil) }
	}
	trusts := func(pairs ...string) verifier.StatusListTrust {
		m := map[string][]string{}
		for i := 0; i < len(pairs); i += 2 {
			m[pairs[i]] = append(m[pairs[i]], pairs[i+1])
		}
		return verifier.StatusListTrust{Trusted: m}
	}
	tests := []struct {
		name    string
		list    listFunc
		purpose string // the entry's; revocation if empty
		trust   verifier.StatusListTrust
		want    outcome
		// untrusted: the cause must be ErrUntrustedStatusList; unusable:
		// ErrUnusableStatusList.
		untrusted, unusable bool
		// reason must appear in the status check; not must not.
		reason, not string
	}{
		{name: "same issuer, bit clear", list: by(iss, "revocation", 6), want: wantValid,
			reason: "not revoked (list", not: "not trusted"},
		{name: "same issuer, bit set", list: by(iss, "revocation", 7), want: wantFail,
			reason: "revoked (list", not: "according to"},
		{name: "other issuer, bit clear", list: by(host, "revocation", 6), want: wantInconclusive, untrusted: true,
			reason: "status list issuer not trusted: signed by " + host.did + ", not the credential's issuer " + iss.did},
		{name: "other issuer, bit set", list: by(host, "revocation", 7), want: wantFail,
			reason: "revoked according to a status list signed by " + host.did + ", not the credential's issuer " + iss.did},
		{name: "other issuer, suspension bit set", purpose: "suspension", list: by(host, "suspension", 7), want: wantFail,
			reason: "suspended according to a status list signed by " + host.did},
		{name: "other issuer, suspension bit clear", purpose: "suspension", list: by(host, "suspension"), want: wantInconclusive, untrusted: true,
			reason: "status list issuer not trusted"},
		{name: "other issuer, refresh entry", purpose: "refresh", list: by(host, "refresh", 7), want: wantValid,
			reason: "refresh entry ignored: status list signed by " + host.did, not: "refreshed copy"},
		{name: "trusted list issuer, bit clear", list: by(host, "revocation"), trust: trusts(iss.did, host.did), want: wantValid,
			reason: "not revoked (list", not: "not trusted"},
		{name: "trusted list issuer, bit set", list: by(host, "revocation", 7), trust: trusts(iss.did, host.did), want: wantFail,
			reason: "revoked (list"},
		{name: "list issuer trusted for another credential issuer only", list: by(host, "revocation"), trust: trusts(third.did, host.did),
			want: wantInconclusive, untrusted: true, reason: "status list issuer not trusted"},
		{name: "a third party's list when another is trusted", list: by(forger, "revocation"), trust: trusts(iss.did, host.did),
			want: wantInconclusive, untrusted: true, reason: "signed by " + forger.did},
		{name: "trust does not run backwards", list: by(host, "revocation"), trust: trusts(host.did, iss.did),
			want: wantInconclusive, untrusted: true, reason: "status list issuer not trusted"},
		{name: "any issuer, bit clear", list: by(host, "revocation"), trust: verifier.StatusListTrust{AnyIssuer: true}, want: wantValid,
			reason: "StatusListTrust.AnyIssuer"},
		{name: "any issuer, bit set", list: by(host, "revocation", 7), trust: verifier.StatusListTrust{AnyIssuer: true}, want: wantFail,
			reason: "revoked (list"},
		// A list whose own proof fails is nobody's statement, whoever it
		// names and whatever is trusted: the status could not be checked
		// (STATUS_VERIFICATION_ERROR).
		{name: "other issuer's tampered list", trust: verifier.StatusListTrust{AnyIssuer: true}, want: wantInconclusive, unusable: true, reason: "proof",
			list: func(t *testing.T, u string) map[string]any {
				d := signedList(t, host, u, "revocation", []int{7}, nil)
				d["credentialSubject"].(map[string]any)["encodedList"] = encodedList(t)
				return d
			}},
		{name: "forged list naming the issuer, bit clear", trust: verifier.StatusListTrust{AnyIssuer: true}, want: wantInconclusive, unusable: true, reason: "signing key not accepted",
			list: func(t *testing.T, u string) map[string]any {
				return sign(t, listDoc(iss.did, u, "revocation", encodedList(t)), forger.priv, forger.vm, proof.EddsaRdfc2022)
			}},
		// STATUS_LIST_LENGTH_ERROR: the list cannot be read at all, so
		// its set bit decides nothing, trusted or not.
		{name: "other issuer's short list, bit set", want: wantInconclusive, reason: "STATUS_LIST_LENGTH_ERROR",
			list: func(t *testing.T, u string) map[string]any {
				return sign(t, listDoc(host.did, u, "revocation", shortEncodedList(t, 100, 7)), host.priv, host.vm, proof.EddsaRdfc2022)
			}},
		{name: "other issuer's short list, bit set, any issuer", trust: verifier.StatusListTrust{AnyIssuer: true}, want: wantInconclusive, reason: "STATUS_LIST_LENGTH_ERROR",
			list: func(t *testing.T, u string) map[string]any {
				return sign(t, listDoc(host.did, u, "revocation", shortEncodedList(t, 100, 7)), host.priv, host.vm, proof.EddsaRdfc2022)
			}},
	}
	check := func(t *testing.T, res *verifier.Result, err error, tc int) {
		t.Helper()
		c := tests[tc]
		checkOutcome(t, res, err, c.want, c.reason)
		st := res.Check(verifier.CheckStatus)
		if c.not != "" && strings.Contains(st.Reason, c.not) {
			t.Errorf("status reason %q mentions %q", st.Reason, c.not)
		}
		if got := errors.Is(err, verifier.ErrUntrustedStatusList); got != c.untrusted {
			t.Errorf("errors.Is(err, ErrUntrustedStatusList) = %v, want %v (err %v)", got, c.untrusted, err)
		}
		if got := errors.Is(err, verifier.ErrUnusableStatusList); got != c.unusable {
			t.Errorf("errors.Is(err, ErrUnusableStatusList) = %v, want %v (err %v)", got, c.unusable, err)
		}
		if c.want != wantInconclusive && !strings.Contains(st.Reason, "signed by") && c.reason != "proof" && c.reason != "signing key not accepted" {
			t.Errorf("status reason %q does not name the list's signer", st.Reason)
		}
	}
	for i, tc := range tests {
		purpose := tc.purpose
		if purpose == "" {
			purpose = "revocation"
		}
		t.Run(tc.name+"/status-dir", func(t *testing.T) {
			dir := t.TempDir()
			listURL := "https://status.example.org/trust/list"
			writeFile(t, filepath.Join(dir, "list.json"), encode(t, tc.list(t, listURL)))
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, StatusDir: dir, HTTPClient: offlineClient(), StatusListTrust: tc.trust})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), credWithStatus(t, iss, bitstringEntry(listURL, purpose, 7)))
			check(t, res, err, i)
		})
		t.Run(tc.name+"/https", func(t *testing.T) {
			s := newListServer(t)
			listURL := s.put(t, "/trust/list", tc.list(t, s.srv.URL+"/trust/list"))
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient(), StatusListTrust: tc.trust})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), credWithStatus(t, iss, bitstringEntry(listURL, purpose, 7)))
			check(t, res, err, i)
		})
	}
}

// TestStatusListTrustCache: the cache keeps lists by URL, and trust is
// decided per credential: one list, fetched once, is the issuer's own for
// its issuer's credentials and untrusted for another issuer's, in either
// order, and a trust decision never sticks to the cached list.
func TestStatusListTrustCache(t *testing.T) {
	host, other := newKey(t, 31), newKey(t, 32)
	s := newListServer(t)
	listURL := s.put(t, "/shared", signedList(t, host, s.srv.URL+"/shared", "revocation", []int{3}, nil))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		k      testKey
		index  int
		want   outcome
		reason string
	}{
		{"another issuer's credential first, bit clear", other, 7, wantInconclusive, "status list issuer not trusted"},
		{"the list issuer's own credential, bit clear", host, 7, wantValid, "not revoked"},
		{"another issuer's credential again", other, 7, wantInconclusive, "status list issuer not trusted"},
		{"another issuer's credential, bit set", other, 3, wantFail, "revoked according to a status list signed by " + host.did},
		{"the list issuer's own credential, bit set", host, 3, wantFail, "revoked (list"},
		{"the list issuer's own credential once more", host, 7, wantValid, "not revoked"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), credWithStatus(t, st.k, bitstringEntry(listURL, "revocation", st.index)))
			checkOutcome(t, res, err, st.want, st.reason)
		})
	}
	if n := s.hitCount("/shared"); n != 1 {
		t.Errorf("the list was fetched %d times, want 1: every step after the first must judge the cached list", n)
	}
}

// TestStatusListTrustOptions: New refuses unusable trust configurations
// and copies the map, so a change after New trusts nobody new.
func TestStatusListTrustOptions(t *testing.T) {
	tests := []struct {
		name    string
		trusted map[string][]string
		msg     string // "" means accepted
	}{
		{name: "nil"},
		{name: "one pair", trusted: map[string][]string{"did:web:a.example": {"did:web:b.example"}}},
		{name: "empty credential issuer", trusted: map[string][]string{"": {"did:web:b.example"}}, msg: `Trusted[""]: credential issuer id is empty`},
		{name: "empty list issuer", trusted: map[string][]string{"did:web:a.example": {"did:web:b.example", ""}}, msg: `Trusted["did:web:a.example"][1]: list issuer id is empty`},
		{name: "no list issuer", trusted: map[string][]string{"did:web:a.example": {}}, msg: "names no list issuer"},
		{name: "white space", trusted: map[string][]string{"did:web:a.example ": {"did:web:b.example"}}, msg: "white space"},
		{name: "control character", trusted: map[string][]string{"did:web:a.example": {"did:web:b\x1b.example"}}, msg: "control character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verifier.New(verifier.Options{StatusListTrust: verifier.StatusListTrust{Trusted: tc.trusted}})
			switch {
			case tc.msg == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.msg != "" && (!errors.Is(err, verifier.ErrStatusListTrust) || !strings.Contains(err.Error(), tc.msg)):
				t.Fatalf("New: %v; want ErrStatusListTrust mentioning %q", err, tc.msg)
			}
		})
	}

	t.Run("changed after New", func(t *testing.T) {
		iss, host := newKey(t, 33), newKey(t, 34)
		s := newListServer(t)
		listURL := s.put(t, "/l", signedList(t, host, s.srv.URL+"/l", "revocation", nil, nil))
		trusted := map[string][]string{iss.did: {"did:web:someone-else.example"}}
		v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient(),
			StatusListTrust: verifier.StatusListTrust{Trusted: trusted}})
		if err != nil {
			t.Fatal(err)
		}
		trusted[iss.did] = append(trusted[iss.did], host.did)
		res, err := v.Verify(context.Background(), credWithStatus(t, iss, bitstringEntry(listURL, "revocation", 7)))
		checkOutcome(t, res, err, wantInconclusive, "status list issuer not trusted")
	})
}

// TestStatusListTrustExplain: --explain reports each list's issuer and how
// it stands for the credential's issuer.
func TestStatusListTrustExplain(t *testing.T) {
	iss, host := newKey(t, 41), newKey(t, 42)
	s := newListServer(t)
	own := s.put(t, "/own", signedList(t, iss, s.srv.URL+"/own", "revocation", nil, nil))
	hosted := s.put(t, "/hosted", signedList(t, host, s.srv.URL+"/hosted", "revocation", nil, nil))
	tests := []struct {
		name    string
		list    string
		trust   verifier.StatusListTrust
		issuer  string
		trusted bool
		how     string
	}{
		{"own list", own, verifier.StatusListTrust{}, iss.did, true, "the credential's issuer"},
		{"untrusted list", hosted, verifier.StatusListTrust{}, host.did, false, "not the credential's issuer " + iss.did + ", and not trusted for it"},
		{"trusted list", hosted, verifier.StatusListTrust{Trusted: map[string][]string{iss.did: {host.did}}}, host.did, true, "trusted for the credential's issuer " + iss.did},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient(), StatusListTrust: tc.trust})
			if err != nil {
				t.Fatal(err)
			}
			res, _ := v.Explain(context.Background(), credWithStatus(t, iss, bitstringEntry(tc.list, "revocation", 7)))
			if res == nil || res.Explain == nil || len(res.Explain.StatusLists) != 1 {
				t.Fatalf("explanation %+v", res)
			}
			got := res.Explain.StatusLists[0]
			if got.Issuer != tc.issuer || got.Trusted != tc.trusted || !strings.Contains(got.Trust, tc.how) {
				t.Errorf("status list explanation %+v; want issuer %s, trusted %v, trust mentioning %q", got, tc.issuer, tc.trusted, tc.how)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"trusted":`+map[bool]string{true: "true", false: "false"}[tc.trusted]) || !strings.Contains(string(b), `"trust":`) {
				t.Errorf("JSON %s lacks trusted/trust", b)
			}
		})
	}
}

// TestParseStatusListTrust reads status list trust files: good ones, and
// bad ones refused naming the JSON path.
func TestParseStatusListTrust(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string][]string
		msg  string
	}{
		{name: "two issuers", in: `{"did:web:a.example": ["did:web:s.example", "did:key:z6Mk"], "https://b.example/issuer": ["did:web:s.example"]}`,
			want: map[string][]string{"did:web:a.example": {"did:web:s.example", "did:key:z6Mk"}, "https://b.example/issuer": {"did:web:s.example"}}},
		{name: "empty object", in: `{}`, want: map[string][]string{}},
		{name: "not an object", in: `["did:web:a.example"]`, msg: "$: want a JSON object"},
		{name: "value not an array", in: `{"did:web:a.example": "did:web:s.example"}`, msg: `$["did:web:a.example"]: want an array`},
		{name: "item not a string", in: `{"did:web:a.example": ["did:web:s.example", 7]}`, msg: `$["did:web:a.example"][1]: want a list issuer id`},
		{name: "nested array", in: `{"did:web:a.example": [["did:web:s.example"]]}`, msg: `$["did:web:a.example"][0]`},
		{name: "empty array", in: `{"did:web:a.example": []}`, msg: `$["did:web:a.example"]: names no list issuer`},
		{name: "key given twice", in: `{"did:web:a.example": ["x:1"], "did:web:a.example": ["x:2"]}`, msg: `$["did:web:a.example"]: given twice`},
		{name: "empty key", in: `{"": ["x:1"]}`, msg: `$[""]: credential issuer id is empty`},
		{name: "empty item", in: `{"did:web:a.example": ["x:1", ""]}`, msg: `$["did:web:a.example"][1]: list issuer id is empty`},
		{name: "trailing data", in: `{"did:web:a.example": ["x:1"]} {}`, msg: "data after the JSON object"},
		{name: "truncated", in: `{"did:web:a.example": ["x:1"`, msg: `$["did:web:a.example"]`},
		{name: "too large", in: `{"a:b": ["` + strings.Repeat("x", verifier.MaxStatusListTrustSize) + `"]}`, msg: "more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := verifier.ParseStatusListTrust([]byte(tc.in))
			if tc.msg != "" {
				if !errors.Is(err, verifier.ErrStatusListTrust) || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("err = %v; want ErrStatusListTrust mentioning %q", err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Trusted, tc.want) || got.AnyIssuer {
				t.Errorf("got %+v, want %v", got, tc.want)
			}
			if _, err := verifier.New(verifier.Options{StatusListTrust: got}); err != nil {
				t.Errorf("New refuses what ParseStatusListTrust accepted: %v", err)
			}
		})
	}
}

// FuzzParseStatusListTrust: the trust file parser never panics, and what
// it accepts New accepts and survives a JSON round trip unchanged.
func FuzzParseStatusListTrust(f *testing.F) {
	for _, s := range []string{`{}`, `{"did:web:a.example": ["did:web:s.example"]}`, `{"a": ["b", "c"], "d": ["e"]}`, `{"a": []}`, `[]`, `{"a": [1]}`, `{"a":["b"]} x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := verifier.ParseStatusListTrust(data)
		if err != nil {
			if !errors.Is(err, verifier.ErrStatusListTrust) {
				t.Fatalf("error %v does not wrap ErrStatusListTrust", err)
			}
			return
		}
		if _, err := verifier.New(verifier.Options{StatusListTrust: got}); err != nil {
			t.Fatalf("New refuses what ParseStatusListTrust accepted: %v", err)
		}
		b, err := json.Marshal(got.Trusted)
		if err != nil {
			t.Fatal(err)
		}
		again, err := verifier.ParseStatusListTrust(b)
		if err != nil || !reflect.DeepEqual(again.Trusted, got.Trusted) {
			t.Fatalf("round trip %s: %+v, %v; want %+v", b, again, err, got)
		}
	})
}

// TestStatusListSentinelsAreInconclusive: the causes of a status that
// could not be checked say so to callers that branch on the meaning.
func TestStatusListSentinelsAreInconclusive(t *testing.T) {
	for _, err := range []error{verifier.ErrUntrustedStatusList, verifier.ErrUnusableStatusList} {
		var v interface{ Invalid() bool }
		if !errors.As(err, &v) || v.Invalid() {
			t.Errorf("%v: want a classified, inconclusive error", err)
		}
	}
}
