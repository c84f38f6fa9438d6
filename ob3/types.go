package ob3

import (
	"encoding/json"
	"slices"
)

// Extra holds the properties of a JSON object that the Go struct does not
// name, so that a parse and re-encode keeps them (JSON-LD documents are open
// by design and a lost property would break the proof).
type Extra = map[string]json.RawMessage

// Credential is the envelope shared by OpenBadgeCredential (alias
// AchievementCredential), EndorsementCredential and ClrCredential. The VCDM
// 1.1 date properties (IssuanceDate, ExpirationDate) are kept for legacy
// OB 3.0 credentials.
type Credential struct {
	Context           []any                       `json:"@context,omitempty"`
	ID                string                      `json:"id,omitempty"`
	Type              Types                       `json:"type,omitempty"`
	Name              string                      `json:"name,omitempty"`
	Description       string                      `json:"description,omitempty"`
	Image             *Image                      `json:"image,omitempty"`
	Partial           *bool                       `json:"partial,omitempty"`
	Issuer            *Profile                    `json:"issuer,omitempty" ob3:"ref"`
	ValidFrom         string                      `json:"validFrom,omitempty"`
	ValidUntil        string                      `json:"validUntil,omitempty"`
	IssuanceDate      string                      `json:"issuanceDate,omitempty"`
	ExpirationDate    string                      `json:"expirationDate,omitempty"`
	AwardedDate       string                      `json:"awardedDate,omitempty"`
	CredentialSubject *Subject                    `json:"credentialSubject,omitempty"`
	Endorsement       []Credential                `json:"endorsement,omitempty"`
	EndorsementJwt    []string                    `json:"endorsementJwt,omitempty"`
	Evidence          []Evidence                  `json:"evidence,omitempty"`
	CredentialSchema  OneOrMany[CredentialSchema] `json:"credentialSchema,omitempty"`
	CredentialStatus  StatusEntries               `json:"credentialStatus,omitempty"`
	RefreshService    *RefreshService             `json:"refreshService,omitempty"`
	TermsOfUse        OneOrMany[TermsOfUse]       `json:"termsOfUse,omitempty"`
	Proof             OneOrMany[map[string]any]   `json:"proof,omitempty"`
	Extra             Extra                       `json:"-"`
}

// Subject is a credentialSubject. Exactly one of its pointers is set after
// decoding, chosen by the subject's type: EndorsementSubject, ClrSubject, or
// otherwise AchievementSubject (the OB default).
type Subject struct {
	Achievement *AchievementSubject
	Endorsement *EndorsementSubject
	Clr         *ClrSubject
}

// AchievementSubject is the recipient of an OpenBadgeCredential and the
// achievement they were awarded. It needs an ID or at least one Identifier.
type AchievementSubject struct {
	ID                string           `json:"id,omitempty"`
	Type              Types            `json:"type,omitempty"`
	ActivityStartDate string           `json:"activityStartDate,omitempty"`
	ActivityEndDate   string           `json:"activityEndDate,omitempty"`
	CreditsEarned     *float64         `json:"creditsEarned,omitempty"`
	Achievement       *Achievement     `json:"achievement,omitempty"`
	Identifier        []IdentityObject `json:"identifier,omitempty"`
	Image             *Image           `json:"image,omitempty"`
	LicenseNumber     string           `json:"licenseNumber,omitempty"`
	Narrative         string           `json:"narrative,omitempty"`
	Result            []Result         `json:"result,omitempty"`
	Role              string           `json:"role,omitempty"`
	Source            *Profile         `json:"source,omitempty"`
	Term              string           `json:"term,omitempty"`
	Extra             Extra            `json:"-"`
}

// EndorsementSubject is the subject of an EndorsementCredential: the ID of
// the endorsed entity and an optional comment.
type EndorsementSubject struct {
	ID                 string `json:"id,omitempty"`
	Type               Types  `json:"type,omitempty"`
	EndorsementComment string `json:"endorsementComment,omitempty"`
	Extra              Extra  `json:"-"`
}

