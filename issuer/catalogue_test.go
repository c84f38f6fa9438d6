package issuer_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
	"github.com/badgesmith/badgesmith/verifier"
)

// catalogueFixture is a catalogue in a bolt store with an approver set of
// an author and two approvers, one of them academic council.
type catalogueFixture struct {
	cat                            *catalogue.Catalogue
	db                             *bolt.DB
	root, author, council, quality crypto.PrivateKey
	now                            time.Time
}

func newCatalogue(t *testing.T, db *bolt.DB, require bool) *catalogueFixture {
	t.Helper()
	f := &catalogueFixture{db: db, now: time.Now().UTC().Add(-time.Hour).Truncate(time.Second)}
	for _, k := range []*crypto.PrivateKey{&f.root, &f.author, &f.council, &f.quality} {
		kp, err := keys.Generate(keys.Ed25519, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		*k = kp.Private
	}
	f.cat = catalogue.New(db, catalogue.Options{Now: func() time.Time { return f.now }})
	id := func(k crypto.PrivateKey) string {
		s, err := catalogue.KeyID(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	signed, err := catalogue.SignPolicy(catalogue.Policy{
		Serial: 1, Institution: "Example", RequireCatalogue: require, Issued: f.now,
		Rule: catalogue.Rule{Approvals: 2, RequiredRoles: []string{"academic-council"}},
		Members: []catalogue.Member{
			{Name: "author", Key: id(f.author), Roles: []string{catalogue.RoleAuthor}},
			{Name: "chair", Key: id(f.council), Roles: []string{"academic-council"}},
			{Name: "qa", Key: id(f.quality), Roles: []string{"quality-office"}},
		},
	}, f.root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.cat.SetApprovers(t.Context(), signed); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *catalogueFixture) decide(t *testing.T, id string, d catalogue.Decision, role string, key crypto.PrivateKey) {
	t.Helper()
	f.now = f.now.Add(time.Minute)
	st, err := f.cat.Prepare(t.Context(), id, 1, d, role)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := catalogue.Sign(*st, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.cat.Apply(t.Context(), tok); err != nil {
		t.Fatalf("%s: %v", d, err)
	}
}

// approve drafts the test achievement as version 1 and approves it.
func (f *catalogueFixture) approve(t *testing.T) string {
	t.Helper()
	v, err := f.cat.Create(t.Context(), catalogue.Draft{Achievement: readJSON(t, "achievement.json"), Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	f.decide(t, v.AchievementID, catalogue.Submit, catalogue.RoleAuthor, f.author)
	f.decide(t, v.AchievementID, catalogue.Approve, "quality-office", f.quality)
	f.decide(t, v.AchievementID, catalogue.Approve, "academic-council", f.council)
	return v.AchievementID
}

func tenItems() issuer.BatchSource {
	var items []issuer.BatchItem
	for i := range 10 {
		email := fmt.Sprintf("learner%d@example.com", i)
		items = append(items, issuer.BatchItem{Line: i + 2, Key: email, Recipient: email, Request: issuer.Request{RecipientEmail: email}})
	}
	return issuer.BatchItems(items...)
}

// TestCatalogueBatchLifecycle walks an achievement from draft through two
// approvals to a batch of ten credentials, retires it, and sees the next
// batch refused.
func TestCatalogueBatchLifecycle(t *testing.T) {
	ctx := t.Context()
	db := openStore(t, t.TempDir()+"/issued.db")
	cf := newCatalogue(t, db, true)
	// The issuer's clock is the catalogue's: the batch is issued after the
	// approvals and before the retirement.
	fx := newStatusIssuer(t, db, func(c *issuer.Config) { c.Catalogue = cf.cat; c.Now = func() time.Time { return cf.now } })
	id := fx.achID
	if _, err := fx.is.NewBatch(ctx, issuer.BatchConfig{ID: "b0", OutDir: t.TempDir(), Output: issuer.BatchOutput{Ext: ".json"}, CatalogueAchievement: id}); !errors.Is(err, catalogue.ErrNotFound) {
		t.Fatalf("batch of an achievement not in the catalogue: %v", err)
	}
	cf.approve(t)
	out := t.TempDir()
	b, err := fx.is.NewBatch(ctx, issuer.BatchConfig{ID: "b1", OutDir: out, Output: issuer.BatchOutput{Ext: ".json"}, CatalogueAchievement: id + "@1"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := b.Run(ctx, tenItems())
	if err != nil || sum.Issued != 10 {
		t.Fatalf("batch: %+v, %v", sum, err)
	}
	recs, err := db.ListCredentials(ctx, store.Filter{BatchID: "b1"})
	if err != nil || len(recs) != 10 {
		t.Fatalf("records: %d, %v", len(recs), err)
	}
	for _, r := range recs {
		if r.AchievementVersion != 1 || r.AchievementID != id {
			t.Errorf("record %s: achievement %s version %d, want %s version 1", r.ID, r.AchievementID, r.AchievementVersion, id)
		}
	}
	// The published catalogue vouches for every credential of the batch.
	signedCatalogue := func() []byte {
		t.Helper()
		pub, err := cf.cat.Publish(ctx, catalogue.PublishOptions{Issuer: fx.id, ID: "https://example.edu/catalogue.json"})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := pub.Catalogue.Credential()
		if err != nil {
			t.Fatal(err)
		}
		c, err := fx.is.Sign(ctx, doc)
		if err != nil {
			t.Fatal(err)
		}
		return c.JSON
	}
	checkApproved(t, signedCatalogue(), out, recs, verifier.StatusPass)
	// A catalogue that does not verify is no catalogue (could not check);
	// one by another issuer vouches for nothing of this issuer's (fail).
	tampered := bytes.Replace(signedCatalogue(), []byte(`"version": "1"`), []byte(`"version": "2"`), 1)
	checkApproved(t, tampered, out, recs[:1], verifier.StatusError)
	k8 := testkit.Ed25519(t, 8)
	other, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "Other"}, Signer: signerOf(t, k8.Private, k8.DID, k8.VM, "")})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := cf.cat.Publish(ctx, catalogue.PublishOptions{Issuer: k8.DID, ID: "https://other.example/catalogue.json"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := pub.Catalogue.Credential()
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.Sign(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	checkApproved(t, foreign.JSON, out, recs[:1], verifier.StatusFail)
	cf.decide(t, id, catalogue.Retire, "academic-council", cf.council)
	// Retired after they were issued, the version was approved when they were.
	checkApproved(t, signedCatalogue(), out, recs, verifier.StatusPass)
	_, err = fx.is.NewBatch(ctx, issuer.BatchConfig{ID: "b2", OutDir: t.TempDir(), Output: issuer.BatchOutput{Ext: ".json"}, CatalogueAchievement: id})
	var se *catalogue.StateError
	if !errors.As(err, &se) || se.State != store.Retired || !errors.Is(err, catalogue.ErrNotApproved) {
		t.Fatalf("batch of a retired version: %v, want a StateError (retired)", err)
	}
	if recs, _ := db.ListCredentials(ctx, store.Filter{BatchID: "b2"}); len(recs) != 0 {
		t.Errorf("the refused batch recorded %d credentials", len(recs))
	}
}

func TestCatalogueIssue(t *testing.T) {
	ctx := t.Context()
	db := openStore(t, t.TempDir()+"/issued.db")
	cf := newCatalogue(t, db, true)
	fx := newStatusIssuer(t, db, func(c *issuer.Config) { c.Catalogue = cf.cat })
	subject := readJSON(t, "subject.json")
	if _, err := fx.is.Issue(ctx, issuer.Request{CatalogueAchievement: fx.achID, Subject: subject}); !errors.Is(err, catalogue.ErrNotFound) {
		t.Fatalf("unknown catalogue achievement: %v", err)
	}
	if _, err := cf.cat.Create(ctx, catalogue.Draft{Achievement: readJSON(t, "achievement.json"), Version: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.is.Issue(ctx, issuer.Request{CatalogueAchievement: fx.achID, Subject: subject}); !errors.Is(err, catalogue.ErrNotApproved) {
		t.Fatalf("draft: %v, want ErrNotApproved", err)
	}
	cf.decide(t, fx.achID, catalogue.Submit, catalogue.RoleAuthor, cf.author)
	cf.decide(t, fx.achID, catalogue.Approve, "quality-office", cf.quality)
	cf.decide(t, fx.achID, catalogue.Approve, "academic-council", cf.council)

	cred, err := fx.is.Issue(ctx, issuer.Request{CatalogueAchievement: fx.achID + "@1", Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	ach := cred.Document["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
	if ach["version"] != "1" {
		t.Errorf("credential's achievement version %v, want \"1\"", ach["version"])
	}
	rec, err := db.GetCredential(ctx, cred.ID)
	if err != nil || rec.AchievementVersion != 1 {
		t.Errorf("record: %+v, %v", rec, err)
	}

	tests := []struct {
		name string
		cfg  func(*issuer.Config)
		req  issuer.Request
		want error
	}{
		{"own achievement while the catalogue is required", nil,
			issuer.Request{Achievement: readJSON(t, "achievement.json"), Subject: subject}, issuer.ErrUnmanaged},
		{"changed achievement under a catalogue name", nil, issuer.Request{
			CatalogueAchievement: fx.achID, Subject: subject,
			Achievement: func() map[string]any { a := readJSON(t, "achievement.json"); a["name"] = "Other"; return a }(),
		}, issuer.ErrInvalidInput},
		{"bad reference", nil, issuer.Request{CatalogueAchievement: fx.achID + "@x", Subject: subject}, catalogue.ErrInvalid},
		{"catalogue achievement without a catalogue", func(c *issuer.Config) { c.Catalogue = nil },
			issuer.Request{CatalogueAchievement: fx.achID, Subject: subject}, issuer.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := fx.is
			if tt.cfg != nil {
				is = newStatusIssuer(t, db, func(c *issuer.Config) { c.Catalogue = cf.cat; tt.cfg(c) }).is
			}
			before, _ := db.ListCredentials(ctx, store.Filter{})
			if _, err := is.Issue(ctx, tt.req); !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if after, _ := db.ListCredentials(ctx, store.Filter{}); len(after) != len(before) {
				t.Errorf("a refused request was recorded")
			}
		})
	}
	// Marked unmanaged explicitly, an achievement of its own is issued.
	un := newStatusIssuer(t, db, func(c *issuer.Config) { c.Catalogue = cf.cat; c.Unmanaged = true })
	if _, err := un.is.Issue(ctx, issuer.Request{Achievement: readJSON(t, "achievement.json"), Subject: subject}); err != nil {
		t.Errorf("unmanaged achievement with Unmanaged: %v", err)
	}
}

// checkApproved verifies the batch's credentials with the published
// catalogue and checks the catalogue check's verdict.
func checkApproved(t *testing.T, cat []byte, dir string, recs []store.Record, want verifier.Status) {
	t.Helper()
	v, err := verifier.New(verifier.Options{Catalogue: cat})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		data, err := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(r.ID, "urn:uuid:")+".json"))
		if err != nil {
			t.Fatal(err)
		}
		res, _ := v.Verify(t.Context(), data)
		c := res.Check(verifier.CheckCatalogue)
		if c == nil || c.Status != want || (want == verifier.StatusPass && !strings.HasPrefix(c.Reason, "approved version")) {
			t.Fatalf("credential %s: catalogue check %+v, want %s (checks %+v)", r.ID, c, want, res.Checks)
		}
	}
}
