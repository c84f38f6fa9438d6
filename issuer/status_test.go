package issuer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
)

const statusBase = "https://status.example/lists/"

// statusFixture is an issuer over a fresh bolt store.
type statusFixture struct {
	is    *issuer.Issuer
	db    *bolt.DB
	key   testkit.Key
	kp    *keys.KeyPair
	id    string
	vm    string
	achID string
}

func openStore(t testing.TB, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newStatusIssuer returns an issuer with key seed 7 over db (a fresh store
// in t.TempDir() when nil). mod adjusts the config before New.
func newStatusIssuer(t testing.TB, db *bolt.DB, mod func(*issuer.Config)) *statusFixture {
	t.Helper()
	if db == nil {
		db = openStore(t, filepath.Join(t.TempDir(), "issued.db"))
	}
	k := testkit.Ed25519(t, 7)
	cfg := issuer.Config{
		Profile:       readJSON(t, "issuer.json"),
		Signer:        signerOf(t, k.Private, k.DID, k.VM, ""),
		Store:         db,
		StatusBaseURL: statusBase,
	}
	if mod != nil {
		mod(&cfg)
	}
	is, err := issuer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ach := readJSON(t, "achievement.json")
	achID, _ := ach["id"].(string)
	return &statusFixture{is: is, db: db, key: k, kp: &k.KeyPair, id: k.DID, vm: k.VM, achID: achID}
}

func (f *statusFixture) issue(t testing.TB) *issuer.Credential {
	t.Helper()
	cred, err := f.is.Issue(context.Background(), issuer.Request{
		Achievement: readJSON(t, "achievement.json"),
		Subject:     readJSON(t, "subject.json"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// entries returns the credential's credentialStatus entries, parsed.
func entries(t *testing.T, doc map[string]any) []*status.Entry {
	t.Helper()
	var raw []any
	switch v := doc["credentialStatus"].(type) {
	case map[string]any:
		raw = []any{v}
	case []any:
		raw = v
	default:
		t.Fatalf("credentialStatus is %T", v)
	}
	out := make([]*status.Entry, len(raw))
	for i, r := range raw {
		m, _ := r.(map[string]any)
		e, err := status.ParseEntry(m)
		if err != nil {
			t.Fatalf("credentialStatus[%d]: %v", i, err)
		}
		out[i] = e
	}
	return out
}

func TestIssueWithStoreRecords(t *testing.T) {
	tests := []struct {
		name       string
		suspension bool
		purposes   []status.Purpose
	}{
		{"revocation only", false, []status.Purpose{store.PurposeRevocation}},
		{"with suspension", true, []status.Purpose{store.PurposeRevocation, store.PurposeSuspension}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newStatusIssuer(t, nil, func(c *issuer.Config) { c.Suspension = tc.suspension })
			ctx := context.Background()
			seen := map[string]bool{}
			for range 6 {
				cred := f.issue(t)
				if _, single := cred.Document["credentialStatus"].(map[string]any); single != !tc.suspension {
					t.Errorf("credentialStatus is %T, want a single object only without suspension", cred.Document["credentialStatus"])
				}
				es := entries(t, cred.Document)
				if len(es) != len(tc.purposes) {
					t.Fatalf("%d status entries, want %d", len(es), len(tc.purposes))
				}
				rec, err := f.db.GetCredential(ctx, cred.ID)
				if err != nil {
					t.Fatalf("record of %s: %v", cred.ID, err)
				}
				sum := sha256.Sum256(cred.JSON)
				if rec.SHA256 != hex.EncodeToString(sum[:]) {
					t.Errorf("record sha256 %s does not match the issued bytes", rec.SHA256)
				}
				subj := readJSON(t, "subject.json")
				if rec.Recipient != subj["id"] || rec.AchievementID != f.achID || rec.IssuerKey != f.vm ||
					rec.Format != store.FormatDI || rec.State != store.Active || rec.IssuedAt.IsZero() {
					t.Errorf("record %+v", rec)
				}
				for i, e := range es {
					want := store.StatusRef{Purpose: tc.purposes[i], ListID: statusBase + string(tc.purposes[i]) + "-1", Index: e.StatusListIndex}
					if e.StatusPurpose != tc.purposes[i] || e.StatusListCredential != want.ListID ||
						e.ID != want.ListID+"#"+strconv.Itoa(e.StatusListIndex) || e.Type != status.TypeBitstringEntry {
						t.Errorf("entry %d: %+v", i, e)
					}
					if i >= len(rec.Status) || rec.Status[i] != want {
						t.Errorf("record status %+v lacks %+v", rec.Status, want)
					}
					k := string(e.StatusPurpose) + "/" + strconv.Itoa(e.StatusListIndex)
					if seen[k] {
						t.Errorf("index %s handed out twice", k)
					}
					seen[k] = true
				}
			}
		})
	}
}

func TestIssueWithoutStoreHasNoStatus(t *testing.T) {
	is, _ := newIssuer(t, "")
	cred, err := is.Issue(context.Background(), issuer.Request{
		Achievement: readJSON(t, "achievement.json"), Subject: readJSON(t, "subject.json")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cred.Document["credentialStatus"]; ok {
		t.Error("credentialStatus without a store")
	}
	if err := is.Revoke(context.Background(), cred.ID, "me", "test"); !errors.Is(err, issuer.ErrNoStore) {
		t.Errorf("Revoke without store: %v, want ErrNoStore", err)
	}
}

func TestStatusConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*issuer.Config)
	}{
		{"list too short", func(c *issuer.Config) { c.StatusListSize = status.MinEntries - 1 }},
		{"relative base", func(c *issuer.Config) { c.StatusBaseURL = "/status/" }},
		{"base with query", func(c *issuer.Config) { c.StatusBaseURL = "https://x.example/s?a=b" }},
		{"ftp base", func(c *issuer.Config) { c.StatusBaseURL = "ftp://x.example/s/" }},
		{"negative validity", func(c *issuer.Config) { c.StatusValidity = -time.Hour }},
		{"negative ttl", func(c *issuer.Config) { c.StatusTTL = -time.Second }},
	}
	k := testkit.Ed25519(t, 7)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := issuer.Config{Profile: map[string]any{"name": "X"}, Signer: signerOf(t, k.Private, k.DID, k.VM, "")}
			tc.mod(&cfg)
			if _, err := issuer.New(cfg); !errors.Is(err, issuer.ErrInvalidInput) {
				t.Errorf("New: %v, want ErrInvalidInput", err)
			}
		})
	}
	t.Run("store without base url", func(t *testing.T) {
		f := newStatusIssuer(t, nil, func(c *issuer.Config) { c.StatusBaseURL = "" })
		_, err := f.is.Issue(context.Background(), issuer.Request{
			Achievement: readJSON(t, "achievement.json"), Subject: readJSON(t, "subject.json")})
		if !errors.Is(err, issuer.ErrInvalidInput) {
			t.Errorf("Issue: %v, want ErrInvalidInput", err)
		}
		if recs, _ := f.db.ListCredentials(context.Background(), store.Filter{}); len(recs) != 0 {
			t.Errorf("%d records after a refused issue", len(recs))
		}
	})
	t.Run("base without slash", func(t *testing.T) {
		f := newStatusIssuer(t, nil, func(c *issuer.Config) { c.StatusBaseURL = "https://status.example/lists" })
		if got := f.is.ListURL("revocation", 2); got != statusBase+"revocation-2" {
			t.Errorf("ListURL = %s", got)
		}
	})
}

func TestStatusChanges(t *testing.T) {
	ctx := context.Background()
	type step struct {
		op      string // revoke, suspend, reinstate
		wantErr error
		want    store.State
	}
	tests := []struct {
		name       string
		suspension bool
		steps      []step
		events     int
	}{
		{"revoke", true, []step{{"revoke", nil, store.Revoked}}, 1},
		{"revoke twice is idempotent", true, []step{{"revoke", nil, store.Revoked}, {"revoke", nil, store.Revoked}}, 1},
		{"suspend then reinstate", true, []step{{"suspend", nil, store.Suspended}, {"reinstate", nil, store.Active}}, 2},
		{"suspend twice", true, []step{{"suspend", nil, store.Suspended}, {"suspend", nil, store.Suspended}}, 1},
		{"reinstate after revoke is final", true, []step{{"revoke", nil, store.Revoked}, {"reinstate", store.ErrFinal, store.Revoked}}, 1},
		{"suspend after revoke is final", true, []step{{"revoke", nil, store.Revoked}, {"suspend", store.ErrFinal, store.Revoked}}, 1},
		{"revoke a suspended credential", true, []step{{"suspend", nil, store.Suspended}, {"revoke", nil, store.Revoked}}, 2},
		{"suspend without suspension entry", false, []step{{"suspend", issuer.ErrNoStatusEntry, store.Active}}, 0},
		{"reinstate without suspension entry", false, []step{{"reinstate", issuer.ErrNoStatusEntry, store.Active}}, 0},
		{"reinstate revoked without suspension entry", false, []step{{"revoke", nil, store.Revoked}, {"reinstate", store.ErrFinal, store.Revoked}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newStatusIssuer(t, nil, func(c *issuer.Config) { c.Suspension = tc.suspension })
			cred := f.issue(t)
			for i, s := range tc.steps {
				var err error
				switch s.op {
				case "revoke":
					err = f.is.Revoke(ctx, cred.ID, "registrar", "step "+strconv.Itoa(i))
				case "suspend":
					err = f.is.Suspend(ctx, cred.ID, "registrar", "step "+strconv.Itoa(i))
				case "reinstate":
					err = f.is.Reinstate(ctx, cred.ID, "registrar", "step "+strconv.Itoa(i))
				}
				if (s.wantErr == nil) != (err == nil) || (s.wantErr != nil && !errors.Is(err, s.wantErr)) {
					t.Fatalf("step %d %s: err %v, want %v", i, s.op, err, s.wantErr)
				}
				rec, err := f.db.GetCredential(ctx, cred.ID)
				if err != nil {
					t.Fatal(err)
				}
				if rec.State != s.want {
					t.Fatalf("step %d %s: state %s, want %s", i, s.op, rec.State, s.want)
				}
			}
			evs, err := f.db.Audit(ctx, cred.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != tc.events {
				t.Fatalf("%d audit events, want %d: %+v", len(evs), tc.events, evs)
			}
			for _, ev := range evs {
				if ev.ClaimedActor != "registrar" || ev.Reason == "" || ev.At.IsZero() {
					t.Errorf("audit event %+v lacks who, why or when", ev)
				}
				if want := strconv.Itoa(os.Getuid()); runtime.GOOS != "windows" && ev.UID != want {
					t.Errorf("audit event uid %q, want the process's %s", ev.UID, want)
				}
			}
		})
	}
	t.Run("unknown id", func(t *testing.T) {
		l := issuer.NewLedger(openStore(t, filepath.Join(t.TempDir(), "s.db")))
		for name, op := range map[string]func(context.Context, string, string, string) error{
			"revoke": l.Revoke, "suspend": l.Suspend, "reinstate": l.Reinstate,
		} {
			if err := op(ctx, "urn:uuid:nope", "me", "x"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s unknown id: %v, want store.ErrNotFound", name, err)
			}
		}
	})
	t.Run("nil ledger", func(t *testing.T) {
		var l *issuer.Ledger
		if err := l.Revoke(ctx, "urn:x", "me", "x"); !errors.Is(err, issuer.ErrNoStore) {
			t.Errorf("nil ledger: %v, want ErrNoStore", err)
		}
	})
}

// readList reads and verifies a published list credential and returns it.
func readList(t testing.TB, path string, k testkit.Key, now time.Time) map[string]any {
	t.Helper()
	doc := testkit.ReadJSON(t, path)
	if _, err := proof.Verify(context.Background(), doc, proof.VerifyOptions{
		Keys: k.Fetcher(t), Now: func() time.Time { return now }}); err != nil {
		t.Fatalf("%s: proof: %v", path, err)
	}
	return doc
}

func TestPublishListsMatchStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := newStatusIssuer(t, nil, func(c *issuer.Config) {
		c.Suspension = true
		c.Now = func() time.Time { return now }
		c.StatusValidity = 2 * time.Hour
		c.StatusTTL = time.Minute
	})
	var creds []*issuer.Credential
	for range 5 {
		creds = append(creds, f.issue(t))
	}
	want := map[string]store.State{}
	for i, c := range creds {
		var err error
		switch i {
		case 0, 3:
			err = f.is.Revoke(ctx, c.ID, "me", "test")
			want[c.ID] = store.Revoked
		case 1:
			err = f.is.Suspend(ctx, c.ID, "me", "test")
			want[c.ID] = store.Suspended
		default:
			want[c.ID] = store.Active
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	lists, err := f.is.Publish(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, l := range lists {
		if !l.Signed || l.ValidUntil.IsZero() {
			t.Errorf("published %+v: want signed, with its validUntil", l)
		}
		paths = append(paths, l.Path)
	}
	wantPaths := []string{filepath.Join(dir, "revocation-1"), filepath.Join(dir, "suspension-1")}
	if fmt.Sprint(paths) != fmt.Sprint(wantPaths) {
		t.Fatalf("Publish wrote %v, want %v", paths, wantPaths)
	}
	subjects := map[string]map[string]any{}
	for _, p := range paths {
		doc := readList(t, p, f.key, now)
		id, _ := doc["id"].(string)
		subj, _ := doc["credentialSubject"].(map[string]any)
		if id != statusBase+filepath.Base(p) || subj["id"] != id+"#list" || doc["issuer"] != f.id ||
			doc["validFrom"] != "2026-03-01T12:00:00Z" || doc["validUntil"] != "2026-03-01T14:00:00Z" ||
			subj["ttl"] != float64(60000) || subj["type"] != status.TypeBitstringList {
			t.Errorf("%s: unexpected list credential %v", p, doc)
		}
		if _, err := status.Decode(subj["encodedList"].(string), 1, status.DecodeOptions{}); err != nil {
			t.Errorf("%s: encodedList: %v", p, err)
		}
		subjects[id] = subj
	}
	for _, c := range creds {
		got := store.Active
		for _, e := range entries(t, c.Document) {
			res, err := status.Verdict(subjects[e.StatusListCredential], e, status.DecodeOptions{})
			if err != nil {
				t.Fatalf("%s %s: %v", c.ID, e.StatusPurpose, err)
			}
			switch {
			case res.Set && e.StatusPurpose == status.PurposeRevocation:
				got = store.Revoked
			case res.Set && got == store.Active:
				got = store.Suspended
			}
		}
		if got != want[c.ID] {
			t.Errorf("%s: published lists say %s, want %s", c.ID, got, want[c.ID])
		}
	}
	// Republishing after a reinstatement flips the list bit back.
	if err := f.is.Reinstate(ctx, creds[1].ID, "me", "ok"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.is.Publish(ctx, dir); err != nil {
		t.Fatal(err)
	}
	subj := readList(t, wantPaths[1], f.key, now)["credentialSubject"].(map[string]any)
	e := entries(t, creds[1].Document)[1]
	if res, err := status.Verdict(subj, e, status.DecodeOptions{}); err != nil || res.Set {
		t.Errorf("after reinstate: %+v, %v; want unset", res, err)
	}
}

func TestStatusListCredential(t *testing.T) {
	ctx := context.Background()
	f := newStatusIssuer(t, nil, nil)
	cred := f.issue(t)
	if err := f.is.Revoke(ctx, cred.ID, "me", "x"); err != nil {
		t.Fatal(err)
	}
	e := entries(t, cred.Document)[0]
	lc, err := f.is.StatusListCredential(ctx, e.StatusListCredential)
	if err != nil {
		t.Fatal(err)
	}
	if lc.ID != e.StatusListCredential {
		t.Errorf("list credential id %s, want %s", lc.ID, e.StatusListCredential)
	}
	res, err := status.Verdict(lc.Document["credentialSubject"].(map[string]any), e, status.DecodeOptions{})
	if err != nil || !res.Set {
		t.Errorf("verdict %+v, %v; want set", res, err)
	}
	if _, err := f.is.StatusListCredential(ctx, statusBase+"nope"); !errors.Is(err, store.ErrUnknownList) {
		t.Errorf("unknown list: %v, want ErrUnknownList", err)
	}
}

func TestPublishRefusesAnotherIssuersLists(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "issued.db"))
	f := newStatusIssuer(t, db, nil)
	f.issue(t)
	k := testkit.Ed25519(t, 99)
	other, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "Other"}, Signer: signerOf(t, k.Private, k.DID, k.VM, ""), Store: db})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := other.Publish(context.Background(), dir); !errors.Is(err, issuer.ErrInvalidInput) {
		t.Fatalf("publishing another issuer's list: %v, want ErrInvalidInput", err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("wrote %d files after refusing", len(names))
	}
}

// newListSpy records what newList would create, then lets the real store
// allocate.
type newListSpy struct {
	*bolt.DB
	mu   sync.Mutex
	made []store.ListInfo
}

func (s *newListSpy) AllocateIndex(ctx context.Context, purpose status.Purpose, newList func() store.ListInfo) (store.StatusRef, error) {
	s.mu.Lock()
	s.made = append(s.made, newList())
	s.mu.Unlock()
	return s.DB.AllocateIndex(ctx, purpose, newList)
}

func TestNewListIsNextNumber(t *testing.T) {
	ctx := context.Background()
	db := openStore(t, filepath.Join(t.TempDir(), "issued.db"))
	for _, id := range []string{statusBase + "revocation-1", statusBase + "revocation-3", "https://elsewhere.example/revocation-9", statusBase + "suspension-5"} {
		purpose := store.PurposeRevocation
		if filepath.Base(id) == "suspension-5" {
			purpose = store.PurposeSuspension
		}
		if err := db.CreateList(ctx, store.ListInfo{ID: id, Purpose: purpose, Size: status.MinEntries}); err != nil {
			t.Fatal(err)
		}
	}
	spy := &newListSpy{DB: db}
	k := testkit.Ed25519(t, 7)
	is, err := issuer.New(issuer.Config{Profile: readJSON(t, "issuer.json"), Signer: signerOf(t, k.Private, k.DID, k.VM, ""), Store: spy, StatusBaseURL: statusBase, Suspension: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := is.Issue(ctx, issuer.Request{Achievement: readJSON(t, "achievement.json"), Subject: readJSON(t, "subject.json")}); err != nil {
		t.Fatal(err)
	}
	want := []store.ListInfo{
		{ID: statusBase + "revocation-4", Purpose: store.PurposeRevocation, Size: status.MinEntries, StatusSize: 1},
		{ID: statusBase + "suspension-6", Purpose: store.PurposeSuspension, Size: status.MinEntries, StatusSize: 1},
	}
	if fmt.Sprint(spy.made) != fmt.Sprint(want) {
		t.Errorf("newList made %+v, want %+v", spy.made, want)
	}
}

func TestConcurrentRevocationsPersist(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "issued.db")
	f := newStatusIssuer(t, openStore(t, path), nil)
	const n = 12
	creds := make([]*issuer.Credential, n)
	for i := range creds {
		creds[i] = f.issue(t)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, c := range creds {
		wg.Go(func() {
			errs <- f.is.Revoke(ctx, c.ID, "worker", "concurrent")
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	// Read back through a fresh handle, so persistence, not a cache, is
	// what is checked.
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	db := openStore(t, path)
	bits, _, size, err := db.ListBits(ctx, statusBase+"revocation-1")
	if err != nil {
		t.Fatal(err)
	}
	list, err := status.Decode(mustEncode(t, bits, size), 1, status.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range creds {
		e := entries(t, c.Document)[0]
		if v, err := list.Get(e.StatusListIndex); err != nil || v != 1 {
			t.Errorf("%s: bit %d = %d, %v; want 1", c.ID, e.StatusListIndex, v, err)
		}
		if rec, err := db.GetCredential(ctx, c.ID); err != nil || rec.State != store.Revoked {
			t.Errorf("%s: %+v, %v; want revoked", c.ID, rec, err)
		}
	}
}

// mustEncode encodes store bits as an encodedList, independently of the
// issuer's own conversion.
func mustEncode(t testing.TB, bits []byte, size int) string {
	t.Helper()
	l, err := status.New(size, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range size {
		if bits[i/8]&(0x80>>(i%8)) != 0 {
			if err := l.Set(i, 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	enc, err := l.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// BenchmarkRevokeAndPublish revokes one credential and re-encodes and signs
// its full (131,072-entry) list, as a revoke followed by a publish does.
func BenchmarkRevokeAndPublish(b *testing.B) {
	ctx := context.Background()
	f := newStatusIssuer(b, nil, nil)
	list := ""
	next := func(i int) string {
		ref, err := f.db.AllocateIndex(ctx, store.PurposeRevocation, func() store.ListInfo {
			return store.ListInfo{ID: statusBase + "revocation-1", Size: status.MinEntries}
		})
		if err != nil {
			b.Fatal(err)
		}
		list = ref.ListID
		id := "urn:bench:" + strconv.Itoa(i)
		err = f.db.PutCredential(ctx, store.Record{ID: id, Recipient: "r", AchievementID: "a", IssuerKey: f.vm,
			Format: store.FormatDI, IssuedAt: time.Now(), Status: []store.StatusRef{ref}, SHA256: hex.EncodeToString(make([]byte, 32))})
		if err != nil {
			b.Fatal(err)
		}
		return id
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		id := next(i)
		i++
		b.StartTimer()
		if err := f.is.Revoke(ctx, id, "bench", "bench"); err != nil {
			b.Fatal(err)
		}
		if _, err := f.is.StatusListCredential(ctx, list); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIssueWithStatus issues one credential with a revocation entry
// and records it: allocation, build, sign, self-check and two durable
// store writes.
func BenchmarkIssueWithStatus(b *testing.B) {
	f := newStatusIssuer(b, nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		f.issue(b)
	}
}

// Publish clears the temporary list files a killed publisher left, and
// only those: a fresh one may belong to a publisher still running.
func TestPublishRemovesOrphanedTemporaries(t *testing.T) {
	ctx := context.Background()
	f := newStatusIssuer(t, nil, nil)
	f.issue(t)
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	orphan := filepath.Join(dir, ".revocation-1.tmp-4242")
	fresh := filepath.Join(dir, ".revocation-1.tmp-4343")
	unrelated := filepath.Join(dir, ".notes.tmp-1")
	for _, p := range []string{orphan, fresh, unrelated} {
		if err := os.WriteFile(p, []byte("{"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{orphan, unrelated} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.is.Publish(ctx, dir); err != nil {
		t.Fatal(err)
	}
	for p, wantGone := range map[string]bool{orphan: true, fresh: false, unrelated: false} {
		_, err := os.Stat(p)
		if gone := errors.Is(err, os.ErrNotExist); gone != wantGone {
			t.Errorf("%s: removed = %v, want %v", filepath.Base(p), gone, wantGone)
		}
	}
}

// TestRefresh checks that Refresh re-signs only the lists that are not
// published, unreadable, changed since, or run out within the window, that
// the default validity is 30 days, and that a kept file is left as it is.
func TestRefresh(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := t0
	f := newStatusIssuer(t, nil, func(c *issuer.Config) {
		c.Suspension = true
		c.Now = func() time.Time { return now }
	})
	creds := []*issuer.Credential{f.issue(t), f.issue(t)}
	dir := filepath.Join(t.TempDir(), "out")
	rev, sus := filepath.Join(dir, "revocation-1"), filepath.Join(dir, "suspension-1")
	const week = 7 * 24 * time.Hour

	steps := []struct {
		name   string
		before func(t *testing.T)
		want   map[string]string // path -> reason; absent means kept
		until  time.Time         // validUntil of every list after the step
	}{
		{"first run", func(*testing.T) {}, map[string]string{rev: "not published", sus: "not published"}, t0.Add(30 * 24 * time.Hour)},
		{"nothing to do", func(*testing.T) {}, map[string]string{}, t0.Add(30 * 24 * time.Hour)},
		{"a revocation", func(t *testing.T) {
			if err := f.is.Revoke(ctx, creds[0].ID, "me", "test"); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{rev: "changed"}, t0.Add(30 * 24 * time.Hour)},
		{"eight days before expiry", func(*testing.T) { now = t0.Add(22 * 24 * time.Hour) }, map[string]string{}, t0.Add(30 * 24 * time.Hour)},
		{"six days before expiry", func(*testing.T) { now = t0.Add(24 * 24 * time.Hour) },
			map[string]string{rev: "expires within the window", sus: "expires within the window"}, t0.Add(54 * 24 * time.Hour)},
		{"a damaged file", func(t *testing.T) {
			if err := os.WriteFile(sus, []byte("{"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{sus: "unreadable"}, t0.Add(54 * 24 * time.Hour)},
	}
	for _, st := range steps {
		st.before(t)
		before := map[string][]byte{}
		for _, p := range []string{rev, sus} {
			before[p], _ = os.ReadFile(p)
		}
		got, err := f.is.Refresh(ctx, dir, week)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if len(got) != 2 {
			t.Fatalf("%s: %d lists, want 2", st.name, len(got))
		}
		for _, pl := range got {
			reason, signed := st.want[pl.Path]
			if pl.Signed != signed || pl.Reason != reason {
				t.Errorf("%s: %s signed %v (%q), want %v (%q)", st.name, pl.Path, pl.Signed, pl.Reason, signed, reason)
			}
			if !pl.ValidUntil.Equal(st.until) {
				t.Errorf("%s: %s valid until %s, want %s", st.name, pl.Path, pl.ValidUntil, st.until)
			}
			after, err := os.ReadFile(pl.Path)
			if err != nil {
				t.Fatal(err)
			}
			if !signed && !bytes.Equal(after, before[pl.Path]) {
				t.Errorf("%s: kept %s was rewritten", st.name, pl.Path)
			}
			doc := readList(t, pl.Path, f.key, now)
			if doc["validUntil"] != st.until.Format(time.RFC3339) {
				t.Errorf("%s: %s says validUntil %v, want %s", st.name, pl.Path, doc["validUntil"], st.until)
			}
		}
	}
	if _, err := f.is.Refresh(ctx, dir, -time.Hour); !errors.Is(err, issuer.ErrInvalidInput) {
		t.Errorf("negative window: %v, want ErrInvalidInput", err)
	}
}
