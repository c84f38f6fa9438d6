package ob3

import (
	"bytes"
	"encoding/json"
)

// The methods below keep unknown properties: each type decodes its known
// fields through an alias (which has no methods, so no recursion) and
// collects the rest into Extra.

// MarshalJSON encodes c with its Extra properties merged in.
func (c Credential) MarshalJSON() ([]byte, error) {
	type plain Credential
	return marshalWithExtra(plain(c), c.Extra)
}

// UnmarshalJSON decodes c, keeping unknown properties in Extra.
func (c *Credential) UnmarshalJSON(data []byte) error {
	type plain Credential
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*c = Credential(p)
	return nil
}

// MarshalJSON encodes a with its Extra properties merged in.
func (a AchievementSubject) MarshalJSON() ([]byte, error) {
	type plain AchievementSubject
	return marshalWithExtra(plain(a), a.Extra)
}

// UnmarshalJSON decodes a, keeping unknown properties in Extra.
func (a *AchievementSubject) UnmarshalJSON(data []byte) error {
	type plain AchievementSubject
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*a = AchievementSubject(p)
	return nil
}

// MarshalJSON encodes e with its Extra properties merged in.
func (e EndorsementSubject) MarshalJSON() ([]byte, error) {
	type plain EndorsementSubject
	return marshalWithExtra(plain(e), e.Extra)
}

// UnmarshalJSON decodes e, keeping unknown properties in Extra.
func (e *EndorsementSubject) UnmarshalJSON(data []byte) error {
	type plain EndorsementSubject
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*e = EndorsementSubject(p)
	return nil
}

// MarshalJSON encodes a with its Extra properties merged in.
func (a Address) MarshalJSON() ([]byte, error) {
	type plain Address
	return marshalWithExtra(plain(a), a.Extra)
}

// UnmarshalJSON decodes a, keeping unknown properties in Extra.
func (a *Address) UnmarshalJSON(data []byte) error {
	type plain Address
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*a = Address(p)
	return nil
}

// MarshalJSON encodes g with its Extra properties merged in.
func (g GeoCoordinates) MarshalJSON() ([]byte, error) {
	type plain GeoCoordinates
	return marshalWithExtra(plain(g), g.Extra)
}

// UnmarshalJSON decodes g, keeping unknown properties in Extra.
func (g *GeoCoordinates) UnmarshalJSON(data []byte) error {
	type plain GeoCoordinates
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*g = GeoCoordinates(p)
	return nil
}

// MarshalJSON encodes a with its Extra properties merged in.
func (a Achievement) MarshalJSON() ([]byte, error) {
	type plain Achievement
	return marshalWithExtra(plain(a), a.Extra)
}

// UnmarshalJSON decodes a, keeping unknown properties in Extra.
func (a *Achievement) UnmarshalJSON(data []byte) error {
	type plain Achievement
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*a = Achievement(p)
	return nil
}

// MarshalJSON encodes c with its Extra properties merged in.
func (c Criteria) MarshalJSON() ([]byte, error) {
	type plain Criteria
	return marshalWithExtra(plain(c), c.Extra)
}

// UnmarshalJSON decodes c, keeping unknown properties in Extra.
func (c *Criteria) UnmarshalJSON(data []byte) error {
	type plain Criteria
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*c = Criteria(p)
	return nil
}

// MarshalJSON encodes a with its Extra properties merged in.
func (a Alignment) MarshalJSON() ([]byte, error) {
	type plain Alignment
	return marshalWithExtra(plain(a), a.Extra)
}

// UnmarshalJSON decodes a, keeping unknown properties in Extra.
func (a *Alignment) UnmarshalJSON(data []byte) error {
	type plain Alignment
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*a = Alignment(p)
	return nil
}

// MarshalJSON encodes r with its Extra properties merged in.
func (r Related) MarshalJSON() ([]byte, error) {
	type plain Related
	return marshalWithExtra(plain(r), r.Extra)
}

// UnmarshalJSON decodes r, keeping unknown properties in Extra.
func (r *Related) UnmarshalJSON(data []byte) error {
	type plain Related
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*r = Related(p)
	return nil
}

// MarshalJSON encodes r with its Extra properties merged in.
func (r ResultDescription) MarshalJSON() ([]byte, error) {
	type plain ResultDescription
	return marshalWithExtra(plain(r), r.Extra)
}

// UnmarshalJSON decodes r, keeping unknown properties in Extra.
func (r *ResultDescription) UnmarshalJSON(data []byte) error {
	type plain ResultDescription
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*r = ResultDescription(p)
	return nil
}

// MarshalJSON encodes r with its Extra properties merged in.
func (r RubricCriterionLevel) MarshalJSON() ([]byte, error) {
	type plain RubricCriterionLevel
	return marshalWithExtra(plain(r), r.Extra)
}

// UnmarshalJSON decodes r, keeping unknown properties in Extra.
func (r *RubricCriterionLevel) UnmarshalJSON(data []byte) error {
	type plain RubricCriterionLevel
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*r = RubricCriterionLevel(p)
	return nil
}

// MarshalJSON encodes r with its Extra properties merged in.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return marshalWithExtra(plain(r), r.Extra)
}

