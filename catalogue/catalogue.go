package catalogue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/store"
)

// Errors callers branch on with errors.Is.
var (
	// ErrInvalid means an argument or document is malformed: an
	// Achievement failing the OB 3.0 schema, a bad reference.
	ErrInvalid = errors.New("invalid")
	// ErrNoApprovers means no approver set is recorded yet.
	ErrNoApprovers = errors.New("no approver set")
	// ErrWrongState means the decision does not apply to the version's
	// state (approving a draft, retiring a version in review).
	ErrWrongState = errors.New("wrong workflow state")
	// ErrSelfApproval means the author of a version tried to approve it.
	ErrSelfApproval = errors.New("self-approval refused")
	// ErrDuplicateApproval means the key already approved the version.
	ErrDuplicateApproval = errors.New("key already approved this version")
	// ErrDigest means a statement is about other content than the
	// version's Achievement, or another version.
	ErrDigest = errors.New("statement is about other content")
	// ErrTampered means a recorded version or approver set does not match
	// its signed statements.
	ErrTampered = errors.New("catalogue record tampered")
	// ErrNotApproved means the version asked for cannot be issued: it is
	// a draft, in review, rejected or retired (see StateError).
	ErrNotApproved = errors.New("achievement version not approved")
	// ErrExists means the achievement, or the version number, is taken.
	ErrExists = store.ErrExists
	// ErrNotFound means no such achievement or version.
	ErrNotFound = store.ErrNotFound
	// ErrImmutable means the version left the draft state and its content
	// cannot change; Edit drafts a new version instead.
	ErrImmutable = store.ErrImmutable
)

// StateError reports a version whose state refuses the operation. It
// wraps ErrNotApproved when issuing was asked, else ErrWrongState.
type StateError struct {
	// AchievementID and Version name the version.
	AchievementID string
	// Version is the version's number.
	Version int
	// State is its state.
	State store.VersionState
	// Op is what was asked: issue, submit, approve, reject, retire.
	Op string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("achievement %s version %d is %s: cannot %s it", e.AchievementID, e.Version, e.State, e.Op)
}

// Unwrap returns ErrNotApproved for issuing, else ErrWrongState.
func (e *StateError) Unwrap() error {
	if e.Op == "issue" {
		return ErrNotApproved
	}
	return ErrWrongState
}

// Options configures a Catalogue. The zero value is ready to use.
type Options struct {
	// Now is the clock. If nil, time.Now.
	Now func() time.Time
	// Skew is how far in the future a statement's time may be. If zero,
	// five minutes.
	Skew time.Duration
}

// Catalogue runs the workflow over a store.Catalogue. It is safe for
// concurrent use.
type Catalogue struct {
	s    store.Catalogue
	now  func() time.Time
	skew time.Duration
}

// New returns a Catalogue over s.
func New(s store.Catalogue, opts Options) *Catalogue {
	c := &Catalogue{s: s, now: opts.Now, skew: opts.Skew}
	if c.now == nil {
		c.now = time.Now
	}
	if c.skew == 0 {
		c.skew = 5 * time.Minute
	}
	return c
}

// SetApprovers records a signed approver set (see SignPolicy). It must
// verify under its root key, which must be the first set's, and carry the
// next serial.
func (c *Catalogue) SetApprovers(ctx context.Context, signed string) (*Policy, error) {
	p, err := OpenPolicy(signed)
	if err != nil {
		return nil, err
	}
	sets, err := c.s.ApproverSets(ctx)
	if err != nil {
		return nil, err
	}
	if len(sets) > 0 && sets[0].RootKey != p.RootKey {
		return nil, fmt.Errorf("approver set %d: root key %s: %w: the catalogue's root key is %s", p.Serial, p.RootKey, ErrSignature, sets[0].RootKey)
	}
	if p.Serial != len(sets)+1 {
		return nil, fmt.Errorf("approver set serial %d: %w: the next serial is %d", p.Serial, ErrExists, len(sets)+1)
	}
	if err := c.s.PutApproverSet(ctx, store.ApproverSet{Serial: p.Serial, RootKey: p.RootKey, Signed: signed, Recorded: c.now().UTC()}); err != nil {
		return nil, err
	}
	return p, nil
}

