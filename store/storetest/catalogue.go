package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/badgesmith/badgesmith/store"
)

// RunCatalogue runs the catalogue conformance suite; open returns a new,
// empty store for each subtest and closes it (t.Cleanup).
func RunCatalogue(t *testing.T, open func(t *testing.T) store.Catalogue) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Catalogue)
	}{
		{"CreateGet", testCreateGet},
		{"DuplicateVersion", testDuplicateVersion},
		{"Immutable", testImmutable},
		{"StatementsAppendOnly", testStatementsAppendOnly},
		{"UpdateError", testUpdateError},
		{"ApproverSets", testApproverSets},
		{"CatalogueNotFound", testCatalogueNotFound},
		{"CatalogueInvalid", testCatalogueInvalid},
		{"CatalogueCancelled", testCatalogueCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

func version(id string, n int) store.AchievementVersion {
	return store.AchievementVersion{
		AchievementID: id,
		Version:       n,
		State:         store.Draft,
		Achievement:   json.RawMessage(`{"id":"` + id + `","name":"v` + strconv.Itoa(n) + `"}`),
		QA:            store.QA{AssessmentMethod: "exam", ApprovingBody: "Academic Council"},
		Created:       base(),
	}
}

func created(v store.AchievementVersion) store.CatalogueEvent {
	return store.CatalogueEvent{AchievementID: v.AchievementID, Version: v.Version, Action: "created", To: store.Draft, Actor: "alice", At: base()}
}

func mustCreate(t *testing.T, s store.Catalogue, v store.AchievementVersion) {
	t.Helper()
	if err := s.CreateVersion(t.Context(), v, created(v)); err != nil {
		t.Fatalf("CreateVersion(%s@%d): %v", v.AchievementID, v.Version, err)
	}
}

func testCreateGet(t *testing.T, s store.Catalogue) {
	ctx := t.Context()
	const a, b = "https://example.com/achievements/a", "https://example.com/achievements/ab"
	mustCreate(t, s, version(a, 1))
	mustCreate(t, s, version(a, 2))
	mustCreate(t, s, version(b, 1))
	for _, tc := range []struct {
		id       string
		ask, get int
	}{{a, 0, 2}, {a, 1, 1}, {a, 2, 2}, {b, 0, 1}} {
		v, err := s.GetVersion(ctx, tc.id, tc.ask)
		if err != nil {
			t.Fatalf("GetVersion(%s, %d): %v", tc.id, tc.ask, err)
		}
		if v.Version != tc.get || v.AchievementID != tc.id {
			t.Errorf("GetVersion(%s, %d) = %s@%d, want version %d", tc.id, tc.ask, v.AchievementID, v.Version, tc.get)
		}
	}
	vs, err := s.Versions(ctx, a)
	if err != nil || len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 {
		t.Errorf("Versions(a) = %v, %v; want versions 1, 2", vs, err)
	}
	ids, err := s.AchievementIDs(ctx)
	if err != nil || !slices.Equal(ids, []string{a, b}) {
		t.Errorf("AchievementIDs = %v, %v", ids, err)
	}
	trail, err := s.CatalogueAudit(ctx, a)
	if err != nil || len(trail) != 2 || trail[0].Version != 1 || trail[1].Version != 2 {
		t.Errorf("CatalogueAudit(a) = %v, %v; want two created events", trail, err)
	}
}

func testDuplicateVersion(t *testing.T, s store.Catalogue) {
	const a = "https://example.com/achievements/a"
	mustCreate(t, s, version(a, 1))
	dup := version(a, 1)
	dup.Achievement = json.RawMessage(`{"id":"x"}`)
	if err := s.CreateVersion(t.Context(), dup, created(dup)); !errors.Is(err, store.ErrExists) {
		t.Fatalf("second version 1: %v, want ErrExists", err)
	}
	v, err := s.GetVersion(t.Context(), a, 1)
	if err != nil || string(v.Achievement) != string(version(a, 1).Achievement) {
		t.Errorf("version 1 after the refused duplicate = %s, %v", v.Achievement, err)
	}
	if trail, _ := s.CatalogueAudit(t.Context(), a); len(trail) != 1 {
		t.Errorf("trail has %d events after a refused duplicate, want 1", len(trail))
	}
}

func setState(to store.VersionState) func(*store.AchievementVersion) (store.CatalogueEvent, error) {
	return func(v *store.AchievementVersion) (store.CatalogueEvent, error) {
		e := store.CatalogueEvent{AchievementID: v.AchievementID, Version: v.Version, Action: string(to), From: v.State, To: to, Actor: "k"}
		v.State = to
		v.Statements = append(v.Statements, "statement-"+string(to))
		return e, nil
	}
}

func testImmutable(t *testing.T, s store.Catalogue) {
	ctx := t.Context()
	const a = "https://example.com/achievements/a"
	mustCreate(t, s, version(a, 1))
	edit := func(name string) func(v *store.AchievementVersion) (store.CatalogueEvent, error) {
		return func(v *store.AchievementVersion) (store.CatalogueEvent, error) {
			v.Achievement = json.RawMessage(`{"id":"` + a + `","name":"` + name + `"}`)
			return store.CatalogueEvent{AchievementID: a, Version: 1, Action: "edited", From: v.State, To: v.State, Actor: "alice"}, nil
		}
	}
	if err := s.UpdateVersion(ctx, a, 1, edit("edited")); err != nil {
		t.Fatalf("editing a draft: %v", err)
	}
	for _, to := range []store.VersionState{store.InReview, store.Approved} {
		if err := s.UpdateVersion(ctx, a, 1, setState(to)); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	before, _ := s.GetVersion(ctx, a, 1)
	for name, fn := range map[string]func(*store.AchievementVersion) (store.CatalogueEvent, error){
		"achievement": edit("edited again"),
		"qa": func(v *store.AchievementVersion) (store.CatalogueEvent, error) {
			v.QA.AssessmentMethod = "none"
			return store.CatalogueEvent{Action: "edited", To: v.State}, nil
		},
		"number": func(v *store.AchievementVersion) (store.CatalogueEvent, error) {
			v.Version = 7
			return store.CatalogueEvent{Action: "edited", To: v.State}, nil
		},
	} {
		err := s.UpdateVersion(ctx, a, 1, fn)
		if !errors.Is(err, store.ErrImmutable) && !errors.Is(err, store.ErrInvalid) {
			t.Errorf("changing the %s of an approved version: %v, want ErrImmutable or ErrInvalid", name, err)
		}
	}
	after, _ := s.GetVersion(ctx, a, 1)
	if string(after.Achievement) != string(before.Achievement) || after.QA.AssessmentMethod != before.QA.AssessmentMethod {
		t.Error("a refused change was written")
	}
	trail, _ := s.CatalogueAudit(ctx, a)
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action)
	}
	if want := []string{"created", "edited", "in-review", "approved"}; !slices.Equal(actions, want) {
		t.Errorf("trail actions = %v, want %v", actions, want)
	}
	// Retiring changes the state only, which an approved version allows.
	if err := s.UpdateVersion(ctx, a, 1, setState(store.Retired)); err != nil {
		t.Errorf("retiring: %v", err)
	}
}

func testStatementsAppendOnly(t *testing.T, s store.Catalogue) {
	ctx := t.Context()
	const a = "https://example.com/achievements/a"
	mustCreate(t, s, version(a, 1))
	if err := s.UpdateVersion(ctx, a, 1, setState(store.InReview)); err != nil {
		t.Fatal(err)
	}
	err := s.UpdateVersion(ctx, a, 1, func(v *store.AchievementVersion) (store.CatalogueEvent, error) {
		v.Statements[0] = "forged"
		return store.CatalogueEvent{Action: "approved", To: v.State}, nil
	})
	if !errors.Is(err, store.ErrImmutable) {
		t.Errorf("rewriting a statement: %v, want ErrImmutable", err)
	}
	err = s.UpdateVersion(ctx, a, 1, func(v *store.AchievementVersion) (store.CatalogueEvent, error) {
		v.Statements = nil
		return store.CatalogueEvent{Action: "approved", To: v.State}, nil
	})
	if !errors.Is(err, store.ErrImmutable) {
		t.Errorf("dropping statements: %v, want ErrImmutable", err)
	}
}

func testUpdateError(t *testing.T, s store.Catalogue) {
	ctx := t.Context()
	const a = "https://example.com/achievements/a"
	mustCreate(t, s, version(a, 1))
	boom := errors.New("refused")
	err := s.UpdateVersion(ctx, a, 1, func(v *store.AchievementVersion) (store.CatalogueEvent, error) {
		v.State = store.Approved
		return store.CatalogueEvent{}, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("UpdateVersion = %v, want fn's error", err)
	}
	if v, _ := s.GetVersion(ctx, a, 1); v.State != store.Draft {
		t.Errorf("state %s after fn refused, want draft", v.State)
	}
}

func testApproverSets(t *testing.T, s store.Catalogue) {
	ctx := t.Context()
	sets, err := s.ApproverSets(ctx)
	if err != nil || len(sets) != 0 {
		t.Fatalf("ApproverSets on an empty store = %v, %v", sets, err)
	}
	for _, serial := range []int{2, 0} {
		if err := s.PutApproverSet(ctx, store.ApproverSet{Serial: serial, RootKey: "z6Mk", Signed: "a.b.c"}); err == nil {
			t.Errorf("first set with serial %d accepted", serial)
		}
	}
	for serial := 1; serial <= 2; serial++ {
		if err := s.PutApproverSet(ctx, store.ApproverSet{Serial: serial, RootKey: "z6Mk", Signed: "a.b.c"}); err != nil {
			t.Fatalf("set %d: %v", serial, err)
		}
	}
	if err := s.PutApproverSet(ctx, store.ApproverSet{Serial: 2, RootKey: "z6Mk", Signed: "x.y.z"}); !errors.Is(err, store.ErrExists) {
		t.Errorf("serial 2 again: %v, want ErrExists", err)
	}
	sets, err = s.ApproverSets(ctx)
	if err != nil || len(sets) != 2 || sets[1].Serial != 2 || sets[1].Signed != "a.b.c" || sets[0].Recorded.IsZero() {
		t.Errorf("ApproverSets = %+v, %v", sets, err)
	}
}

func testCatalogueNotFound(t *testing.T, s store.Catalogue) {
	ctx := t.Context()
	const a = "https://example.com/achievements/a"
	if _, err := s.GetVersion(ctx, a, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetVersion latest of nothing: %v", err)
	}
	mustCreate(t, s, version(a, 1))
	if _, err := s.GetVersion(ctx, a, 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetVersion(2): %v", err)
	}
	if _, err := s.GetVersion(ctx, a+"x", 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetVersion of a longer id: %v", err)
	}
	if _, err := s.Versions(ctx, "https://example.com/achievements"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Versions of a prefix: %v", err)
	}
	if _, err := s.CatalogueAudit(ctx, a+"x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CatalogueAudit: %v", err)
	}
	if err := s.UpdateVersion(ctx, a, 3, setState(store.InReview)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateVersion(3): %v", err)
	}
}

func testCatalogueInvalid(t *testing.T, s store.Catalogue) {
	for name, mut := range map[string]func(*store.AchievementVersion){
		"no id":      func(v *store.AchievementVersion) { v.AchievementID = "" },
		"version 0":  func(v *store.AchievementVersion) { v.Version = 0 },
		"bad state":  func(v *store.AchievementVersion) { v.State = "published" },
		"not json":   func(v *store.AchievementVersion) { v.Achievement = json.RawMessage("{") },
		"negative v": func(v *store.AchievementVersion) { v.Version = -1 },
	} {
		v := version("https://example.com/achievements/a", 1)
		mut(&v)
		if err := s.CreateVersion(t.Context(), v, created(v)); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if ids, _ := s.AchievementIDs(t.Context()); len(ids) != 0 {
		t.Errorf("invalid versions were written: %v", ids)
	}
}

func testCatalogueCancelled(t *testing.T, s store.Catalogue) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	v := version("https://example.com/achievements/a", 1)
	if err := s.CreateVersion(ctx, v, created(v)); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateVersion with a done ctx: %v", err)
	}
	if ids, _ := s.AchievementIDs(t.Context()); len(ids) != 0 {
		t.Errorf("written despite a done ctx: %v", ids)
	}
}
