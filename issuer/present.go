package issuer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/proof"
)

// PresentOptions are what a verifier asked of a presentation.
type PresentOptions struct {
	// Challenge and Domain are the verifier's, signed into the proof so
	// that the presentation answers that request only. Either may be
	// empty when the verifier sent none.
	Challenge, Domain string
	// Now is the proof's created time. If nil, time.Now.
	Now func() time.Time
}

// Present wraps credentials in a VC 2.0 VerifiablePresentation whose
// holder is the signer's identity and signs it with a Data Integrity
// proof for authentication, as a wallet answers a VCALM or
// DIDAuthentication request; it returns the presentation's JSON. Each
// credential is a JSON credential, embedded as it is, or a compact JWS,
// embedded as an EnvelopedVerifiableCredential. The credentials are not
// verified here: the presentation's verifier verifies each of them.
func (s *Signer) Present(ctx context.Context, creds [][]byte, opts PresentOptions) ([]byte, error) {
	if s.format.IsJWT() {
		return nil, fmt.Errorf("%w: presentations are signed with Data Integrity suites, not %s", ErrInvalidInput, s.format)
	}
	entries := make([]any, 0, len(creds))
	for i, data := range creds {
		c, err := presentationEntry(data)
		if err != nil {
			return nil, &EntryError{Index: i, Err: err}
		}
		entries = append(entries, c)
	}
	vp := map[string]any{
		"@context":             []any{contexts.CredentialsV2},
		"type":                 []any{"VerifiablePresentation"},
		"holder":               s.identity.ID,
		"verifiableCredential": entries,
	}
	signed, err := proof.Sign(ctx, vp, s.key, proof.SignOptions{
		Suite:              proof.Suite(s.format),
		VerificationMethod: s.identity.VerificationMethod,
		ProofPurpose:       did.Authentication,
		Challenge:          opts.Challenge,
		Domain:             opts.Domain,
		Now:                opts.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("signing the presentation: %w", err)
	}
	out, err := json.MarshalIndent(signed, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the presentation: %w", err)
	}
	return append(out, '\n'), nil
}

// EntryError is a credential Present cannot embed: the Index-th one.
type EntryError struct {
	Index int
	Err   error
}

// Error names the entry as its JSON path in the presentation.
func (e *EntryError) Error() string {
	return fmt.Sprintf("verifiableCredential[%d]: %v", e.Index, e.Err)
}

// Unwrap gives the reason, which wraps ErrInvalidInput.
func (e *EntryError) Unwrap() error { return e.Err }

// presentationEntry is the verifiableCredential entry of a credential:
// its JSON object, or an EnvelopedVerifiableCredential for a compact JWS.
func presentationEntry(data []byte) (any, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%w: not a JSON credential: %w", ErrInvalidInput, err)
		}
		return m, nil
	}
	if bytes.Count(data, []byte{'.'}) != 2 || bytes.ContainsAny(data, " \t\r\n") {
		return nil, fmt.Errorf("%w: neither a JSON credential nor a compact JWS", ErrInvalidInput)
	}
	return map[string]any{
		"@context": contexts.CredentialsV2,
		"id":       "data:application/vc+jwt," + string(data),
		"type":     "EnvelopedVerifiableCredential",
	}, nil
}
