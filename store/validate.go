package store

import (
	"fmt"
	"slices"

	"github.com/badgesmith/badgesmith/status"
)

// Bounds every backend enforces, so a record that one backend accepts the
// others accept too.
const (
	// MaxFieldLen is the longest string field, in bytes.
	MaxFieldLen = 4096
	// MaxStatusRefs is the most status entries one record may carry.
	MaxStatusRefs = 16
	// MaxListBits is the largest list, Size*StatusSize, in bits (16 MiB).
	MaxListBits = 1 << 27
	// MaxStatusSize is the widest entry, in bits.
	MaxStatusSize = 64
	// MaxComponents is the most components one stacked credential's
	// record may name.
	MaxComponents = 1000
)

// Validate reports whether r can be recorded. Errors wrap ErrInvalid and
// name the field.
func (r *Record) Validate() error {
	if err := required("id", r.ID); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"recipient", r.Recipient}, {"recipientSalt", r.RecipientSalt}, {"achievementId", r.AchievementID},
		{"issuerKey", r.IssuerKey}, {"batchId", r.BatchID}, {"rowKey", r.RowKey},
	} {
		if len(f.v) > MaxFieldLen {
			return invalid("record %s: %s longer than %d bytes", r.ID, f.name, MaxFieldLen)
		}
	}
	if len(r.Components) > MaxComponents {
		return invalid("record %s: %d components, more than %d", r.ID, len(r.Components), MaxComponents)
	}
	for i, c := range r.Components {
		if c == "" || len(c) > MaxFieldLen {
			return invalid("record %s: components[%d] is empty or longer than %d bytes", r.ID, i, MaxFieldLen)
		}
	}
	if r.Format != FormatDI && r.Format != FormatJWT {
		return invalid("record %s: format %q is not %q or %q", r.ID, r.Format, FormatDI, FormatJWT)
	}
	if r.IssuedAt.IsZero() {
		return invalid("record %s: issuedAt is zero", r.ID)
	}
	if !isHexSHA256(r.SHA256) {
		return invalid("record %s: sha256 %q is not 64 lower-case hex digits", r.ID, r.SHA256)
	}
	if r.RowKey != "" && r.BatchID == "" {
		return invalid("record %s: rowKey without batchId", r.ID)
	}
	if len(r.Status) > MaxStatusRefs {
		return invalid("record %s: %d status entries, more than %d", r.ID, len(r.Status), MaxStatusRefs)
	}
	seen := make(map[status.Purpose]bool, len(r.Status))
	for i, s := range r.Status {
		if err := required(fmt.Sprintf("record %s: status[%d].purpose", r.ID, i), s.Purpose); err != nil {
			return err
		}
		if err := required(fmt.Sprintf("record %s: status[%d].listId", r.ID, i), s.ListID); err != nil {
			return err
		}
		if s.Index < 0 {
			return invalid("record %s: status[%d].index %d is negative", r.ID, i, s.Index)
		}
		if seen[s.Purpose] {
			return invalid("record %s: status[%d]: second %q entry", r.ID, i, s.Purpose)
		}
		seen[s.Purpose] = true
	}
	return nil
}

// Equal reports whether r and o record the same issuance. State is ignored
// and times compare as instants.
func (r *Record) Equal(o *Record) bool {
	if r.ID != o.ID || r.Recipient != o.Recipient || r.AchievementID != o.AchievementID ||
		r.IssuerKey != o.IssuerKey || r.Format != o.Format || !r.IssuedAt.Equal(o.IssuedAt) ||
		r.SHA256 != o.SHA256 || r.Undelivered != o.Undelivered || r.RecipientSalt != o.RecipientSalt ||
		r.AchievementVersion != o.AchievementVersion {
		return false
	}
	return r.SameRequest(o)
}

// SameRequest reports whether r and o record the same issuance request:
// the same credential id, recipient, achievement, batch row and status
// entries. A record for the same request may replace an Undelivered one;
// the signature, its hash, the time and the key may differ.
func (r *Record) SameRequest(o *Record) bool {
	if r.ID != o.ID || r.Recipient != o.Recipient || r.AchievementID != o.AchievementID ||
		r.BatchID != o.BatchID || r.RowKey != o.RowKey || len(r.Status) != len(o.Status) ||
		!slices.Equal(r.Components, o.Components) {
		return false
	}
	for i := range r.Status {
		if r.Status[i] != o.Status[i] {
			return false
		}
	}
	return true
}

