package verifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
	"github.com/badgesmith/badgesmith/verifier"
)

// Red-team regression tests (issue #10): attacks tried against the
// verifier that it refuses. Each case asserts the correct verdict, and that
// the report never shows an issuer or name that no proof by a key bound to
// that issuer covers.

// rtVerdict classifies what Verify returned.
func rtVerdict(t *testing.T, res *verifier.Result, err error) outcome {
	t.Helper()
	if res == nil {
		t.Fatalf("nil result (err %v)", err)
	}
	var ve *verifier.VerificationError
	var ie *verifier.InconclusiveError
	switch {
	case err == nil && res.Valid:
		return wantValid
	case errors.As(err, &ve):
		return wantFail
	case errors.As(err, &ie):
		return wantInconclusive
	}
	t.Fatalf("err = %v (%T), valid %v: neither valid, invalid nor inconclusive", err, err, res.Valid)
	return ""
}

// signOpts signs doc with k under opts (the proof's id, previousProof).
func signOpts(t testing.TB, doc map[string]any, k testKey, opts proof.SignOptions) map[string]any {
	t.Helper()
	if opts.Suite == "" {
		opts.Suite = proof.EddsaRdfc2022
	}
	opts.VerificationMethod, opts.Created = k.vm, now.Add(-time.Hour)
	signed, err := proof.Sign(context.Background(), doc, k.priv, opts)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// victimNode is a credential node naming victim as its issuer, for an
// attacker to place beside or inside a credential of its own.
func victimNode(victim testKey) map[string]any {
	return map[string]any{
		"id":        "urn:uuid:11111111-2222-4333-8444-555555555555",
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": victim.did, "type": []any{"Profile"}, "name": "Victim University"},
		"name":      "Victim PhD",
		"validFrom": "2026-11-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"type": []any{"AchievementSubject"},
			"achievement": map[string]any{
				"id": "urn:uuid:66666666-2222-4333-8444-555555555555", "type": []any{"Achievement"},
				"name": "Victim PhD", "description": "d", "criteria": map[string]any{"narrative": "n"},
			},
		},
	}
}

// TestRedteamGraphTricks: an attacker signs, with its own did:key (so the
// signature and key binding hold for the attacker's identity), a document
// whose RDF graph also describes a credential naming the victim as its
// issuer. The report must never show the victim as a verified issuer, nor
// the victim's name for the credential on a valid result.
func TestRedteamGraphTricks(t *testing.T) {
	attacker, victim := newKey(t, 141), newKey(t, 142)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(d map[string]any)
		want outcome
	}{
		{"control: the attacker's own credential", func(map[string]any) {}, wantValid},
		{"@included: a second, unreferenced credential node naming the victim", func(d map[string]any) {
			d["@included"] = []any{victimNode(victim)}
		}, wantFail},
		{"@reverse: the victim's node points at the outer credential, so it is the only unreferenced one", func(d map[string]any) {
			n := victimNode(victim)
			d["@reverse"] = map[string]any{"https://example.org/vocab#about": n}
		}, wantFail},
		{"issuer given twice: the attacker's profile and the victim", func(d map[string]any) {
			d["issuer"] = []any{d["issuer"], victim.did}
		}, wantFail},
		{"a second issuer value under the full IRI", func(d map[string]any) {
			d["https://www.w3.org/2018/credentials#issuer"] = map[string]any{"@id": victim.did}
		}, wantFail},
		{"the victim's credential embedded as an endorsement of the attacker's", func(d map[string]any) {
			n := victimNode(victim)
			n["@context"] = d["@context"]
			n["type"] = []any{"VerifiableCredential", "EndorsementCredential"}
			n["credentialSubject"] = map[string]any{"id": "urn:example:x", "type": []any{"EndorsementSubject"}}
			d["endorsement"] = []any{n}
		}, wantValid},
		{"the outer credential points at itself, the victim's node at nothing", func(d map[string]any) {
			d["evidence"] = []any{map[string]any{"id": d["id"], "type": []any{"Evidence"}}}
			n := victimNode(victim)
			n["type"] = []any{"VerifiableCredential", "EndorsementCredential"}
			n["credentialSubject"] = map[string]any{"id": "urn:example:x", "type": []any{"EndorsementSubject"}}
			d["endorsement"] = []any{n}
		}, wantFail},
		{"@graph: the victim's node in a named graph of the credential node, which is not read", func(d map[string]any) {
			d["@graph"] = []any{victimNode(victim)}
		}, wantValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := unsigned(t, attacker)
			tt.edit(d)
			signed, err := proof.Sign(context.Background(), d, attacker.priv, proof.SignOptions{
				Suite: proof.EddsaRdfc2022, VerificationMethod: attacker.vm, Created: now.Add(-time.Hour)})
			if err != nil {
				// The signer's own safe mode refusing the graph is a
				// refusal too; nothing to verify.
				t.Logf("signer refused: %v", err)
				return
			}
			res, err := v.Verify(context.Background(), encode(t, signed))
			got := rtVerdict(t, res, err)
			if got != tt.want {
				t.Errorf("verdict %s, want %s: %v (%+v)", got, tt.want, err, res.Checks)
			}
			if res.Claims != nil && res.Claims.Verified && res.Claims.Issuer == victim.did {
				t.Errorf("claims verified with the victim %s as issuer", victim.did)
			}
			if got == wantValid && (res.Issuer != attacker.did || strings.Contains(res.Name, "Victim")) {
				t.Errorf("valid result shows issuer %q name %q", res.Issuer, res.Name)
			}
		})
	}
}

