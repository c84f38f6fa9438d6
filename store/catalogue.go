package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrImmutable means a change would alter the content of an achievement
// version that left the draft state, or rewrite its signed statements.
var ErrImmutable = errors.New("achievement version is immutable")

// VersionState is where an achievement version stands in the approval
// workflow: draft, in review, approved, retired; rejected goes back to draft.
type VersionState string

// The workflow states of an achievement version.
const (
	Draft    VersionState = "draft"
	InReview VersionState = "in-review"
	Approved VersionState = "approved"
	Retired  VersionState = "retired"
	Rejected VersionState = "rejected"
)

// Editable reports whether a version in state s may still change content:
// a draft, or a rejected version going back to draft.
func (s VersionState) Editable() bool { return s == Draft || s == Rejected }

// Partner is an industry partner consulted on an achievement.
type Partner struct {
	// Name is the partner's name.
	Name string `json:"name"`
	// URL is the partner's web site, if given.
	URL string `json:"url,omitempty"`
	// Endorsement is the EndorsementCredential the partner issued for the
	// achievement, as a JSON document, when it has issued one.
	Endorsement json.RawMessage `json:"endorsement,omitempty"`
}

// QA are the quality-assurance facts of an achievement version.
type QA struct {
	// AssessmentMethod says how learners are assessed.
	AssessmentMethod string `json:"assessmentMethod,omitempty"`
	// Partners are the industry partners consulted.
	Partners []Partner `json:"partners,omitempty"`
	// ReviewDates are the dates (YYYY-MM-DD) the version was, or is to
	// be, reviewed.
	ReviewDates []string `json:"reviewDates,omitempty"`
	// ApprovingBody names the committee that approves the version.
	ApprovingBody string `json:"approvingBody,omitempty"`
	// StacksInto are the ids of the larger credentials (stacking targets)
	// this achievement counts towards.
	StacksInto []string `json:"stacksInto,omitempty"`
}

// AchievementVersion is one version of a catalogue achievement.
type AchievementVersion struct {
	// AchievementID is the achievement's stable id (its Achievement's id).
	AchievementID string `json:"achievementId"`
	// Version numbers the versions of an achievement from 1.
	Version int `json:"version"`
	// State is the version's workflow state.
	State VersionState `json:"state"`
	// Achievement is the OB 3.0 Achievement, as JSON.
	Achievement json.RawMessage `json:"achievement"`
	// QA are the version's quality-assurance facts.
	QA QA `json:"qa"`
	// Author is the key (a Multikey) that submitted the version for review.
	Author string `json:"author,omitempty"`
	// Statements are the signed statements (compact JWS) about the version,
	// oldest first: its submission, approvals, rejection, retirement. They
	// are only ever appended to.
	Statements []string `json:"statements,omitempty"`
	// Created is when the version was drafted.
	Created time.Time `json:"created"`
	// ApprovedAt is when the version was approved; zero if never.
	ApprovedAt time.Time `json:"approvedAt,omitzero"`
	// RetiredAt is when the version was retired; zero if never.
	RetiredAt time.Time `json:"retiredAt,omitzero"`
}

// Validate reports whether v can be recorded. Errors wrap ErrInvalid.
func (v *AchievementVersion) Validate() error {
	if err := required("achievementId", v.AchievementID); err != nil {
		return err
	}
	if len(v.AchievementID) > MaxFieldLen {
		return invalid("achievementId longer than %d bytes", MaxFieldLen)
	}
	if v.Version < 1 {
		return invalid("achievement %s: version %d is not a positive number", v.AchievementID, v.Version)
	}
	switch v.State {
	case Draft, InReview, Approved, Retired, Rejected:
	default:
		return invalid("achievement %s@%d: state %q is not a workflow state", v.AchievementID, v.Version, v.State)
	}
	if !json.Valid(v.Achievement) {
		return invalid("achievement %s@%d: achievement is not json", v.AchievementID, v.Version)
	}
	return nil
}

