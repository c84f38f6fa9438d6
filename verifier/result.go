package verifier

import (
	"fmt"
	"strings"
	"time"
)

// Status is the verdict of one check.
type Status string

// Verdicts of a check. StatusError means the check could not be run (for
// example an unsupported DID method): the credential is neither valid nor
// invalid.
const (
	StatusPass    Status = "pass"
	StatusFail    Status = "fail"
	StatusSkipped Status = "skipped"
	StatusError   Status = "error"
)

// Check names, in the order Verify runs them.
const (
	CheckParse    = "parse"
	CheckContext  = "context"
	CheckType     = "type"
	CheckSchema   = "schema"
	CheckProof    = "proof"
	CheckIssuer   = "issuer"
	CheckValidity = "validity"
	CheckStatus   = "status"
)

// CheckResult is the outcome of one check.
type CheckResult struct {
	// Check names the check (one of the Check constants).
	Check string `json:"check"`
	// Status is the verdict.
	Status Status `json:"status"`
	// Reason explains the verdict in a sentence fragment.
	Reason string `json:"reason,omitempty"`
	// Path is the JSON path of the offending field, when there is one.
	Path string `json:"path,omitempty"`
}

// Result is the full report for one credential.
type Result struct {
	// Valid is true when no check failed and none was left undecided.
	Valid bool `json:"valid"`
	// CredentialID is the credential's id, when it could be read.
	CredentialID string `json:"id,omitempty"`
	// Issuer is issuer.id, when it could be read.
	Issuer string `json:"issuer,omitempty"`
	// Name is the credential's or achievement's name, for display.
	Name string `json:"name,omitempty"`
	// Checks lists every check in order.
	Checks []CheckResult `json:"checks"`
	// Claims are the values the checks read, taken from the statements the
	// proof covers (nil when the document could not be read as JSON-LD).
	Claims *Claims `json:"claims,omitempty"`
	// Work counts what the verification did (see Limits).
	Work Work `json:"work"`
	// Explain is set by Verifier.Explain: what another verifier could
	// judge differently. Nil from Verify.
	Explain *Explanation `json:"explain,omitempty"`
}

// Claims are what a verified credential states, read from the RDF
// statements its proof covers (for a VC-JWT, from its signed payload read
// as JSON-LD), never from a second reading of the submitted JSON: writing
// the same graph in another JSON shape gives the same Claims.
type Claims struct {
	// Verified is true when a proof by a key bound to the issuer covers
	// these statements; otherwise they are what the document says, unchecked.
	Verified bool `json:"verified"`
	// ID is the credential's id.
	ID string `json:"id,omitempty"`
	// Types are the credential's types, sorted: term names for the
	// vocabularies badgesmith bundles (VerifiableCredential,
	// OpenBadgeCredential, ...), full IRIs for any other.
	Types []string `json:"types,omitempty"`
	// Issuer is the issuer's id.
	Issuer string `json:"issuer,omitempty"`
	// Subject is the credentialSubject's id, when it has one.
	Subject string `json:"subject,omitempty"`
	// Name is the credential's name, or its achievement's.
	Name string `json:"name,omitempty"`
	// ValidFrom, IssuanceDate, ValidUntil and ExpirationDate are the
	// validity bounds present (VC 2.0 and VC 1.1 terms); zero when absent.
	// A JWT's nbf and exp are applied beside them.
	ValidFrom      time.Time `json:"validFrom,omitzero"`
	IssuanceDate   time.Time `json:"issuanceDate,omitzero"`
	ValidUntil     time.Time `json:"validUntil,omitzero"`
	ExpirationDate time.Time `json:"expirationDate,omitzero"`
	// Status are the credentialStatus entries.
	Status []StatusClaim `json:"status,omitempty"`
}

// StatusClaim is one credentialStatus entry as the statements give it.
type StatusClaim struct {
	ID                   string `json:"id,omitempty"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose,omitempty"`
	StatusListIndex      string `json:"statusListIndex,omitempty"`
	StatusListCredential string `json:"statusListCredential,omitempty"`
}

// Failed returns the first failed check, or nil.
func (r *Result) Failed() *CheckResult {
	for i := range r.Checks {
		if r.Checks[i].Status == StatusFail {
			return &r.Checks[i]
		}
	}
	return nil
}

// Inconclusive returns the first check that could not be run, or nil.
func (r *Result) Inconclusive() *CheckResult {
	for i := range r.Checks {
		if r.Checks[i].Status == StatusError {
			return &r.Checks[i]
		}
	}
	return nil
}

// Check returns the result of the named check, or nil if it was not run.
func (r *Result) Check(name string) *CheckResult {
	for i := range r.Checks {
		if r.Checks[i].Check == name {
			return &r.Checks[i]
		}
	}
	return nil
}

// VerificationError reports that a credential is invalid: at least one
// check failed. Callers branch on it with errors.As.
type VerificationError struct {
	// Failures are the failed checks, in order.
	Failures []CheckResult
}

func (e *VerificationError) Error() string {
	parts := make([]string, 0, len(e.Failures))
	for _, f := range e.Failures {
		s := f.Check + ": " + f.Reason
		if f.Path != "" && !strings.Contains(f.Reason, f.Path) {
			s += " (at " + f.Path + ")"
		}
		parts = append(parts, s)
	}
	return "credential is invalid: " + strings.Join(parts, "; ")
}

// InconclusiveError reports that a check could not be run, so the
// credential is neither known valid nor known invalid.
type InconclusiveError struct {
	// Check names the check that could not be run.
	Check string
	// Err is the cause.
	Err error
}

func (e *InconclusiveError) Error() string {
	return fmt.Sprintf("could not check %s: %v", e.Check, e.Err)
}

func (e *InconclusiveError) Unwrap() error { return e.Err }
