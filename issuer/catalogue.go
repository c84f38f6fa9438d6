package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/badgesmith/badgesmith/catalogue"
)

// ErrUnmanaged means the catalogue is required (its approver set says so)
// and a request carries an achievement of its own without
// Config.Unmanaged.
var ErrUnmanaged = errors.New("achievement outside the catalogue")

// manage applies the catalogue to req: a named catalogue version is
// resolved (approved only) into req.Achievement, and an achievement of the
// request's own is refused when the catalogue is required. It returns the
// catalogue version issued, 0 for none.
func (is *Issuer) manage(ctx context.Context, req *Request) (int, error) {
	if req.CatalogueAchievement == "" {
		return 0, is.checkUnmanaged(ctx)
	}
	r, err := is.resolve(ctx, req.CatalogueAchievement)
	if err != nil {
		return 0, err
	}
	if err := sameAchievement(req.Achievement, r); err != nil {
		return 0, err
	}
	req.Achievement = r.Achievement
	return r.Version, nil
}

// manageBatch resolves a batch's catalogue achievement (ref, "" for none)
// as manage does.
func (is *Issuer) manageBatch(ctx context.Context, ref string) (*catalogue.Resolved, error) {
	if ref == "" {
		return nil, is.checkUnmanaged(ctx)
	}
	return is.resolve(ctx, ref)
}

func (is *Issuer) checkUnmanaged(ctx context.Context) error {
	if is.cfg.Catalogue == nil || is.cfg.Unmanaged {
		return nil
	}
	required, err := is.cfg.Catalogue.Required(ctx)
	if err != nil {
		return fmt.Errorf("reading the catalogue's approver set: %w", err)
	}
	if required {
		return fmt.Errorf("achievement: %w: the catalogue is required, so issue an approved catalogue version, or mark the achievement unmanaged explicitly", ErrUnmanaged)
	}
	return nil
}

func (is *Issuer) resolve(ctx context.Context, ref string) (*catalogue.Resolved, error) {
	if is.cfg.Catalogue == nil {
		return nil, fmt.Errorf("catalogue achievement %s: %w: no catalogue configured", ref, ErrInvalidInput)
	}
	r, err := is.cfg.Catalogue.Resolve(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("catalogue achievement %s: %w", ref, err)
	}
	return r, nil
}

// managedAchievement gives a batch row the batch's catalogue version,
// refusing a row whose own achievement differs from it.
func (b *Batch) managedAchievement(req *Request) error {
	if b.managed == nil {
		return nil
	}
	if err := sameAchievement(req.Achievement, b.managed); err != nil {
		return err
	}
	req.Achievement = b.managed.Achievement
	return nil
}

// sameAchievement checks that a request's own achievement, if any, is the
// approved version's exactly (by the digest of its JCS form): an override
// of one of its fields would issue content nobody approved.
func sameAchievement(a map[string]any, r *catalogue.Resolved) error {
	if a == nil {
		return nil
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("achievement: %w: %w", ErrInvalidInput, err)
	}
	d, err := catalogue.Digest(raw)
	if err != nil {
		return fmt.Errorf("achievement: %w: %w", ErrInvalidInput, err)
	}
	if d != r.Digest {
		return fmt.Errorf("achievement: %w: differs from the approved %s version %d; a catalogue achievement is issued as approved", ErrInvalidInput, r.AchievementID, r.Version)
	}
	return nil
}
