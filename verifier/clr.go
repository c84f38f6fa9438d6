package verifier

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/rdfc"
)

// CheckEmbedded is the check of what a credential embeds: a CLR's
// credentials and associations, and an embedded endorsement's statements
// about what it endorses (which are the credential's statements too).
const CheckEmbedded CheckName = "embedded"

// MaxEmbeddedCredentials is the most credentials verified in one CLR; a
// CLR with more is not checked (one verification budget covers them all).
const MaxEmbeddedCredentials = 500

const (
	iriClrSubject              = clrNS + "ClrSubject"
	iriClrAchievement          = clrNS + "achievement"
	iriClrAssociation          = clrNS + "association"
	iriClrAssociationType      = clrNS + "AssociationType"
	iriClrSourceID             = clrNS + "sourceId"
	iriClrTargetID             = clrNS + "targetId"
	iriClrVerifiableCredential = clrNS + "verifiableCredential"
)

// ClrClaims are what a ClrCredential's subject states, read from the
// statements its proof covers.
type ClrClaims struct {
	// Achievements are the ids of the subject's achievement list.
	Achievements []string `json:"achievements,omitempty"`
	// Credentials are the ids of the embedded credentials.
	Credentials []string `json:"credentials,omitempty"`
	// Associations are the subject's associations.
	Associations []AssociationClaim `json:"associations,omitempty"`
	// stated counts the embedded credentials the statements hold, with
	// or without an id, for checkCLR to compare with the JSON's.
	stated int
	// subject is the ClrSubject's IRI, "" for a blank node.
	subject string
}

// AssociationClaim is one CLR Association.
type AssociationClaim struct {
	Type     string `json:"associationType"`
	SourceID string `json:"sourceId"`
	TargetID string `json:"targetId"`
}

// EmbeddedResult is one credential embedded in a CLR, verified on its own.
type EmbeddedResult struct {
	// Path is where it is (credentialSubject.verifiableCredential[0]).
	Path    string  `json:"path"`
	ID      string  `json:"id,omitempty"`
	Issuer  string  `json:"issuer,omitempty"`
	Name    string  `json:"name,omitempty"`
	Verdict Verdict `json:"verdict"`
	// Decision is the check that decided a verdict other than valid.
	Decision CheckName     `json:"decision,omitempty"`
	Checks   []CheckResult `json:"checks,omitempty"`
}

// clr reads the ClrSubject claims of root; nil for a credential whose
// subject is not a ClrSubject.
func (g *graph) clr(root rdfc.Term) *ClrClaims {
	subjects := g.objects(root, iriCredentialSubject)
	if len(subjects) != 1 || !g.hasType(subjects[0].Object, iriClrSubject) {
		return nil
	}
	s := subjects[0].Object
	c := &ClrClaims{}
	if s.Kind == rdfc.IRI {
		c.subject = s.Value
	}
	for _, stmt := range g.objects(s, iriClrAchievement) {
		a := stmt.Object
		if a.Kind == rdfc.IRI {
			c.Achievements = append(c.Achievements, a.Value)
		}
	}
	for _, stmt := range g.objects(s, iriClrVerifiableCredential) {
		v := stmt.Object
		c.stated++
		if v.Kind == rdfc.IRI {
			c.Credentials = append(c.Credentials, v.Value)
		}
	}
	for _, stmt := range g.objects(s, iriClrAssociation) {
		a := stmt.Object
		c.Associations = append(c.Associations, AssociationClaim{
			Type:     lastSegment(g.firstValue(a, iriClrAssociationType)),
			SourceID: g.firstValue(a, iriClrSourceID),
			TargetID: g.firstValue(a, iriClrTargetID),
		})
	}
	return c
}

// clrNodes returns the IRI nodes g describes with the CLR vocabulary: a
// ClrSubject type or a property of the CLR namespace.
func (g *graph) clrNodes() []string {
	var out []string
	for i := range g.nodes {
		n := &g.nodes[i]
		s := g.subject(n)
		if s.Kind != rdfc.IRI {
			continue
		}
		for _, p := range g.propsOf(n) {
			pred := g.predicate(p)
			if strings.HasPrefix(pred, clrNS) || pred == rdfType && hasIRI(g.statements(p), func(v string) bool { return v == iriClrSubject }) {
				out = append(out, s.Value)
				break
			}
		}
	}
	return out
}

// embeddedFailures are the checks whose failure means an embedded
// credential was tampered with or forged; the others (validity, status)
// are the normal life of a transcript's entries.
var embeddedFailures = []CheckName{CheckParse, CheckContext, CheckType, CheckSchema, CheckProof, CheckIssuer}

