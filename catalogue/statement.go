package catalogue

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/badgesmith/badgesmith/jcs"
	"github.com/badgesmith/badgesmith/keys"
)

// JWS types of the signed documents.
const (
	// StatementType is the typ header of a Statement.
	StatementType = "badgesmith-approval+jwt"
	// PolicyType is the typ header of a signed Policy (an approver set).
	PolicyType = "badgesmith-approvers+jwt"
)

// Decision is what a Statement decides about a version.
type Decision string

// The decisions of the workflow.
const (
	// Submit sends a draft for review; its signer becomes the author.
	Submit Decision = "submit"
	// Approve approves a version in review.
	Approve Decision = "approve"
	// Reject sends a version in review back to its author.
	Reject Decision = "reject"
	// Retire ends an approved version: it can no longer be issued.
	Retire Decision = "retire"
)

// RoleAuthor is the role that drafts and submits versions. A member in
// that role alone cannot approve, reject or retire.
const RoleAuthor = "author"

// Errors of signing and checking statements and approver sets.
var (
	// ErrSignature means a signed statement or approver set does not
	// verify, is not of its JWS type, or is not in canonical form.
	ErrSignature = errors.New("bad signature")
	// ErrNotMember means the signing key is not in the approver set, or
	// not in the role it claims.
	ErrNotMember = errors.New("key not in the approver set")
)

// Statement is the signed content of one workflow decision. Its JSON
// names are what the JWS payload holds, in JCS form.
type Statement struct {
	// AchievementID is the achievement's id.
	AchievementID string `json:"achievementId"`
	// Version is the version decided on.
	Version int `json:"version"`
	// Digest is "sha256:" and the hex SHA-256 of the JCS form of the
	// Achievement (see Digest).
	Digest string `json:"digest"`
	// Decision is the decision.
	Decision Decision `json:"decision"`
	// Role is the role the signer acts in.
	Role string `json:"role"`
	// Key is the signer's public key, a Multikey.
	Key string `json:"key"`
	// Time is when the decision was signed (UTC, whole seconds).
	Time time.Time `json:"time"`
	// ApproverSet is the serial of the approver set the signer is a member
	// of.
	ApproverSet int `json:"approverSet"`
	// Reference is the committee reference, if any.
	Reference string `json:"reference,omitempty"`
	// MinutesURL is the URL of the committee's minutes, if any.
	MinutesURL string `json:"minutesUrl,omitempty"`
}

// Member is one key of an approver set.
type Member struct {
	// Name says who holds the key.
	Name string `json:"name"`
	// Key is the member's public key, a Multikey (Ed25519 or P-256).
	Key string `json:"key"`
	// Roles are the roles the member may act in, e.g. "author",
	// "academic-council", "quality-office".
	Roles []string `json:"roles"`
}

// Rule is what approves a version.
type Rule struct {
	// Approvals is the number of distinct keys that must approve. If zero,
	// 2.
	Approvals int `json:"approvals,omitempty"`
	// RequiredRoles are roles of which at least one approval each is
	// needed, e.g. "academic-council".
	RequiredRoles []string `json:"requiredRoles,omitempty"`
	// AllowSelfApproval lets the author of a version approve it. By
	// default the author's key cannot.
	AllowSelfApproval bool `json:"allowSelfApproval,omitempty"`
}

func (r Rule) approvals() int {
	if r.Approvals <= 0 {
		return 2
	}
	return r.Approvals
}

// Policy is an approver set: the members, the rule, and whether issuing
// needs the catalogue. It is signed by the institution's root key.
type Policy struct {
	// Serial numbers the sets from 1; each replaces the one before.
	Serial int `json:"serial"`
	// Institution names the institution.
	Institution string `json:"institution"`
	// RootKey is the root key (a Multikey) that signs the set; the first
	// set recorded pins it for every later one.
	RootKey string `json:"rootKey"`
	// Members are the keys that may submit and decide.
	Members []Member `json:"members"`
	// Rule is the approval rule.
	Rule Rule `json:"rule"`
	// RequireCatalogue makes issuing refuse an achievement that is not an
	// approved catalogue version, unless the issuer is explicitly told the
	// achievement is unmanaged.
	RequireCatalogue bool `json:"requireCatalogue,omitempty"`
	// Issued is when the set was signed.
	Issued time.Time `json:"issued"`
}