// UnmarshalJSON decodes r, keeping unknown properties in Extra.
func (r *Result) UnmarshalJSON(data []byte) error {
	type plain Result
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*r = Result(p)
	return nil
}

// MarshalJSON encodes e with its Extra properties merged in.
func (e Evidence) MarshalJSON() ([]byte, error) {
	type plain Evidence
	return marshalWithExtra(plain(e), e.Extra)
}

// UnmarshalJSON decodes e, keeping unknown properties in Extra.
func (e *Evidence) UnmarshalJSON(data []byte) error {
	type plain Evidence
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*e = Evidence(p)
	return nil
}

// MarshalJSON encodes i with its Extra properties merged in.
// An image read from its id string encodes as that string.
func (i Image) MarshalJSON() ([]byte, error) {
	if i.ref {
		return json.Marshal(i.ID)
	}
	type plain Image
	return marshalWithExtra(plain(i), i.Extra)
}

// UnmarshalJSON decodes i, keeping unknown properties in Extra. A string
// is the image's id (the compact form OB 3.0 allows): Image{ID: s}.
func (i *Image) UnmarshalJSON(data []byte) error {
	if d := bytes.TrimSpace(data); len(d) > 0 && d[0] == '"' {
		var id string
		if err := json.Unmarshal(d, &id); err != nil {
			return err
		}
		*i = Image{ID: id, ref: true}
		return nil
	}
	type plain Image
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*i = Image(p)
	return nil
}

// MarshalJSON encodes i with its Extra properties merged in.
func (i IdentityObject) MarshalJSON() ([]byte, error) {
	type plain IdentityObject
	return marshalWithExtra(plain(i), i.Extra)
}

// UnmarshalJSON decodes i, keeping unknown properties in Extra.
func (i *IdentityObject) UnmarshalJSON(data []byte) error {
	type plain IdentityObject
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*i = IdentityObject(p)
	return nil
}

// MarshalJSON encodes i with its Extra properties merged in.
func (i IdentifierEntry) MarshalJSON() ([]byte, error) {
	type plain IdentifierEntry
	return marshalWithExtra(plain(i), i.Extra)
}

// UnmarshalJSON decodes i, keeping unknown properties in Extra.
func (i *IdentifierEntry) UnmarshalJSON(data []byte) error {
	type plain IdentifierEntry
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*i = IdentifierEntry(p)
	return nil
}

// MarshalJSON encodes c with its Extra properties merged in.
func (c CredentialSchema) MarshalJSON() ([]byte, error) {
	type plain CredentialSchema
	return marshalWithExtra(plain(c), c.Extra)
}

// UnmarshalJSON decodes c, keeping unknown properties in Extra.
func (c *CredentialSchema) UnmarshalJSON(data []byte) error {
	type plain CredentialSchema
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*c = CredentialSchema(p)
	return nil
}

// MarshalJSON encodes c with its Extra properties merged in.
func (c CredentialStatus) MarshalJSON() ([]byte, error) {
	type plain CredentialStatus
	return marshalWithExtra(plain(c), c.Extra)
}

// UnmarshalJSON decodes c, keeping unknown properties in Extra.
func (c *CredentialStatus) UnmarshalJSON(data []byte) error {
	type plain CredentialStatus
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*c = CredentialStatus(p)
	return nil
}

// MarshalJSON encodes r with its Extra properties merged in.
func (r RefreshService) MarshalJSON() ([]byte, error) {
	type plain RefreshService
	return marshalWithExtra(plain(r), r.Extra)
}

// UnmarshalJSON decodes r, keeping unknown properties in Extra.
func (r *RefreshService) UnmarshalJSON(data []byte) error {
	type plain RefreshService
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*r = RefreshService(p)
	return nil
}

// MarshalJSON encodes t with its Extra properties merged in.
func (t TermsOfUse) MarshalJSON() ([]byte, error) {
	type plain TermsOfUse
	return marshalWithExtra(plain(t), t.Extra)
}

// UnmarshalJSON decodes t, keeping unknown properties in Extra.
func (t *TermsOfUse) UnmarshalJSON(data []byte) error {
	type plain TermsOfUse
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*t = TermsOfUse(p)
	return nil
}

// MarshalJSON encodes c with its Extra properties merged in.
func (c ClrSubject) MarshalJSON() ([]byte, error) {
	type plain ClrSubject
	return marshalWithExtra(plain(c), c.Extra)
}

// UnmarshalJSON decodes c, keeping unknown properties in Extra.
func (c *ClrSubject) UnmarshalJSON(data []byte) error {
	type plain ClrSubject
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*c = ClrSubject(p)
	return nil
}

// MarshalJSON encodes a with its Extra properties merged in.
func (a Association) MarshalJSON() ([]byte, error) {
	type plain Association
	return marshalWithExtra(plain(a), a.Extra)
}

// UnmarshalJSON decodes a, keeping unknown properties in Extra.
func (a *Association) UnmarshalJSON(data []byte) error {
	type plain Association
	var p plain
	extra, err := unmarshalWithExtra(data, &p)
	if err != nil {
		return err
	}
	p.Extra = extra
	*a = Association(p)
	return nil
}
