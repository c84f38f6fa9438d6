package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/verifier"
)

// ErrNoVerifier marks Options without a Verifier.
var ErrNoVerifier = errors.New("stack: no verifier")

// MaxEmbedded is the most credentials read from one CLR.
const MaxEmbedded = 1000

// Input is one credential offered for the stacks: a JSON credential, a
// compact JWS, a baked image, or a ClrCredential whose embedded credentials
// are each offered.
type Input struct {
	// Name names the input in the report (a file name).
	Name string
	// Data is the input's bytes.
	Data []byte
	// Missing, if set, says why the input has no bytes (a recorded
	// credential whose document was not found): the report lists it as
	// could not check, with this reason.
	Missing string
}

// Learner says whose credentials count. If both fields are empty, the
// learner is the one subject DID the valid credentials share.
type Learner struct {
	// DID is the learner's subject id.
	DID string
	// Emails are the learner's addresses, matched against each hashed
	// emailAddress identity of a credential's subject.
	Emails []string
}

// Options configures Check.
type Options struct {
	// Verifier verifies every credential. Required.
	Verifier *verifier.Verifier
	// Now is the time "earned within" counts back from. If nil, time.Now.
	Now func() time.Time
	// Learner says whose credentials count.
	Learner Learner
}

// Report is the outcome of Check.
type Report struct {
	// Learner names the learner the credentials were counted for.
	Learner string `json:"learner,omitempty"`
	// Stacks are the stacks, in the rules' order.
	Stacks []Result `json:"stacks"`
	// Credentials are the inputs, each with whether and where it counted.
	Credentials []CredentialResult `json:"credentials"`
}

// Complete reports whether the stack with id is complete.
func (r *Report) Complete(id string) bool {
	for _, s := range r.Stacks {
		if s.ID == id {
			return s.Complete
		}
	}
	return false
}

// Result is one stack's outcome.
type Result struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Achievement string `json:"achievement"`
	Complete    bool   `json:"complete"`
	// Requirements are the requirements' outcomes, in the rules' order.
	Requirements []RequirementResult `json:"requirements"`
	// Credits is the total creditsEarned of the credentials used.
	Credits float64 `json:"credits"`
	// MinCredits is the rule's minimum; zero when none.
	MinCredits float64 `json:"minCredits,omitempty"`
	// Missing says what is missing beyond the requirements (credits).
	Missing []string `json:"missing,omitempty"`
}

// RequirementResult is one requirement's outcome.
type RequirementResult struct {
	Name      string `json:"name"`
	Satisfied bool   `json:"satisfied"`
	// Uses are the credentials (or nested stacks) that meet it.
	Uses []Use `json:"uses,omitempty"`
	// Missing says what is missing, one line per achievement or count.
	Missing []string `json:"missing,omitempty"`
}

// Use is one achievement a requirement counted.
type Use struct {
	Achievement string `json:"achievement"`
	// Credential is the id of the credential counted, and Input its name;
	// empty when a nested stack met it.
	Credential string `json:"credential,omitempty"`
	Input      string `json:"input,omitempty"`
	// Stack is the id of the nested stack that met it, if one did.
	Stack string `json:"stack,omitempty"`
}

// CredentialResult is one offered credential's fate.
type CredentialResult struct {
	Input       string           `json:"input"`
	ID          string           `json:"id,omitempty"`
	Issuer      string           `json:"issuer,omitempty"`
	Achievement string           `json:"achievement,omitempty"`
	Verdict     verifier.Verdict `json:"verdict"`
	// Counted is true when some requirement used it.
	Counted bool `json:"counted"`
	// UsedBy names the stack and requirement that used it.
	UsedBy []string `json:"usedBy,omitempty"`
	// Excluded says why it was not counted.
	Excluded string `json:"excluded,omitempty"`

	award  *verifier.Award
	earned time.Time
	bytes  []byte
	// rejected collects, per requirement that named its achievement, why
	// it was not accepted.
	rejected []string
}

// Eligible reports whether the credential is a valid Open Badge of the
// learner, offered once: one a stack or a CLR may use.
func (c *CredentialResult) Eligible() bool { return c.award != nil }

// Bytes returns the exact bytes of the credential as offered (for a
// credential embedded in a CLR, its JSON as embedded).
func (c *CredentialResult) Bytes() []byte { return c.bytes }

// Check verifies every input and judges the stacks of rules on the valid
// credentials of one learner. The error is for a run that could not be
// made (no verifier, a cancelled context); faults of the credentials are
// in the report.
func Check(ctx context.Context, rules *Rules, inputs []Input, opts Options) (*Report, error) {
	if opts.Verifier == nil {
		return nil, ErrNoVerifier
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	var creds []*CredentialResult
	for _, in := range inputs {
		for _, c := range expand(in) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			creds = append(creds, c)
			if c.Excluded != "" {
				continue
			}
			res, _ := opts.Verifier.Verify(ctx, c.bytes)
			judgeVerified(c, res)
		}
	}
	rep := &Report{}
	dedupe(creds)
	rep.Learner = sameLearner(creds, opts.Learner)
	e := &evaluation{rules: rules, creds: creds, now: now(), done: map[string]*Result{}}
	for _, i := range rules.order() {
		e.stack(i)
	}
	for i := range rules.Stacks {
		rep.Stacks = append(rep.Stacks, *e.done[rules.Stacks[i].ID])
	}
	for _, c := range creds {
		if c.Excluded == "" && !c.Counted {
			switch {
			case len(c.rejected) > 0:
				c.Excluded = strings.Join(slices.Compact(c.rejected), "; ")
			default:
				c.Excluded = fmt.Sprintf("no requirement names achievement %s", c.Achievement)
			}
		}
		rep.Credentials = append(rep.Credentials, *c)
	}
	return rep, nil
}

