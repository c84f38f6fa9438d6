package verifier

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/catalogue/published"
	"github.com/badgesmith/badgesmith/rdfc"
)

// CheckCatalogue is the optional check that the credential's achievement
// version was approved, in the issuer's published catalogue, when the
// credential was issued (Options.Catalogue). It runs last, and only when
// a catalogue is given.
const CheckCatalogue CheckName = "catalogue"

const iriVersion = obNS + "version"

// achievementRef is an achievement a credential awards, as the statements
// the proof covers give it.
type achievementRef struct {
	id, version string
	// versions counts the achievement node's version values: a node the
	// document describes twice under one id (the achievement and a related
	// entry, say) has one per description, and only exactly one names the
	// version awarded.
	versions int
}

// achievementRefs reads the achievements of the credential's subjects:
// their ids (IRIs) and versions (literals).
func (g *graph) achievementRefs() []achievementRef {
	var out []achievementRef
	for _, stmt := range g.objects(g.rootNode, iriCredentialSubject) {
		s := stmt.Object
		for _, stmt := range g.objects(s, iriAchievement) {
			a := stmt.Object
			ref := achievementRef{}
			if a.Kind == rdfc.IRI {
				ref.id = a.Value
			}
			for _, stmt := range g.objects(a, iriVersion) {
				v := stmt.Object
				ref.versions++
				if v.Kind == rdfc.Literal {
					ref.version = v.Value
				}
			}
			out = append(out, ref)
		}
	}
	return out
}

// catalogueCheck holds Options.Catalogue and the catalogue once it has
// verified.
type catalogueCheck struct {
	raw []byte
	// inner verifies the catalogue credential itself: this verifier's
	// options without a catalogue.
	inner *Verifier
	mu    sync.Mutex
	// cat is the catalogue, set once it verified.
	cat *published.Catalogue
}

// load verifies the catalogue credential (once; a catalogue that could
// not be checked is tried again next time) and reads it.
func (c *catalogueCheck) load(ctx context.Context) (*published.Catalogue, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cat != nil {
		return c.cat, nil
	}
	res, err := c.inner.Verify(ctx, c.raw)
	if err != nil || !res.Verdict.Accepted() || res.Claims == nil || !res.Claims.Verified {
		verdict := "unreadable"
		if res != nil {
			verdict = string(res.Verdict)
		}
		return nil, fmt.Errorf("the catalogue credential does not verify (%s): %w", verdict, errors.Join(err, errCatalogue))
	}
	cat, err := published.Parse(c.raw)
	if err != nil {
		return nil, err
	}
	// Parse reads the JSON; its issuer must be the one the proof covers.
	if cat.Issuer != res.Claims.Issuer {
		return nil, fmt.Errorf("catalogue issuer %s is not the signed issuer %s: %w", cat.Issuer, res.Claims.Issuer, errCatalogue)
	}
	c.cat = cat
	return cat, nil
}

var errCatalogue = errors.New("catalogue unusable")

// checkCatalogue reports whether the achievement version the credential
// awards was approved in the issuer's catalogue at its issuance time. It
// reads the achievement, issuer and issuance time from the statements the
// proof covers, so an unverified credential is skipped.
func (v *Verifier) checkCatalogue(ctx context.Context, r *report, p *proven) {
	if v.catalogue == nil {
		return
	}
	if !p.verified() || p.graph == nil {
		r.skip(CheckCatalogue, "no verified statements to read the achievement from")
		return
	}
	cat, err := v.catalogue.load(ctx)
	if err != nil {
		r.undecidedAt(CheckCatalogue, "", err)
		return
	}
	at := p.claims.ValidFrom
	if at.IsZero() {
		at = p.claims.IssuanceDate
	}
	refs := p.graph.achievementRefs()
	if len(refs) == 0 {
		r.fail(CheckCatalogue, "credentialSubject.achievement", "the credential awards no achievement")
		return
	}
	for _, ref := range refs {
		if ref.id == "" || ref.version == "" {
			r.fail(CheckCatalogue, "credentialSubject.achievement", "the achievement has no id or no version to look up")
			return
		}
		if ref.versions > 1 {
			r.fail(CheckCatalogue, "credentialSubject.achievement.version", fmt.Sprintf("achievement %s states %d versions, want one to look up", ref.id, ref.versions))
			return
		}
		e, err := cat.Approved(p.claims.Issuer, ref.id, ref.version, at)
		if err != nil {
			r.fail(CheckCatalogue, "credentialSubject.achievement", err.Error())
			return
		}
		r.pass(CheckCatalogue, fmt.Sprintf("approved version: %s version %s, approved %s, in the catalogue %s", ref.id, ref.version, e.ApprovedAt.UTC().Format(time.RFC3339), cat.ID))
	}
}