// TestRedteamProofChains: previousProof loops, self-references and
// colliding proof ids neither borrow the issuer's proof for another's nor
// let a forged proof stand in for it.
func TestRedteamProofChains(t *testing.T) {
	issuer, attacker := newKey(t, 143), newKey(t, 144)
	base := unsigned(t, issuer)
	genuine := firstProof(signOpts(t, base, issuer, proof.SignOptions{ID: "urn:proof:1"}))
	// forged claims the issuer's method but is signed by the attacker.
	forge := func(id string, prev ...string) map[string]any {
		k := testKey{priv: attacker.priv, did: issuer.did, vm: issuer.vm}
		withPrev := clone(t, base)
		if len(prev) > 0 {
			withPrev["proof"] = []any{genuine}
		}
		p := firstProof(signOpts(t, withPrev, k, proof.SignOptions{ID: id}))
		if len(prev) > 0 {
			p = withPrev["proof"].([]any)[0].(map[string]any)
			p = clone(t, p)
			p["id"] = id
			p["previousProof"] = prev[0]
			p["proofValue"] = firstProof(signOpts(t, base, k, proof.SignOptions{ID: id}))["proofValue"]
		}
		return p
	}
	selfLoop := clone(t, genuine)
	selfLoop["previousProof"] = "urn:proof:1"
	a, b := forge("urn:proof:a"), forge("urn:proof:b")
	a["previousProof"], b["previousProof"] = "urn:proof:b", "urn:proof:a"
	dupID := forge("urn:proof:1")
	chainOnDup := forge("urn:proof:c")
	chainOnDup["previousProof"] = "urn:proof:1"

	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		proofs []any
		want   outcome
	}{
		{"control: the issuer's proof", []any{genuine}, wantValid},
		{"the issuer's proof edited to name itself as previousProof", []any{selfLoop}, wantFail},
		{"two forged proofs naming each other", []any{a, b}, wantFail},
		{"two forged proofs naming each other beside the issuer's", []any{a, genuine, b}, wantValid},
		// The issuer's untouched proof still counts; the forged ones are
		// reported and never stand in for it.
		{"a forged proof with the issuer's proof id", []any{dupID, genuine}, wantValid},
		{"a forged proof with the issuer's proof id, after it", []any{genuine, dupID}, wantValid},
		{"a forged proof chained onto a colliding id", []any{genuine, dupID, chainOnDup}, wantValid},
		{"a forged proof chained onto the issuer's proof", []any{genuine, chainOnDup}, wantValid},
		{"only forged proofs, one chained onto a colliding id", []any{dupID, chainOnDup}, wantFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := clone(t, base)
			d["proof"] = tt.proofs
			res, err := v.Verify(context.Background(), encode(t, d))
			if got := rtVerdict(t, res, err); got != tt.want {
				t.Errorf("verdict %s, want %s: %v", got, tt.want, err)
			}
			if tt.want == wantValid {
				// The proof that counts is the issuer's genuine one.
				at := -1
				for i, p := range tt.proofs {
					if p.(map[string]any)["proofValue"] == genuine["proofValue"] {
						at = i
					}
				}
				if c := res.Check(verifier.CheckProof); len(tt.proofs) > 1 && !strings.Contains(c.Reason, fmt.Sprintf("is valid (proof[%d])", at)) {
					t.Errorf("proof check %q does not count proof[%d], the issuer's", c.Reason, at)
				}
			}
		})
	}
}

