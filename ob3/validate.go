package ob3

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Context URLs and patterns the data model checks (SPEC-DIGEST §1.1).
const (
	// ContextV2 is the VCDM 2.0 context, first in every OB 3.0 credential.
	ContextV2 = "https://www.w3.org/ns/credentials/v2"
	// ContextV1 is the VCDM 1.1 context of legacy OB 3.0 credentials.
	ContextV1 = "https://www.w3.org/2018/credentials/v1"
	// ContextOB is the current OB 3.0 context.
	ContextOB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	// ContextCLR is the current CLR 2.0 context.
	ContextCLR = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
)

var (
	obContextRe  = regexp.MustCompile(`^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$`)
	clrContextRe = regexp.MustCompile(`^https://purl\.imsglobal\.org/spec/clr/v2p0/context(-2\.\d\.\d)*\.json$`)
	languageRe   = regexp.MustCompile(`^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$`)
	dateTimeZRe  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$`)
	compactJWSRe = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$`)
)

// ValidDateTimeZ reports whether s is a DateTimeZ: an RFC 3339 date-time
// with its time zone.
func ValidDateTimeZ(s string) bool {
	if !dateTimeZRe.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	return err == nil
}

// IsVCDM11 reports whether c uses the VCDM 1.1 context (issuanceDate and
// expirationDate instead of validFrom and validUntil).
func (c *Credential) IsVCDM11() bool {
	return len(c.Context) > 0 && c.Context[0] == ContextV1
}

// Validate checks c against the OB 3.0 / CLR 2.0 data model rules that do
// not depend on the JSON form: required properties, type membership,
// @context order, DateTimeZ values, vocabularies, language tags and the
// rule that a subject has an id or an identifier (which the JSON Schema
// cannot express). It returns nil or a *ValidationError listing every
// problem.
func Validate(c *Credential) error {
	if c == nil {
		return &ValidationError{Source: "data model", Problems: []Problem{{Message: "no credential"}}}
	}
	// A first pass only counts problems: most credentials have none, and
	// it builds no path and no message. A second pass describes them.
	v := &validator{quiet: true}
	v.credential(c, "")
	if v.found == 0 {
		return nil
	}
	v = &validator{}
	v.credential(c, "")
	return &ValidationError{Source: "data model", Problems: v.problems}
}

// ValidateProfile checks a standalone Profile against the data model rules.
// It returns nil or a *ValidationError.
func ValidateProfile(p *Profile) error {
	if p == nil {
		return &ValidationError{Source: "data model", Problems: []Problem{{Message: "no profile"}}}
	}
	v := &validator{quiet: true}
	v.profile(p, "", false)
	if v.found == 0 {
		return nil
	}
	v = &validator{}
	v.profile(p, "", false)
	return &ValidationError{Source: "data model", Problems: v.problems}
}

type validator struct {
	problems []Problem
	depth    int
	// quiet counts problems in found instead of describing them: paths
	// are "" and no message is formatted.
	quiet bool
	found int
}

