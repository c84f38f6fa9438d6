package verifier_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/catalogue/published"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
	"github.com/badgesmith/badgesmith/verifier"
)

// signedCatalogue is a published catalogue by k listing the sample
// achievement (testdata/achievement.json) at version "1.0", approved on
// approved and retired on retired (zero: never).
func signedCatalogue(t *testing.T, k testKey, approved, retired time.Time) []byte {
	t.Helper()
	c := &published.Catalogue{
		ID: "https://example.edu/catalogue.json", Issuer: k.did, Name: "Approved achievements",
		ValidFrom: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Entries: []published.Entry{{
			AchievementID: "https://example.edu/achievements/data-analysis-micro", Version: "1.0", Name: "Applied Data Analysis",
			Digest:     "sha256:" + strings.Repeat("ab", 32),
			ApprovedAt: approved, RetiredAt: retired,
		}},
	}
	m, err := c.Credential()
	if err != nil {
		t.Fatal(err)
	}
	return encode(t, sign(t, m, k.priv, k.vm, proof.EddsaRdfc2022))
}

func catalogueVerdict(t *testing.T, cat, cred []byte) *verifier.CheckResult {
	t.Helper()
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, Catalogue: cat})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := v.Verify(t.Context(), cred)
	c := res.Check(verifier.CheckCatalogue)
	if c == nil {
		t.Fatalf("no catalogue check: %+v", res.Checks)
	}
	return c
}

// TestRedTeamCatalogueJSONFolding: the published catalogue is read from
// its JSON by encoding/json, which matches member names case-insensitively
// (and with Unicode folding), while JSON-LD reads them exactly. A member
// "OtherIdentifier": [] after the signed "otherIdentifier" adds no
// statement, so the signature still verifies, but it empties the list of
// retirements encoding/json reads: a version retired before the credential
// was issued reads as approved.
func TestRedTeamCatalogueJSONFolding(t *testing.T) {
	k := newKey(t, 121)
	cred := encode(t, sign(t, unsigned(t, k), k.priv, k.vm, proof.EddsaRdfc2022)) // validFrom 2026-11-01
	cat := signedCatalogue(t, k, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC))
	if c := catalogueVerdict(t, cat, cred); c.Status != verifier.StatusFail {
		t.Fatalf("retired version: catalogue check %+v, want fail", c)
	}
	current := signedCatalogue(t, k, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Time{})
	if c := catalogueVerdict(t, current, cred); c.Status != verifier.StatusPass {
		t.Fatalf("approved version: catalogue check %+v, want pass", c)
	}
	for _, tamper := range []struct {
		name, old, new string
		cat            []byte
	}{
		// Held: JSON-LD safe mode refuses a member no context defines.
		{"OtherIdentifier emptied", `"related":`, `"OtherIdentifier":[],"related":`, cat},
		{"otherIdentifier upper case", `"related":`, `"OTHERIDENTIFIER":[],"related":`, cat},
		// "Related" is an OB 3.0 term (the class), so an empty value adds
		// no statement and loses nothing; encoding/json reads it as
		// "related" and empties the approvals.
		{"Related emptied", `"type":["Achievement"]}`, `"type":["Achievement"],"Related":[]}`, current},
	} {
		t.Run(tamper.name, func(t *testing.T) {
			forged := bytes.Replace(tamper.cat, []byte(tamper.old), []byte(tamper.new), 1)
			if bytes.Equal(forged, tamper.cat) {
				t.Fatal("tamper did not apply")
			}
			c := catalogueVerdict(t, forged, cred)
			t.Logf("%+v", c)
			if c.Status != verifier.StatusError {
				t.Fatalf("tampered catalogue: catalogue check %+v, want error (catalogue unusable)", c)
			}
		})
	}
}

// TestRedTeamCatalogueTwoVersions: an achievement node with two version
// values is read as one of them (the last in canonical order), so a
// credential that also states an unapproved version passes as approved.
func TestRedTeamCatalogueTwoVersions(t *testing.T) {
	k := newKey(t, 122)
	cat := signedCatalogue(t, k, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Time{})
	d := unsigned(t, k)
	achievement(d)["version"] = "0.9-draft"
	achievement(d)["related"] = []any{map[string]any{"id": achievement(d)["id"], "type": []any{"Related"}, "version": "1.0"}}
	cred := encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022))
	c := catalogueVerdict(t, cat, cred)
	t.Logf("%+v", c)
	if c.Status == verifier.StatusPass {
		t.Fatalf("two versions: catalogue check %+v, want no pass", c)
	}
}