// TestRedteamDates: signed validity bounds written in forms a lenient
// reader might skip or read as later than they are.
func TestRedteamDates(t *testing.T) {
	k := newKey(t, 145)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const vu = "https://www.w3.org/2018/credentials#validUntil"
	tests := []struct {
		name string
		edit func(d map[string]any)
		want outcome
	}{
		{"control: validUntil in the future", func(d map[string]any) { d["validUntil"] = "2030-01-01T00:00:00Z" }, wantValid},
		{"validUntil twice: a future term value and a past full-IRI value", func(d map[string]any) {
			d["validUntil"] = "2030-01-01T00:00:00Z"
			d[vu] = map[string]any{"@value": "2020-01-01T00:00:00Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
		}, wantFail},
		{"validUntil as a plain string literal with no datatype", func(d map[string]any) {
			d[vu] = map[string]any{"@value": "2020-01-01T00:00:00Z"}
		}, wantFail},
		{"validUntil with a language tag", func(d map[string]any) {
			d[vu] = map[string]any{"@value": "2020-01-01T00:00:00Z", "@language": "en"}
		}, wantFail},
		{"validUntil in lower case t and z", func(d map[string]any) { d["validUntil"] = "2020-01-01t00:00:00z" }, wantFail},
		{"validUntil a leap second", func(d map[string]any) { d["validUntil"] = "2025-12-31T23:59:60Z" }, wantFail},
		{"validUntil without a time zone", func(d map[string]any) { d["validUntil"] = "2020-01-01T00:00:00" }, wantFail},
		{"validUntil a date only", func(d map[string]any) { d["validUntil"] = "2020-01-01" }, wantFail},
		{"validUntil with a far-east offset that is still past", func(d map[string]any) { d["validUntil"] = "2026-11-16T11:00:00+23:59" }, wantFail},
		{"validUntil a node, not a value", func(d map[string]any) { d[vu] = map[string]any{"@id": "urn:example:date"} }, wantFail},
		{"validUntil with a five-digit year", func(d map[string]any) { d["validUntil"] = "+10000-01-01T00:00:00Z" }, wantFail},
		{"expirationDate past beside validUntil future (VC 1.1 term under v2)", func(d map[string]any) {
			d["validUntil"] = "2030-01-01T00:00:00Z"
			d["https://www.w3.org/2018/credentials#expirationDate"] = map[string]any{"@value": "2020-01-01T00:00:00Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
		}, wantFail},
		{"issuanceDate future beside validFrom past", func(d map[string]any) {
			d["https://www.w3.org/2018/credentials#issuanceDate"] = map[string]any{"@value": "2030-01-01T00:00:00Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
		}, wantFail},
		{"validFrom twice: past and future", func(d map[string]any) {
			d["https://www.w3.org/2018/credentials#validFrom"] = map[string]any{"@value": "2030-01-01T00:00:00Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
		}, wantFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := unsigned(t, k)
			tt.edit(d)
			signed, err := proof.Sign(context.Background(), d, k.priv, proof.SignOptions{
				Suite: proof.EddsaRdfc2022, VerificationMethod: k.vm, Created: now.Add(-time.Hour)})
			if err != nil {
				t.Logf("signer refused: %v", err)
				return
			}
			res, err := v.Verify(context.Background(), encode(t, signed))
			if got := rtVerdict(t, res, err); got != tt.want {
				t.Errorf("verdict %s, want %s: %v (%+v)", got, tt.want, err, res.Check(verifier.CheckValidity))
			}
		})
	}
}

// TestRedteamStatus: status entries and lists signed by the issuer in
// forms that could make a revoked credential read as not revoked.
func TestRedteamStatus(t *testing.T) {
	k, other := newKey(t, 146), newKey(t, 147)
	srv := newListServer(t)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: srv.loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	put := func(list map[string]any) string {
		n++
		path := "/rt/" + strconv.Itoa(n)
		url := srv.srv.URL + path
		list["id"] = url
		list["credentialSubject"].(map[string]any)["id"] = url + "#list"
		srv.put(t, path, sign(t, list, k.priv, k.vm, proof.EddsaRdfc2022))
		return url
	}
	fresh := func(set ...int) map[string]any {
		return listDoc(k.did, "https://placeholder.invalid/", "revocation", encodedList(t, set...))
	}
	tests := []struct {
		name  string
		entry func() any
		want  outcome
	}{
		{"control: revoked", func() any { return bitstringEntry(put(fresh(7)), "revocation", 7) }, wantFail},
		{"control: not revoked", func() any { return bitstringEntry(put(fresh(7)), "revocation", 8) }, wantValid},
		{"index past the end of the list", func() any {
			return bitstringEntry(put(fresh(7)), "revocation", 131072*4)
		}, wantFail},
		{"index with a leading plus sign", func() any {
			e := bitstringEntry(put(fresh(7)), "revocation", 7)
			e["statusListIndex"] = "+7"
			return e
		}, wantFail},
		{"index with leading zeros reads as the same index", func() any {
			e := bitstringEntry(put(fresh(7)), "revocation", 7)
			e["statusListIndex"] = "007"
			return e
		}, wantFail},
		// Too short for 2-bit entries: STATUS_LIST_LENGTH_ERROR, which is
		// "could not check" (issue #11), never "not revoked".
		{"statusSize 2 on a revocation entry against a list of 1-bit entries: too short to read", func() any {
			e := bitstringEntry(put(fresh(14)), "revocation", 7)
			e["statusSize"] = float64(2)
			e["statusMessage"] = []any{map[string]any{"status": "0x0", "message": "ok"}, map[string]any{"status": "0x1", "message": "x"},
				map[string]any{"status": "0x2", "message": "y"}, map[string]any{"status": "0x3", "message": "z"}}
			return e
		}, wantInconclusive},
		{"entry purpose differs from the list's", func() any {
			return bitstringEntry(put(fresh(7)), "suspension", 7)
		}, wantInconclusive},
		{"a revoked entry beside a clear one on another list", func() any {
			return []any{bitstringEntry(put(fresh()), "revocation", 7), bitstringEntry(put(fresh(7)), "revocation", 7)}
		}, wantFail},
		{"the same list named twice, once revoked", func() any {
			u := put(fresh(7))
			return []any{bitstringEntry(u, "revocation", 8), bitstringEntry(u, "revocation", 7)}
		}, wantFail},
		{"list URL with a fragment the list id lacks: same document, still revoked", func() any {
			return bitstringEntry(put(fresh(7))+"#frag", "revocation", 7)
		}, wantFail},
		{"list URL with a query the list id lacks", func() any {
			return bitstringEntry(put(fresh())+"?v=2", "revocation", 7)
		}, wantInconclusive},
		{"list signed by another key for the same issuer id", func() any {
			n++
			path := "/rt/" + strconv.Itoa(n)
			url := srv.srv.URL + path
			l := listDoc(k.did, url, "revocation", encodedList(t))
			srv.put(t, path, sign(t, l, other.priv, k.vm, proof.EddsaRdfc2022))
			return bitstringEntry(url, "revocation", 7)
		}, wantInconclusive},
		{"list issued by another issuer", func() any {
			n++
			path := "/rt/" + strconv.Itoa(n)
			url := srv.srv.URL + path
			l := listDoc(other.did, url, "revocation", encodedList(t))
			srv.put(t, path, sign(t, l, other.priv, other.vm, proof.EddsaRdfc2022))
			return bitstringEntry(url, "revocation", 7)
		}, wantInconclusive},
		{"list whose validUntil passed, written twice (future and past)", func() any {
			l := fresh()
			l["validUntil"] = "2030-01-01T00:00:00Z"
			l["https://www.w3.org/2018/credentials#validUntil"] = map[string]any{"@value": "2026-11-02T00:00:00Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
			return bitstringEntry(put(l), "revocation", 7)
		}, wantInconclusive},
		{"list with a second subject that is clear", func() any {
			l := fresh(7)
			s := l["credentialSubject"].(map[string]any)
			clear := map[string]any{"id": "urn:example:clear", "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": encodedList(t)}
			l["credentialSubject"] = []any{s, clear}
			return bitstringEntry(put2(t, srv, k, &n, l), "revocation", 7)
		}, wantInconclusive},
		{"list with two encodedList values, one clear", func() any {
			l := fresh(7)
			s := l["credentialSubject"].(map[string]any)
			s["https://www.w3.org/ns/credentials/status#encodedList"] = encodedList(t)
			return bitstringEntry(put(l), "revocation", 7)
		}, wantFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := unsigned(t, k)
			d["credentialStatus"] = tt.entry()
			res, err := v.Verify(context.Background(), encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)))
			got := rtVerdict(t, res, err)
			if got != tt.want {
				t.Errorf("verdict %s, want %s: %v", got, tt.want, err)
			}
			if st := res.Check(verifier.CheckStatus); st != nil {
				t.Logf("status: %s: %s", st.Status, st.Reason)
			}
		})
	}
}

// put2 signs a list whose credentialSubject is not a single object and
// serves it, its id set to the URL.
func put2(t *testing.T, srv *listServer, k testKey, n *int, list map[string]any) string {
	t.Helper()
	*n++
	path := fmt.Sprintf("/rt2/%d", *n)
	url := srv.srv.URL + path
	list["id"] = url
	srv.put(t, path, sign(t, list, k.priv, k.vm, proof.EddsaRdfc2022))
	return url
}

// TestRedteamReverseRoot: the claims are read from "the one
// VerifiableCredential node no other statement points at". With @reverse
// the signer makes another credential node point at the document's own
// top-level credential, so the checks (validity, status) and the report
// (id, name, dates) read the inner node while the JSON, and every reader
// of it, shows the outer one. Here the top-level credential expired in
// 2020 and was VALID, reported under the inner node's id and name (the
// signer is the issuer of both nodes, so no one else's key was forged, but
// the verdict was on a credential other than the one submitted). Now the
// statements must describe the document's own id.
func TestRedteamReverseRoot(t *testing.T) {
	k := newKey(t, 151)
	d := unsigned(t, k)
	d["validUntil"] = "2020-01-01T00:00:00Z"
	inner := map[string]any{
		"id":                "urn:uuid:99999999-2222-4333-8444-555555555555",
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":            k.did,
		"name":              "Inner credential",
		"validFrom":         "2026-11-01T00:00:00Z",
		"credentialSubject": map[string]any{"type": []any{"AchievementSubject"}},
	}
	d["@reverse"] = map[string]any{"https://example.org/vocab#about": inner}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)))
	t.Logf("valid %v, id %q, name %q, validity %+v", res.Valid, res.CredentialID, res.Name, res.Check(verifier.CheckValidity))
	if res.Valid || err == nil {
		t.Errorf("an expired top-level credential is valid (the report reads %q, %q)", res.CredentialID, res.Name)
	}
	if res.Claims != nil && res.Claims.Verified {
		t.Errorf("claims of %q read as verified", res.Claims.ID)
	}
}

