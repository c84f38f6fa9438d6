// Package published reads and writes the published achievement catalogue:
// a Verifiable Credential, signed by the institution, that lists every
// achievement version it approved, with the SHA-256 digest of the version's
// Achievement (JCS form) and the dates it was approved and retired. It uses
// VC 2.0 and OB 3.0 terms only. The credential's one AchievementSubject
// holds an Achievement standing for the list, whose related entries
// (Related, "previous versions" in OB 3.0's words) are the approved
// versions: id, version, name, the VC digestMultibase of the Achievement
// and, as awardedDate, the approval time. A retired version also has an
// otherIdentifier entry, identifierType ext:retired, identifier ID@VERSION,
// whose awardedDate is the retirement time.
//
// The package is a leaf the verifier imports: it never touches a store.
// Parse accepts exactly the shape Credential writes (two fixed contexts,
// no other members), so that reading the JSON and reading the statements
// the proof covers give the same facts; it does not check the proof, which
// is the verifier's job.
package published

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The contexts a published catalogue names, in order.
const (
	contextVC = "https://www.w3.org/ns/credentials/v2"
	contextOB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
)

// MaxSize bounds a published catalogue Parse reads.
const MaxSize = 8 << 20

// Errors of Parse and Approved.
var (
	// ErrFormat means the document is not a published catalogue.
	ErrFormat = errors.New("not a published achievement catalogue")
	// ErrNotListed means the catalogue does not list the version.
	ErrNotListed = errors.New("achievement version not in the catalogue")
	// ErrNotApprovedThen means the version was not approved at the time
	// asked: before its approval, or after its retirement.
	ErrNotApprovedThen = errors.New("achievement version not approved at that time")
	// ErrOtherIssuer means the catalogue's issuer is not the credential's.
	ErrOtherIssuer = errors.New("catalogue issued by another issuer")
)

// Entry is one approved achievement version.
type Entry struct {
	// AchievementID is the achievement's id.
	AchievementID string
	// Version is the version, as the Achievement's version states it.
	Version string
	// Name is the Achievement's name.
	Name string
	// Digest is "sha256:" and the hex SHA-256 of the JCS form of the
	// Achievement.
	Digest string
	// ApprovedAt is when the version was approved.
	ApprovedAt time.Time
	// RetiredAt is when it was retired; zero if it was not.
	RetiredAt time.Time
}

// Catalogue is a published catalogue.
type Catalogue struct {
	// ID is the catalogue credential's id.
	ID string
	// Issuer is the institution's issuer id.
	Issuer string
	// Name names the catalogue.
	Name string
	// ValidFrom is when it was published.
	ValidFrom time.Time
	// Entries are the approved versions.
	Entries []Entry
}

type relatedNode struct {
	ID              string   `json:"id"`
	Type            []string `json:"type"`
	Version         string   `json:"version"`
	Name            string   `json:"name"`
	DigestMultibase string   `json:"digestMultibase"`
	AwardedDate     string   `json:"awardedDate"`
}

type identifierNode struct {
	Type           string `json:"type"`
	Identifier     string `json:"identifier"`
	IdentifierType string `json:"identifierType"`
	AwardedDate    string `json:"awardedDate"`
}

type criteriaNode struct {
	Narrative string `json:"narrative"`
}

type listNode struct {
	ID              string           `json:"id"`
	Type            []string         `json:"type"`
	Name            string           `json:"name"`
	Description     string           `json:"description"`
	Criteria        criteriaNode     `json:"criteria"`
	Related         []relatedNode    `json:"related,omitempty"`
	OtherIdentifier []identifierNode `json:"otherIdentifier,omitempty"`
}

type subjectNode struct {
	Type        []string `json:"type"`
	Achievement listNode `json:"achievement"`
}

type document struct {
	Context           []string        `json:"@context"`
	ID                string          `json:"id"`
	Type              []string        `json:"type"`
	Issuer            string          `json:"issuer"`
	Name              string          `json:"name"`
	ValidFrom         string          `json:"validFrom"`
	CredentialSubject subjectNode     `json:"credentialSubject"`
	Proof             json.RawMessage `json:"proof,omitempty"`
}

// Terms of the list achievement.
const (
	listFragment = "#approved-achievements"
	listCriteria = "Each related achievement version passed the institution's quality assurance and was approved by its committees; it may be issued from its approval date (awardedDate) until its retirement."
	// retiredType marks the otherIdentifier entry of a retired version,
	// whose identifier is the achievement id, '@' and the version.
	retiredType = "ext:retired"
)

