package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/badgesmith/badgesmith/status"
)

// Sentinel errors that callers branch on with errors.Is. Backends wrap them
// with the id or field concerned.
var (
	// ErrNotFound means the credential, or its status entry for a purpose,
	// is not recorded.
	ErrNotFound = errors.New("not found")
	// ErrExists means the id (or the batch row, or the status index) is
	// already recorded with different content.
	ErrExists = errors.New("already exists")
	// ErrFinal means the change would undo a revocation.
	ErrFinal = errors.New("revocation is final")
	// ErrFull means no status list for the purpose has a free index and no
	// new list could be made.
	ErrFull = errors.New("status list full")
	// ErrUnknownList means a status list id is not recorded.
	ErrUnknownList = errors.New("unknown status list")
	// ErrInvalid means an argument is malformed or out of range.
	ErrInvalid = errors.New("invalid argument")
)

// Status purposes the store gives a meaning to. Other purposes (message,
// refresh, custom ones) are stored and set without interpretation. They
// are package status's constants, named here for the store's callers.
const (
	// PurposeRevocation marks entries whose non-zero value is final.
	PurposeRevocation = status.PurposeRevocation
	// PurposeSuspension marks reversible entries.
	PurposeSuspension = status.PurposeSuspension
)

// Credential formats a Record may carry.
const (
	// FormatDI is a JSON-LD credential secured with a Data Integrity proof.
	FormatDI = "di"
	// FormatJWT is a VC-JWT.
	FormatJWT = "jwt"
)

// State is a credential's status as derived from its revocation and
// suspension entries.
type State string

// The states a credential can be in. A revoked credential is Revoked even if
// it is also suspended.
const (
	Active    State = "active"
	Revoked   State = "revoked"
	Suspended State = "suspended"
)

// StatusRef locates a credential's entry in a status list.
type StatusRef struct {
	// Purpose is the entry's statusPurpose, e.g. "revocation".
	Purpose status.Purpose `json:"purpose"`
	// ListID is the status list credential URL (statusListCredential).
	ListID string `json:"listId"`
	// Index is the entry's statusListIndex.
	Index int `json:"index"`
}

// Record is what the issuer keeps about one issued credential.
type Record struct {
	// ID is the credential id.
	ID string `json:"id"`
	// Recipient identifies the subject: an IdentityHash or a DID.
	Recipient string `json:"recipient"`
	// AchievementID is the id of the achievement awarded.
	AchievementID string `json:"achievementId"`
	// AchievementVersion is the catalogue version of the achievement the
	// credential was issued from; zero for an achievement from outside the
	// catalogue.
	AchievementVersion int `json:"achievementVersion,omitempty"`
	// IssuerKey is the verification method that signed the credential.
	IssuerKey string `json:"issuerKey"`
	// Format is FormatDI or FormatJWT.
	Format string `json:"format"`
	// IssuedAt is when the credential was issued.
	IssuedAt time.Time `json:"issuedAt"`
	// Status lists the credential's status entries, at most one per purpose.
	Status []StatusRef `json:"status,omitempty"`
	// SHA256 is the lower-case hex SHA-256 of the signed document as issued.
	SHA256 string `json:"sha256"`
	// BatchID names the batch the credential was issued in, if any.
	BatchID string `json:"batchId,omitempty"`
	// RowKey identifies the batch row; with BatchID it is unique, so
	// re-running a batch cannot issue a row twice.
	RowKey string `json:"rowKey,omitempty"`
	// Undelivered marks a credential recorded before it was handed out
	// whose delivery the issuer has not confirmed (MarkDelivered): its file
	// could not be written, or the process stopped in between. Its status
	// entries stay reserved for it; only a retry of the same request (the
	// same ID, Recipient, AchievementID, batch row and entries) may replace
	// it, never another credential.
	Undelivered bool `json:"undelivered,omitempty"`
	// RecipientSalt is the salt of a hashed email Recipient, kept so that a
	// retry of an undelivered credential's request can be recognised and
	// a learner's credentials found by address (badgesmith find). It is
	// public in the credential itself.
	RecipientSalt string `json:"recipientSalt,omitempty"`
	// Components are the ids of the credentials a stacked credential was
	// issued on (package stack): revoking one of them flags it.
	Components []string `json:"components,omitempty"`
	// State is computed by the store when reading; PutCredential ignores it.
	State State `json:"state,omitempty"`
}