// TestRedteamReverseRootJWT is TestRedteamReverseRoot for a VC-JWT (no
// validUntil, so an exp claim cannot be what refuses it): the claims read
// were the inner node's, verified, and the token valid.
func TestRedteamReverseRootJWT(t *testing.T) {
	k := newKey(t, 152)
	d := unsigned(t, k)
	d["@reverse"] = map[string]any{"https://example.org/vocab#about": map[string]any{
		"id": "urn:uuid:99999999-2222-4333-8444-555555555556", "type": []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer": k.did, "name": "Inner credential", "validFrom": "2026-11-01T00:00:00Z",
		"credentialSubject": map[string]any{"type": []any{"AchievementSubject"}},
	}}
	tok, err := vcjwt.Sign(context.Background(), d, k.priv, vcjwt.Options{KeyID: k.vm, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), []byte(tok))
	if got := rtVerdict(t, res, err); got != wantFail {
		t.Errorf("verdict %s, want fail: %v", got, err)
	}
	if res.Claims != nil && res.Claims.Verified {
		t.Errorf("claims of %q read as verified", res.Claims.ID)
	}
}

// TestRedteamBudgetFailureNotShared: a status list that one verification
// could not read because of its own per-verification bounds (here
// Limits.MaxFetches, spent by the attacker's credential on lists of its
// own before the victim's list issuer's document) must not be remembered
// as a failure of that list for every other credential: the attacker would
// make every credential naming the list "could not check" for
// negativeStatusTTL, and again whenever it liked.
func TestRedteamBudgetFailureNotShared(t *testing.T) {
	k, attacker := newKey(t, 153), newKey(t, 154)
	srv := newListServer(t)
	issuer := srv.srv.URL + "/issuer"
	vm := issuer + "#key-1"
	srv.put(t, "/issuer", json.RawMessage(docWith(t, issuer, vm, k, nil)))
	byIssuer := testKey{priv: k.priv, did: issuer, vm: vm}
	listURL := srv.put(t, "/L", sign(t, listDoc(issuer, srv.srv.URL+"/L", "revocation", encodedList(t)), k.priv, vm, proof.EddsaRdfc2022))
	var entries []any
	for _, p := range []string{"/a1", "/a2"} {
		u := srv.put(t, p, signedList(t, attacker, srv.srv.URL+p, "revocation", nil, nil))
		entries = append(entries, bitstringEntry(u, "revocation", 3))
	}
	entries = append(entries, bitstringEntry(listURL, "revocation", 3))
	att := unsigned(t, attacker)
	att["credentialStatus"] = entries
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: srv.loopbackClient(),
		Limits: verifier.Limits{MaxFetches: 3}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), encode(t, sign(t, att, attacker.priv, attacker.vm, proof.EddsaRdfc2022)))
	t.Logf("attacker's credential: %v (work %+v)", err, res.Work)

	victim := unsigned(t, byIssuer)
	victim["credentialStatus"] = bitstringEntry(listURL, "revocation", 3)
	res, err = v.Verify(context.Background(), encode(t, sign(t, victim, k.priv, vm, proof.EddsaRdfc2022)))
	checkOutcome(t, res, err, wantValid, "not revoked")
}