// Profile describes a person or organization: the issuer, an achievement's
// creator, a result's source or an endorser. A Profile that carries only an
// ID encodes as a plain string, the form an issuer may take.
type Profile struct {
	ID               string            `json:"id,omitempty"`
	Type             Types             `json:"type,omitempty"`
	Name             string            `json:"name,omitempty"`
	URL              string            `json:"url,omitempty"`
	Phone            string            `json:"phone,omitempty"`
	Description      string            `json:"description,omitempty"`
	Endorsement      []Credential      `json:"endorsement,omitempty"`
	EndorsementJwt   []string          `json:"endorsementJwt,omitempty"`
	Image            *Image            `json:"image,omitempty"`
	Email            string            `json:"email,omitempty"`
	Address          *Address          `json:"address,omitempty"`
	OtherIdentifier  []IdentifierEntry `json:"otherIdentifier,omitempty"`
	Official         string            `json:"official,omitempty"`
	ParentOrg        *Profile          `json:"parentOrg,omitempty"`
	FamilyName       string            `json:"familyName,omitempty"`
	GivenName        string            `json:"givenName,omitempty"`
	AdditionalName   string            `json:"additionalName,omitempty"`
	PatronymicName   string            `json:"patronymicName,omitempty"`
	HonorificPrefix  string            `json:"honorificPrefix,omitempty"`
	HonorificSuffix  string            `json:"honorificSuffix,omitempty"`
	FamilyNamePrefix string            `json:"familyNamePrefix,omitempty"`
	DateOfBirth      string            `json:"dateOfBirth,omitempty"`
	Extra            Extra             `json:"-"`

	// ref records that the profile arrived as a bare ID string.
	ref bool
}

// IsRef reports whether the profile is only a reference (an ID given as a
// string rather than an object).
func (p *Profile) IsRef() bool {
	return p.ref || p.onlyID()
}

func (p *Profile) onlyID() bool {
	q := *p
	q.ID, q.ref = "", false
	return p.ID != "" && q.isZero()
}

func (p Profile) isZero() bool {
	return p.ID == "" && len(p.Type) == 0 && p.Name == "" && p.URL == "" && p.Phone == "" &&
		p.Description == "" && len(p.Endorsement) == 0 && len(p.EndorsementJwt) == 0 &&
		p.Image == nil && p.Email == "" && p.Address == nil && len(p.OtherIdentifier) == 0 &&
		p.Official == "" && p.ParentOrg == nil && p.FamilyName == "" && p.GivenName == "" &&
		p.AdditionalName == "" && p.PatronymicName == "" && p.HonorificPrefix == "" &&
		p.HonorificSuffix == "" && p.FamilyNamePrefix == "" && p.DateOfBirth == "" && len(p.Extra) == 0
}

// Address is a postal address with optional coordinates.
type Address struct {
	Type                Types           `json:"type,omitempty"`
	AddressCountry      string          `json:"addressCountry,omitempty"`
	AddressCountryCode  string          `json:"addressCountryCode,omitempty"`
	AddressRegion       string          `json:"addressRegion,omitempty"`
	AddressLocality     string          `json:"addressLocality,omitempty"`
	StreetAddress       string          `json:"streetAddress,omitempty"`
	PostOfficeBoxNumber string          `json:"postOfficeBoxNumber,omitempty"`
	PostalCode          string          `json:"postalCode,omitempty"`
	Geo                 *GeoCoordinates `json:"geo,omitempty"`
	Extra               Extra           `json:"-"`
}

// GeoCoordinates is a point on Earth. Latitude and Longitude are pointers
// because zero is a real coordinate that must still be written.
type GeoCoordinates struct {
	Type      string   `json:"type,omitempty"`
	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
	Extra     Extra    `json:"-"`
}

// Achievement is the accomplishment a credential asserts.
type Achievement struct {
	ID                string              `json:"id,omitempty"`
	Type              Types               `json:"type,omitempty"`
	AchievementType   AchievementType     `json:"achievementType,omitempty"`
	Alignment         []Alignment         `json:"alignment,omitempty"`
	Creator           *Profile            `json:"creator,omitempty"`
	CreditsAvailable  *float64            `json:"creditsAvailable,omitempty"`
	Criteria          *Criteria           `json:"criteria,omitempty"`
	Description       string              `json:"description,omitempty"`
	Endorsement       []Credential        `json:"endorsement,omitempty"`
	EndorsementJwt    []string            `json:"endorsementJwt,omitempty"`
	FieldOfStudy      string              `json:"fieldOfStudy,omitempty"`
	HumanCode         string              `json:"humanCode,omitempty"`
	Image             *Image              `json:"image,omitempty"`
	InLanguage        string              `json:"inLanguage,omitempty"`
	Name              string              `json:"name,omitempty"`
	OtherIdentifier   []IdentifierEntry   `json:"otherIdentifier,omitempty"`
	Related           []Related           `json:"related,omitempty"`
	ResultDescription []ResultDescription `json:"resultDescription,omitempty"`
	Specialization    string              `json:"specialization,omitempty"`
	Tag               []string            `json:"tag,omitempty"`
	Version           string              `json:"version,omitempty"`
	Extra             Extra               `json:"-"`
}