// checkCLR verifies every credential a verified CLR embeds, within the
// CLR's budget, and its associations: a tampered or forged credential, an
// embedded credential the CLR's statements do not list, or an association
// to an achievement the CLR does not hold make it invalid; an expired or
// revoked one is named in a warning.
func (v *Verifier) checkCLR(ctx context.Context, r *report, cred map[string]any, p *proven) {
	if p.claims == nil || p.claims.Clr == nil {
		return
	}
	if !p.verified() {
		r.skip(CheckEmbedded, "the CLR's own proof does not verify")
		return
	}
	c := p.claims.Clr
	subject, _ := cred["credentialSubject"].(map[string]any)
	vcs, _ := subject["verifiableCredential"].([]any)
	if len(vcs) > MaxEmbeddedCredentials {
		r.fail(CheckEmbedded, "credentialSubject.verifiableCredential", fmt.Sprintf("%d embedded credentials, more than %d", len(vcs), MaxEmbeddedCredentials))
		return
	}
	// Embedded credentials are nested documents, as status lists are: a
	// CLR in a CLR in a CLR would otherwise have its innermost statements
	// canonicalized once per level.
	nctx, err := nested(ctx)
	if err != nil {
		r.undecidedAt(CheckEmbedded, "credentialSubject.verifiableCredential", err)
		return
	}
	var bad, warn, undecided []string
	seen := make(map[string]bool, len(vcs))
	var clrBlanks map[string]bool
	for i, x := range vcs {
		path := fmt.Sprintf("credentialSubject.verifiableCredential[%d]", i)
		er := EmbeddedResult{Path: path, Verdict: VerdictInvalid}
		obj, ok := x.(map[string]any)
		if !ok {
			// A compact JWS string is not a term the bundled CLR context
			// gives a meaning to: it would not be in the signed statements.
			bad = append(bad, path+": not a credential object")
			r.res.Embedded = append(r.res.Embedded, er)
			continue
		}
		raw, err := jsonvalue.Marshal(obj)
		if err != nil {
			bad = append(bad, path+": "+err.Error())
			r.res.Embedded = append(r.res.Embedded, er)
			continue
		}
		res, _ := v.verify(withoutExplain(nctx), raw)
		er.ID, er.Issuer, er.Name, er.Verdict, er.Decision, er.Checks = res.CredentialID, res.Issuer, res.Name, res.Verdict, res.Decision, res.Checks
		r.res.Embedded = append(r.res.Embedded, er)
		blank := sharedBlank(obj, cred, &clrBlanks, "verifiableCredential", "endorsement", "proof")
		name := path
		if res.CredentialID != "" {
			name += " (" + res.CredentialID + ")"
		}
		switch {
		case res.CredentialID == "" || !slices.Contains(c.Credentials, res.CredentialID):
			bad = append(bad, name+": not listed by the CLR's signed statements")
		case c.subject != "" && res.Claims != nil && slices.Contains(res.Claims.clrNodes, c.subject):
			// The embedded credentials share the CLR's graph (CLR 2.0's
			// verifiableCredential is no @graph container) and their
			// subject, the learner, is the ClrSubject node: CLR statements
			// about it would read as the CLR issuer's (achievements,
			// associations, credentials it never stated). A CLR nested for
			// the same learner is one such.
			bad = append(bad, name+": states CLR claims about the CLR's subject "+clipText(c.subject)+", which would read as the CLR's own")
		case res.Claims != nil && p.claims.ID != "" && slices.Contains(res.Claims.described, p.claims.ID):
			// From any node of its own (@included, say), an embedded
			// credential could give the CLR's node a name or a status
			// entry that would read as the CLR issuer's.
			bad = append(bad, name+": describes the CLR credential "+clipText(p.claims.ID)+" itself, which would read as the CLR's own claims")
		case blank != "":
			// Blank node identifiers are the document's: one the CLR
			// writes (a learner without an IRI) would get the embedded
			// credential's statements (CLR achievements) as the CLR's.
			bad = append(bad, name+": names the blank node "+clipText(blank)+" of the CLR, which would read as the CLR's own")
		case seen[res.CredentialID]:
			// One node of the statements for two entries: the count below
			// would then miss an entry the JSON does not show.
			bad = append(bad, name+": embedded twice")
		case res.Verdict == VerdictInvalid && slices.Contains(embeddedFailures, res.Decision):
			bad = append(bad, fmt.Sprintf("%s: %s: %s", name, res.Decision, res.Failed().Reason))
		case res.Verdict == VerdictInvalid:
			warn = append(warn, fmt.Sprintf("%s: %s: %s", name, res.Decision, res.Failed().Reason))
		case res.Verdict == VerdictCouldNotCheck:
			undecided = append(undecided, fmt.Sprintf("%s: %s", name, res.Decision))
		}
		seen[res.CredentialID] = true
	}
	switch {
	case len(vcs) == 0:
		bad = append(bad, "the CLR embeds no credential")
	case c.stated != len(vcs):
		// Entries the JSON reading does not show (under the property's
		// full IRI, say) were never verified, yet the statements, and
		// Claims.Clr.Credentials, hold them; two entries of one id are one
		// node of the statements.
		bad = append(bad, fmt.Sprintf("the CLR's signed statements hold %d embedded credentials, its credentialSubject.verifiableCredential shows %d", c.stated, len(vcs)))
	}
	for i, a := range c.Associations {
		for _, end := range []struct{ name, id string }{{"sourceId", a.SourceID}, {"targetId", a.TargetID}} {
			if !slices.Contains(c.Achievements, end.id) {
				bad = append(bad, fmt.Sprintf("association %d (%s) %s %q is not an achievement of the CLR", i, a.Type, end.name, end.id))
			}
		}
	}
	switch {
	case len(bad) > 0:
		r.fail(CheckEmbedded, "credentialSubject", strings.Join(bad, "; "))
	case len(undecided) > 0:
		r.undecidedAt(CheckEmbedded, "credentialSubject.verifiableCredential", fmt.Errorf("embedded credentials could not be checked: %s", strings.Join(undecided, "; ")))
	case len(warn) > 0:
		r.warn(CheckEmbedded, "credentialSubject.verifiableCredential", fmt.Sprintf("%d of %d embedded credentials no longer valid: %s", len(warn), len(vcs), strings.Join(warn, "; ")))
	default:
		r.pass(CheckEmbedded, fmt.Sprintf("%d embedded credentials valid; %d associations between its %d achievements", len(vcs), len(c.Associations), len(c.Achievements)))
	}
}
