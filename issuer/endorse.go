package issuer

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/ob3"
)

// EndorsementRequest describes one EndorsementCredential: the issuer (an
// industry body, say) endorses what Subject names.
type EndorsementRequest struct {
	// Subject is the id of what is endorsed: an Achievement, an issuer
	// Profile or a credential. Required.
	Subject string
	// Comment is the endorsementComment (Markdown).
	Comment string
	// Name is the credential's name. If empty, "Endorsement of " + Subject.
	Name string
	// ID is the credential id. If empty, a random urn:uuid.
	ID string
	// ValidUntil, if set, ends the endorsement's validity.
	ValidUntil time.Time
}

// Endorse builds and signs an OB 3.0 EndorsementCredential. It is signed
// with a Data Integrity proof whatever the Signer's format: an embedded
// endorsement is a JSON object (endorsementJwt is not in the bundled
// contexts).
func (is *Issuer) Endorse(ctx context.Context, req EndorsementRequest) (*Credential, error) {
	if strings.TrimSpace(req.Subject) == "" {
		return nil, fmt.Errorf("credentialSubject.id: %w: required", ErrInvalidInput)
	}
	id := req.ID
	if id == "" {
		u, err := uuid.NewRandomFromReader(is.cfg.Rand)
		if err != nil {
			return nil, fmt.Errorf("generating credential id: %w", err)
		}
		id = "urn:uuid:" + u.String()
	}
	name := req.Name
	if name == "" {
		name = "Endorsement of " + req.Subject
	}
	subject := map[string]any{"id": req.Subject, "type": []any{"EndorsementSubject"}}
	if req.Comment != "" {
		subject["endorsementComment"] = req.Comment
	}
	validFrom := is.cfg.Now().UTC().Truncate(time.Second)
	cred := map[string]any{
		"@context":          []any{contexts.CredentialsV2, contexts.OBv3p0, contexts.OBExtensions},
		"id":                id,
		"type":              []any{"VerifiableCredential", "EndorsementCredential"},
		"name":              name,
		"issuer":            jsonvalue.CloneObject(is.profile),
		"validFrom":         validFrom.Format(time.RFC3339),
		"credentialSubject": subject,
		"credentialSchema":  []any{map[string]any{"id": ob3.SchemaEndorsementCredential, "type": "1EdTechJsonSchemaValidator2019"}},
	}
	if !req.ValidUntil.IsZero() {
		if !req.ValidUntil.After(validFrom) {
			return nil, fmt.Errorf("validUntil %s: %w: must be after validFrom", req.ValidUntil.Format(time.RFC3339), ErrInvalidInput)
		}
		cred["validUntil"] = req.ValidUntil.UTC().Format(time.RFC3339)
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return nil, fmt.Errorf("encoding endorsement: %w", err)
	}
	if err := ob3.ValidateSchema(raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	format := is.cfg.Signer.format
	if format.IsJWT() {
		format = ""
	}
	if format == "" {
		format = DefaultSuite(is.cfg.Signer.KeyType())
	}
	return is.signDI(ctx, cred, format, is.cfg.Signer.identity, true)
}
