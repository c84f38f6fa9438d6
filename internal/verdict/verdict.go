// Package verdict lets an error about outside input say what it means for
// a verification: the input is bad (invalid: forged, tampered, malformed,
// a wrong key) or it could not be checked (inconclusive: a network
// failure, an unsupported suite, a document that could not be obtained).
//
// Each package that reads outside input defines its sentinel errors with
// Invalid or Inconclusive, so the meaning travels with the error through
// every %w wrap; the verifier maps an error to a check result once, with
// Of, instead of keeping lists of sentinels. An error that carries no
// verdict is inconclusive: nothing unclassified ever passes, and nothing
// unclassified condemns a credential either. crypto/x509's
// CertificateInvalidError, whose Reason says what kind of invalid, is the
// model.
//
// Callers outside badgesmith branch on the same meaning with
//
//	var v interface{ Invalid() bool }
//	if errors.As(err, &v) && v.Invalid() { ... }
package verdict

import "errors"

// Kind is what an error means for the input it is about.
type Kind uint8

// Kinds. The zero value is Inconclusive, so an error nobody classified
// never counts against, or for, a credential.
const (
	// Inconclusive: the input could not be checked.
	Inconclusive Kind = iota
	// Invalid: the input is bad.
	Invalid
)

// String returns "invalid" or "inconclusive".
func (k Kind) String() string {
	if k == Invalid {
		return "invalid"
	}
	return "inconclusive"
}

// Reason is a sentinel error that carries its Kind. Compare with errors.Is
// as with any sentinel.
type Reason struct {
	text string
	kind Kind
}

// NewInvalid returns a sentinel meaning the input is bad.
func NewInvalid(text string) error { return &Reason{text: text, kind: Invalid} }

// NewInconclusive returns a sentinel meaning the input could not be
// checked.
func NewInconclusive(text string) error { return &Reason{text: text, kind: Inconclusive} }

func (r *Reason) Error() string { return r.text }

// Invalid reports whether the error means the input is bad.
func (r *Reason) Invalid() bool { return r.kind == Invalid }

// classified is any error that knows its verdict: a Reason, or a type of
// another package with the same method.
type classified interface {
	error
	Invalid() bool
}

// Of returns the verdict of err: that of the outermost error in its chain
// that carries one (so a wrap that says "could not check" overrides an
// invalid cause it carries, and the reverse), and Inconclusive when none
// does.
func Of(err error) Kind {
	var c classified
	if errors.As(err, &c) && c.Invalid() {
		return Invalid
	}
	return Inconclusive
}

// Classified reports whether some error in err's chain carries a verdict.
func Classified(err error) bool {
	var c classified
	return errors.As(err, &c)
}