func (v *validator) add(path, format string, args ...any) {
	if v.quiet {
		v.found++
		return
	}
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// join is joinPath, or "" when v is quiet.
func (v *validator) join(parent, child string) string {
	if v.quiet {
		return ""
	}
	return joinPath(parent, child)
}

// index is indexPath, or "" when v is quiet.
func (v *validator) index(parent string, i int) string {
	if v.quiet {
		return ""
	}
	return indexPath(parent, i)
}

func (v *validator) required(path, name, value string) {
	if value == "" {
		v.add(v.join(path, name), "required")
	}
}

func (v *validator) types(path string, t Types, want ...string) {
	p := v.join(path, "type")
	if len(t) == 0 {
		v.add(p, "required")
		return
	}
	if !t.HasAny(want...) {
		v.add(p, "must include %s", strings.Join(want, " or "))
	}
}

func (v *validator) plainType(path string, got, want string) {
	switch got {
	case want:
	case "":
		v.add(v.join(path, "type"), "required")
	default:
		v.add(v.join(path, "type"), "must be %q, got %q", want, got)
	}
}

func (v *validator) date(path, name, value string) {
	if value != "" && !ValidDateTimeZ(value) {
		v.add(v.join(path, name), "%q is not a DateTimeZ (RFC 3339 with a time zone)", value)
	}
}

func (v *validator) jwts(path string, list []string) {
	for i, s := range list {
		if !compactJWSRe.MatchString(s) {
			v.add(v.index(v.join(path, "endorsementJwt"), i), "not a compact JWS")
		}
	}
}

func (v *validator) credential(c *Credential, path string) {
	// Endorsements nest credentials; a hostile document could nest them
	// deeply, but Parse already bounds depth, so this only guards direct
	// callers building cycles of pointers.
	if v.depth > maxDepth {
		v.add(path, "nesting deeper than %d levels", maxDepth)
		return
	}
	v.depth++
	defer func() { v.depth-- }()

	isEndorsement := c.Type.Has("EndorsementCredential")
	isCLR := c.Type.Has("ClrCredential")
	v11 := c.IsVCDM11()
	v.context(c, path, isCLR)
	v.required(path, "id", c.ID)
	switch {
	case len(c.Type) == 0:
		v.add(v.join(path, "type"), "required")
	case !c.Type.Has("VerifiableCredential"):
		v.add(v.join(path, "type"), "must include VerifiableCredential")
	case !c.Type.HasAny("OpenBadgeCredential", "AchievementCredential", "EndorsementCredential", "ClrCredential"):
		v.add(v.join(path, "type"), "must include OpenBadgeCredential, AchievementCredential, EndorsementCredential or ClrCredential")
	}
	if isEndorsement || isCLR {
		v.required(path, "name", c.Name)
	}
	v.image(c.Image, v.join(path, "image"))
	if c.Issuer == nil {
		v.add(v.join(path, "issuer"), "required")
	} else {
		v.profile(c.Issuer, v.join(path, "issuer"), true)
	}
	if v11 {
		v.required(path, "issuanceDate", c.IssuanceDate)
	} else {
		v.required(path, "validFrom", c.ValidFrom)
	}
	for _, d := range []struct{ name, value string }{
		{"validFrom", c.ValidFrom}, {"validUntil", c.ValidUntil}, {"issuanceDate", c.IssuanceDate},
		{"expirationDate", c.ExpirationDate}, {"awardedDate", c.AwardedDate},
	} {
		v.date(path, d.name, d.value)
	}
	sp := v.join(path, "credentialSubject")
	switch s := c.CredentialSubject; {
	case s == nil:
		v.add(sp, "required")
	case isEndorsement:
		if s.Endorsement == nil {
			v.add(v.join(sp, "type"), "must include EndorsementSubject")
		} else {
			v.endorsementSubject(s.Endorsement, sp)
		}
	case isCLR:
		if s.Clr == nil {
			v.add(v.join(sp, "type"), "must include ClrSubject")
		} else {
			v.clrSubject(s.Clr, sp)
		}
	case s.Achievement != nil:
		v.achievementSubject(s.Achievement, sp)
	default:
		v.add(v.join(sp, "type"), "must include AchievementSubject")
	}
	v.endorsements(c.Endorsement, path)
	v.jwts(path, c.EndorsementJwt)
	for i := range c.Evidence {
		p := v.index(v.join(path, "evidence"), i)
		v.types(p, c.Evidence[i].Type, "Evidence")
	}
	for i, s := range c.CredentialSchema {
		p := v.index(v.join(path, "credentialSchema"), i)
		v.required(p, "id", s.ID)
		v.required(p, "type", s.Type)
	}
	for i, s := range c.CredentialStatus {
		p := v.join(path, "credentialStatus")
		if len(c.CredentialStatus) > 1 {
			p = v.index(p, i)
		}
		v.required(p, "id", s.ID)
		v.required(p, "type", s.Type)
	}
	if s := c.RefreshService; s != nil {
		p := v.join(path, "refreshService")
		v.required(p, "id", s.ID)
		v.required(p, "type", s.Type)
	}
	for i, t := range c.TermsOfUse {
		v.required(v.index(v.join(path, "termsOfUse"), i), "type", t.Type)
	}
	for i, p := range c.Proof {
		pp := v.index(v.join(path, "proof"), i)
		if t, _ := p["type"].(string); t == "" {
			v.add(v.join(pp, "type"), "required")
		}
		if created, ok := p["created"].(string); ok {
			v.date(pp, "created", created)
		}
	}
}

func (v *validator) context(c *Credential, path string, isCLR bool) {
	p := v.join(path, "@context")
	if len(c.Context) == 0 {
		v.add(p, "required")
		return
	}
	if c.Context[0] != ContextV2 && c.Context[0] != ContextV1 {
		v.add(v.index(p, 0), "must be %s (or %s for VCDM 1.1)", ContextV2, ContextV1)
	}
	if len(c.Context) < 2 {
		v.add(p, "must list the Open Badges context second")
		return
	}
	second, _ := c.Context[1].(string)
	switch {
	case isCLR:
		if !clrContextRe.MatchString(second) {
			v.add(v.index(p, 1), "must be the CLR 2.0 context, e.g. %s", ContextCLR)
		}
	case !obContextRe.MatchString(second):
		v.add(v.index(p, 1), "must be the Open Badges 3.0 context, e.g. %s", ContextOB)
	}
	for i, x := range c.Context[2:] {
		switch x.(type) {
		case string, map[string]any:
		default:
			v.add(v.index(p, i+2), "must be a URL or an object")
		}
	}
}

func (v *validator) image(img *Image, path string) {
	if img == nil {
		return
	}
	v.required(path, "id", img.ID)
	if img.ref {
		return // just the id string, as the Image class allows
	}
	v.plainType(path, img.Type, "Image")
	if len(img.Extra) > 0 {
		v.add(path, "unexpected properties %s (Image allows id, type and caption)", keyList(img.Extra))
	}
}

func keyList(e Extra) string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

func (v *validator) endorsements(list []Credential, path string) {
	for i := range list {
		p := v.index(v.join(path, "endorsement"), i)
		if !list[i].Type.Has("EndorsementCredential") {
			v.add(v.join(p, "type"), "must include EndorsementCredential")
		}
		v.credential(&list[i], p)
	}
}

func (v *validator) profile(p *Profile, path string, refOK bool) {
	if v.depth > maxDepth {
		v.add(path, "nesting deeper than %d levels", maxDepth)
		return
	}
	v.depth++
	defer func() { v.depth-- }()
	if p.ref {
		if !refOK {
			v.add(path, "must be a Profile object, not a string")
		}
		v.required("", path, p.ID)
		return
	}
	v.required(path, "id", p.ID)
	v.types(path, p.Type, "Profile")
	v.image(p.Image, v.join(path, "image"))
	v.endorsements(p.Endorsement, path)
	v.jwts(path, p.EndorsementJwt)
	if a := p.Address; a != nil {
		ap := v.join(path, "address")
		v.types(ap, a.Type, "Address")
		if g := a.Geo; g != nil {
			gp := v.join(ap, "geo")
			v.plainType(gp, g.Type, "GeoCoordinates")
			if g.Latitude == nil {
				v.add(v.join(gp, "latitude"), "required")
			}
			if g.Longitude == nil {
				v.add(v.join(gp, "longitude"), "required")
			}
		}
	}
	v.identifierEntries(p.OtherIdentifier, v.join(path, "otherIdentifier"))
	if p.ParentOrg != nil {
		v.profile(p.ParentOrg, v.join(path, "parentOrg"), false)
	}
	if d := p.DateOfBirth; d != "" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			v.add(v.join(path, "dateOfBirth"), "%q is not a date (YYYY-MM-DD)", d)
		}
	}
}