// Filter selects records for ListCredentials. Zero fields do not filter.
// Results are ordered by IssuedAt, then ID.
type Filter struct {
	// Recipient selects records with this exact Recipient.
	Recipient string
	// AchievementID selects records with this exact AchievementID.
	AchievementID string
	// BatchID selects records issued in this batch.
	BatchID string
	// RowKey selects records with this RowKey; it needs BatchID.
	RowKey string
	// Status selects records in this State.
	Status State
	// IssuedAfter selects records issued strictly after it.
	IssuedAfter time.Time
	// IssuedBefore selects records issued strictly before it.
	IssuedBefore time.Time
	// Limit caps the number of results; zero means no cap.
	Limit int
	// Offset skips that many matching results first.
	Offset int
}

// ListInfo describes a status list.
type ListInfo struct {
	// ID is the status list credential URL.
	ID string `json:"id"`
	// Purpose is the list's statusPurpose.
	Purpose status.Purpose `json:"purpose"`
	// Size is the number of entries.
	Size int `json:"size"`
	// StatusSize is the number of bits per entry, 1 to 64. If zero, 1 is used.
	StatusSize int `json:"statusSize"`
	// Created is when the list was made. If zero, the store uses the time of
	// the write.
	Created time.Time `json:"created"`
	// Allocated is the number of entries handed out, computed by the store;
	// CreateList ignores it.
	Allocated int `json:"allocated"`
}

// Change sets the value of one credential's status entry.
type Change struct {
	// CredentialID is the credential whose entry changes.
	CredentialID string
	// Purpose selects the entry, e.g. "suspension".
	Purpose status.Purpose
	// Value is the new entry value; it must fit in the list's StatusSize
	// bits. For one-bit lists 1 means set (revoked, suspended) and 0 unset.
	Value uint64
	// ClaimedActor is who the operator said they are (a --actor flag, a
	// setting, $USER): a claim, not an authenticated identity.
	ClaimedActor string
	// UID is the operating system account the change was made from: its
	// numeric user id (a SID on Windows), recorded by the issuer, not
	// claimed by the operator.
	UID string
	// OSUser is the name of the UID's account, empty when it has none.
	OSUser string
	// Reason says why.
	Reason string
	// At is when the change happened. If zero, the store uses the time of
	// the write.
	At time.Time
}

// Event is one entry of a credential's audit trail.
type Event struct {
	// CredentialID is the credential whose entry changed.
	CredentialID string `json:"credentialId"`
	// Purpose, ListID and Index locate the entry.
	Purpose status.Purpose `json:"purpose"`
	// ListID is the status list credential URL.
	ListID string `json:"listId"`
	// Index is the entry's index in the list.
	Index int `json:"index"`
	// From is the value before the change.
	From uint64 `json:"from"`
	// To is the value after the change.
	To uint64 `json:"to"`
	// ClaimedActor is who the operator said they are: a claim, not an
	// authenticated identity. Events recorded before the field existed
	// carry their "actor" here.
	ClaimedActor string `json:"claimedActor,omitempty"`
	// UID is the numeric user id (a SID on Windows) of the operating
	// system account the change was made from.
	UID string `json:"uid,omitempty"`
	// OSUser is the name of the UID's account, empty when it has none.
	OSUser string `json:"osUser,omitempty"`
	// Reason says why.
	Reason string `json:"reason,omitempty"`
	// At is when the change happened.
	At time.Time `json:"at"`
}