// member returns the member holding key.
func (p *Policy) member(key string) (*Member, bool) {
	for i := range p.Members {
		if p.Members[i].Key == key {
			return &p.Members[i], true
		}
	}
	return nil, false
}

// Validate reports whether p is well formed.
func (p *Policy) Validate() error {
	if p.Serial < 1 {
		return fmt.Errorf("approver set serial %d: %w: must be positive", p.Serial, ErrInvalid)
	}
	if _, err := keys.DecodePublicMultikey(p.RootKey); err != nil {
		return fmt.Errorf("approver set rootKey: %w: %w", ErrInvalid, err)
	}
	seen := map[string]bool{}
	for i, m := range p.Members {
		if _, err := keys.DecodePublicMultikey(m.Key); err != nil {
			return fmt.Errorf("approver set members[%d].key: %w: %w", i, ErrInvalid, err)
		}
		if seen[m.Key] {
			return fmt.Errorf("approver set members[%d].key: %w: listed twice", i, ErrInvalid)
		}
		seen[m.Key] = true
		if len(m.Roles) == 0 {
			return fmt.Errorf("approver set members[%d].roles: %w: at least one role", i, ErrInvalid)
		}
	}
	if p.Rule.Approvals < 0 {
		return fmt.Errorf("approver set rule.approvals: %w: negative", ErrInvalid)
	}
	return nil
}

// Digest returns "sha256:" and the hex SHA-256 of the JCS form of the
// JSON document raw.
func Digest(raw []byte) (string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fmt.Errorf("digest: %w", err)
	}
	c, err := jcs.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("digest: %w", err)
	}
	sum := sha256.Sum256(c)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// KeyID returns the Multikey of a private key's public half: how
// statements and approver sets name keys.
func KeyID(priv crypto.PrivateKey) (string, error) {
	pub, err := keys.PublicOf(priv)
	if err != nil {
		return "", err
	}
	return keys.EncodePublicMultikey(pub)
}

// Sign signs st with priv (Ed25519 or P-256), setting st.Key to its
// Multikey, and returns the compact JWS.
func Sign(st Statement, priv crypto.PrivateKey) (string, error) {
	k, err := KeyID(priv)
	if err != nil {
		return "", fmt.Errorf("signing statement: %w", err)
	}
	st.Key = k
	st.Time = st.Time.UTC().Truncate(time.Second)
	return signJCS(st, StatementType, k, priv)
}

// SignPolicy signs p with the root key priv, setting p.RootKey to its
// Multikey, and returns the compact JWS.
func SignPolicy(p Policy, priv crypto.PrivateKey) (string, error) {
	k, err := KeyID(priv)
	if err != nil {
		return "", fmt.Errorf("signing approver set: %w", err)
	}
	p.RootKey = k
	p.Issued = p.Issued.UTC().Truncate(time.Second)
	if err := p.Validate(); err != nil {
		return "", err
	}
	return signJCS(p, PolicyType, k, priv)
}

func signJCS(v any, typ, kid string, priv crypto.PrivateKey) (string, error) {
	payload, err := canonical(v)
	if err != nil {
		return "", err
	}
	alg, err := algOf(priv)
	if err != nil {
		return "", err
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, typ); err != nil {
		return "", err
	}
	if err := hdr.Set(jws.KeyIDKey, kid); err != nil {
		return "", err
	}
	tok, err := jws.Sign(payload, jws.WithKey(alg, priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("signing %s: %w", typ, err)
	}
	return string(tok), nil
}

// canonical is the JCS form of v's JSON encoding.
func canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, err
	}
	return jcs.Marshal(generic)
}