// TestRedteamJCSContext: an eddsa-jcs-2022 proof signs the document with
// the proof's @context, and the document's need only start with it
// (vc-di-eddsa §3.3.2). What a tamperer may append is never read: the
// claims are the proof-context reading, identical to the untouched one.
func TestRedteamJCSContext(t *testing.T) {
	k := newKey(t, 155)
	d := unsigned(t, k)
	d["validUntil"] = "2030-01-01T00:00:00Z"
	signed := sign(t, d, k.priv, k.vm, proof.EddsaJcs2022)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	base, err := v.Verify(context.Background(), encode(t, signed))
	if err != nil {
		t.Fatalf("control: %v", err)
	}
	tests := []struct {
		name string
		edit func(d map[string]any)
		want outcome
	}{
		{"a bundled context appended", func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), "https://w3id.org/security/data-integrity/v2")
		}, wantValid},
		{"the last context dropped", func(d map[string]any) {
			c := d["@context"].([]any)
			d["@context"] = c[:len(c)-1]
		}, wantFail},
		{"the proof's @context changed to match a shorter document context", func(d map[string]any) {
			c := d["@context"].([]any)
			d["@context"] = c[:len(c)-1]
			firstProof(d)["@context"] = c[:len(c)-1]
		}, wantFail},
		{"the contexts reordered", func(d map[string]any) {
			c := d["@context"].([]any)
			d["@context"] = []any{c[0], c[2], c[1]}
		}, wantFail},
		{"validUntil moved to a full IRI (a different JSON document)", func(d map[string]any) {
			d["https://www.w3.org/2018/credentials#validUntil"] = map[string]any{"@value": d["validUntil"], "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
			delete(d, "validUntil")
		}, wantFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := clone(t, signed)
			tt.edit(doc)
			res, err := v.Verify(context.Background(), encode(t, doc))
			got := rtVerdict(t, res, err)
			if got != tt.want {
				t.Fatalf("verdict %s, want %s: %v", got, tt.want, err)
			}
			if got == wantValid {
				a, _ := json.Marshal(res.Claims)
				b, _ := json.Marshal(base.Claims)
				if string(a) != string(b) {
					t.Errorf("claims differ from the untouched credential's:\n%s\n%s", a, b)
				}
			}
		})
	}
	if firstProof(signed)["@context"] == nil {
		t.Log("note: the jcs proof carries no @context; the document's is signed as it is")
	}
}