// Criteria describes how the achievement is earned: a page (ID) and/or a
// Markdown narrative.
type Criteria struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative,omitempty"`
	Extra     Extra  `json:"-"`
}

// Alignment links an achievement, result description, rubric level or
// result to a competency or framework item.
type Alignment struct {
	Type              Types      `json:"type,omitempty"`
	TargetCode        string     `json:"targetCode,omitempty"`
	TargetDescription string     `json:"targetDescription,omitempty"`
	TargetName        string     `json:"targetName,omitempty"`
	TargetFramework   string     `json:"targetFramework,omitempty"`
	TargetType        TargetType `json:"targetType,omitempty"`
	TargetURL         string     `json:"targetUrl,omitempty"`
	Extra             Extra      `json:"-"`
}

// Related points at another edition (language or version) of the same
// achievement.
type Related struct {
	ID         string `json:"id,omitempty"`
	Type       Types  `json:"type,omitempty"`
	InLanguage string `json:"inLanguage,omitempty"`
	Version    string `json:"version,omitempty"`
	Extra      Extra  `json:"-"`
}

// ResultDescription describes a possible result of the achievement.
type ResultDescription struct {
	ID                   string                 `json:"id,omitempty"`
	Type                 Types                  `json:"type,omitempty"`
	Alignment            []Alignment            `json:"alignment,omitempty"`
	AllowedValue         []string               `json:"allowedValue,omitempty"`
	Name                 string                 `json:"name,omitempty"`
	RequiredLevel        string                 `json:"requiredLevel,omitempty"`
	RequiredValue        string                 `json:"requiredValue,omitempty"`
	ResultType           ResultType             `json:"resultType,omitempty"`
	RubricCriterionLevel []RubricCriterionLevel `json:"rubricCriterionLevel,omitempty"`
	ValueMax             string                 `json:"valueMax,omitempty"`
	ValueMin             string                 `json:"valueMin,omitempty"`
	Extra                Extra                  `json:"-"`
}

// RubricCriterionLevel is one level of a rubric criterion.
type RubricCriterionLevel struct {
	ID          string      `json:"id,omitempty"`
	Type        Types       `json:"type,omitempty"`
	Alignment   []Alignment `json:"alignment,omitempty"`
	Description string      `json:"description,omitempty"`
	Level       string      `json:"level,omitempty"`
	Name        string      `json:"name,omitempty"`
	Points      string      `json:"points,omitempty"`
	Extra       Extra       `json:"-"`
}

// Result is the recipient's result for one ResultDescription.
type Result struct {
	Type              Types        `json:"type,omitempty"`
	AchievedLevel     string       `json:"achievedLevel,omitempty"`
	Alignment         []Alignment  `json:"alignment,omitempty"`
	ResultDescription string       `json:"resultDescription,omitempty"`
	Status            ResultStatus `json:"status,omitempty"`
	Value             string       `json:"value,omitempty"`
	Extra             Extra        `json:"-"`
}

