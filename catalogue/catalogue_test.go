package catalogue_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/catalogue/published"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
)

const achID = "https://example.edu/achievements/data-literacy"

func achievement(name string) map[string]any {
	return map[string]any{
		"id":               achID,
		"type":             []any{"Achievement"},
		"achievementType":  "MicroCredential",
		"name":             name,
		"description":      "Reads and questions data.",
		"criteria":         map[string]any{"narrative": "Passed the assessed project."},
		"creditsAvailable": 5.0,
		"alignment": []any{map[string]any{
			"type": []any{"Alignment"}, "targetName": "Analyse data <b>", "targetUrl": "https://example.org/fw/analyse",
		}},
	}
}

type env struct {
	cat                                   *catalogue.Catalogue
	db                                    *bolt.DB
	root, author, council, quality, rogue crypto.PrivateKey
	clock                                 *time.Time
}

func genKey(t testing.TB) crypto.PrivateKey {
	t.Helper()
	kp, err := keys.Generate(keys.Ed25519, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return kp.Private
}

func keyID(t testing.TB, k crypto.PrivateKey) string {
	t.Helper()
	id, err := catalogue.KeyID(k)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func newEnv(t testing.TB, rule catalogue.Rule) *env {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "cat.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	e := &env{db: db, root: genKey(t), author: genKey(t), council: genKey(t), quality: genKey(t), rogue: genKey(t), clock: &now}
	e.cat = catalogue.New(db, catalogue.Options{Now: func() time.Time { return *e.clock }})
	p := catalogue.Policy{
		Serial: 1, Institution: "Example University", Rule: rule, Issued: now,
		Members: []catalogue.Member{
			{Name: "Ada Author", Key: keyID(t, e.author), Roles: []string{catalogue.RoleAuthor, "quality-office"}},
			{Name: "Chair", Key: keyID(t, e.council), Roles: []string{"academic-council"}},
			{Name: "QA", Key: keyID(t, e.quality), Roles: []string{"quality-office"}},
		},
	}
	signed, err := catalogue.SignPolicy(p, e.root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cat.SetApprovers(t.Context(), signed); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) tick() { *e.clock = e.clock.Add(time.Hour) }

// decide signs and applies a decision on id@version by key in role.
func (e *env) decide(ctx context.Context, version int, d catalogue.Decision, role string, key crypto.PrivateKey) (*store.AchievementVersion, error) {
	e.tick()
	st, err := e.cat.Prepare(ctx, achID, version, d, role)
	if err != nil {
		return nil, err
	}
	st.Reference = "AC/2026/14"
	st.MinutesURL = "https://example.edu/minutes/ac-2026-14"
	tok, err := catalogue.Sign(*st, key)
	if err != nil {
		return nil, err
	}
	return e.cat.Apply(ctx, tok)
}

func (e *env) approved(t testing.TB) {
	t.Helper()
	ctx := t.Context()
	if _, err := e.cat.Create(ctx, catalogue.Draft{Achievement: achievement("Data Literacy"), Actor: "ada", QA: &store.QA{AssessmentMethod: "project", ApprovingBody: "Academic Council"}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		d    catalogue.Decision
		role string
		key  crypto.PrivateKey
	}{{catalogue.Submit, catalogue.RoleAuthor, e.author}, {catalogue.Approve, "academic-council", e.council}, {catalogue.Approve, "quality-office", e.quality}} {
		if _, err := e.decide(ctx, 1, s.d, s.role, s.key); err != nil {
			t.Fatalf("%s: %v", s.d, err)
		}
	}
}

func TestWorkflow(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, catalogue.Rule{Approvals: 2, RequiredRoles: []string{"academic-council"}})
	if _, err := e.cat.Create(ctx, catalogue.Draft{Achievement: achievement("Data Literacy"), Actor: "ada"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cat.Resolve(ctx, achID); !errors.Is(err, catalogue.ErrNotApproved) {
		t.Fatalf("resolving a draft: %v, want ErrNotApproved", err)
	}
	steps := []struct {
		d    catalogue.Decision
		role string
		key  crypto.PrivateKey
		want store.VersionState
	}{
		{catalogue.Submit, catalogue.RoleAuthor, e.author, store.InReview},
		{catalogue.Approve, "quality-office", e.quality, store.InReview},
		{catalogue.Approve, "academic-council", e.council, store.Approved},
		{catalogue.Retire, "academic-council", e.council, store.Retired},
	}
	for _, s := range steps {
		v, err := e.decide(ctx, 1, s.d, s.role, s.key)
		if err != nil {
			t.Fatalf("%s: %v", s.d, err)
		}
		if v.State != s.want {
			t.Fatalf("after %s: %s, want %s", s.d, v.State, s.want)
		}
		if err := e.cat.Verify(ctx, achID, 0); err != nil {
			t.Fatalf("Verify after %s: %v", s.d, err)
		}
		if s.want == store.Approved {
			r, err := e.cat.Resolve(ctx, achID+"@1")
			if err != nil || r.Version != 1 || r.Achievement["version"] != "1" {
				t.Fatalf("Resolve approved = %+v, %v", r, err)
			}
		}
	}
	_, err := e.cat.Resolve(ctx, achID)
	var se *catalogue.StateError
	if !errors.As(err, &se) || se.State != store.Retired || !errors.Is(err, catalogue.ErrNotApproved) {
		t.Fatalf("resolving a retired version: %v", err)
	}
	trail, err := e.cat.Audit(ctx, achID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range trail {
		actions = append(actions, ev.Action+":"+string(ev.To))
		if ev.Action == "approve" && (ev.Reference != "AC/2026/14" || ev.MinutesURL == "" || ev.Actor == "") {
			t.Errorf("approval event without who/reference/minutes: %+v", ev)
		}
	}
	want := "created:draft submit:in-review approve:in-review approve:approved retire:retired"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("trail %q, want %q", got, want)
	}
}

func TestRejectBackToDraft(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, catalogue.Rule{Approvals: 2})
	if _, err := e.cat.Create(ctx, catalogue.Draft{Achievement: achievement("v1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.decide(ctx, 1, catalogue.Submit, catalogue.RoleAuthor, e.author); err != nil {
		t.Fatal(err)
	}
	if _, err := e.decide(ctx, 1, catalogue.Approve, "academic-council", e.council); err != nil {
		t.Fatal(err)
	}
	if v, err := e.decide(ctx, 1, catalogue.Reject, "quality-office", e.quality); err != nil || v.State != store.Rejected {
		t.Fatalf("reject: %v, %v", v, err)
	}
	v, err := e.cat.Edit(ctx, achID, 0, catalogue.Draft{Achievement: achievement("v1 fixed")})
	if err != nil || v.State != store.Draft || v.Version != 1 {
		t.Fatalf("editing a rejected version: %+v, %v", v, err)
	}
	// The approval given before the rejection does not count again.
	for _, s := range []struct {
		d    catalogue.Decision
		role string
		key  crypto.PrivateKey
		want store.VersionState
	}{
		{catalogue.Submit, catalogue.RoleAuthor, e.author, store.InReview},
		{catalogue.Approve, "academic-council", e.council, store.InReview},
		{catalogue.Approve, "quality-office", e.quality, store.Approved},
	} {
		if v, err := e.decide(ctx, 1, s.d, s.role, s.key); err != nil || v.State != s.want {
			t.Fatalf("%s: %v, %v; want %s", s.d, v, err, s.want)
		}
	}
	if err := e.cat.Verify(ctx, achID, 1); err != nil {
		t.Fatal(err)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		run  func(*testing.T, *env) error
		want error
	}{
		{"approval by a key not in the set", func(t *testing.T, e *env) error {
			_, err := e.decide(t.Context(), 1, catalogue.Approve, "academic-council", e.rogue)
			return err
		}, catalogue.ErrNotMember},
		{"approval in a role the key lacks", func(t *testing.T, e *env) error {
			_, err := e.decide(t.Context(), 1, catalogue.Approve, "academic-council", e.quality)
			return err
		}, catalogue.ErrNotMember},
		{"self-approval", func(t *testing.T, e *env) error {
			_, err := e.decide(t.Context(), 1, catalogue.Approve, "quality-office", e.author)
			return err
		}, catalogue.ErrSelfApproval},
		{"approving twice", func(t *testing.T, e *env) error {
			if _, err := e.decide(t.Context(), 1, catalogue.Approve, "quality-office", e.quality); err != nil {
				return err
			}
			_, err := e.decide(t.Context(), 1, catalogue.Approve, "quality-office", e.quality)
			return err
		}, catalogue.ErrDuplicateApproval},
		{"approval for other content", func(t *testing.T, e *env) error {
			st, err := e.cat.Prepare(t.Context(), achID, 1, catalogue.Approve, "academic-council")
			if err != nil {
				return err
			}
			st.Digest = "sha256:" + strings.Repeat("0", 64)
			tok, err := catalogue.Sign(*st, e.council)
			if err != nil {
				return err
			}
			_, err = e.cat.Apply(t.Context(), tok)
			return err
		}, catalogue.ErrDigest},
		{"approval of another version reused", func(t *testing.T, e *env) error {
			st, err := e.cat.Prepare(t.Context(), achID, 1, catalogue.Approve, "academic-council")
			if err != nil {
				return err
			}
			tok, err := catalogue.Sign(*st, e.council)
			if err != nil {
				return err
			}
			// Move the signed approval to version 2 by editing the payload.
			parts := strings.Split(tok, ".")
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			payload = []byte(strings.Replace(string(payload), `"version":1`, `"version":2`, 1))
			parts[1] = base64.RawURLEncoding.EncodeToString(payload)
			_, err = e.cat.Apply(t.Context(), strings.Join(parts, "."))
			return err
		}, catalogue.ErrSignature},
		{"editing an in-review version", func(t *testing.T, e *env) error {
			_, err := e.cat.Edit(t.Context(), achID, 1, catalogue.Draft{Achievement: achievement("changed")})
			return err
		}, catalogue.ErrImmutable},
		{"duplicate version number", func(t *testing.T, e *env) error {
			_, err := e.cat.Edit(t.Context(), achID, 0, catalogue.Draft{Achievement: achievement("again"), Version: 1})
			return err
		}, catalogue.ErrExists},
		{"creating an existing achievement", func(t *testing.T, e *env) error {
			_, err := e.cat.Create(t.Context(), catalogue.Draft{Achievement: achievement("again")})
			return err
		}, catalogue.ErrExists},
		{"achievement failing the schema", func(t *testing.T, e *env) error {
			a := achievement("no criteria")
			delete(a, "criteria")
			_, err := e.cat.Edit(t.Context(), achID, 0, catalogue.Draft{Achievement: a, Version: 2})
			return err
		}, catalogue.ErrInvalid},
		{"retiring a version in review", func(t *testing.T, e *env) error {
			_, err := e.decide(t.Context(), 1, catalogue.Retire, "academic-council", e.council)
			return err
		}, catalogue.ErrWrongState},
		{"author approving in the author role", func(t *testing.T, e *env) error {
			_, err := e.decide(t.Context(), 1, catalogue.Approve, catalogue.RoleAuthor, e.author)
			return err
		}, catalogue.ErrNotMember},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, catalogue.Rule{Approvals: 2, RequiredRoles: []string{"academic-council"}})
			if _, err := e.cat.Create(t.Context(), catalogue.Draft{Achievement: achievement("Data Literacy")}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.decide(t.Context(), 1, catalogue.Submit, catalogue.RoleAuthor, e.author); err != nil {
				t.Fatal(err)
			}
			before, _ := e.cat.Versions(t.Context(), achID)
			trail, _ := e.cat.Audit(t.Context(), achID)
			err := tt.run(t, e)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			after, _ := e.cat.Versions(t.Context(), achID)
			trailAfter, _ := e.cat.Audit(t.Context(), achID)
			// "approving twice" records its first, valid approval.
			if tt.name != "approving twice" && (len(after) != len(before) || len(after[0].Statements) != len(before[0].Statements) || len(trailAfter) != len(trail)) {
				t.Errorf("something was written: %d versions, %d statements, %d events", len(after), len(after[0].Statements), len(trailAfter))
			}
			if err := e.cat.Verify(t.Context(), achID, 0); err != nil {
				t.Errorf("catalogue no longer verifies: %v", err)
			}
		})
	}
}

func TestEditApprovedDraftsNewVersion(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, catalogue.Rule{Approvals: 2})
	e.approved(t)
	if _, err := e.cat.Edit(ctx, achID, 1, catalogue.Draft{Achievement: achievement("changed")}); !errors.Is(err, catalogue.ErrImmutable) {
		t.Fatalf("editing approved version 1: %v, want ErrImmutable", err)
	}
	v, err := e.cat.Edit(ctx, achID, 0, catalogue.Draft{Achievement: achievement("Data Literacy 2")})
	if err != nil || v.Version != 2 || v.State != store.Draft {
		t.Fatalf("editing the achievement: %+v, %v; want draft version 2", v, err)
	}
	v1, _ := e.cat.Get(ctx, achID, 1)
	if v1.State != store.Approved {
		t.Errorf("version 1 is %s after drafting 2", v1.State)
	}
	changes, err := catalogue.DiffVersions(v1.Achievement, v.Achievement, v1.QA, v.QA)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range changes {
		paths = append(paths, c.Path)
	}
	if got := strings.Join(paths, " "); got != "achievement.name achievement.version" {
		t.Errorf("diff paths %q", got)
	}
}

// tampering wraps a store and changes what it reads back.
type tampering struct {
	*bolt.DB
	mut func(*store.AchievementVersion)
}

func (s tampering) GetVersion(ctx context.Context, id string, v int) (*store.AchievementVersion, error) {
	got, err := s.DB.GetVersion(ctx, id, v)
	if err == nil {
		s.mut(got)
	}
	return got, err
}

func (s tampering) Versions(ctx context.Context, id string) ([]store.AchievementVersion, error) {
	vs, err := s.DB.Versions(ctx, id)
	for i := range vs {
		s.mut(&vs[i])
	}
	return vs, err
}

func TestTamperDetected(t *testing.T) {
	tests := map[string]func(*store.AchievementVersion){
		"achievement changed": func(v *store.AchievementVersion) {
			v.Achievement = json.RawMessage(strings.Replace(string(v.Achievement), "Data Literacy", "Data Mastery", 1))
		},
		"state set to approved": func(v *store.AchievementVersion) {
			v.Statements = v.Statements[:2]
		},
		"approval payload edited": func(v *store.AchievementVersion) {
			parts := strings.Split(v.Statements[1], ".")
			p, _ := base64.RawURLEncoding.DecodeString(parts[1])
			p = []byte(strings.Replace(string(p), "academic-council", "quality-office", 1))
			parts[1] = base64.RawURLEncoding.EncodeToString(p)
			v.Statements[1] = strings.Join(parts, ".")
		},
		"approval date moved": func(v *store.AchievementVersion) { v.ApprovedAt = v.ApprovedAt.Add(-48 * time.Hour) },
	}
	for name, mut := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, catalogue.Rule{Approvals: 2})
			e.approved(t)
			c := catalogue.New(tampering{e.db, mut}, catalogue.Options{Now: func() time.Time { return *e.clock }})
			if err := c.Verify(t.Context(), achID, 1); !errors.Is(err, catalogue.ErrTampered) {
				t.Errorf("Verify: %v, want ErrTampered", err)
			}
			if _, err := c.Publish(t.Context(), catalogue.PublishOptions{Issuer: "did:example:uni", ID: "https://example.edu/catalogue.json"}); !errors.Is(err, catalogue.ErrTampered) {
				t.Errorf("Publish: %v, want ErrTampered", err)
			}
			if _, err := c.Resolve(t.Context(), achID+"@1"); !errors.Is(err, catalogue.ErrTampered) {
				t.Errorf("Resolve: %v, want ErrTampered", err)
			}
		})
	}
}

