package stack

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/verifier"
)

// evaluation judges the stacks over the credentials that passed
// verification, learner and duplicate checks (award != nil).
type evaluation struct {
	rules *Rules
	creds []*CredentialResult
	now   time.Time
	done  map[string]*Result
}

// stack judges stack i; the stacks it nests are judged already (order).
func (e *evaluation) stack(i int) {
	s := &e.rules.Stacks[i]
	out := &Result{ID: s.ID, Name: s.Name, Achievement: s.Achievement, Complete: true, MinCredits: s.MinCredits}
	var used []*CredentialResult
	for j := range s.Requirements {
		rr, creds, credits := e.requirement(s, &s.Requirements[j])
		out.Requirements = append(out.Requirements, rr)
		out.Credits += credits
		if !rr.Satisfied {
			out.Complete = false
		}
		used = append(used, creds...)
	}
	if s.MinCredits > 0 && out.Credits < s.MinCredits {
		out.Complete = false
		out.Missing = append(out.Missing, fmt.Sprintf("credits: %g earned of the %g needed", out.Credits, s.MinCredits))
	}
	// An incomplete stack still says which credentials would count.
	note := ""
	if !out.Complete {
		note = " (stack incomplete)"
	}
	for _, rr := range out.Requirements {
		for _, u := range rr.Uses {
			for _, c := range used {
				if u.Credential != "" && c.Input == u.Input {
					c.Counted = true
					c.UsedBy = append(c.UsedBy, s.ID+" "+rr.Name+note)
				}
			}
		}
	}
	e.done[s.ID] = out
}

// requirement judges one requirement: what met it, what is missing, and
// the credits of what met it.
func (e *evaluation) requirement(s *Stack, q *Requirement) (RequirementResult, []*CredentialResult, float64) {
	rr := RequirementResult{Name: q.Name, Satisfied: true}
	var used []*CredentialResult
	var credits float64
	meet := func(id string) (Use, *CredentialResult, float64, string) {
		c, why := e.best(s, q, id)
		if c != nil {
			var cr float64
			if c.award.CreditsEarned != nil {
				cr = *c.award.CreditsEarned
			}
			return Use{Achievement: id, Credential: c.ID, Input: c.Input}, c, cr, ""
		}
		// A nested stack completed from the offered credentials meets it
		// as well as the credential it would issue.
		if k := e.rules.stackFor(id); k >= 0 {
			if n := e.done[e.rules.Stacks[k].ID]; n != nil && n.Complete {
				return Use{Achievement: id, Stack: n.ID}, nil, n.Credits, ""
			}
			if why == "" {
				why = "no credential, and stack " + e.rules.Stacks[k].ID + " is not complete"
			}
		}
		return Use{}, nil, 0, why
	}
	for _, id := range q.AllOf {
		u, c, cr, why := meet(id)
		if why != "" {
			rr.Satisfied = false
			rr.Missing = append(rr.Missing, e.label(id)+": "+why)
			continue
		}
		rr.Uses = append(rr.Uses, u)
		credits += cr
		if c != nil {
			used = append(used, c)
		}
	}
	if len(q.AnyOf) > 0 {
		need := q.Count
		if need == 0 {
			need = len(q.AnyOf)
		}
		got := 0
		var whys []string
		for _, id := range q.AnyOf {
			if got == need {
				break
			}
			u, c, cr, why := meet(id)
			if why != "" {
				whys = append(whys, e.label(id)+": "+why)
				continue
			}
			got++
			rr.Uses = append(rr.Uses, u)
			credits += cr
			if c != nil {
				used = append(used, c)
			}
		}
		if got < need {
			rr.Satisfied = false
			rr.Missing = append(rr.Missing, fmt.Sprintf("%d more of the %d achievements of anyOf (%d of %d met)", need-got, len(q.AnyOf), got, need))
			rr.Missing = append(rr.Missing, whys...)
		}
	}
	return rr, used, credits
}

// label names an achievement for a reader: its name and id.
func (e *evaluation) label(id string) string {
	if n := e.rules.achievementName(id); n != "" {
		return n + " (" + id + ")"
	}
	return id
}

// best returns the most recently earned credential for achievement id
// that the requirement accepts, or why none is.
func (e *evaluation) best(s *Stack, q *Requirement, id string) (*CredentialResult, string) {
	var best *CredentialResult
	var whys []string
	for _, c := range e.creds {
		if c.award == nil || c.award.Achievement != id {
			continue
		}
		if why := e.accepts(q, c); why != "" {
			whys = append(whys, c.Input+": "+why)
			c.rejected = append(c.rejected, fmt.Sprintf("%s %s: %s", s.ID, q.Name, why))
			continue
		}
		if best == nil || c.earned.After(best.earned) {
			best = c
		}
	}
	if best != nil {
		return best, ""
	}
	if len(whys) == 0 {
		return nil, "no valid credential of the learner"
	}
	return nil, strings.Join(whys, "; ")
}

// accepts says why requirement q does not accept credential c, or "".
func (e *evaluation) accepts(q *Requirement, c *CredentialResult) string {
	if !slices.Contains(q.Issuers, c.Issuer) {
		return fmt.Sprintf("issuer %s is not one the requirement accepts", c.Issuer)
	}
	if !q.within.zero() {
		from := q.within.before(e.now)
		if c.earned.IsZero() {
			return "no earned date (awardedDate or validFrom)"
		}
		if c.earned.Before(from) {
			return fmt.Sprintf("earned %s, more than %s before %s", c.earned.Format(time.DateOnly), q.Within, e.now.Format(time.DateOnly))
		}
	}
	for _, m := range q.MinResults {
		if m.Achievement != c.award.Achievement {
			continue
		}
		if why := resultAtLeast(c.award, m); why != "" {
			return why
		}
	}
	return ""
}

// resultAtLeast says why award a has no result of at least m, or "".
func resultAtLeast(a *verifier.Award, m MinResult) string {
	for _, d := range a.ResultDescriptions {
		if m.ResultDescription != "" && d.ID != m.ResultDescription {
			continue
		}
		order, want := rank(d, m.AtLeast)
		if want < 0 {
			continue
		}
		for _, r := range a.Results {
			if r.ResultDescription != d.ID {
				continue
			}
			got := slices.Index(order, r.Value)
			if r.AchievedLevel != "" {
				got = slices.Index(order, r.AchievedLevel)
			}
			if got >= want {
				return ""
			}
			return fmt.Sprintf("result %s in %s is below the required %s", valueOf(r), d.ID, m.AtLeast)
		}
		return fmt.Sprintf("no result for %s", d.ID)
	}
	return fmt.Sprintf("no result description orders %q in its signed statements (an ordered allowedValue list, or rubric levels with points)", m.AtLeast)
}

func valueOf(r verifier.ResultClaim) string {
	if r.AchievedLevel != "" {
		return r.AchievedLevel
	}
	return r.Value
}

// rank returns the ordered values of d (allowed values, or level ids) and
// the index of atLeast among them, -1 when it is not one of them.
func rank(d verifier.ResultDescriptionClaim, atLeast string) ([]string, int) {
	if len(d.AllowedValues) > 0 {
		return d.AllowedValues, slices.Index(d.AllowedValues, atLeast)
	}
	ids := make([]string, len(d.Levels))
	want := -1
	for i, l := range d.Levels {
		ids[i] = l.ID
		if want < 0 && (l.ID == atLeast || l.Name == atLeast) {
			want = i
		}
	}
	return ids, want
}
