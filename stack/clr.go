package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/issuer"
)

// Association types a CLR built from stack rules uses (CLR 2.0.1, CASE
// semantics).
const (
	AssociationIsPartOf   = "isPartOf"
	AssociationIsParentOf = "isParentOf"
	AssociationIsChildOf  = "isChildOf"
	AssociationPrecedes   = "precedes"
)

// CLRRequest says how to build a learner's CLR.
type CLRRequest struct {
	// Name is the CLR's name. If empty, "Comprehensive Learner Record".
	Name string
	// Subject is the learner's id. If empty, the report's learner, which
	// must then be one DID.
	Subject string
	// ID is the CLR's id. If empty, a random urn:uuid.
	ID string
	// Partial marks a CLR that does not hold every credential of the
	// learner known to the issuer.
	Partial bool
}

// Association is one CLR association between two achievements.
type Association struct {
	Type     string
	SourceID string
	TargetID string
}

// BuildCLR returns the unsigned ClrCredential of the learner's valid
// credentials in the report, embedded verbatim (as decoded JSON objects),
// with their achievements and the associations the rules and the
// achievements' ceterms:Credential alignments give. Only JSON credentials
// can be embedded: the bundled CLR context gives a compact JWS string no
// meaning.
func BuildCLR(is *issuer.Issuer, rules *Rules, rep *Report, req CLRRequest, now time.Time) (map[string]any, error) {
	subject := req.Subject
	if subject == "" {
		if rep.Learner == "" || strings.ContainsAny(rep.Learner, "@ ,") {
			return nil, fmt.Errorf("credentialSubject.id: %w: name the learner (%q is not one DID)", issuer.ErrInvalidInput, rep.Learner)
		}
		subject = rep.Learner
	}
	var vcs []any
	var achievements []any
	var achIDs []string
	for _, c := range rep.Credentials {
		if c.award == nil {
			continue
		}
		b := bytes.TrimSpace(c.bytes)
		if len(b) == 0 || b[0] != '{' {
			return nil, fmt.Errorf("credential %s: %w: only JSON credentials can be embedded in a CLR", c.Input, issuer.ErrInvalidInput)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("credential %s: %w: %w", c.Input, issuer.ErrInvalidInput, err)
		}
		vcs = append(vcs, doc)
		s, _ := doc["credentialSubject"].(map[string]any)
		a, _ := s["achievement"].(map[string]any)
		if id, _ := a["id"].(string); id != "" && !slices.Contains(achIDs, id) {
			achIDs = append(achIDs, id)
			achievements = append(achievements, achievementEntry(a))
		}
	}
	if len(vcs) == 0 {
		return nil, fmt.Errorf("credentialSubject.verifiableCredential: %w: no valid credential of the learner to record", issuer.ErrInvalidInput)
	}
	id := req.ID
	if id == "" {
		id = "urn:uuid:" + uuid.NewString()
	}
	name := req.Name
	if name == "" {
		name = "Comprehensive Learner Record"
	}
	clrSubject := map[string]any{
		"id": subject, "type": []any{"ClrSubject"},
		"verifiableCredential": vcs, "achievement": achievements,
	}
	if as := Associations(rules, achievements); len(as) > 0 {
		out := make([]any, len(as))
		for i, a := range as {
			out[i] = map[string]any{"type": "Association", "associationType": a.Type, "sourceId": a.SourceID, "targetId": a.TargetID}
		}
		clrSubject["association"] = out
	}
	cred := map[string]any{
		"@context":          []any{contexts.CredentialsV2, contexts.CLRv2p0, contexts.OBv3p0},
		"id":                id,
		"type":              []any{"VerifiableCredential", "ClrCredential"},
		"name":              name,
		"issuer":            is.Profile(),
		"validFrom":         now.UTC().Truncate(time.Second).Format(time.RFC3339),
		"credentialSubject": clrSubject,
	}
	if req.Partial {
		cred["partial"] = true
	}
	return cred, nil
}

// achievementEntry is the CLR's entry for achievement a, which the
// embedded credential already describes in full: the same node, so only
// what merges cleanly with that description is repeated (values, and
// objects with ids). An object without an id (criteria, an alignment) or
// an RDF list (allowedValue) said twice would be two indistinguishable
// blank nodes, which canonicalization refuses.
func achievementEntry(a map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"id", "type", "name", "description", "achievementType", "humanCode", "creditsAvailable", "fieldOfStudy", "specialization", "inLanguage", "version"} {
		if v, ok := a[k]; ok {
			out[k] = v
		}
	}
	for _, k := range []string{"criteria", "creator"} {
		if m, ok := a[k].(map[string]any); ok {
			if id, _ := m["id"].(string); id != "" {
				ref := map[string]any{"id": id}
				if t, ok := m["type"]; ok {
					ref["type"] = t
				}
				out[k] = ref
			}
		}
	}
	return out
}

// IssueCLR builds (BuildCLR) and signs the learner's CLR in the issuer's
// format (a Data Integrity proof, or a VC-JWT).
func IssueCLR(ctx context.Context, is *issuer.Issuer, rules *Rules, rep *Report, req CLRRequest, now time.Time) (*issuer.Credential, error) {
	cred, err := BuildCLR(is, rules, rep, req, now)
	if err != nil {
		return nil, err
	}
	return is.Sign(ctx, cred)
}

// Associations derives the associations among achievements (Achievement
// JSON objects): each component of a stack isPartOf the stack's
// achievement (which isParentOf it), a nested stack's achievement also
// isChildOf and precedes (ladders into) the stack that needs it, and an
// achievement aligned (ceterms:Credential) to a rule isPartOf that rule's
// achievement. Both ends are always among the achievements.
func Associations(rules *Rules, achievements []any) []Association {
	have := map[string]map[string]any{}
	for _, x := range achievements {
		if a, ok := x.(map[string]any); ok {
			if id, _ := a["id"].(string); id != "" {
				have[id] = a
			}
		}
	}
	var out []Association
	add := func(t, src, dst string) {
		a := Association{Type: t, SourceID: src, TargetID: dst}
		if have[src] != nil && have[dst] != nil && src != dst && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, s := range rules.Stacks {
		for _, q := range s.Requirements {
			for _, id := range slices.Concat(q.AllOf, q.AnyOf) {
				add(AssociationIsPartOf, id, s.Achievement)
				add(AssociationIsParentOf, s.Achievement, id)
				if rules.stackFor(id) >= 0 {
					add(AssociationIsChildOf, id, s.Achievement)
					add(AssociationPrecedes, id, s.Achievement)
				}
			}
		}
	}
	ids := make([]string, 0, len(have))
	for id := range have {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		al, _ := have[id]["alignment"].([]any)
		for _, x := range al {
			m, _ := x.(map[string]any)
			if t, _ := m["targetType"].(string); t != AlignmentTargetType {
				continue
			}
			url, _ := m["targetUrl"].(string)
			if st := rules.Stack(url); st != nil {
				add(AssociationIsPartOf, id, st.Achievement)
			}
		}
	}
	return out
}
