package server

import (
	"crypto"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// testCatalogue is the catalogue in a test server's store, with an
// approver set of an author and two approvers (one academic council).
type testCatalogue struct {
	cat                            *catalogue.Catalogue
	root, author, council, quality crypto.PrivateKey
	id                             string // the test achievement's id
}

// withCatalogue gives the test server's issuer the catalogue of its
// store, its approver set requiring the catalogue when require is set;
// unmanaged is the issuer's Unmanaged.
func withCatalogue(t *testing.T, tc *testConfig, require, unmanaged bool) *testCatalogue {
	t.Helper()
	c := &testCatalogue{}
	for _, k := range []*crypto.PrivateKey{&c.root, &c.author, &c.council, &c.quality} {
		kp, err := keys.Generate(keys.Ed25519, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		*k = kp.Private
	}
	tc.issuerConfig = func(db *bolt.DB, cfg *issuer.Config) {
		c.cat = catalogue.New(db, catalogue.Options{})
		kid := func(k crypto.PrivateKey) string {
			s, err := catalogue.KeyID(k)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		signed, err := catalogue.SignPolicy(catalogue.Policy{
			Serial: 1, Institution: "Test University", RequireCatalogue: require, Issued: time.Now().UTC().Add(-time.Minute),
			Rule: catalogue.Rule{Approvals: 2, RequiredRoles: []string{"academic-council"}},
			Members: []catalogue.Member{
				{Name: "author", Key: kid(c.author), Roles: []string{catalogue.RoleAuthor}},
				{Name: "chair", Key: kid(c.council), Roles: []string{"academic-council"}},
				{Name: "qa", Key: kid(c.quality), Roles: []string{"quality-office"}},
			},
		}, c.root)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.cat.SetApprovers(t.Context(), signed); err != nil {
			t.Fatal(err)
		}
		cfg.Catalogue, cfg.Unmanaged = c.cat, unmanaged
	}
	return c
}

func (c *testCatalogue) decide(t *testing.T, version int, d catalogue.Decision, role string, key crypto.PrivateKey) {
	t.Helper()
	st, err := c.cat.Prepare(t.Context(), c.id, version, d, role)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := catalogue.Sign(*st, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.cat.Apply(t.Context(), tok); err != nil {
		t.Fatalf("%s version %d: %v", d, version, err)
	}
}

// approveFirst drafts the test achievement as version 1 and approves it.
func (c *testCatalogue) approveFirst(t *testing.T) {
	t.Helper()
	v, err := c.cat.Create(t.Context(), catalogue.Draft{Achievement: readTestdata(t, "achievement.json"), Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.id = v.AchievementID
	c.decide(t, 1, catalogue.Submit, catalogue.RoleAuthor, c.author)
	c.decide(t, 1, catalogue.Approve, "quality-office", c.quality)
	c.decide(t, 1, catalogue.Approve, "academic-council", c.council)
}

// issueFrom posts cred with options.catalogueAchievement ref ("" for no
// option).
func (ts *testServer) issueFrom(t *testing.T, cred map[string]any, ref string) fetched {
	t.Helper()
	opts := map[string]any{}
	if ref != "" {
		opts["catalogueAchievement"] = ref
	}
	return ts.do(t, "POST", "/credentials/issue", testAdminKey, map[string]any{"credential": cred, "options": opts})
}

// withoutAchievement is the sample credential without its achievement,
// for the catalogue to fill in.
func withoutAchievement(t *testing.T) map[string]any {
	cred := sampleCredential(t)
	delete(cred["credentialSubject"].(map[string]any), "achievement")
	return cred
}

// TestIssueCatalogueAchievement: the issue endpoint issues an approved
// catalogue version (recording its number), and refuses a draft, a
// retired version, an unknown one and an achievement that is not the
// version's, each with its problem at the member at fault.
func TestIssueCatalogueAchievement(t *testing.T) {
	var tc testConfig
	c := withCatalogue(t, &tc, false, false)
	ts := startServer(t, tc)
	c.approveFirst(t)
	// Version 2 is drafted, never submitted.
	a2 := readTestdata(t, "achievement.json")
	a2["name"] = "Applied Data Analysis (revised)"
	if _, err := c.cat.Edit(t.Context(), c.id, 0, catalogue.Draft{Achievement: a2}); err != nil {
		t.Fatal(err)
	}

	// The latest approved version is 1, not the draft 2.
	for _, ref := range []string{c.id + "@1", c.id} {
		resp := ts.issueFrom(t, withoutAchievement(t), ref)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("%s: status %d: %s", ref, resp.StatusCode, resp.Body)
		}
		vc := decode[issued](t, resp).VerifiableCredential
		a := vc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
		if a["id"] != c.id || a["version"] != "1" {
			t.Errorf("%s: issued achievement %v version %v, want %s version 1", ref, a["id"], a["version"], c.id)
		}
		rec, err := ts.store.GetCredential(t.Context(), vc["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if rec.AchievementVersion != 1 {
			t.Errorf("%s: record's achievement version %d, want 1", ref, rec.AchievementVersion)
		}
		if code, res := ts.verifyVC(t, vc); code != http.StatusOK || !res.Verified {
			t.Errorf("%s: verify %d %+v", ref, code, res)
		}
	}
	// The achievement may be sent too when it is the version's exactly
	// (with its version number).
	own := sampleCredential(t)
	own["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["version"] = "1"
	if resp := ts.issueFrom(t, own, c.id+"@1"); resp.StatusCode != http.StatusCreated {
		t.Errorf("the version's own achievement: status %d: %s", resp.StatusCode, resp.Body)
	}
	// Unmanaged issuing still works: this catalogue is not required.
	resp := ts.issueFrom(t, sampleCredential(t), "")
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("unmanaged, catalogue not required: status %d: %s", resp.StatusCode, resp.Body)
	}
	vc := decode[issued](t, resp).VerifiableCredential
	if rec, err := ts.store.GetCredential(t.Context(), vc["id"].(string)); err != nil || rec.AchievementVersion != 0 {
		t.Errorf("unmanaged record: %+v, %v; want achievement version 0", rec, err)
	}

	changed := sampleCredential(t)
	changed["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Something else"
	cases := []struct {
		name, ref   string
		cred        map[string]any
		status      int
		problem, at string
		before      func(t *testing.T)
	}{
		{name: "draft", ref: c.id + "@2", cred: withoutAchievement(t), status: http.StatusUnprocessableEntity, problem: ProbNotApproved, at: optCatalogueAchievement},
		{name: "unknown achievement", ref: "https://example.edu/achievements/none", cred: withoutAchievement(t), status: http.StatusBadRequest, problem: ProbInvalidField, at: optCatalogueAchievement},
		{name: "unknown version", ref: c.id + "@9", cred: withoutAchievement(t), status: http.StatusBadRequest, problem: ProbInvalidField, at: optCatalogueAchievement},
		{name: "bad reference", ref: c.id + "@x", cred: withoutAchievement(t), status: http.StatusBadRequest, problem: ProbInvalidField, at: optCatalogueAchievement},
		{name: "achievement not the version's", ref: c.id + "@1", cred: changed, status: http.StatusBadRequest, problem: ProbInvalidField, at: "credential.credentialSubject.achievement"},
		{name: "retired", ref: c.id + "@1", cred: withoutAchievement(t), status: http.StatusUnprocessableEntity, problem: ProbNotApproved, at: optCatalogueAchievement,
			before: func(t *testing.T) { c.decide(t, 1, catalogue.Retire, "academic-council", c.council) }},
		{name: "latest approved, none left", ref: c.id, cred: withoutAchievement(t), status: http.StatusUnprocessableEntity, problem: ProbNotApproved, at: optCatalogueAchievement},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before(t)
			}
			before, err := ts.store.ListCredentials(t.Context(), store.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			wantProblem(t, ts.issueFrom(t, tc.cred, tc.ref), tc.status, tc.problem, tc.at)
			after, err := ts.store.ListCredentials(t.Context(), store.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Errorf("a refused request recorded a credential: %d records, had %d", len(after), len(before))
			}
		})
	}
	wantProblem(t, ts.do(t, "POST", "/credentials/issue", testAdminKey, map[string]any{"credential": withoutAchievement(t), "options": map[string]any{"catalogueAchievement": 1}}),
		http.StatusBadRequest, ProbInvalidField, optCatalogueAchievement)
}

// TestIssueCatalogueRequired: when the approver set requires the
// catalogue, a credential with its own achievement is refused unless the
// server accepts unmanaged achievements explicitly; a catalogue version
// is issued either way.
func TestIssueCatalogueRequired(t *testing.T) {
	for _, unmanaged := range []bool{false, true} {
		var tc testConfig
		c := withCatalogue(t, &tc, true, unmanaged)
		ts := startServer(t, tc)
		c.approveFirst(t)
		resp := ts.issueFrom(t, sampleCredential(t), "")
		if unmanaged {
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("unmanaged allowed: status %d: %s", resp.StatusCode, resp.Body)
			}
		} else {
			wantProblem(t, resp, http.StatusUnprocessableEntity, ProbCatalogueRequired, "credential.credentialSubject.achievement")
		}
		if resp := ts.issueFrom(t, withoutAchievement(t), c.id+"@1"); resp.StatusCode != http.StatusCreated {
			t.Errorf("unmanaged %v: catalogue version: status %d: %s", unmanaged, resp.StatusCode, resp.Body)
		}
	}
}

// TestIssueCatalogueWithoutCatalogue: an issuer without a catalogue
// refuses the option rather than ignoring it.
func TestIssueCatalogueWithoutCatalogue(t *testing.T) {
	ts := startServer(t, testConfig{})
	wantProblem(t, ts.issueFrom(t, withoutAchievement(t), "https://example.edu/achievements/x@1"), http.StatusBadRequest, ProbUnsupported, optCatalogueAchievement)
}
