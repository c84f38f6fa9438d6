package catalogue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/badgesmith/badgesmith/store"
)

// Resolved is an approved version, ready to issue.
type Resolved struct {
	// AchievementID and Version name the version.
	AchievementID string
	// Version is the version's number.
	Version int
	// Achievement is the Achievement, its version field set, as a JSON
	// object (a fresh copy).
	Achievement map[string]any
	// Digest is the Achievement's digest.
	Digest string
	// ApprovedAt is when it was approved.
	ApprovedAt time.Time
}

// Resolve returns the approved version ref names ("ID@VERSION", or "ID"
// for the latest approved version), after verifying its statements. A
// version in any other state is a *StateError wrapping ErrNotApproved; an
// achievement with no approved version names its latest version's state.
func (c *Catalogue) Resolve(ctx context.Context, ref string) (*Resolved, error) {
	id, version, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	var v *store.AchievementVersion
	if version != 0 {
		if v, err = c.s.GetVersion(ctx, id, version); err != nil {
			return nil, err
		}
	} else {
		vs, err := c.s.Versions(ctx, id)
		if err != nil {
			return nil, err
		}
		v = &vs[len(vs)-1]
		for i := len(vs) - 1; i >= 0; i-- {
			if vs[i].State == store.Approved {
				v = &vs[i]
				break
			}
		}
	}
	ps, err := c.policies(ctx)
	if err != nil {
		return nil, err
	}
	if err := verifyVersion(v, ps); err != nil {
		return nil, err
	}
	if v.State != store.Approved {
		return nil, &StateError{AchievementID: v.AchievementID, Version: v.Version, State: v.State, Op: "issue"}
	}
	var a map[string]any
	if err := json.Unmarshal(v.Achievement, &a); err != nil {
		return nil, fmt.Errorf("achievement %s version %d: %w", id, v.Version, err)
	}
	digest, err := Digest(v.Achievement)
	if err != nil {
		return nil, err
	}
	return &Resolved{AchievementID: v.AchievementID, Version: v.Version, Achievement: a, Digest: digest, ApprovedAt: v.ApprovedAt}, nil
}

// IsRefusal reports whether err is the catalogue refusing a version for
// issuing (not approved, tampered), as opposed to a store failure.
func IsRefusal(err error) bool {
	return errors.Is(err, ErrNotApproved) || errors.Is(err, ErrTampered) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid)
}