func (v *validator) identifierEntries(list []IdentifierEntry, path string) {
	for i, e := range list {
		p := v.index(path, i)
		v.plainType(p, e.Type, "IdentifierEntry")
		v.required(p, "identifier", e.Identifier)
		v.identityType(p, "identifierType", e.IdentifierType)
		if len(e.Extra) > 0 {
			v.add(p, "unexpected properties %s", keyList(e.Extra))
		}
	}
}

func (v *validator) identityType(path, name string, t IdentityType) {
	switch {
	case t == "":
		v.add(v.join(path, name), "required")
	case !t.Valid():
		v.add(v.join(path, name), "%q is not an identifier type (nor ext:...)", t)
	}
}

func (v *validator) identityObjects(list []IdentityObject, path string) {
	for i, o := range list {
		p := v.index(path, i)
		v.plainType(p, o.Type, "IdentityObject")
		v.required(p, "identityHash", o.IdentityHash)
		v.identityType(p, "identityType", o.IdentityType)
		if o.Hashed && o.IdentityHash != "" && !strings.HasPrefix(o.IdentityHash, "sha256$") && !strings.HasPrefix(o.IdentityHash, "md5$") {
			v.add(v.join(p, "identityHash"), "a hashed identity must start with sha256$ or md5$")
		}
		if len(o.Extra) > 0 {
			v.add(p, "unexpected properties %s", keyList(o.Extra))
		}
	}
}

func (v *validator) achievementSubject(s *AchievementSubject, path string) {
	v.types(path, s.Type, "AchievementSubject")
	if s.ID == "" && len(s.Identifier) == 0 {
		v.add(path, "needs an id or at least one identifier")
	}
	v.identityObjects(s.Identifier, v.join(path, "identifier"))
	v.date(path, "activityStartDate", s.ActivityStartDate)
	v.date(path, "activityEndDate", s.ActivityEndDate)
	v.image(s.Image, v.join(path, "image"))
	if s.Achievement == nil {
		v.add(v.join(path, "achievement"), "required")
	} else {
		v.achievement(s.Achievement, v.join(path, "achievement"))
	}
	for i, r := range s.Result {
		p := v.index(v.join(path, "result"), i)
		v.types(p, r.Type, "Result")
		if r.Status != "" && !r.Status.Valid() {
			v.add(v.join(p, "status"), "%q is not a result status", r.Status)
		}
		v.alignments(r.Alignment, v.join(p, "alignment"))
	}
	if s.Source != nil {
		v.profile(s.Source, v.join(path, "source"), false)
	}
}