func TestApproverSets(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, catalogue.Rule{})
	other := genKey(t)
	p := catalogue.Policy{Serial: 2, Institution: "x", Members: []catalogue.Member{{Name: "a", Key: keyID(t, e.council), Roles: []string{"academic-council"}}}, RequireCatalogue: true}
	bad, _ := catalogue.SignPolicy(p, other)
	if _, err := e.cat.SetApprovers(ctx, bad); !errors.Is(err, catalogue.ErrSignature) {
		t.Errorf("set signed by another root key: %v", err)
	}
	p.Serial = 3
	skip, _ := catalogue.SignPolicy(p, e.root)
	if _, err := e.cat.SetApprovers(ctx, skip); !errors.Is(err, catalogue.ErrExists) {
		t.Errorf("set with serial 3 after 1: %v", err)
	}
	if req, _ := e.cat.Required(ctx); req {
		t.Error("catalogue required before a set says so")
	}
	p.Serial = 2
	good, _ := catalogue.SignPolicy(p, e.root)
	if _, err := e.cat.SetApprovers(ctx, good); err != nil {
		t.Fatal(err)
	}
	if req, err := e.cat.Required(ctx); !req || err != nil {
		t.Errorf("Required = %v, %v after a set requiring it", req, err)
	}
	// The author is no longer a member: its submission is refused.
	if _, err := e.cat.Create(ctx, catalogue.Draft{Achievement: achievement("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.decide(ctx, 1, catalogue.Submit, catalogue.RoleAuthor, e.author); !errors.Is(err, catalogue.ErrNotMember) {
		t.Errorf("submission by a removed member: %v", err)
	}
}

func TestPublish(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, catalogue.Rule{Approvals: 2})
	e.approved(t)
	pub, err := e.cat.Publish(ctx, catalogue.PublishOptions{Issuer: "did:example:uni", ID: "https://example.edu/catalogue.json"})
	if err != nil {
		t.Fatal(err)
	}
	doc, ok := pub.Files["achievements/data-literacy"]
	if !ok {
		t.Fatalf("no document at the id's path; files: %v", keysOf(pub.Files))
	}
	var a map[string]any
	if err := json.Unmarshal(doc, &a); err != nil || a["id"] != achID || a["version"] != "1" {
		t.Errorf("public document %s", doc)
	}
	html := string(pub.Files[catalogue.IndexHTML])
	if strings.Contains(html, "<b>") || !strings.Contains(html, "Analyse data &lt;b&gt;") {
		t.Errorf("index.html does not escape the competency name:\n%s", html)
	}
	for _, want := range []string{`lang="en"`, "<h1>", "Data Literacy", "https://example.org/fw/analyse"} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	cred, err := pub.Catalogue.Credential()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(cred)
	back, err := published.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Entries) != 1 || back.Entries[0].Version != "1" || back.Entries[0].Digest != pub.Catalogue.Entries[0].Digest {
		t.Fatalf("parsed entries %+v", back.Entries)
	}
	approvedAt := back.Entries[0].ApprovedAt
	if _, err := back.Approved("did:example:uni", achID, "1", approvedAt.Add(time.Minute)); err != nil {
		t.Errorf("Approved after approval: %v", err)
	}
	if _, err := back.Approved("did:example:uni", achID, "1", approvedAt.Add(-time.Minute)); !errors.Is(err, published.ErrNotApprovedThen) {
		t.Errorf("Approved before approval: %v", err)
	}
	if _, err := back.Approved("did:example:other", achID, "1", approvedAt.Add(time.Minute)); !errors.Is(err, published.ErrOtherIssuer) {
		t.Errorf("Approved for another issuer: %v", err)
	}
	if _, err := back.Approved("did:example:uni", achID, "2", approvedAt.Add(time.Minute)); !errors.Is(err, published.ErrNotListed) {
		t.Errorf("Approved for an unlisted version: %v", err)
	}
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// BenchmarkResolve is what issuing pays per credential (Issue) or per
// batch (NewBatch) to check an approved version: read it, verify the
// approver set and replay its signed statements.
func BenchmarkResolve(b *testing.B) {
	e := newEnv(b, catalogue.Rule{Approvals: 2})
	e.approved(b)
	for b.Loop() {
		if _, err := e.cat.Resolve(b.Context(), achID+"@1"); err != nil {
			b.Fatal(err)
		}
	}
}
