package verifier

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/rdfc"
)

// Vocabulary of the award claims: what a stack rule reads of a credential.
const (
	rdfFirst = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
	rdfRest  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
	rdfNil   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"

	iriAwardedDate          = obNS + "awardedDate"
	iriCreditsEarned        = obNS + "creditsEarned"
	iriCreator              = obNS + "creator"
	iriAchievementType      = obNS + "achievementType"
	iriResult               = obNS + "result"
	iriResultDescription    = obNS + "resultDescription"
	iriAchievedLevel        = obNS + "achievedLevel"
	iriAllowedValue         = obNS + "allowedValue"
	iriRubricCriterionLevel = obNS + "rubricCriterionLevel"
	iriPoints               = obNS + "points"
	iriIdentifier           = obNS + "identifier"
	iriIdentityHash         = obNS + "identityHash"
	iriIdentityType         = obNS + "identityType"
	iriHashed               = obNS + "hashed"
	iriSalt                 = obNS + "salt"
	iriValue                = schemaOrg + "value"

	// maxListItems bounds the RDF list walked for an allowedValue: the
	// graph is already bounded, this only stops a looping rdf:rest.
	maxListItems = 1000
)

// Award is what an achievement credential says was awarded, and to whom,
// read from the statements its proof covers: the facts stack rules are
// judged on. Nil in Claims when the credential has no achievement.
type Award struct {
	// Achievement is the achievement's id.
	Achievement string `json:"achievement"`
	// Subject is the credential subject's id, "" when it has none (a
	// recipient named only by Identifiers).
	Subject string `json:"subject,omitempty"`
	// AchievementType is the achievement's achievementType, if any.
	AchievementType string `json:"achievementType,omitempty"`
	// Creator is the id of the achievement's creator Profile, if any.
	Creator string `json:"creator,omitempty"`
	// AwardedDate is the credential's awardedDate; zero when absent.
	AwardedDate time.Time `json:"awardedDate,omitzero"`
	// CreditsEarned is the subject's creditsEarned; nil when absent.
	CreditsEarned *float64 `json:"creditsEarned,omitempty"`
	// Results are the subject's results.
	Results []ResultClaim `json:"results,omitempty"`
	// ResultDescriptions are the achievement's result descriptions.
	ResultDescriptions []ResultDescriptionClaim `json:"resultDescriptions,omitempty"`
	// Identifiers are the subject's identity objects.
	Identifiers []IdentityClaim `json:"identifiers,omitempty"`
}

// ResultClaim is one result of the subject.
type ResultClaim struct {
	// ResultDescription is the id of the ResultDescription it answers.
	ResultDescription string `json:"resultDescription,omitempty"`
	// Value is the result's value.
	Value string `json:"value,omitempty"`
	// AchievedLevel is the id of the RubricCriterionLevel achieved.
	AchievedLevel string `json:"achievedLevel,omitempty"`
}

// ResultDescriptionClaim is one ResultDescription of the achievement, with
// the order of its values as far as the statements fix it.
type ResultDescriptionClaim struct {
	// ID is the result description's id.
	ID string `json:"id"`
	// AllowedValues are the allowed values, low to high. Set only when
	// the statements hold them as an ordered list (OB 3.0.2 and later
	// contexts make allowedValue a @list): an unordered set says nothing
	// about which value is higher.
	AllowedValues []string `json:"allowedValues,omitempty"`
	// Levels are the rubric levels, low to high by their points. Set only
	// when every level has numeric points: the levels are an unordered set
	// in the statements, and the points are the only signed order.
	Levels []LevelClaim `json:"levels,omitempty"`
}

// LevelClaim is one RubricCriterionLevel.
type LevelClaim struct {
	// ID is the level's id.
	ID string `json:"id"`
	// Name is the level's name.
	Name string `json:"name,omitempty"`
	// Points are the level's points, as a number.
	Points float64 `json:"points"`
}

// IdentityClaim is one IdentityObject naming the subject.
type IdentityClaim struct {
	// IdentityType is the identity type (emailAddress, ...).
	IdentityType string `json:"identityType,omitempty"`
	// IdentityHash is the hash, or the plain identity when not Hashed.
	IdentityHash string `json:"identityHash"`
	// Hashed tells whether IdentityHash is hashed.
	Hashed bool `json:"hashed"`
	// Salt is the salt of the hash.
	Salt string `json:"salt,omitempty"`
}

