package verifier

import (
	"fmt"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/status"
)

// Status is the verdict of one check.
type Status string

// Verdicts of a check. StatusError means the check could not be run (for
// example an unsupported DID method): the credential is neither valid nor
// invalid. StatusWarn means the check found a departure from the Open
// Badges data model or JSON shape that says nothing about who issued the
// credential or whether it still holds (an undeclared schema failure, a
// VC 1.1 context, a DID document listing one method twice): the
// credential is valid with warnings.
const (
	StatusPass    Status = "pass"
	StatusWarn    Status = "warning"
	StatusFail    Status = "fail"
	StatusSkipped Status = "skipped"
	StatusError   Status = "error"
)

// Verdict is the outcome of a whole verification.
type Verdict string

// Verdicts, from best to worst. Signature, issuer, dates and status decide
// between valid, invalid and could not check; data-model and JSON-shape
// departures only ever turn valid into valid with warnings.
const (
	// VerdictValid: every check passed.
	VerdictValid Verdict = "valid"
	// VerdictWarnings: signature, issuer, dates and status are good; some
	// checks list departures (StatusWarn).
	VerdictWarnings Verdict = "valid with warnings"
	// VerdictInvalid: forged, tampered, revoked, suspended, expired, not
	// yet valid, signed by a key that is not the issuer's, or failing a
	// 1EdTech JSON schema the credential itself declares.
	VerdictInvalid Verdict = "invalid"
	// VerdictCouldNotCheck: a check could not be run (network, a missing
	// or untrusted status list, an unsupported suite or context), and none
	// failed.
	VerdictCouldNotCheck Verdict = "could not check"
)

// Accepted reports whether the verdict lets a credential through: valid,
// or valid with warnings.
func (v Verdict) Accepted() bool { return v == VerdictValid || v == VerdictWarnings }

// CheckName names one check of a verification.
type CheckName string

// Check names, in the order Verify runs them.
const (
	CheckParse    CheckName = "parse"
	CheckContext  CheckName = "context"
	CheckType     CheckName = "type"
	CheckSchema   CheckName = "schema"
	CheckProof    CheckName = "proof"
	CheckIssuer   CheckName = "issuer"
	CheckValidity CheckName = "validity"
	CheckStatus   CheckName = "status"
)

// CheckResult is the outcome of one check.
type CheckResult struct {
	// Check names the check.
	Check CheckName `json:"check"`
	// Status is the verdict.
	Status Status `json:"status"`
	// Reason explains the verdict in a sentence fragment.
	Reason string `json:"reason,omitempty"`
	// Path is the JSON path of the offending field, when there is one.
	Path string `json:"path,omitempty"`
}

// Result is the full report for one credential.
type Result struct {
	// Valid is true when no check failed and none was left undecided: the
	// verdict is valid or valid with warnings.
	Valid bool `json:"valid"`
	// Verdict is the outcome; Decision names the check behind it.
	Verdict Verdict `json:"verdict"`
	// Decision is the check that decides Verdict: the first failed check
	// for invalid; for could not check, the proof check when it could not
	// be run, else the first check that could not; the first warning for
	// valid with warnings; empty when valid.
	Decision CheckName `json:"decision,omitempty"`
	// OpenBadge is true when the credential's verified types include
	// OpenBadgeCredential, AchievementCredential, EndorsementCredential or
	// ClrCredential. A plain VC can be valid (with the warning "not an Open
	// Badge"); anything that needs an Open Badge must also require this.
	OpenBadge bool `json:"openBadge"`
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
	// Endorsements are the endorsements embedded in the credential, its
	// issuer and its achievement, each verified (see endorsement.go).
	Endorsements []EndorsementResult `json:"endorsements,omitempty"`
	// Recognition says whether the trust lists (Options.Trust) recognise
	// the issuer; nil without trust lists or a verified issuer.
	Recognition *Recognition `json:"recognition,omitempty"`
	// Embedded are the credentials a CLR embeds, each verified.
	Embedded []EmbeddedResult `json:"embedded,omitempty"`
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
	// Award is what an achievement credential awards, and to whom; nil
	// for a credential without one achievement (see award.go).
	Award *Award `json:"award,omitempty"`
	// Clr is what a ClrCredential's subject states; nil for any other
	// credential (see clr.go).
	Clr *ClrClaims `json:"clr,omitempty"`
	// clrNodes are the IRI nodes the statements describe with the CLR
	// vocabulary (a ClrSubject type or a CLR property), for checkCLR.
	clrNodes []string
	// subjectPredicates are the properties the statements give the
	// credential's subject, for checkEndorsements.
	subjectPredicates []string
	// described are the IRI nodes besides the credential's own that the
	// statements give a property other than a type or an
	// endorsementComment, for checkEndorsements.
	described []string
}

// StatusClaim is one credentialStatus entry as the statements give it.
type StatusClaim struct {
	ID                   string         `json:"id,omitempty"`
	Type                 string         `json:"type"`
	StatusPurpose        status.Purpose `json:"statusPurpose,omitempty"`
	StatusListIndex      string         `json:"statusListIndex,omitempty"`
	StatusListCredential string         `json:"statusListCredential,omitempty"`
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

// Inconclusive returns the check that could not be run and decides a
// could-not-check verdict (the proof check first, see Decision), or nil.
func (r *Result) Inconclusive() *CheckResult {
	if c := r.Check(CheckProof); c != nil && c.Status == StatusError {
		return c
	}
	for i := range r.Checks {
		if r.Checks[i].Status == StatusError {
			return &r.Checks[i]
		}
	}
	return nil
}

// Warnings returns the checks that passed with departures listed.
func (r *Result) Warnings() []CheckResult {
	var out []CheckResult
	for _, c := range r.Checks {
		if c.Status == StatusWarn {
			out = append(out, c)
		}
	}
	return out
}

// decide sets Verdict, Decision and Valid from the checks: any failure
// makes the credential invalid, else any check that could not run leaves
// it undecided, else warnings make it valid with warnings.
func (r *Result) decide() {
	r.Valid = false
	switch f, u, w := r.Failed(), r.Inconclusive(), r.Warnings(); {
	case f != nil:
		r.Verdict, r.Decision = VerdictInvalid, f.Check
	case u != nil:
		r.Verdict, r.Decision = VerdictCouldNotCheck, u.Check
	case len(w) > 0:
		r.Verdict, r.Decision, r.Valid = VerdictWarnings, w[0].Check, true
	default:
		r.Verdict, r.Decision, r.Valid = VerdictValid, "", true
	}
}

// Check returns the result of the named check, or nil if it was not run.
func (r *Result) Check(name CheckName) *CheckResult {
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
		s := string(f.Check) + ": " + f.Reason
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
	Check CheckName
	// Err is the cause.
	Err error
}

func (e *InconclusiveError) Error() string {
	return fmt.Sprintf("could not check %s: %v", e.Check, e.Err)
}

func (e *InconclusiveError) Unwrap() error { return e.Err }