// Evidence describes work that supports the award.
type Evidence struct {
	ID          string `json:"id,omitempty"`
	Type        Types  `json:"type,omitempty"`
	Narrative   string `json:"narrative,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Genre       string `json:"genre,omitempty"`
	Audience    string `json:"audience,omitempty"`
	Extra       Extra  `json:"-"`
}

// Image is an image reference: a URL or a data URI in ID. Its Type is the
// plain string "Image" and the strict schema forbids other properties.
type Image struct {
	ID      string `json:"id,omitempty"`
	Type    string `json:"type,omitempty"`
	Caption string `json:"caption,omitempty"`
	Extra   Extra  `json:"-"`

	// ref is set when the image was given as just its id string, which
	// the OB 3.0 Image class allows; it encodes back the same way.
	ref bool
}

// IsRef reports whether the image was given as just its id string (the
// form the OB 3.0 Image class allows beside the object); only ID is set
// then.
func (i *Image) IsRef() bool { return i.ref }

// IdentityObject identifies a recipient without an ID, by a possibly hashed
// identifier such as an email address.
type IdentityObject struct {
	Type         string       `json:"type,omitempty"`
	Hashed       bool         `json:"hashed"`
	IdentityHash string       `json:"identityHash,omitempty"`
	IdentityType IdentityType `json:"identityType,omitempty"`
	Salt         string       `json:"salt,omitempty"`
	Extra        Extra        `json:"-"`
}

// IdentifierEntry is an alternative identifier of a profile or achievement.
type IdentifierEntry struct {
	Type           string       `json:"type,omitempty"`
	Identifier     string       `json:"identifier,omitempty"`
	IdentifierType IdentityType `json:"identifierType,omitempty"`
	Extra          Extra        `json:"-"`
}

// CredentialSchema names a JSON Schema the credential claims to conform to.
type CredentialSchema struct {
	ID    string `json:"id,omitempty"`
	Type  string `json:"type,omitempty"`
	Extra Extra  `json:"-"`
}

// CredentialStatus points at a status or revocation list entry.
type CredentialStatus struct {
	ID    string `json:"id,omitempty"`
	Type  string `json:"type,omitempty"`
	Extra Extra  `json:"-"`
}

// RefreshService tells the verifier where a newer copy may be fetched.
type RefreshService struct {
	ID    string `json:"id,omitempty"`
	Type  string `json:"type,omitempty"`
	Extra Extra  `json:"-"`
}

// TermsOfUse states policies under which the credential was issued.
type TermsOfUse struct {
	ID    string `json:"id,omitempty"`
	Type  string `json:"type,omitempty"`
	Extra Extra  `json:"-"`
}

// ClrCredential is a Comprehensive Learner Record: a Credential whose
// subject is a ClrSubject. It is the same Go type as Credential.
type ClrCredential = Credential

// ClrSubject is the learner of a CLR with the bundled, separately signed
// credentials and the achievements and associations between them.
type ClrSubject struct {
	ID                   string            `json:"id,omitempty"`
	Type                 Types             `json:"type,omitempty"`
	Identifier           []IdentityObject  `json:"identifier,omitempty"`
	VerifiableCredential []json.RawMessage `json:"verifiableCredential,omitempty"`
	Achievement          []Achievement     `json:"achievement,omitempty"`
	Association          []Association     `json:"association,omitempty"`
	Extra                Extra             `json:"-"`
}

// Association relates two achievements of a CLR by their IDs.
type Association struct {
	Type            string          `json:"type,omitempty"`
	AssociationType AssociationType `json:"associationType,omitempty"`
	SourceID        string          `json:"sourceId,omitempty"`
	TargetID        string          `json:"targetId,omitempty"`
	Extra           Extra           `json:"-"`
}

// Types is a JSON-LD type value. It decodes from a string or an array and
// always encodes as an array, the form the strict OB schema requires.
type Types []string

// Has reports whether t contains name.
func (t Types) Has(name string) bool { return slices.Contains(t, name) }

// HasAny reports whether t contains any of names.
func (t Types) HasAny(names ...string) bool {
	return slices.ContainsFunc(names, t.Has)
}

// StatusEntries holds a credential's credentialStatus. OB 3.0's schema
// allows one object; VC 2.0 allows an array, which an issuer needs to offer
// both revocation and suspension. One entry is written as an object so that
// such credentials still pass the strict OB 3.0 schema.
type StatusEntries []CredentialStatus

// MarshalJSON writes one entry as an object and several as an array.
func (s StatusEntries) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]CredentialStatus(s))
}

// UnmarshalJSON accepts one entry object or an array of them.
func (s *StatusEntries) UnmarshalJSON(data []byte) error {
	var l OneOrMany[CredentialStatus]
	if err := l.UnmarshalJSON(data); err != nil {
		return err
	}
	*s = StatusEntries(l)
	return nil
}

func (StatusEntries) oneOrMany() {}

// OneOrMany is a list that JSON-LD compaction may write as a single value;
// it decodes either form and encodes as an array.
type OneOrMany[T any] []T