// Credential returns the unsigned catalogue credential, to be signed by
// the institution (for example with issuer.Issuer.Sign).
func (c *Catalogue) Credential() (map[string]any, error) {
	d := document{
		Context:   []string{contextVC, contextOB},
		ID:        c.ID,
		Type:      []string{"VerifiableCredential"},
		Issuer:    c.Issuer,
		Name:      c.Name,
		ValidFrom: c.ValidFrom.UTC().Format(time.RFC3339),
		CredentialSubject: subjectNode{
			Type: []string{"AchievementSubject"},
			Achievement: listNode{
				ID: c.ID + listFragment, Type: []string{"Achievement"}, Name: c.Name,
				Description: "The achievement versions " + c.Issuer + " approved for issuing.",
				Criteria:    criteriaNode{Narrative: listCriteria},
			},
		},
	}
	list := &d.CredentialSubject.Achievement
	for _, e := range c.Entries {
		mb, err := multibase(e.Digest)
		if err != nil {
			return nil, fmt.Errorf("achievement %s version %s: %w", e.AchievementID, e.Version, err)
		}
		list.Related = append(list.Related, relatedNode{
			ID: e.AchievementID, Type: []string{"Related"}, Version: e.Version, Name: e.Name,
			DigestMultibase: mb, AwardedDate: e.ApprovedAt.UTC().Format(time.RFC3339),
		})
		if !e.RetiredAt.IsZero() {
			list.OtherIdentifier = append(list.OtherIdentifier, identifierNode{
				Type: "IdentifierEntry", Identifier: e.AchievementID + "@" + e.Version,
				IdentifierType: retiredType, AwardedDate: e.RetiredAt.UTC().Format(time.RFC3339),
			})
		}
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(raw, &m)
}

// multibase encodes a "sha256:HEX" digest as VC 2.0's digestMultibase: a
// multihash (sha2-256) in base64url ("u").
func multibase(digest string) (string, error) {
	h, ok := strings.CutPrefix(digest, "sha256:")
	sum, err := hex.DecodeString(h)
	if !ok || err != nil || len(sum) != 32 {
		return "", fmt.Errorf("digest %q: %w: want sha256: and 64 hex digits", digest, ErrFormat)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x20}, sum...)), nil
}

func fromMultibase(mb string) (string, error) {
	s, ok := strings.CutPrefix(mb, "u")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if !ok || err != nil || len(b) != 34 || b[0] != 0x12 || b[1] != 0x20 {
		return "", fmt.Errorf("digestMultibase %q: %w: want a base64url sha2-256 multihash", mb, ErrFormat)
	}
	return "sha256:" + hex.EncodeToString(b[2:]), nil
}

// Parse reads a published catalogue. It accepts only the shape Credential
// writes, with or without a proof, and does not check the proof.
func Parse(data []byte) (*Catalogue, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, over %d", ErrFormat, len(data), MaxSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d document
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the document", ErrFormat)
	}
	if err := exactNames(data, d); err != nil {
		return nil, err
	}
	if len(d.Context) != 2 || d.Context[0] != contextVC || d.Context[1] != contextOB {
		return nil, fmt.Errorf("%w: @context must be [%s, %s]", ErrFormat, contextVC, contextOB)
	}
	if len(d.Type) != 1 || d.Type[0] != "VerifiableCredential" {
		return nil, fmt.Errorf("%w: type must be [VerifiableCredential]", ErrFormat)
	}
	if d.Issuer == "" || d.ID == "" {
		return nil, fmt.Errorf("%w: id and issuer are required", ErrFormat)
	}
	c := &Catalogue{ID: d.ID, Issuer: d.Issuer, Name: d.Name}
	var err error
	if c.ValidFrom, err = parseTime(d.ValidFrom); err != nil {
		return nil, fmt.Errorf("%w: validFrom: %w", ErrFormat, err)
	}
	sub := d.CredentialSubject
	list := sub.Achievement
	if len(sub.Type) != 1 || sub.Type[0] != "AchievementSubject" || len(list.Type) != 1 || list.Type[0] != "Achievement" || list.ID != d.ID+listFragment {
		return nil, fmt.Errorf("%w: credentialSubject: type must be [AchievementSubject] with an achievement of type [Achievement] and id %s%s", ErrFormat, d.ID, listFragment)
	}
	index := map[string]int{}
	for i, r := range list.Related {
		path := fmt.Sprintf("credentialSubject.achievement.related[%d]", i)
		if len(r.Type) != 1 || r.Type[0] != "Related" || r.ID == "" || r.Version == "" {
			return nil, fmt.Errorf("%w: %s: type [Related], id and version are required", ErrFormat, path)
		}
		e := Entry{AchievementID: r.ID, Version: r.Version, Name: r.Name}
		if e.Digest, err = fromMultibase(r.DigestMultibase); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if e.ApprovedAt, err = parseTime(r.AwardedDate); err != nil {
			return nil, fmt.Errorf("%w: %s.awardedDate: %w", ErrFormat, path, err)
		}
		ref := r.ID + "@" + r.Version
		if _, dup := index[ref]; dup {
			return nil, fmt.Errorf("%w: %s: %s listed twice", ErrFormat, path, ref)
		}
		index[ref] = len(c.Entries)
		c.Entries = append(c.Entries, e)
	}
	for i, o := range list.OtherIdentifier {
		path := fmt.Sprintf("credentialSubject.achievement.otherIdentifier[%d]", i)
		j, ok := index[o.Identifier]
		if o.Type != "IdentifierEntry" || o.IdentifierType != retiredType || !ok || !c.Entries[j].RetiredAt.IsZero() {
			return nil, fmt.Errorf("%w: %s: want one %s entry per listed version", ErrFormat, path, retiredType)
		}
		if c.Entries[j].RetiredAt, err = parseTime(o.AwardedDate); err != nil {
			return nil, fmt.Errorf("%w: %s.awardedDate: %w", ErrFormat, path, err)
		}
	}
	return c, nil
}

