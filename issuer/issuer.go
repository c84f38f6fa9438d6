package issuer

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/store"
)

// AchievementCredentialSchema is the credentialSchema id OB 3.0 gives for
// AchievementCredential; badgesmith maps it to its embedded schema.
const AchievementCredentialSchema = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

// ErrInvalidInput marks a request the issuer refuses to sign: the error
// names the offending field.
var ErrInvalidInput = errors.New("invalid input")

// Config configures an Issuer.
type Config struct {
	// Profile is the issuer Profile as a JSON object. Its id, if present,
	// must equal IssuerID; if absent it is set to IssuerID. Required fields
	// missing from it (type) are filled in.
	Profile map[string]any
	// Signer signs the credentials: its key, the identity it signs as
	// (the issuer id, controller of the verification method) and the
	// format. Required. A Signer of a keyring key that is not the active
	// key of its group (RingSigner) is refused, with its
	// *InactiveKeyError, unless ListsOnly.
	Signer *Signer
	// ListsOnly makes an issuer that signs status lists and changes
	// status, but issues no credential (Issue and NewBatch refuse). A
	// retired key may sign that way: the lists of the credentials it
	// issued as its did:key can be signed by no other key.
	ListsOnly bool
	// Identities are further issuer ids (did:web DIDs) whose status lists
	// this issuer signs, as the id with the Signer's key under its
	// fragment. A list is signed as the issuer of the credentials it
	// holds, which must be the Signer's identity or one of these (see
	// StatusListCredential and RecordedIdentities).
	Identities []string
	// Now returns the time used for validFrom and the proof. If nil,
	// time.Now.
	Now func() time.Time
	// Rand is the randomness for ids and salts. If nil, crypto/rand.
	Rand io.Reader
	// Loader serves JSON-LD contexts. If nil, the bundled contexts.
	Loader ld.DocumentLoader

	// Store, if set, records every issued credential and gives each a
	// Bitstring Status List entry (see Issue). If nil, credentials carry no
	// credentialStatus and nothing is recorded.
	Store store.Store
	// StatusBaseURL is where status lists are published: the list for
	// purpose p numbered n is StatusBaseURL + "p-n" (a "/" is added to a
	// base without one), e.g. https://example.edu/status/revocation-1.
	// Required for Issue when Store is set; Publish and the status changes
	// do not need it.
	StatusBaseURL string
	// Suspension gives every credential a suspension entry as well as a
	// revocation entry. The credential's credentialStatus is then an array
	// of two entries, which VC 2.0 allows but the 1EdTech strict OB 3.0
	// schema does not (it accepts one object), so it is opt-in.
	Suspension bool
	// StatusListSize is the number of entries of each new status list. If
	// zero, status.MinEntries (131,072); it may not be smaller, because
	// verifiers reject shorter lists.
	StatusListSize int
	// StatusValidity is how long a published status list credential stays
	// valid (its validUntil is the signing time plus StatusValidity). If
	// zero, DefaultStatusValidity.
	StatusValidity time.Duration
	// StatusTTL is the ttl a status list credential advertises: how long a
	// verifier may cache it. If zero, DefaultStatusTTL.
	StatusTTL time.Duration

	// Catalogue, if set, is the achievement catalogue (see catalogue.go):
	// a request naming a catalogue achievement is issued from an approved
	// version only, and when the catalogue's approver set requires the
	// catalogue, a request with an achievement of its own is refused
	// unless Unmanaged. If nil, achievements are issued as given.
	Catalogue *catalogue.Catalogue
	// Unmanaged lets requests carry an achievement from outside the
	// catalogue even when the catalogue is required: an explicit choice
	// (the CLI's --unmanaged-achievement).
	Unmanaged bool
	// VerifyEvery makes Sign (and so Issue) re-verify, from its bytes,
	// only every n-th Data Integrity credential it signs, and the first:
	// the self-check costs as much as the signing. If zero or 1, every
	// one. A server signing many requests sets DefaultVerifyEvery, the
	// sample a batch takes; JWTs are always verified (it is cheap).
	VerifyEvery int
}

// Issuer builds and signs credentials. It is safe for concurrent use when
// its Rand is.
type Issuer struct {
	cfg     Config
	profile map[string]any
	// signed counts Data Integrity signatures, for VerifyEvery.
	signed atomic.Uint64
	// Ledger changes recorded credentials' status (Revoke, Suspend,
	// Reinstate); it is nil without a Store, and its methods then return
	// ErrNoStore.
	*Ledger
}

