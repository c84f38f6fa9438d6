package main

import (
	"context"
	"fmt"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
)

// flagStacked names, after revoking id, every stacked credential issued on
// it, and with --cascade revokes each too (issuer.Ledger.FlagStacked).
func flagStacked(ctx context.Context, s streams, db store.Store, id string, o *changeOptions, actor string) error {
	changes, err := issuer.NewLedger(db).FlagStacked(ctx, id, actor, o.reason, o.cascade)
	printStacked(s, changes)
	return err
}

// printStacked prints what revoking a component did to the stacked
// credentials issued on it.
func printStacked(s streams, changes []issuer.StackedChange) {
	for _, c := range changes {
		if c.Revoked {
			fmt.Fprintf(s.out, "%s: revoked (stacked on %s)\n", shown(c.ID), shown(c.On))
		} else {
			fmt.Fprintf(s.out, "%s: stacked on revoked %s; review it, or revoke it with --cascade\n", shown(c.ID), shown(c.On))
		}
	}
}