func (v *validator) achievement(a *Achievement, path string) {
	v.required(path, "id", a.ID)
	v.types(path, a.Type, "Achievement")
	if a.Criteria == nil {
		v.add(v.join(path, "criteria"), "required")
	}
	v.required(path, "description", a.Description)
	v.required(path, "name", a.Name)
	if a.AchievementType != "" && !a.AchievementType.Valid() {
		v.add(v.join(path, "achievementType"), "%q is not an achievement type (nor ext:...)", a.AchievementType)
	}
	v.alignments(a.Alignment, v.join(path, "alignment"))
	if a.Creator != nil {
		v.profile(a.Creator, v.join(path, "creator"), false)
	}
	v.endorsements(a.Endorsement, path)
	v.jwts(path, a.EndorsementJwt)
	v.image(a.Image, v.join(path, "image"))
	v.language(path, a.InLanguage)
	v.identifierEntries(a.OtherIdentifier, v.join(path, "otherIdentifier"))
	for i, r := range a.Related {
		p := v.index(v.join(path, "related"), i)
		v.required(p, "id", r.ID)
		v.types(p, r.Type, "Related")
		v.language(p, r.InLanguage)
	}
	for i, rd := range a.ResultDescription {
		p := v.index(v.join(path, "resultDescription"), i)
		v.required(p, "id", rd.ID)
		v.types(p, rd.Type, "ResultDescription")
		v.required(p, "name", rd.Name)
		switch {
		case rd.ResultType == "":
			v.add(v.join(p, "resultType"), "required")
		case !rd.ResultType.Valid():
			v.add(v.join(p, "resultType"), "%q is not a result type (nor ext:...)", rd.ResultType)
		}
		v.alignments(rd.Alignment, v.join(p, "alignment"))
		for j, l := range rd.RubricCriterionLevel {
			lp := v.index(v.join(p, "rubricCriterionLevel"), j)
			v.required(lp, "id", l.ID)
			v.types(lp, l.Type, "RubricCriterionLevel")
			v.required(lp, "name", l.Name)
			v.alignments(l.Alignment, v.join(lp, "alignment"))
		}
	}
}

func (v *validator) language(path, tag string) {
	if tag != "" && !languageRe.MatchString(tag) {
		v.add(v.join(path, "inLanguage"), "%q is not a language tag like en or pt-BR", tag)
	}
}

func (v *validator) alignments(list []Alignment, path string) {
	for i, a := range list {
		p := v.index(path, i)
		v.types(p, a.Type, "Alignment")
		v.required(p, "targetName", a.TargetName)
		v.required(p, "targetUrl", a.TargetURL)
		if a.TargetType != "" && !a.TargetType.Valid() {
			v.add(v.join(p, "targetType"), "%q is not an alignment target type (nor ext:...)", a.TargetType)
		}
	}
}

func (v *validator) endorsementSubject(s *EndorsementSubject, path string) {
	v.required(path, "id", s.ID)
	v.types(path, s.Type, "EndorsementSubject")
}

func (v *validator) clrSubject(s *ClrSubject, path string) {
	v.types(path, s.Type, "ClrSubject")
	if s.ID == "" && len(s.Identifier) == 0 {
		v.add(path, "needs an id or at least one identifier")
	}
	v.identityObjects(s.Identifier, v.join(path, "identifier"))
	if len(s.VerifiableCredential) == 0 {
		v.add(v.join(path, "verifiableCredential"), "needs at least one credential")
	}
	for i, raw := range s.VerifiableCredential {
		p := v.index(v.join(path, "verifiableCredential"), i)
		c, err := Parse(raw, ParseOptions{MaxSize: int64(len(raw)) + 1})
		if err != nil {
			v.add(v.join(p, pathOfErr(err)), "%v", err)
			continue
		}
		v.credential(c, p)
	}
	for i := range s.Achievement {
		v.achievement(&s.Achievement[i], v.index(v.join(path, "achievement"), i))
	}
	for i, a := range s.Association {
		p := v.index(v.join(path, "association"), i)
		v.plainType(p, a.Type, "Association")
		if !a.AssociationType.Valid() {
			v.add(v.join(p, "associationType"), "%q is not an association type", a.AssociationType)
		}
		v.required(p, "sourceId", a.SourceID)
		v.required(p, "targetId", a.TargetID)
	}
}