// expand returns the credentials of an input: itself, or each credential a
// ClrCredential embeds.
func expand(in Input) []*CredentialResult {
	one := &CredentialResult{Input: in.Name, bytes: in.Data, Verdict: verifier.VerdictCouldNotCheck}
	if in.Missing != "" {
		one.Excluded = in.Missing
		return []*CredentialResult{one}
	}
	trimmed := bytes.TrimSpace(in.Data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return []*CredentialResult{one}
	}
	var clr struct {
		Type              ob3.Types `json:"type"`
		CredentialSubject struct {
			VerifiableCredential []json.RawMessage `json:"verifiableCredential"`
		} `json:"credentialSubject"`
	}
	if json.Unmarshal(trimmed, &clr) != nil || !slices.Contains(clr.Type, "ClrCredential") {
		return []*CredentialResult{one}
	}
	vcs := clr.CredentialSubject.VerifiableCredential
	if len(vcs) > MaxEmbedded {
		one.Excluded = fmt.Sprintf("a CLR embedding %d credentials, more than %d", len(vcs), MaxEmbedded)
		one.Verdict = verifier.VerdictInvalid
		return []*CredentialResult{one}
	}
	out := make([]*CredentialResult, 0, len(vcs))
	for i, raw := range vcs {
		c := &CredentialResult{Input: fmt.Sprintf("%s#credentialSubject.verifiableCredential[%d]", in.Name, i), Verdict: verifier.VerdictCouldNotCheck}
		var jws string
		if json.Unmarshal(raw, &jws) == nil {
			c.bytes = []byte(jws)
		} else {
			c.bytes = raw
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		one.Excluded = "a CLR embedding no credential"
		one.Verdict = verifier.VerdictInvalid
		return []*CredentialResult{one}
	}
	return out
}

// judgeVerified fills c from its verification: only a valid (or valid
// with warnings) Open Badge naming one achievement goes on.
func judgeVerified(c *CredentialResult, res *verifier.Result) {
	if res == nil {
		c.Excluded = "could not be verified"
		return
	}
	c.Verdict = res.Verdict
	c.ID, c.Issuer = res.CredentialID, res.Issuer
	if res.Claims != nil && res.Claims.Award != nil {
		c.Achievement = res.Claims.Award.Achievement
	}
	switch {
	case !res.Verdict.Accepted():
		why := ""
		if f := res.Failed(); f != nil {
			why = fmt.Sprintf(": %s: %s", f.Check, f.Reason)
		} else if f := res.Inconclusive(); f != nil {
			why = fmt.Sprintf(": %s: %s", f.Check, f.Reason)
		}
		c.Excluded = string(res.Verdict) + why
	case !res.OpenBadge:
		c.Excluded = "not an Open Badges credential"
	case res.Claims == nil || !res.Claims.Verified:
		c.Excluded = "its statements are not covered by a proof of the issuer"
	case res.Claims.Award == nil:
		c.Excluded = "it names no achievement"
	default:
		c.award = res.Claims.Award
		c.earned = c.award.AwardedDate
		if c.earned.IsZero() {
			c.earned = res.Claims.ValidFrom
		}
		if c.earned.IsZero() {
			c.earned = res.Claims.IssuanceDate
		}
	}
}

// dedupe excludes every credential offered again (same issuer and id).
func dedupe(creds []*CredentialResult) {
	seen := map[string]string{}
	for _, c := range creds {
		if c.award == nil || c.Excluded != "" {
			continue
		}
		k := c.Issuer + "\x00" + c.ID
		if first, ok := seen[k]; ok {
			c.Excluded = "duplicate of " + first
			c.award = nil
			continue
		}
		seen[k] = c.Input
	}
}

// sameLearner excludes the credentials of anyone but the learner, and
// returns how the learner is named.
func sameLearner(creds []*CredentialResult, l Learner) string {
	exclude := func(c *CredentialResult, why string) { c.Excluded, c.award = why, nil }
	if l.DID == "" && len(l.Emails) == 0 {
		var dids []string
		for _, c := range creds {
			switch {
			case c.award == nil:
			case c.subject() == "":
				exclude(c, "its recipient is a hashed identity: name the learner's email to match it")
			case !slices.Contains(dids, c.subject()):
				dids = append(dids, c.subject())
			}
		}
		if len(dids) <= 1 {
			return strings.Join(dids, "")
		}
		for _, c := range creds {
			if c.award != nil {
				exclude(c, fmt.Sprintf("credentials of %d learners offered (%s): name the learner", len(dids), strings.Join(dids, ", ")))
			}
		}
		return ""
	}
	for _, c := range creds {
		if c.award == nil {
			continue
		}
		if l.DID != "" && c.subject() == l.DID {
			continue
		}
		if matchesEmail(c.award, l.Emails) {
			continue
		}
		who := c.subject()
		if who == "" {
			who = "a hashed identity that matches none of the emails given"
		}
		exclude(c, fmt.Sprintf("awarded to another learner (%s)", who))
	}
	names := slices.Clone(l.Emails)
	if l.DID != "" {
		names = append([]string{l.DID}, names...)
	}
	return strings.Join(names, ", ")
}

// subject is the credential subject's id, kept beside the award.
func (c *CredentialResult) subject() string {
	if c.award == nil {
		return ""
	}
	return c.award.Subject
}

func matchesEmail(a *verifier.Award, emails []string) bool {
	for _, id := range a.Identifiers {
		if id.IdentityType != string(ob3.IdentityTypeEmailAddress) {
			continue
		}
		o := ob3.IdentityObject{Hashed: id.Hashed, IdentityHash: id.IdentityHash, Salt: id.Salt}
		for _, e := range emails {
			if o.Matches(e) {
				return true
			}
		}
	}
	return false
}