// award reads the Award of the credential root names from g; nil when
// its subject names no achievement node.
func (g *graph) award(root rdfc.Term) *Award {
	subjects := g.objects(root, iriCredentialSubject)
	if len(subjects) != 1 {
		return nil
	}
	s := subjects[0].Object
	achs := g.objects(s, iriAchievement)
	if len(achs) != 1 || achs[0].Object.Kind != rdfc.IRI {
		return nil
	}
	a := achs[0].Object
	aw := &Award{Achievement: a.Value}
	if s.Kind == rdfc.IRI {
		aw.Subject = s.Value
	}
	aw.AchievementType = lastSegment(g.firstValue(a, iriAchievementType))
	if c := g.objects(a, iriCreator); len(c) == 1 && c[0].Object.Kind == rdfc.IRI {
		aw.Creator = c[0].Object.Value
	}
	if t, err := g.date(root, iriAwardedDate, "awardedDate"); err == nil {
		aw.AwardedDate = t
	}
	if v := g.firstValue(s, iriCreditsEarned); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			aw.CreditsEarned = &f
		}
	}
	// The claims' slices are sized from their statements: growing them
	// one value at a time was several allocations a credential.
	results := g.objects(s, iriResult)
	if len(results) > 0 {
		aw.Results = make([]ResultClaim, 0, len(results))
	}
	for _, stmt := range results {
		r := stmt.Object
		aw.Results = append(aw.Results, ResultClaim{
			ResultDescription: g.firstValue(r, iriResultDescription),
			Value:             g.firstValue(r, iriValue),
			AchievedLevel:     g.firstValue(r, iriAchievedLevel),
		})
	}
	descs := g.objects(a, iriResultDescription)
	for _, stmt := range descs {
		d := stmt.Object
		if d.Kind != rdfc.IRI {
			continue
		}
		if aw.ResultDescriptions == nil {
			aw.ResultDescriptions = make([]ResultDescriptionClaim, 0, len(descs))
		}
		aw.ResultDescriptions = append(aw.ResultDescriptions, ResultDescriptionClaim{
			ID: d.Value, AllowedValues: g.list(d, iriAllowedValue), Levels: g.levels(d),
		})
	}
	slices.SortFunc(aw.ResultDescriptions, func(x, y ResultDescriptionClaim) int { return strings.Compare(x.ID, y.ID) })
	ids := g.objects(s, iriIdentifier)
	if len(ids) > 0 {
		aw.Identifiers = make([]IdentityClaim, 0, len(ids))
	}
	for _, stmt := range ids {
		o := stmt.Object
		aw.Identifiers = append(aw.Identifiers, IdentityClaim{
			IdentityType: lastSegment(g.firstValue(o, iriIdentityType)),
			IdentityHash: g.firstValue(o, iriIdentityHash),
			Hashed:       g.firstValue(o, iriHashed) == "true",
			Salt:         g.firstValue(o, iriSalt),
		})
	}
	return aw
}

// firstValue returns the lexical form (or IRI) of the first value of p on
// s, "" when there is none. Canonical statements are sorted, so "first" is
// the same for every JSON spelling of the graph.
func (g *graph) firstValue(s rdfc.Term, p string) string {
	for _, stmt := range g.objects(s, p) {
		t := stmt.Object
		if t.Kind == rdfc.Literal || t.Kind == rdfc.IRI {
			return t.Value
		}
	}
	return ""
}

// list returns the values of the one RDF list p holds on s, in order; nil
// when p is absent, holds several values (an unordered set) or is not a
// well-formed list of literals.
func (g *graph) list(s rdfc.Term, p string) []string {
	heads := g.objects(s, p)
	if len(heads) != 1 {
		return nil
	}
	var out []string
	n := heads[0].Object
	for range maxListItems {
		if n.Kind == rdfc.IRI && n.Value == rdfNil {
			return out
		}
		first, rest := g.objects(n, rdfFirst), g.objects(n, rdfRest)
		if len(first) != 1 || len(rest) != 1 || first[0].Object.Kind != rdfc.Literal {
			return nil
		}
		if out == nil {
			out = make([]string, 0, 4) // most lists of allowed values are short
		}
		out = append(out, first[0].Object.Value)
		n = rest[0].Object
	}
	return nil
}

// levels returns the rubric levels of result description d ordered by
// points; nil unless every level has an id and numeric points.
func (g *graph) levels(d rdfc.Term) []LevelClaim {
	var out []LevelClaim
	levels := g.objects(d, iriRubricCriterionLevel)
	for _, stmt := range levels {
		l := stmt.Object
		p, err := strconv.ParseFloat(g.firstValue(l, iriPoints), 64)
		if l.Kind != rdfc.IRI || err != nil {
			return nil
		}
		if out == nil {
			out = make([]LevelClaim, 0, len(levels))
		}
		out = append(out, LevelClaim{ID: l.Value, Name: g.name(l), Points: p})
	}
	slices.SortStableFunc(out, func(x, y LevelClaim) int {
		if x.Points != y.Points {
			if x.Points < y.Points {
				return -1
			}
			return 1
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out
}