// Validate reports whether f is well formed. Errors wrap ErrInvalid.
func (f *Filter) Validate() error {
	switch f.Status {
	case "", Active, Revoked, Suspended:
	default:
		return invalid("filter: status %q is not %q, %q or %q", f.Status, Active, Revoked, Suspended)
	}
	if f.RowKey != "" && f.BatchID == "" {
		return invalid("filter: rowKey without batchId")
	}
	if f.Limit < 0 || f.Offset < 0 {
		return invalid("filter: negative limit %d or offset %d", f.Limit, f.Offset)
	}
	return nil
}

// Match reports whether r, with its State filled in, passes every field of
// f except Limit and Offset.
func (f *Filter) Match(r *Record) bool {
	return (f.Recipient == "" || r.Recipient == f.Recipient) &&
		(f.AchievementID == "" || r.AchievementID == f.AchievementID) &&
		(f.BatchID == "" || r.BatchID == f.BatchID) &&
		(f.RowKey == "" || r.RowKey == f.RowKey) &&
		(f.Status == "" || r.State == f.Status) &&
		(f.IssuedAfter.IsZero() || r.IssuedAt.After(f.IssuedAfter)) &&
		(f.IssuedBefore.IsZero() || r.IssuedAt.Before(f.IssuedBefore))
}

// Validate reports whether l can be created, after StatusSize zero has been
// read as 1. Errors wrap ErrInvalid.
func (l *ListInfo) Validate() error {
	if err := required("list id", l.ID); err != nil {
		return err
	}
	if err := required(fmt.Sprintf("list %s: purpose", l.ID), l.Purpose); err != nil {
		return err
	}
	ss := l.StatusSize
	if ss == 0 {
		ss = 1
	}
	if ss < 1 || ss > MaxStatusSize {
		return invalid("list %s: statusSize %d not in 1..%d", l.ID, l.StatusSize, MaxStatusSize)
	}
	if l.Size < 1 || l.Size > MaxListBits/ss {
		return invalid("list %s: size %d not in 1..%d for statusSize %d", l.ID, l.Size, MaxListBits/ss, ss)
	}
	return nil
}

// Validate reports whether c is well formed. It does not know the list, so
// the value's width is checked by the backend. Errors wrap ErrInvalid.
func (c *Change) Validate() error {
	if err := required("change: credentialId", c.CredentialID); err != nil {
		return err
	}
	if err := required("change: purpose", c.Purpose); err != nil {
		return err
	}
	if len(c.ClaimedActor) > MaxFieldLen || len(c.UID) > MaxFieldLen || len(c.OSUser) > MaxFieldLen || len(c.Reason) > MaxFieldLen {
		return invalid("change %s: claimedActor, uid, osUser or reason longer than %d bytes", c.CredentialID, MaxFieldLen)
	}
	return nil
}

// FitsStatusSize reports whether value fits in statusSize bits.
func FitsStatusSize(value uint64, statusSize int) bool {
	return statusSize >= 64 || value>>uint(statusSize) == 0
}

// StateOf derives a credential's State from its entries' current values, as
// returned by value for each of r's StatusRefs.
func StateOf(r *Record, value func(StatusRef) (uint64, error)) (State, error) {
	suspended := false
	for _, s := range r.Status {
		if s.Purpose != PurposeRevocation && s.Purpose != PurposeSuspension {
			continue
		}
		v, err := value(s)
		if err != nil {
			return "", err
		}
		if v == 0 {
			continue
		}
		if s.Purpose == PurposeRevocation {
			return Revoked, nil
		}
		suspended = true
	}
	if suspended {
		return Suspended, nil
	}
	return Active, nil
}

func required[S ~string](field string, v S) error {
	if v == "" {
		return invalid("%s is empty", field)
	}
	if len(v) > MaxFieldLen {
		return invalid("%s longer than %d bytes", field, MaxFieldLen)
	}
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func invalid(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, ErrInvalid)...)
}