// policies returns every recorded approver set, checked: each verifies
// under the first set's root key and carries its serial.
func (c *Catalogue) policies(ctx context.Context) ([]*Policy, error) {
	sets, err := c.s.ApproverSets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Policy, 0, len(sets))
	for i, s := range sets {
		p, err := OpenPolicy(s.Signed)
		if err != nil {
			return nil, fmt.Errorf("approver set %d: %w: %w", s.Serial, ErrTampered, err)
		}
		if p.Serial != i+1 || s.Serial != i+1 || p.RootKey != sets[0].RootKey || s.RootKey != p.RootKey {
			return nil, fmt.Errorf("approver set %d: %w: serial or root key differ from the signed set", s.Serial, ErrTampered)
		}
		out = append(out, p)
	}
	return out, nil
}

// Approvers returns the approver set in force, or ErrNoApprovers.
func (c *Catalogue) Approvers(ctx context.Context) (*Policy, error) {
	ps, err := c.policies(ctx)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, ErrNoApprovers
	}
	return ps[len(ps)-1], nil
}

// Required reports whether the approver set in force makes issuing need
// an approved catalogue version. Without an approver set it is false.
func (c *Catalogue) Required(ctx context.Context) (bool, error) {
	p, err := c.Approvers(ctx)
	if errors.Is(err, ErrNoApprovers) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return p.RequireCatalogue, nil
}

// Draft is the content of a new or edited version.
type Draft struct {
	// Achievement is the OB 3.0 Achievement. Its id is the achievement's
	// stable id; its version is set to the version's number.
	Achievement map[string]any
	// QA are the quality-assurance facts. If nil, an edit keeps those of
	// the version edited (or, for a new version, of the latest), and a new
	// achievement has none.
	QA *store.QA
	// Version is the number of a new version. If zero, the number in the
	// Achievement's version when it is a positive integer, else the next
	// number.
	Version int
	// Actor is who drafts it, as the operator claims.
	Actor string
}