// checkChange reports whether the stored version old may become v: the
// same achievement and number, content changed only while editable, and
// statements only appended to.
func (v *AchievementVersion) checkChange(old *AchievementVersion) error {
	ref := fmt.Sprintf("achievement %s@%d", old.AchievementID, old.Version)
	if v.AchievementID != old.AchievementID || v.Version != old.Version {
		return invalid("%s: id or version changed", ref)
	}
	if !old.State.Editable() {
		sameQA, _ := json.Marshal(v.QA)
		oldQA, _ := json.Marshal(old.QA)
		if string(v.Achievement) != string(old.Achievement) || string(sameQA) != string(oldQA) {
			return fmt.Errorf("%s is %s: %w", ref, old.State, ErrImmutable)
		}
	}
	if len(v.Statements) < len(old.Statements) || !slices.Equal(v.Statements[:len(old.Statements)], old.Statements) {
		return fmt.Errorf("%s: statements rewritten: %w", ref, ErrImmutable)
	}
	return nil
}

// CheckChange is the rule every backend applies in UpdateVersion: it
// reports whether the stored version old may become v. Errors wrap
// ErrInvalid or ErrImmutable.
func CheckChange(old, v *AchievementVersion) error {
	if err := v.Validate(); err != nil {
		return err
	}
	return v.checkChange(old)
}

// CatalogueEvent is one entry of an achievement's audit trail: a change
// of one version's state or content.
type CatalogueEvent struct {
	// AchievementID and Version name the version.
	AchievementID string `json:"achievementId"`
	// Version is the version's number.
	Version int `json:"version"`
	// Action names what happened: created, edited, submitted, approved,
	// rejected, retired.
	Action string `json:"action"`
	// From and To are the states before and after; From is empty when the
	// version was created.
	From VersionState `json:"from,omitempty"`
	// To is the state after the change.
	To VersionState `json:"to"`
	// Actor is who made the change: the Multikey of the key that signed
	// the statement, or the operator's claimed name for drafting.
	Actor string `json:"actor"`
	// Reference is the committee reference the change was made under.
	Reference string `json:"reference,omitempty"`
	// MinutesURL is the URL of the committee's minutes.
	MinutesURL string `json:"minutesUrl,omitempty"`
	// At is when the change was made. If zero, the store uses the time of
	// the write.
	At time.Time `json:"at"`
}

// ApproverSet is a signed approver set: who may submit and approve
// achievement versions, in which roles, under which rule. The store keeps
// the signed form; package catalogue reads and checks it.
type ApproverSet struct {
	// Serial numbers the sets from 1; each new set has the next number.
	Serial int `json:"serial"`
	// RootKey is the institutional root key (a Multikey) that signed it.
	RootKey string `json:"rootKey"`
	// Signed is the set as a compact JWS by RootKey.
	Signed string `json:"signed"`
	// Recorded is when the set was recorded. If zero, the store uses the
	// time of the write.
	Recorded time.Time `json:"recorded"`
}

// Catalogue is the achievement catalogue's durable record, a companion of
// Store that the same backends implement. Implementations follow Store's
// rules: safe for concurrent use, every write atomic and durable, nothing
// written once ctx is done.
type Catalogue interface {
	// CreateVersion records a new achievement version and appends e to the
	// achievement's trail, atomically. A version of that number already
	// recorded is ErrExists.
	CreateVersion(ctx context.Context, v AchievementVersion, e CatalogueEvent) error
	// UpdateVersion reads the version, passes it to fn and records what fn
	// leaves in it with the event fn returns, in one transaction; an error
	// from fn writes nothing and is returned as it is. fn runs under the
	// store's write lock: it must be quick and must not call the store.
	// The change must pass CheckChange (ErrImmutable, ErrInvalid). An
	// unknown version is ErrNotFound.
	UpdateVersion(ctx context.Context, id string, version int, fn func(*AchievementVersion) (CatalogueEvent, error)) error
	// GetVersion returns a version; version 0 means the latest. An unknown
	// achievement or version is ErrNotFound.
	GetVersion(ctx context.Context, id string, version int) (*AchievementVersion, error)
	// Versions returns the achievement's versions, oldest first, or
	// ErrNotFound.
	Versions(ctx context.Context, id string) ([]AchievementVersion, error)
	// AchievementIDs returns the ids of every achievement, sorted.
	AchievementIDs(ctx context.Context) ([]string, error)
	// CatalogueAudit returns the achievement's trail, oldest first, or
	// ErrNotFound.
	CatalogueAudit(ctx context.Context, id string) ([]CatalogueEvent, error)
	// PutApproverSet records the next approver set: its Serial must be one
	// more than the latest's (1 for the first), else ErrExists.
	PutApproverSet(ctx context.Context, s ApproverSet) error
	// ApproverSets returns every approver set, by Serial.
	ApproverSets(ctx context.Context) ([]ApproverSet, error)
}
