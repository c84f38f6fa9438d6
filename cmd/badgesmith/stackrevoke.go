package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
)

// flagStacked names, after revoking id, every stacked credential issued on
// it (a component of a stacked credential is no longer good, so neither
// may the whole be), and with --cascade revokes each too, and what is
// stacked on those in turn.
func flagStacked(ctx context.Context, s streams, db store.Store, id string, o *changeOptions, actor string) error {
	return flagStackedOn(ctx, s, db, id, o, actor, map[string]bool{id: true})
}

func flagStackedOn(ctx context.Context, s streams, db store.Store, id string, o *changeOptions, actor string, seen map[string]bool) error {
	stacked, err := issuer.StackedOn(ctx, db, id)
	if err != nil {
		return err
	}
	for _, r := range stacked {
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		if !o.cascade {
			fmt.Fprintf(s.out, "%s: stacked on revoked %s; review it, or revoke it with --cascade\n", shown(r.ID), shown(id))
			continue
		}
		err := issuer.NewLedger(db).Revoke(ctx, r.ID, actor, fmt.Sprintf("component %s revoked: %s", id, o.reason))
		if err != nil && !errors.Is(err, store.ErrFinal) {
			return fmt.Errorf("revoking stacked credential %s: %w", r.ID, err)
		}
		fmt.Fprintf(s.out, "%s: revoked (stacked on %s)\n", shown(r.ID), shown(id))
		if err := flagStackedOn(ctx, s, db, r.ID, o, actor, seen); err != nil {
			return err
		}
	}
	return nil
}