// TestRedTeamEnvelopeWithClaims: an enveloped credential or presentation
// is verified as the token in its id, and nothing else of it is read; an
// envelope carrying claims beside the token (a name, a subject) showed
// those claims under a valid verdict that never covered them. An envelope
// is @context, id and type alone.
func TestRedTeamEnvelopeWithClaims(t *testing.T) {
	issuerA, holder := newKey(t, 123), newKey(t, 124)
	credJWT, err := vcjwt.Sign(context.Background(), unsigned(t, issuerA), issuerA.priv, vcjwt.Options{Format: vcjwt.FormatJOSE, KeyID: issuerA.vm})
	if err != nil {
		t.Fatal(err)
	}
	envelope := func(extra map[string]any) map[string]any {
		e := map[string]any{
			"@context": "https://www.w3.org/ns/credentials/v2",
			"id":       "data:application/vc+jwt," + credJWT,
			"type":     "EnvelopedVerifiableCredential",
		}
		for k, x := range extra {
			e[k] = x
		}
		return e
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(vc any) []byte {
		return encode(t, vpSign(t, newPresentation(holder.did, vc), holder.priv, proof.SignOptions{VerificationMethod: holder.vm}))
	}
	if res, err := v.VerifyPresentation(t.Context(), sign(envelope(nil)), verifier.PresentationOptions{}); err != nil {
		t.Fatalf("plain envelope: %v %+v", err, res.Checks)
	}
	vpTok := vpJWT(t, holder, newPresentation(holder.did, envelope(nil)), false)
	for name, doc := range map[string][]byte{
		"credential envelope with a name": sign(envelope(map[string]any{"name": "Doctor of Medicine"})),
		"presentation envelope with a holder": encode(t, map[string]any{
			"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiablePresentation",
			"id": "data:application/vp+jwt," + vpTok, "holder": "did:web:someone-else.example",
		}),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := v.VerifyPresentation(t.Context(), doc, verifier.PresentationOptions{})
			if err == nil || res.Valid {
				t.Fatalf("an envelope with claims beside its token: %s (%+v)", res.Verdict, res.Checks)
			}
		})
	}
}

// TestRedTeamPresentationFetchBudget: Limits bound one verification, and
// a presentation is one: each embedded credential drew on a budget of its
// own, so a presentation of n credentials, each with MaxFetches status
// lists at distinct URLs, made n times MaxFetches requests (16 x 32 = 512
// through the open /presentations/verify endpoint). The credentials now
// draw on the presentation's fetch allowance.
func TestRedTeamPresentationFetchBudget(t *testing.T) {
	s := newListServer(t)
	g := s.guardedClient(t)
	holder := newKey(t, 125)
	var creds []any
	for c := range 3 {
		k := newKey(t, byte(126+c))
		var entries []any
		for i := range 4 {
			entries = append(entries, bitstringEntry(s.at(fmt.Sprintf("/c%d/l%d", c, i)), "revocation", 3))
		}
		d := unsigned(t, k)
		d["id"] = fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-0000000001%02d", c)
		d["credentialStatus"] = entries
		creds = append(creds, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022))
	}
	data := encode(t, vpSign(t, newPresentation(holder.did, creds...), holder.priv, proof.SignOptions{VerificationMethod: holder.vm}))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: g.client, Limits: verifier.Limits{MaxFetches: 4}})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := v.VerifyPresentation(t.Context(), data, verifier.PresentationOptions{})
	fetches := 0
	for _, c := range res.Credentials {
		fetches += c.Work.Fetches
	}
	s.mu.Lock()
	hits := 0
	for _, n := range s.hits {
		hits += n
	}
	s.mu.Unlock()
	if hits > 4 || fetches > 4 {
		t.Fatalf("a presentation verified under Limits.MaxFetches 4 made %d requests (credentials' Work: %d fetches)", hits, fetches)
	}
	if res.Verdict != verifier.VerdictCouldNotCheck {
		t.Errorf("verdict %s, want %s (the lists were not found)", res.Verdict, verifier.VerdictCouldNotCheck)
	}
}

// TestRedTeamPresentationDuplicateMembers: a JSON credential that repeats
// a member name is refused (encoding/json keeps the last value, other
// readers the first), and so is a JWT's header or payload; a JSON
// presentation was decoded into a map, so a credential inside it carrying
// "name": "Brain Surgery" before its signed name verified, and re-encoded
// for Verify, the duplicate was gone.
func TestRedTeamPresentationDuplicateMembers(t *testing.T) {
	issuerA, holder := newKey(t, 130), newKey(t, 131)
	cred := vpCredential(t, issuerA, "urn:uuid:00000000-0000-4000-8000-0000000001ff")
	data := encode(t, vpSign(t, newPresentation(holder.did, cred), holder.priv, proof.SignOptions{VerificationMethod: holder.vm}))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyPresentation(t.Context(), data, verifier.PresentationOptions{}); err != nil {
		t.Fatalf("the presentation: %v", err)
	}
	for name, tamper := range map[string][2]string{
		"in a credential":     {`"name":"Applied Data Analysis"`, `"name":"Brain Surgery","name":"Applied Data Analysis"`},
		"in the presentation": {`"holder":`, `"holder":"did:web:someone-else.example","holder":`},
	} {
		t.Run(name, func(t *testing.T) {
			dup := bytes.Replace(data, []byte(tamper[0]), []byte(tamper[1]), 1)
			if bytes.Equal(dup, data) {
				t.Fatal("tamper did not apply")
			}
			res, err := v.VerifyPresentation(t.Context(), dup, verifier.PresentationOptions{})
			if err == nil || res.Valid {
				t.Fatalf("a presentation repeating a member: %s (%+v)", res.Verdict, res.Checks)
			}
		})
	}
}
