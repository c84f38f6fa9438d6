package server

import (
	"slices"
	"strconv"

	"github.com/badgesmith/badgesmith/rdfc"
	"github.com/badgesmith/badgesmith/verifier"
)

// Vocabulary the page reads from the signed statements. The OB 3.0
// context maps criteria to the capitalised ob:Criteria; targetName and
// the other alignment terms are schema.org's.
const (
	webCredNS       = "https://www.w3.org/2018/credentials#"
	webOBNS         = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
	webSchema       = "https://schema.org/"
	webSubject      = webCredNS + "credentialSubject"
	webIssuer       = webCredNS + "issuer"
	webAchievement  = webOBNS + "achievement"
	webName         = webSchema + "name"
	webDescription  = webSchema + "description"
	webCriteria     = webOBNS + "Criteria"
	webNarrative    = webOBNS + "narrative"
	webAchType      = webOBNS + "achievementType"
	webCredits      = webOBNS + "creditsAvailable"
	webAlignIRI     = webOBNS + "alignment"
	webImageIRI     = webOBNS + "image"
	webTargetName   = webSchema + "targetName"
	webTargetFw     = webSchema + "targetFramework"
	webTargetCode   = webOBNS + "targetCode"
	webTargetURL    = webSchema + "targetUrl"
	webRubricLevels = 50
)

// statements is the default graph of the statements a credential's proof
// covers, indexed by subject then predicate. Embedded credentials
// (endorsements, a CLR's) are in named graphs and not read here: they are
// not what this credential's issuer states.
type statements struct {
	by   map[rdfc.Term]map[string][]rdfc.Term
	root rdfc.Term
}

// signedStatements reads the statements the counting proof covers, from
// the explanation the verifier records for it; nil when no proof by the
// issuer's key covers the credential, so nothing can be shown as signed.
func signedStatements(res *verifier.Result) *statements {
	if res == nil || res.Claims == nil || !res.Claims.Verified || res.Explain == nil || res.Explain.Proof == nil {
		return nil
	}
	quads, err := rdfc.ParseNQuads([]byte(res.Explain.Proof.NQuads))
	if err != nil {
		return nil
	}
	st := &statements{by: map[rdfc.Term]map[string][]rdfc.Term{}}
	for _, q := range quads {
		if q.Graph.Kind != rdfc.DefaultGraph {
			continue
		}
		m := st.by[q.Subject]
		if m == nil {
			m = map[string][]rdfc.Term{}
			st.by[q.Subject] = m
		}
		m[q.Predicate.Value] = append(m[q.Predicate.Value], q.Object)
	}
	// The root is the node the verifier read as the credential: its id
	// when it has one, else the one node with a credentialSubject.
	var roots []rdfc.Term
	for s, m := range st.by {
		if len(m[webSubject]) > 0 && len(m[webIssuer]) > 0 {
			roots = append(roots, s)
		}
	}
	switch {
	case res.Claims.ID != "" && slices.Contains(roots, rdfc.NewIRI(res.Claims.ID)):
		st.root = rdfc.NewIRI(res.Claims.ID)
	case len(roots) == 1:
		st.root = roots[0]
	default:
		return nil
	}
	return st
}

// objects returns the values of p on s.
func (st *statements) objects(s rdfc.Term, p string) []rdfc.Term { return st.by[s][p] }

// one returns the single node p names on s; ok is false when there is not
// exactly one.
func (st *statements) one(s rdfc.Term, p string) (rdfc.Term, bool) {
	o := st.objects(s, p)
	if len(o) != 1 || o[0].Kind == rdfc.Literal {
		return rdfc.Term{}, false
	}
	return o[0], true
}

// text returns the value of p on s (a literal's lexical form or an IRI),
// clipped; "" when absent. Canonical statements are sorted, so when there
// are several the first is the same for every spelling of the graph.
func (st *statements) text(s rdfc.Term, p string) string {
	for _, o := range st.objects(s, p) {
		if o.Kind == rdfc.Literal || o.Kind == rdfc.IRI {
			return clip(o.Value)
		}
	}
	return ""
}

