package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/store"
)

// ErrUnmanaged means the catalogue is required (its approver set says so)
// and a request carries an achievement of its own without
// Config.Unmanaged.
var ErrUnmanaged = errors.New("achievement outside the catalogue")

// ErrNoCatalogue means a request names a catalogue achievement and the
// issuer has no Config.Catalogue; it comes with ErrInvalidInput.
var ErrNoCatalogue = errors.New("no catalogue configured")

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
		return nil, fmt.Errorf("catalogue achievement %s: %w: %w", ref, ErrInvalidInput, ErrNoCatalogue)
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

// ManageCredential applies the catalogue rule to a credential its caller
// built (the server's issue endpoint, which takes the credential rather
// than a Request), as Issue applies it to a Request: with ref
// ("ID@VERSION" or "ID") the approved version's Achievement becomes
// credentialSubject.achievement (an achievement already there must be
// that version's exactly), and without ref the credential's own
// achievement is refused with ErrUnmanaged when the catalogue is
// required and Config.Unmanaged is not set. It returns a copy of cred and
// the catalogue version issued (0 for none), which RecordIssuedVersion
// records; cred itself is not changed.
func (is *Issuer) ManageCredential(ctx context.Context, cred map[string]any, ref string) (map[string]any, int, error) {
	const subjectPath, achievementPath = "credentialSubject", "credentialSubject.achievement"
	if ref == "" {
		if err := is.checkUnmanaged(ctx); err != nil {
			return nil, 0, &fieldError{path: achievementPath, err: err}
		}
		return cred, 0, nil
	}
	var subject map[string]any
	switch s := cred["credentialSubject"].(type) {
	case nil:
		subject = map[string]any{}
	case map[string]any:
		subject = s
	default:
		return nil, 0, &fieldError{path: subjectPath, err: fmt.Errorf("credentialSubject: %w: want one AchievementSubject object", ErrInvalidInput)}
	}
	var own map[string]any
	if a, ok := subject["achievement"]; ok {
		if own, ok = a.(map[string]any); !ok {
			return nil, 0, &fieldError{path: achievementPath, err: fmt.Errorf("credentialSubject.achievement: %w: want an Achievement object", ErrInvalidInput)}
		}
	}
	r, err := is.resolve(ctx, ref)
	if err != nil {
		return nil, 0, err
	}
	if err := sameAchievement(own, r); err != nil {
		return nil, 0, &fieldError{path: achievementPath, err: err}
	}
	out := maps.Clone(cred)
	subject = maps.Clone(subject)
	subject["achievement"] = r.Achievement
	out["credentialSubject"] = subject
	return out, r.Version, nil
}

// fieldError is a refusal of the member at a JSON path of a credential.
type fieldError struct {
	path string
	err  error
}

// Error is the refusal's own message, which names the member already.
func (e *fieldError) Error() string { return e.err.Error() }

// Unwrap returns the refusal.
func (e *fieldError) Unwrap() error { return e.err }

// JSONPath returns the path of the member refused, in the credential.
func (e *fieldError) JSONPath() string { return e.path }

// RecordIssuedVersion is RecordIssued for a credential of the catalogue
// version ManageCredential returned (0: an achievement from outside the
// catalogue), which the record keeps.
func (is *Issuer) RecordIssuedVersion(ctx context.Context, doc map[string]any, signed []byte, format string, refs []store.StatusRef, version int) error {
	return is.recordIssued(ctx, doc, signed, format, refs, version)
}