// Approved returns the entry of the achievement version a credential of
// issuer carries, if it was approved at time at: at or after its approval
// and not after its retirement. Both dates, like a credential's validFrom,
// are whole seconds, so a credential dated the second of the retirement
// counts as approved: the issuer refused any issued after it. The catalogue's issuer must be issuer
// (ErrOtherIssuer).
func (c *Catalogue) Approved(issuer, achievementID, version string, at time.Time) (*Entry, error) {
	if issuer != c.Issuer {
		return nil, fmt.Errorf("catalogue of %s, credential of %s: %w", c.Issuer, issuer, ErrOtherIssuer)
	}
	for i := range c.Entries {
		e := &c.Entries[i]
		if e.AchievementID != achievementID || e.Version != version {
			continue
		}
		if at.Before(e.ApprovedAt) {
			return e, fmt.Errorf("achievement %s version %s issued %s, before its approval on %s: %w", achievementID, version, at.UTC().Format(time.RFC3339), e.ApprovedAt.UTC().Format(time.RFC3339), ErrNotApprovedThen)
		}
		if !e.RetiredAt.IsZero() && at.After(e.RetiredAt) {
			return e, fmt.Errorf("achievement %s version %s issued %s, after its retirement on %s: %w", achievementID, version, at.UTC().Format(time.RFC3339), e.RetiredAt.UTC().Format(time.RFC3339), ErrNotApprovedThen)
		}
		return e, nil
	}
	return nil, fmt.Errorf("achievement %s version %q: %w", achievementID, version, ErrNotListed)
}

// parseTime reads a time as Credential writes it: RFC 3339 in UTC, whole
// seconds, so one catalogue has one spelling.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	if t.UTC().Format(time.RFC3339) != s {
		return time.Time{}, fmt.Errorf("%q is not a UTC date-time in whole seconds", s)
	}
	return t, nil
}

// exactNames refuses a document whose member names match the shape only
// as encoding/json matches them, ignoring case (and folding Unicode): the
// statements the proof covers read names exactly, so "Related": [] (an
// OB 3.0 term, the class, adding no statement) would empty, for Parse
// alone, the related list the issuer signed. Written back, the decoded
// shape must give the same names, level by level.
func exactNames(data []byte, d document) error {
	proof := d.Proof
	d.Proof = nil
	back, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	var got, want any
	if err := json.Unmarshal(data, &got); err != nil {
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if err := json.Unmarshal(back, &want); err != nil {
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if m, ok := got.(map[string]any); ok && len(proof) > 0 {
		delete(m, "proof")
	}
	if path, ok := sameNames(got, want, ""); !ok {
		return fmt.Errorf("%w: member names at %s are not the ones a published catalogue has (names are case-sensitive)", ErrFormat, path)
	}
	return nil
}

// sameNames reports whether a and b have the same member names at every
// level, and where they first differ.
func sameNames(a, b any, path string) (string, bool) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return orRoot(path), false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok {
				return joinName(path, k), false
			}
			if p, ok := sameNames(v, w, joinName(path, k)); !ok {
				return p, false
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return orRoot(path), false
		}
		for i := range x {
			if p, ok := sameNames(x[i], y[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
	}
	return "", true
}

func joinName(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func orRoot(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}