// Create records the first version of a new achievement, as a draft.
func (c *Catalogue) Create(ctx context.Context, d Draft) (*store.AchievementVersion, error) {
	id, err := achievementID(d.Achievement)
	if err != nil {
		return nil, err
	}
	if _, err := c.s.Versions(ctx, id); err == nil {
		return nil, fmt.Errorf("achievement %s: %w; edit it to draft a new version", id, ErrExists)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return c.newVersion(ctx, id, d, 1)
}

func (c *Catalogue) newVersion(ctx context.Context, id string, d Draft, next int) (*store.AchievementVersion, error) {
	n := d.Version
	if n == 0 {
		if s, ok := d.Achievement["version"].(string); ok {
			if v, err := strconv.Atoi(s); err == nil && v > 0 {
				n = v
			}
		}
	}
	if n == 0 {
		n = next
	}
	if n < 1 {
		return nil, fmt.Errorf("version %d: %w: must be positive", n, ErrInvalid)
	}
	raw, err := c.content(d.Achievement, n)
	if err != nil {
		return nil, err
	}
	var qa store.QA
	if d.QA != nil {
		qa = *d.QA
	}
	if err := checkQA(qa); err != nil {
		return nil, err
	}
	v := store.AchievementVersion{
		AchievementID: id, Version: n, State: store.Draft,
		Achievement: raw, QA: qa, Created: c.now().UTC(),
	}
	e := store.CatalogueEvent{AchievementID: id, Version: n, Action: "created", To: store.Draft, Actor: d.Actor, At: v.Created}
	if err := c.s.CreateVersion(ctx, v, e); err != nil {
		return nil, err
	}
	return &v, nil
}

// Edit changes a version's content. With version 0 it edits the latest
// version when it is a draft or rejected (which goes back to draft), and
// otherwise drafts a new version (d.Version, or the next number). A
// version named explicitly must be a draft or rejected: an approved one
// is ErrImmutable. A d.Version of a version that exists is ErrExists.
func (c *Catalogue) Edit(ctx context.Context, id string, version int, d Draft) (*store.AchievementVersion, error) {
	if got, err := achievementID(d.Achievement); err != nil {
		return nil, err
	} else if got != id {
		return nil, fmt.Errorf("achievement id %s: %w: editing %s, whose id is fixed", got, ErrInvalid, id)
	}
	latest, err := c.s.GetVersion(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	// Without QA facts, the version edited keeps its own, and a new version
	// takes the latest's.
	keepQA := d.QA == nil
	if keepQA {
		d.QA = &latest.QA
	}
	if d.Version != 0 {
		return c.newVersion(ctx, id, d, latest.Version+1)
	}
	target := latest.Version
	if version != 0 {
		target = version
	} else if !latest.State.Editable() {
		return c.newVersion(ctx, id, Draft{Achievement: d.Achievement, QA: d.QA, Actor: d.Actor, Version: latest.Version + 1}, latest.Version+1)
	}
	raw, err := c.content(d.Achievement, target)
	if err != nil {
		return nil, err
	}
	if err := checkQA(*d.QA); err != nil {
		return nil, err
	}
	var out store.AchievementVersion
	err = c.s.UpdateVersion(ctx, id, target, func(v *store.AchievementVersion) (store.CatalogueEvent, error) {
		if !v.State.Editable() {
			return store.CatalogueEvent{}, fmt.Errorf("achievement %s version %d is %s: %w; edit %s without a version to draft version %d", id, target, v.State, ErrImmutable, id, latest.Version+1)
		}
		e := store.CatalogueEvent{AchievementID: id, Version: target, Action: "edited", From: v.State, To: store.Draft, Actor: d.Actor, At: c.now().UTC()}
		v.Achievement, v.State = raw, store.Draft
		if !keepQA {
			v.QA = *d.QA
		}
		out = *v
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// content checks an Achievement against the OB 3.0 data model and schema
// and returns it, with its version set to n, as JSON.
func (c *Catalogue) content(a map[string]any, n int) (json.RawMessage, error) {
	if a == nil {
		return nil, fmt.Errorf("achievement: %w: required", ErrInvalid)
	}
	cp := make(map[string]any, len(a)+1)
	for k, v := range a {
		cp[k] = v
	}
	cp["version"] = strconv.Itoa(n)
	if err := CheckAchievement(cp); err != nil {
		return nil, err
	}
	return json.Marshal(cp)
}

// CheckAchievement checks an Achievement against the OB 3.0 data model
// and the AchievementCredential schema, as the achievement of a minimal
// credential. Errors wrap ErrInvalid and name the JSON path.
func CheckAchievement(a map[string]any) error {
	if _, err := achievementID(a); err != nil {
		return err
	}
	cred := map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        "urn:uuid:00000000-0000-4000-8000-000000000000",
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": "did:example:catalogue", "type": []any{"Profile"}, "name": "catalogue"},
		"validFrom": "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id": "did:example:learner", "type": []any{"AchievementSubject"}, "achievement": a,
		},
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("achievement: %w: %w", ErrInvalid, err)
	}
	doc, err := ob3.ParseDocument(raw, ob3.ParseOptions{})
	if err != nil {
		return fmt.Errorf("achievement: %w: %w", ErrInvalid, err)
	}
	if err := ob3.Validate(doc.Credential); err != nil {
		return fmt.Errorf("achievement: %w: %w", ErrInvalid, err)
	}
	if err := ob3.ValidateSchemaValue(doc.Value); err != nil {
		return fmt.Errorf("achievement: %w: %w", ErrInvalid, err)
	}
	return nil
}

// achievementID returns the Achievement's id: an absolute URL (http or
// https, where Publish puts its public document) or URN.
func achievementID(a map[string]any) (string, error) {
	id, _ := a["id"].(string)
	if id == "" {
		return "", fmt.Errorf("achievement id: %w: required (the achievement's stable id)", ErrInvalid)
	}
	u, err := url.Parse(id)
	if err != nil || u.Scheme == "" || strings.ContainsAny(id, " \t\n") {
		return "", fmt.Errorf("achievement id %q: %w: not an absolute url", id, ErrInvalid)
	}
	return id, nil
}

func checkQA(q store.QA) error {
	for i, d := range q.ReviewDates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("qa.reviewDates[%d] %q: %w: want YYYY-MM-DD", i, d, ErrInvalid)
		}
	}
	for i, p := range q.Partners {
		if p.Name == "" {
			return fmt.Errorf("qa.partners[%d].name: %w: required", i, ErrInvalid)
		}
		if len(p.Endorsement) > 0 && !json.Valid(p.Endorsement) {
			return fmt.Errorf("qa.partners[%d].endorsement: %w: not json", i, ErrInvalid)
		}
	}
	return nil
}

// ParseRef reads "ID" or "ID@VERSION"; version 0 means the latest.
func ParseRef(ref string) (id string, version int, err error) {
	id = ref
	if i := strings.LastIndexByte(ref, '@'); i > 0 {
		n, err := strconv.Atoi(ref[i+1:])
		if err != nil || n < 1 {
			return "", 0, fmt.Errorf("achievement reference %q: %w: the version after @ must be a positive number", ref, ErrInvalid)
		}
		id, version = ref[:i], n
	}
	if id == "" {
		return "", 0, fmt.Errorf("achievement reference %q: %w: no id", ref, ErrInvalid)
	}
	return id, version, nil
}

// Get returns a version (0: the latest).
func (c *Catalogue) Get(ctx context.Context, id string, version int) (*store.AchievementVersion, error) {
	return c.s.GetVersion(ctx, id, version)
}

// Versions returns the achievement's versions, oldest first.
func (c *Catalogue) Versions(ctx context.Context, id string) ([]store.AchievementVersion, error) {
	return c.s.Versions(ctx, id)
}

// List returns the latest version of every achievement.
func (c *Catalogue) List(ctx context.Context) ([]store.AchievementVersion, error) {
	ids, err := c.s.AchievementIDs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]store.AchievementVersion, 0, len(ids))
	for _, id := range ids {
		v, err := c.s.GetVersion(ctx, id, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// Audit returns the achievement's trail, oldest first.
func (c *Catalogue) Audit(ctx context.Context, id string) ([]store.CatalogueEvent, error) {
	return c.s.CatalogueAudit(ctx, id)
}

// Prepare returns the statement for a decision on a recorded version, to
// be signed (Sign) and applied (Apply): its digest, the approver set in
// force and the time filled in.
func (c *Catalogue) Prepare(ctx context.Context, id string, version int, d Decision, role string) (*Statement, error) {
	v, err := c.s.GetVersion(ctx, id, version)
	if err != nil {
		return nil, err
	}
	p, err := c.Approvers(ctx)
	if err != nil {
		return nil, err
	}
	digest, err := Digest(v.Achievement)
	if err != nil {
		return nil, err
	}
	return &Statement{
		AchievementID: v.AchievementID, Version: v.Version, Digest: digest, Decision: d, Role: role,
		Time: c.now().UTC().Truncate(time.Second), ApproverSet: p.Serial,
	}, nil
}

// Apply checks a signed statement and records its decision: submitting a
// draft, approving or rejecting a version in review, retiring an approved
// one. The signer must be in the approver set in force, in the role it
// claims; the digest must be the version's; an approval by the version's
// author is ErrSelfApproval unless the rule allows it, and a second by the
// same key ErrDuplicateApproval. The version is approved when its
// approvals meet the rule. Nothing is written on error.
func (c *Catalogue) Apply(ctx context.Context, signed string) (*store.AchievementVersion, error) {
	st, err := OpenStatement(signed)
	if err != nil {
		return nil, err
	}
	p, err := c.Approvers(ctx)
	if err != nil {
		return nil, err
	}
	if st.ApproverSet != p.Serial {
		return nil, fmt.Errorf("statement signed under approver set %d: %w: set %d is in force", st.ApproverSet, ErrNotMember, p.Serial)
	}
	if err := canDecide(p, st); err != nil {
		return nil, err
	}
	if st.Time.After(c.now().Add(c.skew)) {
		return nil, fmt.Errorf("statement time %s: %w: in the future", st.Time.Format(time.RFC3339), ErrInvalid)
	}
	var out store.AchievementVersion
	err = c.s.UpdateVersion(ctx, st.AchievementID, st.Version, func(v *store.AchievementVersion) (store.CatalogueEvent, error) {
		r := replay{policy: func(int) (*Policy, error) { return p, nil }}
		if err := r.run(v); err != nil {
			return store.CatalogueEvent{}, err
		}
		from := v.State
		if err := r.step(v, st, signed); err != nil {
			return store.CatalogueEvent{}, err
		}
		r.fill(v)
		v.Statements = append(v.Statements, signed)
		out = *v
		return store.CatalogueEvent{
			AchievementID: v.AchievementID, Version: v.Version, Action: string(st.Decision),
			From: from, To: v.State, Actor: st.Key, Reference: st.Reference, MinutesURL: st.MinutesURL, At: st.Time,
		}, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Verify replays the signed statements of a version (version 0: every
// version of the achievement) and checks the record against them: each
// statement verifies and was made by a member of its approver set in its
// role, digests match the Achievement, and the state and dates are those
// the statements lead to. A mismatch is ErrTampered.
func (c *Catalogue) Verify(ctx context.Context, id string, version int) error {
	ps, err := c.policies(ctx)
	if err != nil {
		return err
	}
	var vs []store.AchievementVersion
	if version == 0 {
		if vs, err = c.s.Versions(ctx, id); err != nil {
			return err
		}
	} else {
		v, err := c.s.GetVersion(ctx, id, version)
		if err != nil {
			return err
		}
		vs = []store.AchievementVersion{*v}
	}
	for i := range vs {
		if err := verifyVersion(&vs[i], ps); err != nil {
			return err
		}
	}
	return nil
}

func verifyVersion(v *store.AchievementVersion, ps []*Policy) error {
	r := replay{policy: func(serial int) (*Policy, error) {
		if serial < 1 || serial > len(ps) {
			return nil, fmt.Errorf("approver set %d: %w", serial, ErrNotMember)
		}
		return ps[serial-1], nil
	}}
	ref := fmt.Sprintf("achievement %s version %d", v.AchievementID, v.Version)
	if err := r.run(v); err != nil {
		return fmt.Errorf("%s: %w: %w", ref, ErrTampered, err)
	}
	want := *v
	r.fill(&want)
	switch {
	case v.State != want.State && !(v.State == store.Draft && want.State == store.Rejected):
		return fmt.Errorf("%s: %w: recorded %s, the statements say %s", ref, ErrTampered, v.State, want.State)
	case !v.ApprovedAt.Equal(want.ApprovedAt) || !v.RetiredAt.Equal(want.RetiredAt) || v.Author != want.Author:
		return fmt.Errorf("%s: %w: approval dates or author differ from the statements", ref, ErrTampered)
	}
	return nil
}

// replay walks a version's statements through the workflow.
type replay struct {
	policy func(serial int) (*Policy, error)
	state  store.VersionState
	// digest is the content the current review is about.
	digest    string
	author    string
	approvers []*Statement
	approved  time.Time
	retired   time.Time
	last      time.Time
}

// run replays v's recorded statements and checks that the content under
// review, if any, is v's.
func (r *replay) run(v *store.AchievementVersion) error {
	r.state = store.Draft
	for i, tok := range v.Statements {
		st, err := OpenStatement(tok)
		if err != nil {
			return fmt.Errorf("statements[%d]: %w", i, err)
		}
		p, err := r.policy(st.ApproverSet)
		if err != nil {
			return fmt.Errorf("statements[%d]: %w", i, err)
		}
		if err := canDecide(p, st); err != nil {
			return fmt.Errorf("statements[%d]: %w", i, err)
		}
		if err := r.check(v, st, true); err != nil {
			return fmt.Errorf("statements[%d]: %w", i, err)
		}
	}
	if r.state != store.Draft && r.state != store.Rejected {
		d, err := Digest(v.Achievement)
		if err != nil {
			return err
		}
		if d != r.digest {
			return fmt.Errorf("%w: the achievement's digest %s is not the reviewed %s", ErrDigest, d, r.digest)
		}
	}
	return nil
}

// step applies a new statement to v's replayed state.
func (r *replay) step(v *store.AchievementVersion, st *Statement, _ string) error {
	if r.state == store.Rejected && v.State == store.Draft {
		r.state = store.Draft // edited after rejection
	}
	if r.state != v.State {
		return fmt.Errorf("achievement %s version %d: %w: recorded %s, the statements say %s", v.AchievementID, v.Version, ErrTampered, v.State, r.state)
	}
	return r.check(v, st, false)
}

// check applies st. In replay, a submission after a rejection stands for
// the edit that came between.
func (r *replay) check(v *store.AchievementVersion, st *Statement, replaying bool) error {
	if st.AchievementID != v.AchievementID || st.Version != v.Version {
		return fmt.Errorf("statement about %s version %d: %w", st.AchievementID, st.Version, ErrDigest)
	}
	if st.Time.Before(r.last) {
		return fmt.Errorf("statement time %s: %w: before the previous decision", st.Time.Format(time.RFC3339), ErrInvalid)
	}
	op := string(st.Decision)
	wrong := func() error {
		return &StateError{AchievementID: v.AchievementID, Version: v.Version, State: r.state, Op: op}
	}
	switch st.Decision {
	case Submit:
		if r.state != store.Draft && !(replaying && r.state == store.Rejected) {
			return wrong()
		}
		if !replaying {
			d, err := Digest(v.Achievement)
			if err != nil {
				return err
			}
			if d != st.Digest {
				return fmt.Errorf("submission digest %s: %w: the version's is %s", st.Digest, ErrDigest, d)
			}
		}
		r.state, r.digest, r.author, r.approvers = store.InReview, st.Digest, st.Key, nil
	case Approve, Reject:
		if r.state != store.InReview {
			return wrong()
		}
		if st.Digest != r.digest {
			return fmt.Errorf("%s digest %s: %w: the version under review is %s", op, st.Digest, ErrDigest, r.digest)
		}
		if st.Decision == Reject {
			r.state = store.Rejected
			break
		}
		p, err := r.policy(st.ApproverSet)
		if err != nil {
			return err
		}
		if st.Key == r.author && !p.Rule.AllowSelfApproval {
			return fmt.Errorf("key %s submitted achievement %s version %d: %w", st.Key, v.AchievementID, v.Version, ErrSelfApproval)
		}
		if slices.ContainsFunc(r.approvers, func(a *Statement) bool { return a.Key == st.Key }) {
			return fmt.Errorf("key %s: %w", st.Key, ErrDuplicateApproval)
		}
		r.approvers = append(r.approvers, st)
		if met(p.Rule, r.approvers) {
			r.state, r.approved = store.Approved, st.Time
		}
	case Retire:
		if r.state != store.Approved {
			return wrong()
		}
		if st.Digest != r.digest {
			return fmt.Errorf("retire digest %s: %w: the approved version is %s", st.Digest, ErrDigest, r.digest)
		}
		r.state, r.retired = store.Retired, st.Time
	}
	r.last = st.Time
	return nil
}

// met reports whether approvals meet rule.
func met(rule Rule, approvals []*Statement) bool {
	if len(approvals) < rule.approvals() {
		return false
	}
	for _, role := range rule.RequiredRoles {
		if !slices.ContainsFunc(approvals, func(a *Statement) bool { return a.Role == role }) {
			return false
		}
	}
	return true
}

// fill sets v's state, author and dates to the replayed ones.
func (r *replay) fill(v *store.AchievementVersion) {
	v.State, v.Author, v.ApprovedAt, v.RetiredAt = r.state, r.author, r.approved, r.retired
}