// manyEntries is an unsigned-in-effect credential (garbage proofValue)
// with results beside entries credentialStatus entries, each a distinct
// well-formed BitstringStatusListEntry.
func manyEntries(t testing.TB, results, entries int) []byte {
	t.Helper()
	k := newKey(t, 158)
	d := unsigned(t, k)
	rs := make([]any, results)
	for i := range rs {
		rs[i] = map[string]any{"type": []any{"Result"}, "value": strconv.Itoa(i)}
	}
	subject(d)["result"] = rs
	es := make([]any, entries)
	for i := range es {
		es[i] = map[string]any{"id": "https://example.org/l#" + strconv.Itoa(i), "type": "BitstringStatusListEntry",
			"statusPurpose": "revocation", "statusListIndex": strconv.Itoa(i), "statusListCredential": "https://example.org/l"}
	}
	d["credentialStatus"] = es
	d["proof"] = []any{map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod",
		"created": "2026-01-01T00:00:00Z", "verificationMethod": k.vm, "proofValue": "z1111"}}
	return encode(t, d)
}

// TestRedteamSchemaManyStatusEntries: the schema check validated the whole
// document once per credentialStatus entry, so 3,000 entries beside 2,500
// results (556 KB, unsigned) took 25 s, and the check takes no context, so
// the verification deadline did not stop it. Now at most
// Limits.MaxStatusEntries variants are validated (the status check never
// reads more entries, so such a credential is never valid).
func TestRedteamSchemaManyStatusEntries(t *testing.T) {
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), manyEntries(t, 2500, 3000))
	if got := rtVerdict(t, res, err); got == wantValid {
		t.Fatal("valid")
	}
	c := res.Check(verifier.CheckSchema)
	want := fmt.Sprintf("%d entries past Limits.MaxStatusEntries (%d) not checked", 3000-verifier.DefaultMaxStatusEntries, verifier.DefaultMaxStatusEntries)
	if c == nil || c.Status != verifier.StatusPass || !strings.Contains(c.Reason, want) {
		t.Errorf("schema check %+v, want a pass saying %q", c, want)
	}
	// An entry past the bound that breaks the schema is not read; one
	// within it still fails the check.
	d := map[string]any{}
	if err := json.Unmarshal(manyEntries(t, 0, 20), &d); err != nil {
		t.Fatal(err)
	}
	delete(d["credentialStatus"].([]any)[3].(map[string]any), "id")
	res, _ = v.Verify(context.Background(), encode(t, d))
	if c := res.Check(verifier.CheckSchema); c.Status != verifier.StatusFail || !strings.Contains(c.Path, "credentialStatus[3]") {
		t.Errorf("schema check %+v, want a failure at credentialStatus[3]", c)
	}
}