func algOf(key any) (jwa.SignatureAlgorithm, error) {
	switch k := key.(type) {
	case ed25519.PrivateKey, ed25519.PublicKey:
		return jwa.EdDSA(), nil
	case *ecdsa.PrivateKey:
		if k.Curve.Params().Name == "P-256" {
			return jwa.ES256(), nil
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().Name == "P-256" {
			return jwa.ES256(), nil
		}
	}
	return jwa.SignatureAlgorithm{}, fmt.Errorf("%w: approvals are signed with Ed25519 or P-256 keys, not %s", ErrInvalid, keys.Describe(key))
}

// maxToken bounds a signed statement or approver set.
const maxToken = 64 << 10

// openJWS checks a compact JWS of type typ signed by the key its payload
// names (keyOf reads it from the payload) and decodes the payload, which
// must be in JCS form, into v.
func openJWS(token, typ string, v any, keyOf func() string) error {
	if len(token) > maxToken {
		return fmt.Errorf("%w: %d bytes, over %d", ErrSignature, len(token), maxToken)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fmt.Errorf("%w: not a compact jws", ErrSignature)
	}
	rawHdr, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return fmt.Errorf("%w: header: %w", ErrSignature, err)
	}
	var hdr struct {
		Typ string `json:"typ"`
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(rawHdr, &hdr); err != nil {
		return fmt.Errorf("%w: header: %w", ErrSignature, err)
	}
	if hdr.Typ != typ {
		return fmt.Errorf("%w: typ %q, want %q", ErrSignature, hdr.Typ, typ)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("%w: payload: %w", ErrSignature, err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: payload: %w", ErrSignature, err)
	}
	// Only the canonical form is accepted, so one decision has one
	// encoding and a payload cannot carry fields the decoder ignored.
	if c, err := canonical(v); err != nil || !bytes.Equal(c, payload) {
		return fmt.Errorf("%w: payload is not the jcs form of its content", ErrSignature)
	}
	kid := keyOf()
	if hdr.Kid != kid {
		return fmt.Errorf("%w: kid %q is not the payload's key", ErrSignature, hdr.Kid)
	}
	pub, err := keys.DecodePublicMultikey(kid)
	if err != nil {
		return fmt.Errorf("%w: key: %w", ErrSignature, err)
	}
	alg, err := algOf(pub)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if hdr.Alg != alg.String() {
		return fmt.Errorf("%w: alg %q for a %s key", ErrSignature, hdr.Alg, keys.Describe(pub))
	}
	if _, err := jws.Verify([]byte(token), jws.WithKey(alg, pub)); err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return nil
}

// OpenStatement checks a signed statement's signature, by the key it
// names, and returns it. Whether that key may decide is the catalogue's
// to check (Apply, Verify).
func OpenStatement(token string) (*Statement, error) {
	var st Statement
	if err := openJWS(token, StatementType, &st, func() string { return st.Key }); err != nil {
		return nil, fmt.Errorf("statement: %w", err)
	}
	switch st.Decision {
	case Submit, Approve, Reject, Retire:
	default:
		return nil, fmt.Errorf("statement decision %q: %w", st.Decision, ErrInvalid)
	}
	return &st, nil
}

// OpenPolicy checks a signed approver set's signature by the root key it
// names and returns it.
func OpenPolicy(token string) (*Policy, error) {
	var p Policy
	if err := openJWS(token, PolicyType, &p, func() string { return p.RootKey }); err != nil {
		return nil, fmt.Errorf("approver set: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// canDecide checks that st's key is a member of p in st's role, and that
// the role may make st's decision.
func canDecide(p *Policy, st *Statement) error {
	m, ok := p.member(st.Key)
	if !ok {
		return fmt.Errorf("key %s: %w %d", st.Key, ErrNotMember, p.Serial)
	}
	if !slices.Contains(m.Roles, st.Role) {
		return fmt.Errorf("key %s (%s) in role %q: %w %d in that role", st.Key, m.Name, st.Role, ErrNotMember, p.Serial)
	}
	if st.Decision != Submit && st.Role == RoleAuthor {
		return fmt.Errorf("key %s (%s): %w: the %s role cannot %s", st.Key, m.Name, ErrNotMember, RoleAuthor, st.Decision)
	}
	return nil
}