// New validates cfg and returns an Issuer.
func New(cfg Config) (*Issuer, error) {
	if cfg.Signer == nil || cfg.Signer.key == nil {
		return nil, fmt.Errorf("signer: %w: required", ErrInvalidInput)
	}
	if cfg.Signer.inactive != nil && !cfg.ListsOnly {
		return nil, cfg.Signer.inactive
	}
	for _, id := range cfg.Identities {
		if _, err := did.ParseWeb(id); err != nil {
			return nil, fmt.Errorf("identity %q: %w: %w", id, ErrInvalidInput, err)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Loader == nil {
		l, err := jsonld.NewLoader()
		if err != nil {
			return nil, err
		}
		cfg.Loader = l
	}
	if err := checkStatusConfig(&cfg); err != nil {
		return nil, err
	}
	profile := jsonvalue.CloneObject(cfg.Profile)
	if profile == nil {
		profile = map[string]any{}
	}
	issuerID := cfg.Signer.identity.ID
	if id, ok := profile["id"]; ok && id != issuerID {
		return nil, fmt.Errorf("issuer profile id %v: %w: must equal the signing key's controller %s", id, ErrInvalidInput, issuerID)
	}
	profile["id"] = issuerID
	if _, ok := profile["type"]; !ok {
		profile["type"] = []any{"Profile"}
	}
	if _, ok := profile["name"].(string); !ok {
		return nil, fmt.Errorf("issuer profile name: %w: required", ErrInvalidInput)
	}
	is := &Issuer{cfg: cfg, profile: profile}
	if cfg.Store != nil {
		is.Ledger = NewLedger(cfg.Store)
	}
	return is, nil
}

// Request describes one credential to issue.
type Request struct {
	// Achievement is the Achievement the learner earned, as a JSON object.
	Achievement map[string]any
	// Subject is the AchievementSubject without its achievement, as a JSON
	// object. Either Subject (with an id or identifier) or RecipientEmail is
	// required.
	Subject map[string]any
	// RecipientEmail identifies the learner by email. Unless PlainRecipient
	// is set, it is stored as a salted sha256 IdentityObject hash.
	RecipientEmail string
	// PlainRecipient stores RecipientEmail in the clear.
	PlainRecipient bool
	// ID is the credential id. If empty, a random urn:uuid.
	ID string
	// ValidFrom overrides the issuance time. If zero, Config.Now.
	ValidFrom time.Time
	// ValidUntil, if set, ends the credential's validity.
	ValidUntil time.Time
	// AwardedDate, if set, records when the achievement was first awarded.
	AwardedDate time.Time
	// Evidence lists the URLs of evidence of the learner's work, each
	// becoming an Evidence object of the credential.
	Evidence []string
	// CatalogueAchievement names an approved version of the Config's
	// Catalogue, "ID@VERSION" or "ID" for the latest approved one, whose
	// Achievement is issued. Achievement, if also set, must be that
	// version's exactly.
	CatalogueAchievement string
}

// Credential is an issued, signed credential, in any format.
type Credential struct {
	// ID is the credential id.
	ID string
	// Format is how it was signed.
	Format Format
	// JSON is the signed credential, indented, ending in a newline; nil
	// for a JWT.
	JSON []byte
	// Token is the compact JWS, without a trailing newline; "" for a Data
	// Integrity credential.
	Token string
	// Document is the credential as a JSON object: the signed document,
	// or the credential a JWT carries.
	Document map[string]any
}

// Bytes returns the credential as it is handed out: the JSON document, or
// the JWS followed by a newline.
func (c *Credential) Bytes() []byte {
	if c.Format.IsJWT() {
		return []byte(c.Token + "\n")
	}
	return c.JSON
}

// signed returns the bytes a record hashes: the JSON document, or the
// JWS.
func (c *Credential) signed() []byte {
	if c.Format.IsJWT() {
		return []byte(c.Token)
	}
	return c.JSON
}

// storeFormat is the store's name for c's format.
func (c *Credential) storeFormat() string {
	if c.Format.IsJWT() {
		return store.FormatJWT
	}
	return store.FormatDI
}

// Build assembles the unsigned credential for req and checks it against the
// OB 3.0 data model and schema.
func (is *Issuer) Build(req Request) (map[string]any, error) { return is.build(req, "") }

// build is Build hashing a recipient email with salt, or with a new random
// salt if salt is "".
func (is *Issuer) build(req Request, salt string) (map[string]any, error) {
	cred, err := is.assemble(req, salt)
	if err != nil {
		return nil, err
	}
	raw, err := jsonvalue.Marshal(cred)
	if err != nil {
		return nil, fmt.Errorf("encoding credential: %w", err)
	}
	if err := validate(raw); err != nil {
		return nil, err
	}
	return cred, nil
}

// assemble is build without the data model and schema checks: the
// credential's issuer is a copy of the issuer's profile and its
// credentialSubject.achievement a copy of req.Achievement (a batch's
// rowChecker relies on both).
func (is *Issuer) assemble(req Request, salt string) (map[string]any, error) {
	if req.Achievement == nil {
		return nil, fmt.Errorf("achievement: %w: required", ErrInvalidInput)
	}
	now := is.cfg.Now().UTC().Truncate(time.Second)
	validFrom := now
	if !req.ValidFrom.IsZero() {
		validFrom = req.ValidFrom.UTC()
	}
	id := req.ID
	if id == "" {
		u, err := uuid.NewRandomFromReader(is.cfg.Rand)
		if err != nil {
			return nil, fmt.Errorf("generating credential id: %w", err)
		}
		id = "urn:uuid:" + u.String()
	}
	subject, err := is.subject(req, salt)
	if err != nil {
		return nil, err
	}
	achievement := jsonvalue.CloneObject(req.Achievement)
	subject["achievement"] = achievement
	name, _ := achievement["name"].(string)

	cred := map[string]any{
		"@context":          []any{contexts.CredentialsV2, contexts.OBv3p0, contexts.OBExtensions},
		"id":                id,
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":            jsonvalue.CloneObject(is.profile),
		"validFrom":         validFrom.Format(time.RFC3339),
		"credentialSubject": subject,
		"credentialSchema": []any{map[string]any{
			"id":   AchievementCredentialSchema,
			"type": "1EdTechJsonSchemaValidator2019",
		}},
	}
	if name != "" {
		cred["name"] = name
	}
	if d, ok := achievement["description"].(string); ok {
		cred["description"] = d
	}
	if !req.ValidUntil.IsZero() {
		if !req.ValidUntil.After(validFrom) {
			return nil, fmt.Errorf("validUntil %s: %w: must be after validFrom %s", req.ValidUntil.Format(time.RFC3339), ErrInvalidInput, validFrom.Format(time.RFC3339))
		}
		cred["validUntil"] = req.ValidUntil.UTC().Format(time.RFC3339)
	}
	if !req.AwardedDate.IsZero() {
		cred["awardedDate"] = req.AwardedDate.UTC().Format(time.RFC3339)
	}
	if len(req.Evidence) > 0 {
		ev := make([]any, len(req.Evidence))
		for i, u := range req.Evidence {
			ev[i] = map[string]any{"id": u, "type": []any{"Evidence"}}
		}
		cred["evidence"] = ev
	}
	return cred, nil
}

// validate checks an encoded credential against the OB 3.0 data model and
// schema, and its results against their result descriptions.
func validate(raw []byte) error {
	doc, err := validateModel(raw)
	if err != nil {
		return err
	}
	return checkResults(doc.Credential)
}

// validateModel is validate without the results check, returning the
// decoded credential.
func validateModel(raw []byte) (*ob3.Document, error) {
	// One decode serves the data-model and the schema checks.
	doc, err := ob3.ParseDocument(raw, ob3.ParseOptions{})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if err := ob3.Validate(doc.Credential); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if err := ob3.ValidateSchemaValue(doc.Value); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return doc, nil
}

func (is *Issuer) subject(req Request, salt string) (map[string]any, error) {
	subject := jsonvalue.CloneObject(req.Subject)
	if subject == nil {
		subject = map[string]any{}
	}
	if _, ok := subject["achievement"]; ok {
		return nil, fmt.Errorf("credentialSubject.achievement: %w: give the achievement separately", ErrInvalidInput)
	}
	if _, ok := subject["type"]; !ok {
		subject["type"] = []any{"AchievementSubject"}
	}
	if req.RecipientEmail != "" {
		email := strings.TrimSpace(req.RecipientEmail)
		if err := ob3.CheckEmail(email); err != nil {
			return nil, fmt.Errorf("recipient email %q: %w: %w", req.RecipientEmail, ErrInvalidInput, err)
		}
		ident := map[string]any{
			"type":         "IdentityObject",
			"identityType": "emailAddress",
		}
		if req.PlainRecipient {
			ident["hashed"] = false
			ident["identityHash"] = email
		} else {
			if salt == "" {
				var err error
				if salt, err = ob3.NewSalt(is.cfg.Rand); err != nil {
					return nil, fmt.Errorf("generating salt: %w", err)
				}
			}
			ident["hashed"] = true
			ident["identityHash"] = ob3.IdentityHash(email, salt)
			ident["salt"] = salt
		}
		list, _ := subject["identifier"].([]any)
		subject["identifier"] = append(list, ident)
	}
	_, hasID := subject["id"]
	_, hasIdent := subject["identifier"]
	if !hasID && !hasIdent {
		return nil, fmt.Errorf("credentialSubject: %w: needs an id or a recipient email", ErrInvalidInput)
	}
	return subject, nil
}

// Issue builds, signs and self-verifies the credential for req.
//
// With a Store, it also gives the credential its status entries and records
// it, in this order: the request is built and checked (so bad input wastes
// no index); a status index is reserved durably for each purpose; the
// credential is signed and self-verified; and the record is written
// durably, marked undelivered. Only then is the credential returned; the
// caller writes it out (atomically) and then calls Delivered. A crash at
// any point therefore leaves either a reserved, unused index (harmless) or
// an undelivered record of a credential nobody received, but never a
// credential in the wild that the store does not know and so cannot
// revoke.
//
// A request with an ID that is recorded undelivered is a retry: if it
// names the same recipient and achievement, the credential is signed again
// with the recorded status entries and replaces the record; otherwise, or
// if the credential was delivered, the error wraps ErrAlreadyIssued. The
// entries of an undelivered credential never go to another one.
func (is *Issuer) Issue(ctx context.Context, req Request) (*Credential, error) {
	if is.cfg.ListsOnly {
		return nil, fmt.Errorf("issuing: %w", ErrListsOnly)
	}
	version, err := is.manage(ctx, &req)
	if err != nil {
		return nil, err
	}
	if is.cfg.Store == nil {
		cred, err := is.Build(req)
		if err != nil {
			return nil, err
		}
		return is.Sign(ctx, cred)
	}
	cred, refs, err := is.prepare(ctx, req)
	if err != nil {
		return nil, err
	}
	signed, err := is.Sign(ctx, cred)
	if err != nil {
		return nil, err
	}
	if err := is.recordIssued(ctx, signed.Document, signed.signed(), signed.storeFormat(), refs, version); err != nil {
		return nil, err
	}
	return signed, nil
}

// ErrListsOnly reports an attempt to issue with an issuer configured
// ListsOnly.
var ErrListsOnly = errors.New("issuer signs status lists only")

// Sign signs an already built credential in the Signer's format and
// verifies the result before returning it.
func (is *Issuer) Sign(ctx context.Context, cred map[string]any) (*Credential, error) {
	if is.cfg.Signer.format.IsJWT() {
		return is.signJWT(ctx, cred)
	}
	return is.signDI(ctx, cred, is.cfg.Signer.format, is.cfg.Signer.identity, is.selfCheckNext())
}

// selfCheckNext says whether the next Data Integrity credential Sign
// signs is re-verified: the first and every VerifyEvery-th after it.
func (is *Issuer) selfCheckNext() bool {
	n := is.signed.Add(1) - 1
	return is.cfg.VerifyEvery <= 1 || n%uint64(is.cfg.VerifyEvery) == 0
}

// signDI signs cred with a Data Integrity proof of suite as id and, with
// verify, verifies the result from its bytes.
func (is *Issuer) signDI(ctx context.Context, cred map[string]any, suite Format, id Identity, verify bool) (*Credential, error) {
	signed, err := proof.Sign(ctx, cred, is.cfg.Signer.key, proof.SignOptions{
		Suite:              proof.Suite(suite),
		VerificationMethod: id.VerificationMethod,
		Now:                is.cfg.Now,
		Loader:             is.cfg.Loader,
	})
	if err != nil {
		return nil, fmt.Errorf("signing credential: %w", err)
	}
	out, err := jsonvalue.MarshalIndent(signed)
	if err != nil {
		return nil, fmt.Errorf("encoding signed credential: %w", err)
	}
	out = append(out, '\n')
	credID, _ := signed["id"].(string)
	res := &Credential{ID: credID, Format: suite, JSON: out, Document: signed}
	if !verify {
		return res, nil
	}
	// Verify what will be handed out, from its bytes, exactly as a verifier
	// would read them.
	var reread map[string]any
	if err := json.Unmarshal(out, &reread); err != nil {
		return nil, fmt.Errorf("re-reading signed credential: %w", err)
	}
	if _, err := proof.Verify(ctx, reread, proof.VerifyOptions{Keys: ownKey{is.cfg.Signer, id.VerificationMethod}, Loader: is.cfg.Loader, Now: is.cfg.Now}); err != nil {
		return nil, fmt.Errorf("self-check of signed credential: %w", err)
	}
	return res, nil
}

// ownKey serves the signer's own public key, under the verification
// method vm, for the self-check: a key pinned to the signer's identity,
// since vm is the identity's verification method, whose controller
// NewSigner requires to be the issuer id. It answers for no other method,
// and only the issuer's own self-check uses it; static keys for tests are
// in internal/testkit.
type ownKey struct {
	s  *Signer
	vm string
}

func (k ownKey) PublicKey(_ context.Context, vm, _ string) (crypto.PublicKey, error) {
	if vm != k.vm {
		return nil, fmt.Errorf("verification method %s is not the issuer's signing key", vm)
	}
	return k.s.pub, nil
}
