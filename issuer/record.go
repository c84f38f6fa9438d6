package issuer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
)

// Errors of the store-backed operations.
var (
	// ErrNoStore means the operation needs a store and none is configured.
	ErrNoStore = errors.New("no store configured")
	// ErrNoStatusEntry means the credential was issued without a status
	// entry for the purpose asked for, e.g. suspending a credential issued
	// without suspension.
	ErrNoStatusEntry = errors.New("no status entry for that purpose")
	// ErrAlreadyIssued means a request names a credential id the store
	// already holds: a delivered credential, or an undelivered one for
	// another recipient or achievement. It wraps store.ErrExists.
	ErrAlreadyIssued = fmt.Errorf("credential already issued: %w", store.ErrExists)
)

// RecordIssued records a signed credential in the store, marked
// undelivered: doc is the signed credential, signed its exact bytes as
// handed out (hashed into the record), format store.FormatDI or
// store.FormatJWT, and refs the entries AttachStatus reserved. Call it
// before handing the credential out, so that every credential in the wild
// can be found and revoked, and call Delivered once it is out.
func (is *Issuer) RecordIssued(ctx context.Context, doc map[string]any, signed []byte, format string, refs []store.StatusRef) error {
	return is.recordIssued(ctx, doc, signed, format, refs, 0)
}

// recordIssued is RecordIssued for a credential of the catalogue version
// version (0: an achievement from outside the catalogue).
func (is *Issuer) recordIssued(ctx context.Context, doc map[string]any, signed []byte, format string, refs []store.StatusRef, version int) error {
	if is.cfg.Store == nil {
		return fmt.Errorf("recording credential: %w", ErrNoStore)
	}
	id, _ := doc["id"].(string)
	if id == "" {
		return fmt.Errorf("recording credential: id: %w: required", ErrInvalidInput)
	}
	rec := is.newRecord(doc, signed, format, refs)
	rec.Undelivered = true
	rec.AchievementVersion = version
	if err := is.cfg.Store.PutCredential(ctx, rec); err != nil {
		return fmt.Errorf("recording credential %s: %w", id, err)
	}
	return nil
}

// newRecord is the store record of an issued credential doc whose signed
// form (the bytes its SHA-256 is taken of) is hashed.
func (is *Issuer) newRecord(doc map[string]any, hashed []byte, format string, refs []store.StatusRef) store.Record {
	id, _ := doc["id"].(string)
	sum := sha256.Sum256(hashed)
	return store.Record{
		ID:            id,
		Recipient:     recipientOf(doc),
		RecipientSalt: recipientSaltOf(doc),
		AchievementID: achievementOf(doc),
		IssuerKey:     is.cfg.Signer.identity.VerificationMethod,
		Format:        format,
		IssuedAt:      is.cfg.Now().UTC(),
		Status:        refs,
		SHA256:        hex.EncodeToString(sum[:]),
	}
}

// Delivered records that the credential id, recorded by Issue or
// RecordIssued, has been handed out (written to its file, sent): from then
// on no retry may replace its record. Calling it again is harmless.
func (is *Issuer) Delivered(ctx context.Context, id string) error {
	if is.cfg.Store == nil {
		return fmt.Errorf("marking %s delivered: %w", id, ErrNoStore)
	}
	return is.cfg.Store.MarkDelivered(ctx, id)
}

// UndeliveredError reports a credential that was issued but could not be
// handed out. With a Store it stays recorded undelivered, with its status
// entries: the same request (with ID set to CredentialID) retries it.
type UndeliveredError struct {
	// CredentialID is the credential's id.
	CredentialID string
	// Recorded is true if the credential is recorded (undelivered).
	Recorded bool
	// Err is why it could not be handed out.
	Err error
}

func (e *UndeliveredError) Error() string {
	if e.Recorded {
		return fmt.Sprintf("credential %s is recorded undelivered: %v", e.CredentialID, e.Err)
	}
	return fmt.Sprintf("credential %s was not delivered: %v", e.CredentialID, e.Err)
}

// Unwrap returns why the credential was not handed out.
func (e *UndeliveredError) Unwrap() error { return e.Err }

