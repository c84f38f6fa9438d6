package ob3

import (
	"errors"
	"strings"
)

// ErrInvalidEmail is wrapped by CheckEmail's errors.
var ErrInvalidEmail = errors.New("invalid email address")

// emailError is one reason CheckEmail refuses an address; its text is the
// reason alone, so callers can wrap it in their own context.
type emailError string

func (e emailError) Error() string { return string(e) }
func (emailError) Unwrap() error   { return ErrInvalidEmail }

// CheckEmail reports whether s looks like an email address: local@domain
// with a dotted host name as domain and none of the characters an address
// cannot carry unquoted. It is the one email rule of the project: the
// roster reader, the issuer and NewIdentityObject all apply it, so an
// address one accepts the others accept too. It does not trim s. Errors
// wrap ErrInvalidEmail.
func CheckEmail(s string) error {
	local, domain, ok := strings.Cut(s, "@")
	switch {
	case !ok || local == "" || domain == "":
		return emailError("not an email address")
	case strings.ContainsAny(s, " \t\r\n<>,;\"()[]\\") || strings.Contains(domain, "@"):
		return emailError("contains characters an email address cannot have")
	case !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, ".."):
		return emailError("domain is not a host name")
	}
	return nil
}
