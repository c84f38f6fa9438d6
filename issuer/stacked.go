package issuer

import (
	"context"
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