// UnmarshalJSON reads an Event, taking the "actor" of an event recorded
// before ClaimedActor existed as its ClaimedActor.
func (e *Event) UnmarshalJSON(data []byte) error {
	type plain Event
	var v struct {
		plain
		Actor string `json:"actor"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*e = Event(v.plain)
	if e.ClaimedActor == "" {
		e.ClaimedActor = v.Actor
	}
	return nil
}

// IssuerSecretLen is the length in bytes of Store.IssuerSecret.
const IssuerSecretLen = 32

// Store is the issuer's durable record. Implementations are safe for
// concurrent use, make every write atomic and durable before returning, and
// return ctx.Err() (wrapped) without writing when ctx is done.
type Store interface {
	// PutCredential records an issued credential and binds its status
	// entries to it. Each entry's list must exist and have the entry's
	// purpose; an index not yet allocated is claimed. Putting an identical
	// record again succeeds. A record recorded Undelivered is replaced by
	// one for the same request (see Record.SameRequest): a retry that signs
	// the credential again. Any other different record under the same id, a
	// batch row already issued under another id, or an index bound to
	// another credential is ErrExists.
	PutCredential(ctx context.Context, r Record) error
	// MarkDelivered clears the Undelivered mark of the credential once it
	// has been handed out, after which no retry may replace its record.
	// Marking a delivered credential succeeds without change; an unknown id
	// is ErrNotFound.
	MarkDelivered(ctx context.Context, id string) error
	// PutCredentials records every record of rs, each as PutCredential
	// would, in one transaction: all of them or, on any error, none. A
	// batch issuer uses it to make a chunk of credentials durable with one
	// commit instead of one per credential. The error names the first
	// record refused.
	PutCredentials(ctx context.Context, rs []Record) error
	// GetCredential returns the record with State filled in, or ErrNotFound.
	GetCredential(ctx context.Context, id string) (*Record, error)
	// ListCredentials returns the records matching f, ordered by IssuedAt
	// then ID, with State filled in.
	ListCredentials(ctx context.Context, f Filter) ([]Record, error)
	// EachCredential calls fn for every record matching f (Offset and
	// Limit included), in ListCredentials order, with State filled in. It
	// reads a page of records at a time, so memory does not grow with the
	// store, and calls fn outside any transaction, so fn may use the
	// store; a record put during the walk may or may not be seen. An error
	// from fn ends the walk and is returned as it is.
	EachCredential(ctx context.Context, f Filter, fn func(Record) error) error

	// CreateList records a new, all-zero status list. Creating an identical
	// list again succeeds; a different list under the same id is ErrExists.
	CreateList(ctx context.Context, l ListInfo) error
	// Lists returns the lists for purpose (all lists if purpose is empty)
	// in creation order.
	Lists(ctx context.Context, purpose status.Purpose) ([]ListInfo, error)
	// AllocateIndex reserves an index, chosen uniformly at random (from
	// crypto/rand) among the unused ones, in the newest list for purpose
	// that has one. When every list is full, or there is none, it creates
	// the list newList returns in the same transaction (a Purpose left empty
	// is set to purpose); with a nil newList that is ErrFull. newList runs
	// while the store holds its write lock: it must be quick and must not
	// call the store. The reservation is never released (see the package
	// doc).
	AllocateIndex(ctx context.Context, purpose status.Purpose, newList func() ListInfo) (StatusRef, error)
	// AllocateIndices reserves up to n distinct indices as AllocateIndex
	// would, in one transaction, all from the same list: the newest list
	// for purpose with a free entry, or the list newList returns when there
	// is none. It returns fewer than n (at least one) when that list has
	// fewer free entries; the caller asks again for the rest. A batch
	// issuer uses it to reserve indices a chunk at a time. n below 1 is
	// ErrInvalid.
	AllocateIndices(ctx context.Context, purpose status.Purpose, n int, newList func() ListInfo) ([]StatusRef, error)
	// SetStatus sets one entry's value and appends an Event, atomically.
	// Changing a non-zero revocation value is ErrFinal. A change that leaves
	// the value as it is succeeds without recording an Event, so retries do
	// not pad the trail. An unknown credential, or one without an entry for
	// the purpose, is ErrNotFound.
	SetStatus(ctx context.Context, c Change) error
	// ListBits returns a copy of the list's bitstring (entry values packed
	// from bit 0, the most significant bit of byte 0), its status size in
	// bits and its number of entries, or ErrUnknownList.
	ListBits(ctx context.Context, listID string) (bits []byte, statusSize int, size int, err error)
	// Audit returns the credential's events, oldest first, or ErrNotFound
	// for an unknown credential.
	Audit(ctx context.Context, credentialID string) ([]Event, error)
	// IssuerSecret returns the store's issuer secret: IssuerSecretLen
	// random bytes (crypto/rand) made by the first call, in one
	// transaction, and returned unchanged by every later call, concurrent
	// or from another process. The issuer keys derivations with it that
	// must be stable for this store yet neither guessable nor reversible
	// without it, such as batch credential ids. It is kept in the store
	// and as sensitive as the store's own contents.
	IssuerSecret(ctx context.Context) ([]byte, error)
	// Close releases the store. Calls after Close fail.
	Close() error
}