// BenchmarkRedteamSchemaManyStatusEntries: 3,000 status entries beside
// 2,500 results (556 KB): 25 s per verification before the bound.
func BenchmarkRedteamSchemaManyStatusEntries(b *testing.B) {
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	data := manyEntries(b, 2500, 3000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, _ = v.Verify(context.Background(), data)
	}
}

// chainedProofs returns n copies of p, each with an id and a previousProof
// naming the next (a loop), so that every one is canonicalized on its own
// (with the proof it names) before its signature is even looked at.
func chainedProofs(t testing.TB, p map[string]any, n int) []any {
	out := make([]any, 0, n)
	for i := range n {
		q := clone(t, p)
		q["id"] = fmt.Sprintf("urn:p:%d", i)
		q["previousProof"] = fmt.Sprintf("urn:p:%d", (i+1)%n)
		out = append(out, q)
	}
	return out
}

// TestRedteamCanonWorkPerProofSet: Limits.MaxQuads and
// MaxHashCalls bound one Canonicalize call, not one verification. A
// credential (or status list) with MaxProofs proofs that name a
// previousProof is canonicalized once per proof, plus once more for its
// unverified claims; a credential with MaxStatusEntries entries naming
// lists built the same way multiplies that again. A 5.5 KB self-issued
// credential naming 16 such lists made the verifier canonicalize 2.5
// million statements and compute 1.25 million blank-node hashes (9.5 s on
// the 2-core test machine), bounded only by the 30 s deadline, over the
// 660,000 the hostile corpus manifest asserts. Now the bounds hold for a
// proof set as a whole (proof.VerifyOptions.Limits): 20,000 and 314,114.
//
// The bounds asserted: a document's canonicalizations together within
// twice MaxQuads (its proof set and the unverified re-reading); here with
// 4 lists, so 5 documents, within 10 * MaxQuads (over 600,000 before).
func TestRedteamCanonWorkPerProofSet(t *testing.T) {
	k := newKey(t, 150)
	t.Run("one file, chained proofs", func(t *testing.T) {
		d := unsigned(t, k)
		results := make([]any, 4900)
		for i := range results {
			results[i] = map[string]any{"type": []any{"Result"}, "value": strconv.Itoa(i)}
		}
		subject(d)["result"] = results
		d["proof"] = chainedProofs(t, firstProof(sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)), verifier.DefaultMaxProofs)
		v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		res, err := v.Verify(context.Background(), encode(t, d))
		t.Logf("work %+v", res.Work)
		if rtVerdict(t, res, err) == wantValid {
			t.Error("valid")
		}
		if bound := 2 * verifier.DefaultMaxQuads; res.Work.Quads > bound {
			t.Errorf("one verification canonicalized %d statements (one document is held to %d)", res.Work.Quads, verifier.DefaultMaxQuads)
		}
	})
	t.Run("status lists with chained proofs", func(t *testing.T) {
		srv := newListServer(t)
		var entries []any
		for i := range 4 {
			path := fmt.Sprintf("/l/%d", i)
			url := srv.srv.URL + path
			d := listDoc(k.did, url, "revocation", encodedList(t))
			for _, key := range []string{"https://example.org/x1", "https://example.org/x2"} {
				arr := make([]any, 4900)
				for j := range arr {
					arr[j] = map[string]any{"https://example.org/y": strconv.Itoa(j)}
				}
				d[key] = arr
			}
			d["proof"] = chainedProofs(t, firstProof(sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)), verifier.DefaultMaxProofs)
			srv.put(t, path, d)
			entries = append(entries, bitstringEntry(url, "revocation", 3))
		}
		c := unsigned(t, k)
		c["credentialStatus"] = entries
		cred := encode(t, sign(t, c, k.priv, k.vm, proof.EddsaRdfc2022))
		v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: srv.loopbackClient()})
		if err != nil {
			t.Fatal(err)
		}
		res, _ := v.Verify(context.Background(), cred)
		t.Logf("%d-byte credential: work %+v", len(cred), res.Work)
		if bound := (1 + 4) * 2 * verifier.DefaultMaxQuads; res.Work.Quads > bound {
			t.Errorf("one verification canonicalized %d statements (one document is held to %d)", res.Work.Quads, verifier.DefaultMaxQuads)
		}
	})
}
