package stack

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/issuer"
)

// Errors of Issue.
var (
	// ErrUnknownStack marks a stack id the rules do not have.
	ErrUnknownStack = errors.New("no such stack")
	// ErrIncomplete marks a stack the report does not find complete:
	// nothing is issued for it.
	ErrIncomplete = errors.New("stack not complete")
)

// AlignmentTargetType is the targetType of the alignment from a stacked
// credential's achievement to the published rule.
const AlignmentTargetType = "ceterms:Credential"

// IssueRequest says which stacked credential to issue.
type IssueRequest struct {
	// Stack is the id of the stack.
	Stack string
	// Achievement is the stacked Achievement; its id must be the stack's
	// achievement. An alignment to the rule is added to it.
	Achievement map[string]any
	// Subject is the AchievementSubject without its achievement. If nil
	// and RecipientEmail is empty, the subject is the report's learner,
	// which must then be one DID.
	Subject map[string]any
	// RecipientEmail names the learner by email, hashed.
	RecipientEmail string
}

// Issued is a stacked credential and the credentials it stands on.
type Issued struct {
	// Credential is the signed stacked credential.
	Credential *issuer.Credential
	// Components are the ids of the component credentials, in the order
	// of its evidence.
	Components []string
}

// Components returns the credentials a complete stack used, those of the
// stacks it nests included, each once.
func (r *Report) Components(stackID string) []CredentialResult {
	var out []CredentialResult
	seen := map[string]bool{}
	var walk func(id string)
	walk = func(id string) {
		for _, st := range r.Stacks {
			if st.ID != id {
				continue
			}
			for _, rq := range st.Requirements {
				for _, u := range rq.Uses {
					if u.Stack != "" {
						walk(u.Stack)
						continue
					}
					if seen[u.Input] {
						continue
					}
					seen[u.Input] = true
					for _, c := range r.Credentials {
						if c.Input == u.Input {
							out = append(out, c)
						}
					}
				}
			}
		}
	}
	walk(stackID)
	return out
}

// DigestSRI returns the VC 2.0 digestSRI of data: sha384- and the base64
// SHA-384, over the exact bytes.
func DigestSRI(data []byte) string {
	sum := sha512.Sum384(data)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Issue issues the stacked credential of a stack the report finds
// complete: an OpenBadgeCredential whose evidence names each component
// credential by id with the digestSRI of its exact bytes, and whose
// achievement is aligned (ceterms:Credential) to the published rule. With
// a store, the record names the components (issuer.RecordStacked); the
// caller marks it delivered once handed out.
func Issue(ctx context.Context, is *issuer.Issuer, rules *Rules, rep *Report, req IssueRequest) (*Issued, error) {
	st := rules.Stack(req.Stack)
	if st == nil {
		return nil, fmt.Errorf("stack %s: %w", req.Stack, ErrUnknownStack)
	}
	var res *Result
	for i := range rep.Stacks {
		if rep.Stacks[i].ID == st.ID {
			res = &rep.Stacks[i]
		}
	}
	if res == nil || !res.Complete {
		return nil, fmt.Errorf("stack %s: %w", st.ID, ErrIncomplete)
	}
	if id, _ := req.Achievement["id"].(string); id != st.Achievement {
		return nil, fmt.Errorf("achievement.id %q: %w: stack %s earns %s", id, issuer.ErrInvalidInput, st.ID, st.Achievement)
	}
	ach := jsonvalue.CloneObject(req.Achievement)
	alignments, _ := ach["alignment"].([]any)
	ach["alignment"] = append(alignments, map[string]any{
		"type": []any{"Alignment"}, "targetType": AlignmentTargetType,
		"targetName": st.Name, "targetUrl": st.ID,
	})
	r := issuer.Request{Achievement: ach, Subject: req.Subject, RecipientEmail: req.RecipientEmail}
	if r.Subject == nil && r.RecipientEmail == "" {
		if rep.Learner == "" || strings.ContainsAny(rep.Learner, "@ ,") {
			return nil, fmt.Errorf("credentialSubject: %w: name the recipient (the learner %q is not one DID)", issuer.ErrInvalidInput, rep.Learner)
		}
		r.Subject = map[string]any{"id": rep.Learner}
	}
	cred, err := is.Build(r)
	if err != nil {
		return nil, err
	}
	comps := rep.Components(st.ID)
	evidence := make([]any, 0, len(comps))
	ids := make([]string, 0, len(comps))
	for _, c := range comps {
		if c.ID == "" {
			return nil, fmt.Errorf("component %s: %w: it has no id to reference", c.Input, issuer.ErrInvalidInput)
		}
		ev := map[string]any{"id": c.ID, "type": []any{"Evidence"}, "digestSRI": DigestSRI(c.Bytes())}
		if n := rules.achievementName(c.Achievement); n != "" {
			ev["name"] = n
		}
		evidence = append(evidence, ev)
		ids = append(ids, c.ID)
	}
	cred["evidence"] = evidence
	if is.Ledger == nil {
		signed, err := is.Sign(ctx, cred)
		if err != nil {
			return nil, err
		}
		return &Issued{Credential: signed, Components: ids}, nil
	}
	cred, refs, err := is.AttachStatus(ctx, cred)
	if err != nil {
		return nil, err
	}
	signed, err := is.Sign(ctx, cred)
	if err != nil {
		return nil, err
	}
	if err := is.RecordStacked(ctx, signed, refs, ids); err != nil {
		return nil, err
	}
	return &Issued{Credential: signed, Components: ids}, nil
}
