package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/verifier"
)

// The catalogue records industry partners' endorsement credentials as its
// QA facts without judging them (package catalogue may not import the
// verifier); show --verify and catalogue publish have the verifier judge
// each here, as verify would.

// endorsementTimeout bounds each network fetch of an endorsement's
// verification (the partner's did:web document, its status list).
const endorsementTimeout = 10 * time.Second

// endorsementCheck is the verifier's judgement of one partner's
// endorsement credential.
type endorsementCheck struct {
	// Partner is the partner's name.
	Partner string `json:"partner"`
	// Credential is the endorsement credential's id, when it could be read.
	Credential string `json:"credential,omitempty"`
	// Verdict is the verifier's, or invalid when a valid credential is not
	// an EndorsementCredential of this achievement.
	Verdict verifier.Verdict `json:"verdict"`
	// Reason says why, when the verdict is not valid.
	Reason string `json:"reason,omitempty"`
}

// newEndorsementVerifier is the verifier of partners' endorsements: the
// verify command's defaults (public networks only, bounded fetches).
func newEndorsementVerifier() (*verifier.Verifier, error) {
	return verifier.New(verifier.Options{HTTPClient: safehttp.NewClient(safehttp.Options{Timeout: endorsementTimeout})})
}

// checkEndorsements verifies the endorsement credential of each partner
// of qa that has one, requiring it to endorse achievementID. A credential
// recorded as a JSON string is a compact JWS (VC-JWT or VC-JOSE-COSE).
func checkEndorsements(ctx context.Context, v *verifier.Verifier, achievementID string, qa store.QA) []endorsementCheck {
	var out []endorsementCheck
	for _, p := range qa.Partners {
		if len(p.Endorsement) == 0 {
			continue
		}
		c := endorsementCheck{Partner: p.Name}
		data := []byte(p.Endorsement)
		var tok string
		if json.Unmarshal(p.Endorsement, &tok) == nil {
			data = []byte(tok)
		}
		res, err := v.Verify(ctx, data)
		switch {
		case res == nil:
			c.Verdict, c.Reason = verifier.VerdictCouldNotCheck, fmt.Sprint(err)
		case !res.Verdict.Accepted():
			c.Verdict, c.Reason = res.Verdict, decisionReason(res)
		case res.Claims == nil || !slices.Contains(res.Claims.Types, "EndorsementCredential"):
			c.Verdict, c.Reason = verifier.VerdictInvalid, "not an EndorsementCredential"
		case res.Claims.Subject != achievementID:
			c.Verdict, c.Reason = verifier.VerdictInvalid, fmt.Sprintf("endorses %q, not this achievement", res.Claims.Subject)
		default:
			c.Verdict = res.Verdict
			if res.Verdict != verifier.VerdictValid {
				c.Reason = decisionReason(res)
			}
		}
		if res != nil {
			c.Credential = res.CredentialID
		}
		out = append(out, c)
	}
	return out
}

// decisionReason is the reason of the check behind a result's verdict.
func decisionReason(res *verifier.Result) string {
	for _, c := range res.Checks {
		if c.Check == res.Decision {
			if c.Path != "" && !strings.Contains(c.Reason, c.Path) {
				return fmt.Sprintf("%s: %s (at %s)", c.Check, c.Reason, c.Path)
			}
			return fmt.Sprintf("%s: %s", c.Check, c.Reason)
		}
	}
	return string(res.Verdict)
}

// endorsementsError is the error of a set of endorsement checks: an
// invalid one fails (exit 1), one that could not be checked leaves the
// outcome open (exit 2), and nil when every one is valid.
func endorsementsError(what string, checks []endorsementCheck) error {
	var unchecked *endorsementCheck
	for i, c := range checks {
		switch c.Verdict {
		case verifier.VerdictInvalid:
			return fmt.Errorf("%s: the endorsement credential of industry partner %s is %w: %s", what, c.Partner, errInvalid, c.Reason)
		case verifier.VerdictCouldNotCheck:
			if unchecked == nil {
				unchecked = &checks[i]
			}
		}
	}
	if unchecked != nil {
		return fmt.Errorf("%s: the endorsement credential of industry partner %s could not be checked: %s", what, unchecked.Partner, unchecked.Reason)
	}
	return nil
}

// printPartnerEndorsements writes one line per partner endorsement checked.
func printPartnerEndorsements(w io.Writer, checks []endorsementCheck) {
	for _, c := range checks {
		line := fmt.Sprintf("endorsement by %s: %s", shown(c.Partner), c.Verdict)
		if c.Reason != "" {
			line += ": " + shown(c.Reason)
		}
		fmt.Fprintln(w, line)
	}
}