// fill sets the achievement, issuer name, results and recipient of out
// from the signed statements.
func (st *statements) fill(t map[string]string, out *webResult, cl *verifier.Claims) {
	if is, ok := st.one(st.root, webIssuer); ok {
		out.IssuerName = st.text(is, webName)
	}
	out.Name = st.text(st.root, webName)
	subj, ok := st.one(st.root, webSubject)
	if !ok {
		return
	}
	ach, ok := st.one(subj, webAchievement)
	if ok {
		if n := st.text(ach, webName); n != "" {
			out.Name = n
		}
		out.Description = st.text(ach, webDescription)
		out.AchievementType = st.text(ach, webAchType)
		if c := st.text(ach, webCredits); c != "" {
			if f, err := strconv.ParseFloat(c, 64); err == nil {
				out.Credits = strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
		if cr, ok := st.one(ach, webCriteria); ok {
			out.Narrative = st.text(cr, webNarrative)
			if cr.Kind == rdfc.IRI {
				if safeLink(cr.Value) {
					out.CriteriaURL = cr.Value
				} else {
					out.CriteriaText = clip(cr.Value)
				}
			}
		}
		for i, a := range st.objects(ach, webAlignIRI) {
			if i >= webMaxList {
				break
			}
			wa := webAlignment{Name: st.text(a, webTargetName), Framework: st.text(a, webTargetFw), Code: st.text(a, webTargetCode)}
			if u := st.text(a, webTargetURL); safeLink(u) {
				wa.URL = u
			}
			out.Alignments = append(out.Alignments, wa)
		}
		if im, ok := st.one(ach, webImageIRI); ok && im.Kind == rdfc.IRI {
			out.Image, out.ImageNote = webImage(t, im.Value)
		}
	}
	if cl == nil || cl.Award == nil {
		return
	}
	aw := cl.Award
	for i, r := range aw.Results {
		if i >= webMaxList {
			break
		}
		wr := webResultRow{Value: clip(r.Value)}
		if r.ResultDescription != "" {
			wr.Name = st.text(rdfc.NewIRI(r.ResultDescription), webName)
		}
		if r.AchievedLevel != "" {
			wr.Level = st.text(rdfc.NewIRI(r.AchievedLevel), webName)
			if wr.Level == "" {
				wr.Level = clip(r.AchievedLevel)
			}
		}
		if wr.Name == "" {
			wr.Name = clip(r.ResultDescription)
		}
		out.Results = append(out.Results, wr)
	}
	for _, d := range aw.ResultDescriptions {
		if len(d.Levels) == 0 {
			continue
		}
		rub := webRubric{Name: st.text(rdfc.NewIRI(d.ID), webName)}
		for i, l := range d.Levels {
			if i >= webRubricLevels {
				break
			}
			rub.Levels = append(rub.Levels, webLevel{Name: clip(l.Name), Points: strconv.FormatFloat(l.Points, 'f', -1, 64), Achieved: achieved(aw.Results, d.ID, l.ID)})
		}
		out.Rubrics = append(out.Rubrics, rub)
	}
	// The first identity object names the recipient, as the JSON
	// reading did.
	if len(aw.Identifiers) > 0 {
		id := aw.Identifiers[0]
		if id.Hashed {
			out.RecipientHashed = true
			out.RecipientHash, out.RecipientSalt = clip(id.IdentityHash), clip(id.Salt)
		} else if out.Recipient == "" {
			out.Recipient = clip(id.IdentityHash)
		}
	}
}

// achieved reports whether a result answering description d achieved
// level l.
func achieved(results []verifier.ResultClaim, d, l string) bool {
	for _, r := range results {
		if r.ResultDescription == d && r.AchievedLevel == l {
			return true
		}
	}
	return false
}

// webResultRow is one result of the subject: the result description's
// name, the value and the rubric level achieved.
type webResultRow struct{ Name, Value, Level string }

// webRubric is one result description's rubric, its levels low to high.
type webRubric struct {
	Name   string
	Levels []webLevel
}

type webLevel struct {
	Name, Points string
	Achieved     bool
}

// webEmbedded is one credential a CLR carries, with its own verdict.
type webEmbedded struct {
	Path, ID, Issuer, Name, Verdict, Decision string
}

// embeddedRows lists the credentials a CLR carries.
func embeddedRows(t map[string]string, res *verifier.Result) []webEmbedded {
	var out []webEmbedded
	for i, e := range res.Embedded {
		if i >= webMaxList {
			break
		}
		key := map[verifier.Verdict]string{verifier.VerdictValid: "embedded.valid", verifier.VerdictWarnings: "embedded.warnings",
			verifier.VerdictInvalid: "embedded.invalid"}[e.Verdict]
		if key == "" {
			key = "embedded.unknown"
		}
		out = append(out, webEmbedded{Path: clip(e.Path), ID: clip(e.ID), Issuer: clip(e.Issuer), Name: clip(e.Name),
			Verdict: t[key], Decision: clip(string(e.Decision))})
	}
	return out
}
