package issuer

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/store"
)

// RecordStacked is RecordIssued for a stacked credential c, signed with
// the status entries refs: its record also names components, the ids of
// the credentials it was issued on, so that revoking one of them finds it
// (StackedOn).
func (is *Issuer) RecordStacked(ctx context.Context, c *Credential, refs []store.StatusRef, components []string) error {
	if is.cfg.Store == nil {
		return fmt.Errorf("recording credential: %w", ErrNoStore)
	}
	if c.ID == "" {
		return fmt.Errorf("recording credential: id: %w: required", ErrInvalidInput)
	}
	id := c.ID
	rec := is.newRecord(c.Document, c.signed(), c.storeFormat(), refs)
	rec.Undelivered = true
	rec.Components = slices.Clone(components)
	if err := is.cfg.Store.PutCredential(ctx, rec); err != nil {
		return fmt.Errorf("recording credential %s: %w", id, err)
	}
	return nil
}

// StackedOn returns the records of the stacked credentials in s that name
// the credential id among their components: what revoking it puts in
// question.
func StackedOn(ctx context.Context, s store.Store, id string) ([]store.Record, error) {
	var out []store.Record
	err := s.EachCredential(ctx, store.Filter{}, func(r store.Record) error {
		if slices.Contains(r.Components, id) {
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding credentials stacked on %s: %w", id, err)
	}
	return out, nil
}

// Profile returns a copy of the issuer Profile the credentials carry.
func (is *Issuer) Profile() map[string]any { return jsonvalue.CloneObject(is.profile) }

// StackedChange is what revoking a component meant for one stacked
// credential issued on it.
type StackedChange struct {
	// ID is the stacked credential.
	ID string `json:"id"`
	// On is the revoked credential it is stacked on.
	On string `json:"on"`
	// Revoked is true when the cascade revoked it (or it already was);
	// false when it is only named, for the operator to review.
	Revoked bool `json:"revoked"`
}

// FlagStacked applies the policy after revoking id: a component of a
// stacked credential is no longer good, so neither may the whole be. Every
// stacked credential issued on id is named and, with cascade, revoked too
// (its reason "component ID revoked: reason"), and what is stacked on
// those in turn, each once. It returns what it found and did, in that
// order; a failure stops it, with what was done before it.
func (l *Ledger) FlagStacked(ctx context.Context, id, actor, reason string, cascade bool) ([]StackedChange, error) {
	var out []StackedChange
	err := l.flagStacked(ctx, id, actor, reason, cascade, map[string]bool{id: true}, &out)
	return out, err
}

func (l *Ledger) flagStacked(ctx context.Context, id, actor, reason string, cascade bool, seen map[string]bool, out *[]StackedChange) error {
	stacked, err := StackedOn(ctx, l.store, id)
	if err != nil {
		return err
	}
	for _, r := range stacked {
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		if !cascade {
			*out = append(*out, StackedChange{ID: r.ID, On: id})
			continue
		}
		err := l.Revoke(ctx, r.ID, actor, fmt.Sprintf("component %s revoked: %s", id, reason))
		if err != nil && !errors.Is(err, store.ErrFinal) {
			return fmt.Errorf("revoking stacked credential %s: %w", r.ID, err)
		}
		*out = append(*out, StackedChange{ID: r.ID, On: id, Revoked: true})
		if err := l.flagStacked(ctx, r.ID, actor, reason, cascade, seen, out); err != nil {
			return err
		}
	}
	return nil
}