// Deliver issues the credential for req (see Issue), hands it to deliver
// (which writes or sends cred.Bytes(), say) and, with a Store, records it
// delivered once deliver returns nil: a credential in the wild is then
// always one the store knows and can revoke, and one never handed out can
// be issued again. If deliver fails, the error is an *UndeliveredError.
func (is *Issuer) Deliver(ctx context.Context, req Request, deliver func(*Credential) error) (*Credential, error) {
	cred, err := is.Issue(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := deliver(cred); err != nil {
		return nil, &UndeliveredError{CredentialID: cred.ID, Recorded: is.cfg.Store != nil, Err: err}
	}
	if is.cfg.Store != nil {
		if err := is.Delivered(ctx, cred.ID); err != nil {
			return cred, fmt.Errorf("credential %s was delivered, but recording its delivery failed: %w", cred.ID, err)
		}
	}
	return cred, nil
}

// prepare builds the credential for req and gives it status entries: new
// ones, or, when req retries a credential recorded undelivered (the same
// id, recipient and achievement), that record's, so a retry never takes a
// second index and an undelivered credential's index never goes to
// another credential.
func (is *Issuer) prepare(ctx context.Context, req Request) (map[string]any, []store.StatusRef, error) {
	var prior *store.Record
	if req.ID != "" {
		rec, err := is.cfg.Store.GetCredential(ctx, req.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, nil, fmt.Errorf("looking up credential %s: %w", req.ID, err)
		case !rec.Undelivered:
			return nil, nil, fmt.Errorf("credential %s: %w and delivered; give another id", req.ID, ErrAlreadyIssued)
		default:
			prior = rec
		}
	}
	if prior == nil {
		cred, err := is.Build(req)
		if err != nil {
			return nil, nil, err
		}
		return is.AttachStatus(ctx, cred)
	}
	// The same salt gives the same identity hash for the same email.
	cred, err := is.build(req, prior.RecipientSalt)
	if err != nil {
		return nil, nil, err
	}
	if recipientOf(cred) != prior.Recipient || achievementOf(cred) != prior.AchievementID {
		return nil, nil, fmt.Errorf("credential %s: %w, undelivered, for another recipient or achievement; a retry must repeat the request", req.ID, ErrAlreadyIssued)
	}
	out, err := is.attach(cred, prior.Status)
	if err != nil {
		return nil, nil, fmt.Errorf("credential %s: retrying: %w", req.ID, err)
	}
	return out, prior.Status, nil
}

// recipientSaltOf returns the salt of the hashed identifier recipientOf
// reads, or "".
func recipientSaltOf(doc map[string]any) string {
	_, salt := recipientIdentifier(doc)
	return salt
}

// recipientOf returns the subject's id or, without one, the identityHash
// of its email address identifier, else of its first identifier (a
// salted hash unless issued in the clear).
func recipientOf(doc map[string]any) string {
	r, _ := recipientIdentifier(doc)
	return r
}

// recipientIdentifier returns what recipientOf returns and, for a hashed
// identifier, its salt.
func recipientIdentifier(doc map[string]any) (recipient, salt string) {
	subject, _ := doc["credentialSubject"].(map[string]any)
	if id, ok := subject["id"].(string); ok && id != "" {
		return id, ""
	}
	idents, _ := subject["identifier"].([]any)
	first := -1
	for i, x := range idents {
		m, _ := x.(map[string]any)
		if h, _ := m["identityHash"].(string); h == "" {
			continue
		}
		if first < 0 {
			first = i
		}
		if m["identityType"] == "emailAddress" {
			first = i
			break
		}
	}
	if first < 0 {
		return "", ""
	}
	m, _ := idents[first].(map[string]any)
	recipient, _ = m["identityHash"].(string)
	salt, _ = m["salt"].(string)
	return recipient, salt
}

func achievementOf(doc map[string]any) string {
	subject, _ := doc["credentialSubject"].(map[string]any)
	a, _ := subject["achievement"].(map[string]any)
	id, _ := a["id"].(string)
	return id
}

// Ledger changes the status of recorded credentials. It needs only the
// store, not the signing key: a change takes effect for verifiers once the
// lists are signed and published again (Issuer.Publish). A nil Ledger's
// methods return ErrNoStore.
type Ledger struct {
	store store.Store
}

// NewLedger returns a Ledger over s.
func NewLedger(s store.Store) *Ledger { return &Ledger{store: s} }

// The actor the change methods take is the operator's claimed name (a
// --actor flag, a setting, $USER), recorded as store.Event.ClaimedActor
// and never as an authenticated identity; beside it the Ledger records the
// operating system account the process runs as (OSAccount), which the
// caller does not choose.

// Revoke sets the credential's revocation entry. Revocation is final;
// revoking again succeeds without a new audit event. An unknown id is
// store.ErrNotFound.
func (l *Ledger) Revoke(ctx context.Context, credentialID, actor, reason string) error {
	return l.change(ctx, "revoking", credentialID, store.PurposeRevocation, 1, actor, reason)
}

// Suspend sets the credential's suspension entry. A credential issued
// without one is ErrNoStatusEntry; a revoked one is store.ErrFinal.
func (l *Ledger) Suspend(ctx context.Context, credentialID, actor, reason string) error {
	return l.change(ctx, "suspending", credentialID, store.PurposeSuspension, 1, actor, reason)
}

// Reinstate clears the credential's suspension entry. A revoked credential
// cannot be reinstated (store.ErrFinal); one issued without a suspension
// entry is ErrNoStatusEntry.
func (l *Ledger) Reinstate(ctx context.Context, credentialID, actor, reason string) error {
	return l.change(ctx, "reinstating", credentialID, store.PurposeSuspension, 0, actor, reason)
}

func (l *Ledger) change(ctx context.Context, verb, id string, purpose status.Purpose, value uint64, actor, reason string) error {
	if l == nil || l.store == nil {
		return fmt.Errorf("%s %s: %w", verb, id, ErrNoStore)
	}
	if strings.TrimSpace(id) == "" {
		return fmt.Errorf("%s: credential id: %w: required", verb, ErrInvalidInput)
	}
	rec, err := l.store.GetCredential(ctx, id)
	if err != nil {
		return fmt.Errorf("%s: %w", verb, err)
	}
	// Suspending or reinstating a revoked credential would change nothing a
	// verifier sees, and reinstating would read as undoing the revocation.
	if purpose != store.PurposeRevocation && rec.State == store.Revoked {
		return fmt.Errorf("%s %s: credential is revoked: %w", verb, id, store.ErrFinal)
	}
	if !hasPurpose(rec, purpose) {
		return fmt.Errorf("%s %s: issued without a %s entry: %w", verb, id, purpose, ErrNoStatusEntry)
	}
	uid, osUser := OSAccount()
	err = l.store.SetStatus(ctx, store.Change{
		CredentialID: id, Purpose: purpose, Value: value,
		ClaimedActor: actor, UID: uid, OSUser: osUser, Reason: reason,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", verb, err)
	}
	return nil
}

func hasPurpose(r *store.Record, purpose status.Purpose) bool {
	for _, s := range r.Status {
		if s.Purpose == purpose {
			return true
		}
	}
	return false
}
